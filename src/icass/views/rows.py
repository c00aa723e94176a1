"""A page of one table's rows as its editor shows it: the rows a search and the filters keep, sorted by any
column, one page of them at a time, so that a table of thousands of rows is never sent whole to a screen. The
order of a column is its kind's (icass.bundle.format): amounts and counts by their number, everything else by
its text; an empty cell comes last whichever way a column is sorted."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from icass.bundle.format import Column, File, Kind
from icass.money import parse_cents, parse_decimal

PAGE_ROWS = 25  # a screen of rows: what an editor renders at once
FILTERED = ("cost_center", "agency")  # the columns a table may be filtered by, when it has them


class HasCells(Protocol):
    def cells(self) -> dict[str, str]: ...


R = TypeVar("R", bound=HasCells)


@dataclass(frozen=True)
class RowQuery:
    """What a person asked of a table: text to search for, a cost center and an agency to keep, the column to
    sort by ("" for the file's order) and which way, and the page (from 1)."""

    text: str = ""
    cost_center: str = ""
    agency: str = ""
    sort: str = ""
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class RowsPage(Generic[R]):
    """One page of the rows a query keeps: `matching` of the table's `total` rows are kept, on `pages` pages;
    `filters` holds, for each column the table may be filtered by, the values its rows hold."""

    rows: tuple[R, ...]
    page: int
    pages: int
    matching: int
    total: int
    sort: str
    descending: bool
    filters: Mapping[str, tuple[str, ...]]


def _number(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def key(cell: str) -> Any:
        try:
            return parse(cell)
        except ValueError:
            return Decimal(0)  # a stored cell is always a number of its kind; this keeps the sort total

    return key


def _sort_key(column: Column) -> Callable[[str], Any]:
    if column.cents:
        return _number(parse_cents)
    if column.kind == Kind.COUNT:
        return _number(parse_decimal)
    return str.casefold


def rows_page(
    rows: Sequence[R],
    file: File,
    query: RowQuery,
    names: Mapping[str, Mapping[str, str]] | None = None,
    per_page: int = PAGE_ROWS,
) -> RowsPage[R]:
    """The page `query` asks for of `rows` (of `file`, in the file's order). `names` gives, by column, the name of
    each code (a cost center's, an agency's), which the search finds as well as the code."""
    names = names or {}
    columns = [c.name for c in file.columns]
    cells = [row.cells() for row in rows]
    filters = {name: tuple(sorted({c[name] for c in cells if c[name]})) for name in FILTERED if name in columns}
    kept = list(range(len(rows)))
    for name, wanted in (("cost_center", query.cost_center), ("agency", query.agency)):
        if wanted and name in columns:
            kept = [i for i in kept if cells[i][name] == wanted]
    text = query.text.strip().casefold()
    if text:

        def said(i: int) -> str:
            row = cells[i]
            named = (names.get(c, {}).get(row[c], "") for c in columns)
            return "\t".join([*(row[c] for c in columns), *named]).casefold()

        kept = [i for i in kept if text in said(i)]
    sort = query.sort if query.sort in columns else ""
    if sort:
        key = _sort_key(file.column(sort))
        filled = sorted(
            (i for i in kept if cells[i][sort]), key=lambda i: key(cells[i][sort]), reverse=query.descending
        )
        kept = filled + [i for i in kept if not cells[i][sort]]
    pages = max(1, -(-len(kept) // per_page))
    page = min(max(1, query.page), pages)
    shown = kept[(page - 1) * per_page : page * per_page]
    return RowsPage(
        rows=tuple(rows[i] for i in shown),
        page=page,
        pages=pages,
        matching=len(kept),
        total=len(rows),
        sort=sort,
        descending=query.descending and bool(sort),
        filters=filters,
    )
