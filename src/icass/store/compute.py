"""A stored post through the pipeline: its rows read back as the cells of its files, by the same readers,
then derived, validated and distributed by the same steps as a bundle from disk (icass.pipeline). A finished
run is kept until the post changes (its `revision`), in the store's one cache (icass.store.states)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Engine, select

from icass.bundle.load import read_entered
from icass.bundle.tdy import POLICY
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.diagnostics import Diagnostic
from icass.model import Methodology, Post, PostRecords, Region, Source, SourceRecords
from icass.model.sources import FILE_OF
from icass.pipeline import PostRun, run_records
from icass.pipeline.tdy import TdyRun, tdy_of
from icass.store.cells import StoredCells, stored_cells, stored_cells_of
from icass.store.schema import documents, posts
from icass.store.states import Shelf, database_of


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


POSTS: Shelf[PostRun] = Shelf("post")  # post id -> its run, kept under its revision


def run_stored(engine: Engine, post_id: int) -> PostRun:
    """The pipeline on a stored post, as `run_post` on its bundle; kept until the post's revision changes."""
    with engine.connect() as connection:
        revision = connection.execute(select(posts.c.revision).where(posts.c.id == post_id)).scalar_one()
        return run_kept(connection, post_id, revision)


def run_kept(connection: Connection, post_id: int, revision: str) -> PostRun:
    """The post's run at `revision`, the one `connection` sees: the kept one, or computed and kept."""
    database = database_of(connection)
    kept = POSTS.get(database, post_id, revision)
    if kept is not None:
        return kept
    run = run_on(connection, post_id)
    POSTS.put(database, post_id, revision, run)
    return run


def keep_run(connection: Connection, post_id: int, run: PostRun) -> None:
    """Keep `run`, made on the post as `connection` sees it, under the post's revision there (a change's
    run, kept before its commit: the read that follows the commit finds it)."""
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post_id)).scalar_one()
    POSTS.put(database_of(connection), post_id, revision, run)


def run_on(connection: Connection, post_id: int, cells: StoredCells | None = None) -> PostRun:
    """The pipeline on the post as `connection` sees it (a change not yet committed included), not kept; or on
    `cells` given for it (a what-if scenario's, icass.store.scenarios) with the post's settings."""
    records, problems = read_stored_of(connection, [post_id], None if cells is None else {post_id: cells})[0]
    if records is None:
        return PostRun(tuple(problems), catalog=load_catalog())
    return run_records(records, load_catalog(), load_counting_rules(), problems)


def read_stored(connection: Connection, post_id: int) -> tuple[PostRecords | None, list[Diagnostic]]:
    """A stored post's records and every problem found, as read_bundle reads its bundle (None when the budget
    side has an error)."""
    return read_stored_of(connection, [post_id])[0]


def read_stored_of(
    connection: Connection, post_ids: Sequence[int], cells: Mapping[int, StoredCells] | None = None
) -> list[tuple[PostRecords | None, list[Diagnostic]]]:
    """read_stored for several posts (a stored world's), as read_bundles reads several bundles: their rows
    fetched together, their source records parsed together. `cells`: the posts' cells already in hand."""
    cells = stored_cells_of(connection, post_ids) if cells is None else cells
    sides = [read_entered(cells[post_id], _post(connection, post_id), []) for post_id in post_ids]
    sources = _sources_of([cells[post_id] for post_id in post_ids])
    found: list[tuple[PostRecords | None, list[Diagnostic]]] = []
    for (entered, modifications, problems), (records, more) in zip(sides, sources, strict=True):
        if entered is None:
            found.append((None, problems + more))
        else:
            found.append((PostRecords(entered, modifications, records), problems + more))
    return found


def run_stored_tdy(engine: Engine, post_id: int, as_of: dt.date) -> TdyRun:
    """The TDY module on a stored post (a prior-year final budget with its visits), as `run_tdy` on its bundle:
    rates from its run (run_stored), then its stored visits, services and policy billed on `as_of`."""
    run = run_stored(engine, post_id)
    with engine.connect() as connection:
        cells = stored_cells(connection, post_id)
        query = select(documents.c.text).where(documents.c.post_id == post_id, documents.c.name == POLICY)
        policy = connection.execute(query).scalar_one_or_none()
    return tdy_of(run, cells, as_of, run.catalog, policy)


def _sources_of(cells: Sequence[StoredCells]) -> list[tuple[SourceRecords, list[Diagnostic]]]:
    present = [{name: c.files[name] for name in FILE_OF.values() if name in c.files} for c in cells]
    if not any(present):
        return [(SourceRecords(), []) for _ in cells]
    from icass.bundle.frames import sources_from_cells_of  # polars: only for posts with source records

    with_records = [i for i, found in enumerate(present) if found]
    parsed = dict(zip(with_records, sources_from_cells_of([present[i] for i in with_records]), strict=True))
    return [parsed.get(i, (SourceRecords(), [])) for i in range(len(cells))]
