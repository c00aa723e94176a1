"""Approved versions of a post's budget, and what changed since (issue 8 §4: "what changed since the last
approved version"). The post's Budget Committee "reviews and recommends budget approval to the Council", and
the post ICASS Council approves the post's ICASS budget (ICASS overview, Players at Post); the post's FMO, or
the ICASS Service Center, records that approval here. A version keeps the post's files whole, as text, so what
changed since is said row by row, and the version can go through the same pipeline as the post now to set
each agency's invoice then beside now (icass.views.changes compares them). What changed since a version is
kept until the post changes (its revision), so a dashboard read again does not read the post's rows again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select

from icass.bundle.tables import Cells
from icass.diagnostics import ERROR
from icass.runs.post import PostRun
from icass.store import audit
from icass.store.cells import StoredCells, stored_cells
from icass.store.central_factors import central_of
from icass.store.changes import NotFound, PostKey, Rejected
from icass.store.compute import run_on, state_kept
from icass.store.schema import post_versions, posts
from icass.store.states import Shelf, database_of
from icass.views.changes import AgencyChange, Changes, FileChanges, SinceApproved, Version, changes_between

__all__ = [
    "AgencyChange",
    "Changes",
    "FileChanges",
    "SinceApproved",
    "Version",
    "approval_state",
    "approve",
    "changes_since",
    "since_newest",
    "version_run",
    "versions",
]


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


def since_newest(connection: Connection, post: PostKey) -> SinceApproved:
    """The post's newest approved version and what changed since, as the dashboard shows them."""
    found = versions(connection, post)
    return SinceApproved(found[0], changes_since(connection, post, found[0].number)) if found else NO_VERSION


NO_VERSION = SinceApproved(None, None)


def approval_state(connection: Connection, post: PostKey) -> tuple[Version | None, bool]:
    """The post's newest approved version (None: never approved) and whether the post changed since it (its
    revision moved): what a list of posts says of each one's approval without reading its files."""
    row = connection.execute(
        select(
            post_versions.c.number,
            post_versions.c.approved_at,
            post_versions.c.approved_by,
            post_versions.c.note,
            post_versions.c.revision,
        )
        .where(post_versions.c.post_id == post.id)
        .order_by(post_versions.c.number.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None, True
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    return Version(row.number, row.approved_at, row.approved_by, row.note), revision != row.revision


def changes_since(connection: Connection, post: PostKey, number: int) -> Changes:
    """What changed in the post's rows since version `number`, and each agency's invoice then and now (the
    post's state as `connection` sees it); kept under the post's revision."""
    head = connection.execute(
        select(post_versions.c.id, post_versions.c.approved_at).where(
            post_versions.c.post_id == post.id, post_versions.c.number == number
        )
    ).one_or_none()
    if head is None:
        raise NotFound(f"post {post.code} {post.fiscal_year} has no approved version {number}")
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    database, key = database_of(connection), (post.id, number)
    kept = SINCE.get(database, key, (revision, tuple(head)))
    if kept is not None:
        return kept
    row = connection.execute(select(post_versions).where(post_versions.c.id == head.id)).one()
    version = Version(row.number, row.approved_at, row.approved_by, row.note)
    then_files = _files_of(row.files)
    then = _run_of(connection, post, (row.id, row.approved_at), StoredCells(then_files))
    now = state_kept(connection, post.id, revision).run
    found = changes_between(version, then_files, stored_cells(connection, post.id).files, then, now, post.code)
    SINCE.put(database, key, (revision, tuple(head)), found)
    return found


def version_run(connection: Connection, post: PostKey, number: int) -> tuple[Version, PostRun]:
    """Approved version `number` of the post and its run (kept for the process: a version never changes), the
    run its invoices are read from. NotFound when the post has no such version."""
    row = connection.execute(
        select(post_versions).where(post_versions.c.post_id == post.id, post_versions.c.number == number)
    ).one_or_none()
    if row is None:
        raise NotFound(f"post {post.code} {post.fiscal_year} has no approved version {number}")
    version = Version(row.number, row.approved_at, row.approved_by, row.note)
    return version, _run_of(connection, post, (row.id, row.approved_at), StoredCells(_files_of(row.files)))


def _files_of(kept: Any) -> dict[str, Cells]:
    """A version's files as the post's cells: each file's header and rows, numbered as in its file."""
    return {
        name: Cells(name, tuple(f["header"]), list(range(2, 2 + len(f["rows"]))), f["rows"]) for name, f in kept.items()
    }


# A version never changes, so its run is kept for the process, keyed by the database and the version's row
# and time (a row id alone could come back after a post is imported again), under the ISC's cost factors of
# its year (the one input of its run that is not the version's own).
VERSIONS: Shelf[PostRun] = Shelf("version")
# (post id, version number) -> what changed since, kept under the post's revision and the version's row.
SINCE: Shelf[Changes] = Shelf("changes since")


def _run_of(connection: Connection, post: PostKey, version_id: tuple[int, str], cells: StoredCells) -> PostRun:
    """The version's run, with the ISC's cost factors of the year as they are now (icass.store.central_factors):
    kept until the table changes, so that every process computes a version with the same table."""
    database = database_of(connection)
    stamp = central_of(connection, [post.fiscal_year]).get(post.fiscal_year, ())
    kept = VERSIONS.get(database, version_id, stamp)
    if kept is None:
        kept = run_on(connection, post.id, cells)
        VERSIONS.put(database, version_id, stamp, kept)
    return kept
