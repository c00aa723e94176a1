"""A stored post through the pipeline: its rows read back as the cells of its files, by the same readers,
then derived, validated and distributed by the same steps as a bundle from disk (icass.pipeline). A finished
run is kept until the post changes (its `version`)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from icass.bundle.load import read_entered
from icass.bundle.tables import Cells, check_header
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.diagnostics import Diagnostic, error
from icass.model import Methodology, Post, PostRecords, Region, Source, SourceRecords
from icass.model.sources import FILE_OF
from icass.money import format_plain
from icass.pipeline import PostRun, run_records
from icass.store.schema import FILES, ROW_TABLES, bundle_files, posts


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
    for name, header in connection.execute(query):
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


def _post(connection: Connection, post_id: int) -> Post:
    row = connection.execute(select(posts).where(posts.c.id == post_id)).mappings().one()
    return Post(
        code=row["code"],
        name=row["name"],
        country=row["country"],
        region=Region(row["region"]),
        methodology=Methodology(row["methodology"]),
        fiscal_year=row["fiscal_year"],
        count_date=dt.date.fromisoformat(row["count_date"]) if row["count_date"] else None,
        stage=row["stage"] or "",
        source=Source("post.toml"),
    )


_runs: dict[tuple[str, int], tuple[str, PostRun]] = {}  # (database, post id) -> (revision, its run)
_lock = threading.Lock()


def run_stored(engine: Engine, post_id: int) -> PostRun:
    """The pipeline on a stored post, as `run_post` on its bundle; kept until the post's revision changes."""
    key = (engine.url.render_as_string(hide_password=True), post_id)
    with engine.connect() as connection:
        revision = connection.execute(select(posts.c.revision).where(posts.c.id == post_id)).scalar_one()
        with _lock:
            kept = _runs.get(key)
            if kept is not None and kept[0] == revision:
                return kept[1]
        cells = stored_cells(connection, post_id)
        post = _post(connection, post_id)
    entered, modifications, problems = read_entered(cells, post, [])
    if entered is None:
        return PostRun(tuple(problems), catalog=load_catalog())
    sources, more = _sources(cells)
    records = PostRecords(entered, modifications, sources)
    run = run_records(records, load_catalog(), load_counting_rules(), problems + more)
    with _lock:
        _runs[key] = (revision, run)
    return run


def _sources(cells: StoredCells) -> tuple[SourceRecords, list[Diagnostic]]:
    present = {name: cells.files[name] for name in FILE_OF.values() if name in cells.files}
    if not present:
        return SourceRecords(), []
    from icass.bundle.frames import sources_from_cells  # polars: only for posts with source records

    return sources_from_cells(present)
