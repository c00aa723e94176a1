"""Approved versions of a post's budget, and what changed since (issue 8 §4: "what changed since the last
approved version"). The post's Budget Committee "reviews and recommends budget approval to the Council", and
the post ICASS Council approves the post's ICASS budget (ICASS overview, Players at Post); the post's FMO, or
the ICASS Service Center, records that approval here. A version keeps the post's files whole, as text, so what
changed since is said row by row, and the version can go through the same pipeline as the post now to set
each agency's invoice then beside now.

Rows have no identity across a version (an edited row is the same line with other cells), so a file's
changes are its rows as a multiset: the rows now that were not there then ("added") and those there then
that are not now ("removed"); an edited row is one of each."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from icass.bundle.tables import Cells
from icass.diagnostics import ERROR
from icass.runs.post import PostRun
from icass.store import audit
from icass.store.cells import StoredCells, stored_cells
from icass.store.changes import NotFound, PostKey, Rejected
from icass.store.compute import run_on
from icass.store.schema import post_versions, posts
from icass.store.states import Shelf, database_of


@dataclass(frozen=True)
class Version:
    number: int
    approved_at: str
    approved_by: str
    note: str


@dataclass(frozen=True)
class FileChanges:
    file: str
    header: tuple[str, ...]
    added: list[list[str]]
    removed: list[list[str]]


@dataclass(frozen=True)
class AgencyChange:
    agency: str
    then: int | None  # cents; None: the agency had no invoice (or that side could not be distributed)
    now: int | None

    @property
    def difference(self) -> int:
        return (self.now or 0) - (self.then or 0)


@dataclass(frozen=True)
class Changes:
    version: Version
    files: list[FileChanges]
    agencies: list[AgencyChange]  # those whose totals moved
    then_total: int | None
    now_total: int | None


def approve(connection: Connection, post: PostKey, user: str, note: str) -> Version:
    """Record the post as it is now as approved, under the next number, in the record too. A post with errors
    (a time allocation left short by a change, icass.store.changes.rejects) cannot be: Rejected, with them."""
    errors = [d for d in run_on(connection, post.id).diagnostics if d.severity == ERROR]
    if errors:
        raise Rejected(errors)
    cells = stored_cells(connection, post.id)
    files = {name: {"header": list(c.header), "rows": c.records} for name, c in cells.files.items()}
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    number = (
        1
        + connection.execute(
            select(func.coalesce(func.max(post_versions.c.number), 0)).where(post_versions.c.post_id == post.id)
        ).scalar_one()
    )
    at = audit.now()
    connection.execute(
        insert(post_versions).values(
            post_id=post.id,
            number=number,
            approved_at=at,
            approved_by=user,
            note=note,
            revision=revision,
            files=files,
        )
    )
    audit.record(
        connection,
        user,
        "approve version",
        f"version {number}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        after={"number": number, "note": note, "revision": revision},
    )
    return Version(number, at, user, note)


def versions(connection: Connection, post: PostKey) -> list[Version]:
    """The post's approved versions, newest first."""
    found = connection.execute(
        select(post_versions.c.number, post_versions.c.approved_at, post_versions.c.approved_by, post_versions.c.note)
        .where(post_versions.c.post_id == post.id)
        .order_by(post_versions.c.number.desc())
    )
    return [Version(*row) for row in found]


def changes_since(connection: Connection, post: PostKey, number: int, now: PostRun) -> Changes:
    """What changed in the post's rows since version `number`, and each agency's invoice then and `now` (the
    post's run now, icass.store.compute.run_stored)."""
    row = connection.execute(
        select(post_versions).where(post_versions.c.post_id == post.id, post_versions.c.number == number)
    ).one_or_none()
    if row is None:
        raise NotFound(f"post {post.code} {post.fiscal_year} has no approved version {number}")
    version = Version(row.number, row.approved_at, row.approved_by, row.note)
    then_files = {
        name: Cells(name, tuple(f["header"]), list(range(2, 2 + len(f["rows"]))), f["rows"])
        for name, f in row.files.items()
    }
    current = stored_cells(connection, post.id).files
    then = _run_of(connection, post, (row.id, row.approved_at), StoredCells(then_files))
    then_totals, now_totals = _totals(then, post.code), _totals(now, post.code)
    moved = [
        AgencyChange(agency, then_totals.get(agency), now_totals.get(agency))
        for agency in sorted(set(then_totals) | set(now_totals))
        if then_totals.get(agency) != now_totals.get(agency)
    ]
    return Changes(
        version,
        [c for name in sorted(set(then_files) | set(current)) if (c := _file_changes(name, then_files, current))],
        moved,
        sum(then_totals.values()) if then.distribution is not None else None,
        sum(now_totals.values()) if now.distribution is not None else None,
    )


def _file_changes(name: str, then: dict[str, Cells], now: dict[str, Cells]) -> FileChanges | None:
    before, after = then.get(name), now.get(name)
    kept = after if after is not None else before
    assert kept is not None  # the name comes from one side or the other
    header = kept.header
    old = Counter(_keyed(before, header))
    new = Counter(_keyed(after, header))
    added = [list(r) for r in (new - old).elements()]
    removed = [list(r) for r in (old - new).elements()]
    return FileChanges(name, tuple(header), added, removed) if added or removed else None


def _keyed(cells: Cells | None, header: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each row's cells in `header`'s order (a column the file did not have then is empty)."""
    if cells is None:
        return []
    at = [cells.header.index(h) if h in cells.header else None for h in header]
    return [tuple("" if k is None else str(record[k]) for k in at) for record in cells.records]


def _totals(run: PostRun, post: str) -> dict[str, int]:
    if run.distribution is None:
        return {}
    totals: dict[str, int] = defaultdict(int)
    for agency, *_rest, total in run.distribution.lines(post):
        totals[agency] += total
    return dict(totals)


# A version never changes, so its run is kept for the process, keyed by the database and the version's row
# and time (a row id alone could come back after a post is imported again).
VERSIONS: Shelf[PostRun] = Shelf("version")


def _run_of(connection: Connection, post: PostKey, version_id: tuple[int, str], cells: StoredCells) -> PostRun:
    database = database_of(connection)
    kept = VERSIONS.get(database, version_id, ())
    if kept is None:
        kept = run_on(connection, post.id, cells)
        VERSIONS.put(database, version_id, (), kept)
    return kept
