"""A stored post's rows read back as the cells of its files: what export writes and what the pipeline
reads (icass.store.compute), one conversion for both. The pipeline takes the budget side's amounts as the
integers the database holds (no text between them); export writes every amount in the format's form."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, select

from icass.bundle.tables import Cells, held_cells
from icass.diagnostics import Diagnostic
from icass.money import format_plain
from icass.store.schema import FILES, ROW_TABLES, bundle_files


@dataclass(frozen=True)
class StoredCells:
    """A stored post's tables as a CellSource (icass.bundle.tables): each file's header as imported and its
    rows in their order, amounts written back in the format's form."""

    files: dict[str, Cells]

    def has(self, name: str) -> bool:
        return name in self.files

    def cells(
        self, name: str, required: Iterable[str], optional: Iterable[str], keep_extra: bool, max_rows: int
    ) -> tuple[Cells | None, list[Diagnostic]]:
        return held_cells(self.files, name, required, optional, keep_extra, max_rows)


def stored_cells(connection: Connection, post_id: int) -> StoredCells:
    return stored_cells_of(connection, [post_id])[post_id]


def stored_cells_of(
    connection: Connection, post_ids: Sequence[int], in_cents: Collection[str] = ()
) -> dict[int, StoredCells]:
    """Several posts' cells (a stored world's), one query per table for all of them. The amounts of the files
    `in_cents` stay the integers the database holds (the readers take them as they are, icass.bundle.tables.
    cents); every other amount is written back in the format's form, as export writes it."""
    files: dict[int, dict[str, Cells]] = {post_id: {} for post_id in post_ids}
    if not post_ids:
        return {}
    query = (
        select(bundle_files.c.post_id, bundle_files.c.name, bundle_files.c.header)
        .where(bundle_files.c.post_id.in_(post_ids))
        .order_by(bundle_files.c.id)
    )
    headers: dict[str, dict[int, list[str]]] = {}
    order: dict[int, list[str]] = {post_id: [] for post_id in post_ids}  # each post's files as stored
    for post_id, name, header in connection.execute(query):
        headers.setdefault(name, {})[post_id] = header
        order[post_id].append(name)
    for name, by_post in headers.items():
        table, (_, kinds) = ROW_TABLES[name], FILES[name]
        columns = [c for c in kinds if any(c in header for header in by_post.values())]
        # `extra` is read only when a header has a column beyond the format: a JSON cell a row costs.
        extras = any(c not in kinds for header in by_post.values() for c in header)
        found = connection.execute(
            select(table.c.post_id, *(table.c[c] for c in columns), *([table.c.extra] if extras else []))
            .where(table.c.post_id.in_(list(by_post)))
            .order_by(table.c.post_id, table.c.line)
        )
        rows: dict[int, list[Any]] = {post_id: list(group) for post_id, group in groupby(found, itemgetter(0))}
        at = {c: i + 1 for i, c in enumerate(columns)}
        for post_id, header in by_post.items():
            records: list[list[Any]] = []
            if post_id in rows:
                # Column by column: the rows turned into columns and back, each in one C loop. A row added
                # through the API has no value for the file's columns beyond the format (agencies.csv's
                # bureau): its cell there is empty, as a spreadsheet's would be.
                stored = list(zip(*rows[post_id], strict=True))
                cells = [
                    _column(stored[at[c]], kinds[c] == "cents" and name not in in_cents)
                    if c in kinds
                    else [extra.get(c, "") for extra in stored[-1]]
                    for c in header
                ]
                records = list(map(list, zip(*cells, strict=True)))
            files[post_id][name] = Cells(name, tuple(header), list(range(2, len(records) + 2)), records)
    return {post_id: StoredCells({name: files[post_id][name] for name in order[post_id]}) for post_id in post_ids}


def _column(values: Sequence[Any], as_text: bool) -> Sequence[Any]:
    """A stored column's cells: an amount in cents, or written back as text when `as_text`. A column left
    without a value (a row made through the API with a null) is an empty cell, as a file's would be, so the
    same check names it; a column of amounts with one is all text, as a column is read as a whole."""
    if None in values:
        return ["" if v is None else format_plain(v) if isinstance(v, int) else v for v in values]
    return list(map(format_plain, values)) if as_text else values
