"""A stored post's rows read back as the cells of its files: what export writes and what the pipeline
reads (icass.store.compute), one conversion for both."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from icass.bundle.tables import Cells, check_header
from icass.diagnostics import Diagnostic, error
from icass.model import Source
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
        found = self.files.get(name)
        if found is None:
            return None, [error(Source(name), "the file is missing")]
        _, problems, fatal = check_header(name, found.header, required, optional, keep_extra)
        return (None if fatal else found), problems


def stored_cells(connection: Connection, post_id: int) -> StoredCells:
    files: dict[str, Cells] = {}
    query = select(bundle_files.c.name, bundle_files.c.header).where(bundle_files.c.post_id == post_id)
    for name, header in connection.execute(query.order_by(bundle_files.c.id)):
        table, (_, kinds) = ROW_TABLES[name], FILES[name]
        selected = [table.c[c] if c in kinds else None for c in header]
        rows = connection.execute(
            select(*(c for c in selected if c is not None), table.c.extra)
            .where(table.c.post_id == post_id)
            .order_by(table.c.line)
        ).all()
        records: list[list[str]] = []
        for row in rows:
            values = iter(row[:-1])
            extra = row[-1]
            records.append(
                [
                    (format_plain(next(values)) if kinds[c] == "cents" else next(values)) if c in kinds else extra[c]
                    for c in header
                ]
            )
        files[name] = Cells(name, tuple(header), list(range(2, len(records) + 2)), records)
    return StoredCells(files)
