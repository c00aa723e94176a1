"""A page of one table's rows as its editor shows it: the rows a search and the filters keep, sorted by any
column, one page of them at a time, so that a table of thousands of rows is never sent whole to a screen. The
order of a column is its kind's (icass.bundle.format): amounts and counts by their number, everything else by
its text; an empty cell comes last whichever way a column is sorted."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from typing import Any, Generic, TypeVar

from icass.bundle.format import Column, File, Kind

PAGE_ROWS = 25  # a screen of rows: what an editor renders at once
FILTERED = ("cost_center", "agency")  # the columns a table may be filtered by, when it has them


R = TypeVar("R")  # a row: a record with an attribute for each column of its file


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
    first: int  # the place of the page's first row among those kept, from 1
    page: int
    pages: int
    matching: int
    total: int
    sort: str
    descending: bool
    filters: Mapping[str, tuple[str, ...]]


def _number(cell: str) -> Decimal:
    # A stored amount or count is always a plain decimal (the store wrote it), so Decimal reads it exactly; a
    # cell that were not would sort as 0 rather than break the page.
    try:
        return Decimal(cell)
    except InvalidOperation:
        return Decimal(0)


def _sort_key(column: Column) -> Callable[[str], Any]:
    return _number if column.cents or column.kind == Kind.COUNT else str.casefold


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
    where = {name: i for i, name in enumerate(columns)}
    # Each row's cells as a tuple in the columns' order, read as attributes (a stored row's record has a field
    # for each column): a table of thousands of rows is gone through on every page of it.
    read = attrgetter(*columns)
    cells = [read(row) if len(columns) > 1 else (read(row),) for row in rows]
    filters = {
        name: tuple(sorted({c[where[name]] for c in cells if c[where[name]]})) for name in FILTERED if name in where
    }
    kept = list(range(len(rows)))
    for name, wanted in (("cost_center", query.cost_center), ("agency", query.agency)):
        if wanted and name in where:
            kept = [i for i in kept if cells[i][where[name]] == wanted]
    text = query.text.strip().casefold()
    if text:
        named = [(j, names[name]) for j, name in enumerate(columns) if name in names]

        def said(i: int) -> str:
            row = cells[i]
            return "\t".join([*row, *(codes.get(row[j], "") for j, codes in named)]).casefold()

        kept = [i for i in kept if text in said(i)]
    sort = query.sort if query.sort in where else ""
    if sort:
        key, j = _sort_key(file.column(sort)), where[sort]
        filled = sorted((i for i in kept if cells[i][j]), key=lambda i: key(cells[i][j]), reverse=query.descending)
        kept = filled + [i for i in kept if not cells[i][j]]
    pages = max(1, -(-len(kept) // per_page))
    page = min(max(1, query.page), pages)
    shown = kept[(page - 1) * per_page : page * per_page]
    return RowsPage(
        rows=tuple(rows[i] for i in shown),
        first=(page - 1) * per_page + 1,
        page=page,
        pages=pages,
        matching=len(kept),
        total=len(rows),
        sort=sort,
        descending=query.descending and bool(sort),
        filters=filters,
    )
