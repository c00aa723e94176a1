"""Versions of a post's budget and their path (issue 20 §1, docs/workspace.md "Versions and their path"). A
version is made from the post's rows as they are (its "working copy") and never changes after: its bundle, as
`icass export` writes it, is frozen with its SHA-256, and its invoices are computed from that bundle alone. It
then moves along the path icass.model.approval defines: the post's Budget Committee "reviews and recommends
budget approval to the Council", the Council approves (the FMO or the ISC records it), the post submits it to
the ISC, which accepts or returns it. Each step is kept (version_steps) and is an entry of the record.

What changed since a version is said row by row from its files, and each agency's invoice then beside now
(icass.views.changes); it is kept until the post changes (its revision), so a dashboard read again does not
read the post's rows again."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from icass.bundle.digest import bundle_sha256
from icass.bundle.tables import Cells
from icass.diagnostics import ERROR
from icass.model import approval
from icass.model.approval import APPROVED, Kind, State, Taken
from icass.money import format_plain
from icass.runs.post import PostRun, run_post
from icass.runs.tdy import TdyRun, tdy_of
from icass.store import audit
from icass.store.accounts import Account
from icass.store.bundles import NotStored, bundle_texts, csv_text, free_folder, write_texts
from icass.store.cells import stored_cells
from icass.store.central_factors import central_of
from icass.store.changes import NotFound, PostKey, Rejected
from icass.store.compute import run_on, run_stored_tdy, state_kept, tdy_rows
from icass.store.schema import accounts, post_versions, posts, roles, version_steps
from icass.store.states import Shelf, database_of
from icass.views.changes import AgencyChange, Changes, FileChanges, SinceApproved, Version, changes_between

__all__ = [
    "AgencyChange",
    "Changes",
    "FileChanges",
    "SinceApproved",
    "StepTaken",
    "Version",
    "VersionRecord",
    "approval_state",
    "capacities",
    "changes_since",
    "create",
    "export_version",
    "find",
    "since_newest",
    "take_step",
    "version_run",
    "versions",
]


@dataclass(frozen=True)
class StepTaken:
    step: str
    user: str
    at: str
    comment: str
    agency: str | None
    refused: bool
    state: str  # the state the step left the version in


@dataclass(frozen=True)
class VersionRecord:
    """A version as the API shows it: what it is, where it stands, its hash and the steps taken on it."""

    number: int
    kind: str
    revision: int
    state: str
    sha256: str
    created_at: str
    created_by: str
    comment: str
    council_date: str | None
    council_minutes: str | None
    steps: tuple[StepTaken, ...]
    waiting_for: tuple[str, ...]  # with the committee: the seated agencies yet to recommend it


def create(connection: Connection, post: PostKey, user: str, kind: Kind, comment: str) -> VersionRecord:
    """A new version of `kind` from the post's rows as they are now, in draft: its bundle frozen with its hash.
    A post with errors cannot be made a version (Rejected, with them): a version always distributes."""
    # The post's lock first (icass.store.steps.state_before): its rows, its bundle and the next number are then
    # read from one state, and two versions made at once take one number each.
    connection.execute(update(posts).where(posts.c.id == post.id).values(version=posts.c.version))
    errors = [d for d in run_on(connection, post.id).diagnostics if d.severity == ERROR]
    if errors:
        raise Rejected(errors)
    cells = stored_cells(connection, post.id)
    files = {name: {"header": list(c.header), "rows": c.records} for name, c in cells.files.items()}
    return _insert(connection, post, user, kind, comment, _frozen(connection, post), files)


def _frozen(connection: Connection, post: PostKey) -> dict[str, str]:
    """The post's bundle as a version freezes it: its files as `icass export` writes them, but with the AmSal and
    PAT factors it is computed with, the ISC's table of the year where there is one (H-423.1-1 b), so that the
    version alone reproduces its invoices whatever the table becomes."""
    texts = bundle_texts(connection, post.id)
    central = central_of(connection, [post.fiscal_year]).get(post.fiscal_year)
    if central:
        rows = [[f.grade, format_plain(f.amsal), format_plain(f.pat)] for f in central]
        texts[COST_FACTORS] = csv_text(["grade", "amsal", "pat"], rows)
    return texts


COST_FACTORS = "cost_factors.csv"


def _insert(
    connection: Connection,
    post: PostKey,
    user: str,
    kind: Kind,
    comment: str,
    bundle: dict[str, str],
    files: Any,
) -> VersionRecord:
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    mine = post_versions.c.post_id == post.id
    number = 1 + connection.execute(select(func.coalesce(func.max(post_versions.c.number), 0)).where(mine)).scalar_one()
    of_kind = connection.execute(
        select(func.count()).select_from(post_versions).where(mine, post_versions.c.kind == kind.value)
    ).scalar_one()
    sha256 = bundle_sha256({name: text.encode("utf-8") for name, text in bundle.items()})
    connection.execute(
        insert(post_versions).values(
            post_id=post.id,
            number=number,
            created_at=audit.now(),
            created_by=user,
            comment=comment,
            revision=revision,
            files=files,
            kind=kind.value,
            kind_revision=of_kind,
            state=State.DRAFT.value,
            sha256=sha256,
            bundle=bundle,
        )
    )
    audit.record(
        connection,
        user,
        "create version",
        f"version {number}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        after={"number": number, "kind": kind.value, "revision": of_kind, "sha256": sha256, "comment": comment},
    )
    return find(connection, post, number)


def capacities(account: Account, post: str) -> tuple[set[str], str | None]:
    """What `account` may act as on the post's versions (icass.model.approval), and its committee seat."""
    found = {approval.ADMIN} if account.is_admin else set()
    if any(g.role == "fmo" and g.post == post for g in account.grants):
        found.add(approval.FMO)
    agency = account.committee_agency(post)
    if agency is not None:
        found.add(approval.COMMITTEE)
    return found, agency


