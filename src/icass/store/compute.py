"""A stored post through the pipeline: its rows read back as the cells of its files, by the same readers,
then derived, validated and distributed by the same steps as a bundle from disk (icass.pipeline). A finished
run is kept until the post changes (its `version`)."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Connection, Engine, select

from icass.bundle.load import read_entered
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.diagnostics import Diagnostic
from icass.model import Methodology, Post, PostRecords, Region, Source, SourceRecords
from icass.model.sources import FILE_OF
from icass.pipeline import PostRun, run_records
from icass.store.cells import StoredCells, stored_cells
from icass.store.schema import posts


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
        run = run_on(connection, post_id)
    with _lock:
        _runs[key] = (revision, run)
    return run


def run_on(connection: Connection, post_id: int) -> PostRun:
    """The pipeline on the post as `connection` sees it (a change not yet committed included), not kept."""
    cells = stored_cells(connection, post_id)
    post = _post(connection, post_id)
    entered, modifications, problems = read_entered(cells, post, [])
    if entered is None:
        return PostRun(tuple(problems), catalog=load_catalog())
    sources, more = _sources(cells)
    records = PostRecords(entered, modifications, sources)
    return run_records(records, load_catalog(), load_counting_rules(), problems + more)


def _sources(cells: StoredCells) -> tuple[SourceRecords, list[Diagnostic]]:
    present = {name: cells.files[name] for name in FILE_OF.values() if name in cells.files}
    if not present:
        return SourceRecords(), []
    from icass.bundle.frames import sources_from_cells  # polars: only for posts with source records

    return sources_from_cells(present)