def seated(connection: Connection, post: str) -> list[str]:
    """The agencies seated on the post's Budget Committee: those with a member's account, not disabled."""
    found = connection.execute(
        select(roles.c.agency)
        .distinct()
        .join(accounts, accounts.c.id == roles.c.account_id)
        .where(roles.c.role == "committee", roles.c.post == post, accounts.c.disabled.is_(False))
    )
    return sorted(str(a) for a in found.scalars())


def take_step(
    connection: Connection,
    post: PostKey,
    number: int,
    account: Account,
    step: str,
    comment: str,
    refused: bool = False,
    council: tuple[str, str] | None = None,
) -> VersionRecord:
    """Take (or refuse) `step` on version `number` as `account`: icass.model.approval decides (its exceptions:
    OutOfOrder, NotYours, Incomplete), this records the step, the version's new state and the record's entry. A
    returned version's next revision is made, in draft, with the same content."""
    # Touching the version's row first takes the lock that orders steps (PostgreSQL: the row's; SQLite: the
    # database's write lock), so two members recommending at once each see the other's recommendation.
    connection.execute(
        update(post_versions)
        .where(post_versions.c.post_id == post.id, post_versions.c.number == number)
        .values(state=post_versions.c.state)
    )
    row = _row(connection, post, number)
    held, agency = capacities(account, post.code)
    outcome = approval.take(
        State(row.state),
        step,
        held,
        agency,
        seated(connection, post.code),
        [Taken(s.step, s.agency, s.refused) for s in _steps(connection, row.id)],
        comment,
        refused,
        council,
    )
    at = audit.now()
    connection.execute(
        insert(version_steps).values(
            version_id=row.id,
            at=at,
            username=account.username,
            step=step,
            agency=outcome.agency,
            refused=refused,
            comment=comment,
            state=outcome.state.value,
        )
    )
    changed: dict[str, Any] = {"state": outcome.state.value}
    if step == "record_council_approval" and not refused and council is not None:
        changed |= {"council_date": council[0], "council_minutes": council[1]}
    connection.execute(update(post_versions).where(post_versions.c.id == row.id).values(**changed))
    audit.record(
        connection,
        account.username,
        "version step",
        f"version {number}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before={"state": row.state},
        after={"step": step, "refused": refused, "agency": outcome.agency, "comment": comment, **changed},
    )
    if outcome.new_revision:
        _insert(
            connection,
            post,
            account.username,
            Kind(row.kind),
            f"{RETURNED_AS}{number}: {comment}",
            dict(row.bundle),
            row.files,
        )
    return find(connection, post, number)


# The comment of the revision a return makes, followed by the returned version's number and the ISC's comments
# (icass.store.awaited tells by it that the draft waits for the FMO).
RETURNED_AS = "returned by the ISC as version "


def _row(connection: Connection, post: PostKey, number: int) -> Any:
    row = connection.execute(
        select(post_versions).where(post_versions.c.post_id == post.id, post_versions.c.number == number)
    ).one_or_none()
    if row is None:
        raise NotFound(f"post {post.code} {post.fiscal_year} has no version {number}")
    return row


def _steps(connection: Connection, version_id: int) -> list[StepTaken]:
    found = connection.execute(
        select(version_steps).where(version_steps.c.version_id == version_id).order_by(version_steps.c.id)
    )
    return [StepTaken(r.step, r.username, r.at, r.comment, r.agency, r.refused, r.state) for r in found]


def find(connection: Connection, post: PostKey, number: int) -> VersionRecord:
    """Version `number` of the post with its steps (NotFound when there is none)."""
    return _record(connection, post, _row(connection, post, number))


def _record(connection: Connection, post: PostKey, row: Any) -> VersionRecord:
    steps = _steps(connection, row.id)
    waiting = (
        approval.waiting_for(seated(connection, post.code), [Taken(s.step, s.agency, s.refused) for s in steps])
        if row.state == State.WITH_COMMITTEE
        else []
    )
    return VersionRecord(
        row.number,
        row.kind,
        row.kind_revision,
        row.state,
        row.sha256,
        row.created_at,
        row.created_by,
        row.comment,
        row.council_date,
        row.council_minutes,
        tuple(steps),
        tuple(waiting),
    )


def versions(connection: Connection, post: PostKey) -> list[VersionRecord]:
    """The post's versions, newest first."""
    found = connection.execute(
        select(post_versions).where(post_versions.c.post_id == post.id).order_by(post_versions.c.number.desc())
    )
    return [_record(connection, post, row) for row in found.all()]


def since_newest(connection: Connection, post: PostKey) -> SinceApproved:
    """The post's newest version the Council approved and what changed since, as the dashboard shows them."""
    found, _ = approval_state(connection, post)
    return SinceApproved(found, changes_since(connection, post, found.number)) if found else NO_VERSION


NO_VERSION = SinceApproved(None, None)


def approval_state(connection: Connection, post: PostKey) -> tuple[Version | None, bool]:
    """The post's newest version the Council approved (or later: submitted to the ISC, accepted), None when
    there is none, and whether the post changed since it (its revision moved): what a list of posts says of
    each one's approval without reading its files."""
    row = connection.execute(
        select(post_versions.c.id, post_versions.c.number, post_versions.c.revision)
        .where(post_versions.c.post_id == post.id, post_versions.c.state.in_([s.value for s in APPROVED]))
        .order_by(post_versions.c.number.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None, True
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    return _approved(connection, row.id, row.number), revision != row.revision


def _approved(connection: Connection, version_id: int, number: int) -> Version:
    """The version as the Council's approval of it names it: when it was recorded, by whom, the minutes."""
    step = connection.execute(
        select(version_steps.c.at, version_steps.c.username, version_steps.c.comment)
        .where(
            version_steps.c.version_id == version_id,
            version_steps.c.step == "record_council_approval",
            version_steps.c.refused.is_(False),
        )
        .order_by(version_steps.c.id.desc())
        .limit(1)
    ).one()
    minutes = connection.execute(
        select(post_versions.c.council_minutes).where(post_versions.c.id == version_id)
    ).scalar_one()
    return Version(number, step.at, step.username, step.comment or minutes or "")


def changes_since(connection: Connection, post: PostKey, number: int) -> Changes:
    """What changed in the post's rows since version `number`, and each agency's invoice then and now (the
    post's state as `connection` sees it); kept under the post's revision."""
    head = connection.execute(
        select(post_versions.c.id, post_versions.c.created_at).where(
            post_versions.c.post_id == post.id, post_versions.c.number == number
        )
    ).one_or_none()
    if head is None:
        raise NotFound(f"post {post.code} {post.fiscal_year} has no version {number}")
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    database, key = database_of(connection), (post.id, number)
    kept = SINCE.get(database, key, (revision, tuple(head)))
    if kept is not None:
        return kept
    row = connection.execute(select(post_versions).where(post_versions.c.id == head.id)).one()
    version = _named(connection, row)
    then_files = _files_of(row.files)
    then = _run_of(connection, (row.id, row.created_at), row.bundle)
    now = state_kept(connection, post.id, revision).run
    found = changes_between(version, then_files, stored_cells(connection, post.id).files, then, now, post.code)
    SINCE.put(database, key, (revision, tuple(head)), found)
    return found


def version_run(connection: Connection, post: PostKey, number: int) -> tuple[VersionRecord, PostRun]:
    """Version `number` of the post and its run (kept for the process: a version never changes), the run its
    invoices are read from: its frozen bundle written to a folder and run as `icass distribute` runs one, so
    that the version's invoices are those of its export. NotFound when the post has no such version."""
    row = _row(connection, post, number)
    return _record(connection, post, row), _run_of(connection, (row.id, row.created_at), row.bundle)


def export_version(
    engine: Engine, code: str, fiscal_year: int, number: int, target: Path
) -> tuple[tuple[str, ...], str]:
    """Write version `number` of the post into `target` (a new or empty folder), byte for byte as it was frozen:
    the files written and the version's SHA-256. NotStored when there is no such post or version."""
    free_folder(target)
    with engine.connect() as connection:
        found = connection.execute(
            select(post_versions.c.bundle, post_versions.c.sha256)
            .join(posts, posts.c.id == post_versions.c.post_id)
            .where(posts.c.code == code, posts.c.fiscal_year == fiscal_year, post_versions.c.number == number)
        ).one_or_none()
    if found is None:
        raise NotStored(f"post {code}, fiscal year {fiscal_year}, has no version {number} in the database")
    return write_texts(target, found.bundle), found.sha256


def _named(connection: Connection, row: Any) -> Version:
    """The version as a comparison names it: the Council's approval when it has one, else its making."""
    if row.state in {s.value for s in APPROVED}:
        return _approved(connection, row.id, row.number)
    return Version(row.number, row.created_at, row.created_by, row.comment)


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


def _run_of(connection: Connection, version_id: tuple[int, str], bundle: dict[str, str]) -> PostRun:
    database = database_of(connection)
    kept = VERSIONS.get(database, version_id, ())
    if kept is None:
        with tempfile.TemporaryDirectory(prefix="icass-version-") as folder:
            target = Path(folder) / "bundle"
            write_texts(target, bundle)
            kept = run_post(target)
        VERSIONS.put(database, version_id, (), kept)
    return kept


def accepted_final(connection: Connection, post_id: int) -> Any:
    """The post's newest final version the ISC accepted (its row), None when there is none."""
    return connection.execute(
        select(post_versions)
        .where(
            post_versions.c.post_id == post_id,
            post_versions.c.kind == Kind.FINAL.value,
            post_versions.c.state == State.ACCEPTED.value,
        )
        .order_by(post_versions.c.number.desc())
        .limit(1)
    ).one_or_none()


@dataclass(frozen=True)
class RatesFrom:
    """The version of a prior-year post whose figures a TDY run's rates come from (issue 20 §1: "TDY rates read
    the prior year's accepted final version")."""

    number: int
    revision: int  # of the final kind: 0, then 1 after a return, ...
    sha256: str


def stored_tdy(engine: Engine, post_id: int, as_of: dt.date) -> tuple[TdyRun, RatesFrom | None]:
    """The TDY module on a stored prior-year post with the rates of its newest final version the ISC accepted
    (H-363.1-6 a(1): the rates of the prior year's final budget), run from its frozen bundle, and that version;
    without one, run_stored_tdy (the post's live figures) and None. The visits, services and policy are the
    post's rows as they stand: they are recorded after the budget."""
    with engine.connect() as connection:
        version = accepted_final(connection, post_id)
        if version is None:
            run = None
        else:
            run = _run_of(connection, (version.id, version.created_at), version.bundle)
            cells, policy = tdy_rows(connection, post_id)
    if run is None:
        return run_stored_tdy(engine, post_id, as_of), None
    said = RatesFrom(version.number, version.kind_revision, version.sha256)
    return tdy_of(run, cells, as_of, run.catalog, policy), said


def tdy_run(engine: Engine, post_id: int, as_of: dt.date) -> TdyRun:
    """stored_tdy's run (a world's TDY item bills its visits)."""
    return stored_tdy(engine, post_id, as_of)[0]
