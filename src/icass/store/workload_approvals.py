"""The Agency Workload approval of a stored post (issue 20 §2, docs/workspace.md "The Agency Workload approval"):
each agency approves or disputes its workload counts and modifications; its approval freezes its lines (the
snapshot, with its hash) and locks them: a change to the post that would change them is refused (`Locked`, a
Conflict: HTTP 409) until the post's FMO or the ISC reopens the approval. icass.model.workload_approval decides
each step; this records it (workload_approvals, workload_approval_steps) with its entry in the record.

The lock is judged on the counts themselves, on the run that judged the change (`refuse_if_locked`): whatever
table the change touched (a count typed, a modification, a person or a housing unit behind a derived count),
it is refused when an approved agency's lines after it are not those it approved. A change that computes no
run (a row removed) is run once here, only while some agency of the post is approved, and that run is kept as
the post's state, so the reads after it do not run the post again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from icass.diagnostics import ERROR
from icass.model import Workload, columnar
from icass.model import workload_approval as model
from icass.model.workload_approval import Counted, Dispute, State
from icass.runs.post import PostRun
from icass.store import audit
from icass.store.accounts import Account
from icass.store.compute import keep_state, state_on
from icass.store.schema import ROW_TABLES, workload_approval_steps, workload_approvals
from icass.store.steps import Conflict, NotFound, PostKey, state_before, workload_lines, workload_record

__all__ = [
    "ApprovalStatus",
    "Locked",
    "StepTaken",
    "Taken",
    "agency_lines",
    "capacities",
    "history",
    "lock_refusal",
    "refuse_if_locked",
    "status",
    "take",
]


SAID = 5  # the lines a refusal names, of those the change would change


class Locked(Conflict):
    """The change would change the counts an agency approved (HTTP 409, as any Conflict)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, None)


@dataclass(frozen=True)
class Taken:
    """A step as it left the approval: its state, who took it, when and in which capacity (`admin` approving or
    disputing: the ISC on the agency's behalf), its comment, the lines of a dispute, and the hash of the lines
    last approved ("" when they never were)."""

    state: str
    by: str
    at: str
    capacity: str
    comment: str
    disputes: tuple[Dispute, ...]
    sha256: str


@dataclass(frozen=True)
class ApprovalStatus(Taken):
    """Where an agency stands on its workload counts: its latest step (awaiting: none, every field empty)."""

    agency: str = ""


@dataclass(frozen=True)
class StepTaken(Taken):
    """One step taken on an agency's approval."""

    step: str = ""


def _where(post: PostKey) -> tuple[Any, ...]:
    return (workload_approvals.c.post == post.code, workload_approvals.c.fiscal_year == post.fiscal_year)


def _disputes(kept: Any) -> tuple[Dispute, ...]:
    return tuple(Dispute(d["cost_center"], d["comment"]) for d in kept or ())


def status(connection: Connection, post: PostKey) -> dict[str, ApprovalStatus]:
    """Every agency of the post (its agencies.csv, and any agency with a step taken) and where it stands, by
    code in order: `awaiting` with no step for one that has none."""
    table = ROW_TABLES["agencies.csv"]
    codes = connection.execute(select(table.c.code).where(table.c.post_id == post.id)).scalars()
    awaiting = State.AWAITING.value
    found = {str(c): ApprovalStatus(awaiting, "", "", "", "", (), "", agency=str(c)) for c in codes if c}
    for row in connection.execute(select(workload_approvals).where(*_where(post))):
        found[row.agency] = ApprovalStatus(**_taken(row), agency=row.agency)
    return dict(sorted(found.items()))


def history(connection: Connection, post: PostKey, agency: str) -> list[StepTaken]:
    """The steps taken on the agency's approval, oldest first."""
    found = connection.execute(
        select(workload_approval_steps)
        .join(workload_approvals, workload_approvals.c.id == workload_approval_steps.c.approval_id)
        .where(*_where(post), workload_approvals.c.agency == agency)
        .order_by(workload_approval_steps.c.id)
    )
    return [StepTaken(**_taken(r), step=r.step) for r in found]


def _taken(row: Any) -> dict[str, Any]:
    """A row's step (an approval's latest, or one of its steps) as Taken's fields."""
    fields = ("state", "at", "capacity", "comment", "sha256")
    return {name: getattr(row, name) for name in fields} | {"by": row.username, "disputes": _disputes(row.disputes)}


def capacities(account: Account, post: str, agency: str) -> list[str]:
    """The capacities `account` acts in for `agency` at `post`, the agency's own first: its committee member
    at post, its headquarters, the ISC (on its behalf, or to reopen), the post's FMO (to reopen)."""
    found = []
    if account.committee_agency(post) == agency:
        found.append(model.COMMITTEE)
    if agency in account.hq_agencies:
        found.append(model.HQ)
    if account.is_admin:
        found.append(model.ADMIN)
    if any(g.role == "fmo" and g.post == post for g in account.grants):
        found.append(model.FMO)
    return found


def agency_lines(run: PostRun, agency: str) -> list[Counted]:
    """The agency's workload lines in `run` as an approval freezes them (in the run's order)."""
    lines = workload_lines(run)
    if isinstance(lines, columnar.RecordColumns):  # a large post's lines as columns: only the agency's made
        columns = lines.columns
        fields = ("cost_center", "agency", "count", "modification", "factor", "origin")
        mine = [k for k, code in enumerate(columns["agency"]) if code == agency]
        made: Sequence[Workload] = [Workload(*(columns[name][k] for name in fields)) for k in mine]
    else:
        made = [w for w in lines if w.agency == agency]
    found = []
    for w in made:
        line = workload_record(w, None)
        found.append(Counted(line.cost_center, line.factor, line.count, line.modification))
    return found


def _snapshot(lines: Sequence[Counted]) -> list[list[str]]:
    return sorted([c.cost_center, c.factor, c.count, c.modification] for c in lines)


def _counted(snapshot: Any) -> list[Counted]:
    return [Counted(*row) for row in snapshot]


def take(
    connection: Connection,
    post: PostKey,
    agency: str,
    account: Account,
    step: str,
    comment: str,
    lines: Sequence[Dispute] = (),
) -> ApprovalStatus:
    """Take `step` (approve, dispute, reopen) on the agency's approval as `account`: the model decides (its
    exceptions: OutOfOrder 409, NotYours 403, Incomplete 422), this records the step, the approval's new state
    and the record's entry. An approval freezes the agency's lines as the post's state has them now. NotFound
    for an agency not at the post."""
    # The post's lock first: an approval's snapshot is of the post as it is, with no change between.
    state = state_before(connection, post)
    known = status(connection, post)
    if agency not in known:
        raise NotFound(f"{agency} is not an agency at post {post.code} in fiscal year {post.fiscal_year}")
    held = capacities(account, post.code, agency)
    counted = agency_lines(state.run, agency)
    outcome = model.take(State(known[agency].state), step, held, comment, lines, {c.cost_center for c in counted})
    capacity = next(c for c in held if c in model.STEPS[step].by)
    at = audit.now()
    values: dict[str, Any] = {
        "state": outcome.state.value,
        "username": account.username,
        "at": at,
        "capacity": capacity,
        "comment": comment,
        "disputes": [{"cost_center": d.cost_center, "comment": d.comment} for d in outcome.disputes],
    }
    if step == "approve":
        if state.run.records is None and state.run.bundle is None:
            raise model.Invalid("agency", "the post's records cannot be read: there are no counts to approve")
        values |= {"snapshot": _snapshot(counted), "sha256": model.snapshot_sha256(counted)}
    row = connection.execute(
        select(workload_approvals.c.id, workload_approvals.c.sha256).where(
            *_where(post), workload_approvals.c.agency == agency
        )
    ).one_or_none()
    if row is None:
        values.setdefault("snapshot", [])
        values.setdefault("sha256", "")
        approval_id = connection.execute(
            insert(workload_approvals).returning(workload_approvals.c.id),
            {"post": post.code, "fiscal_year": post.fiscal_year, "agency": agency, **values},
        ).scalar_one()
        sha256 = values["sha256"]
    else:
        approval_id = row.id
        connection.execute(update(workload_approvals).where(workload_approvals.c.id == row.id).values(**values))
        sha256 = values.get("sha256", row.sha256)
    connection.execute(
        insert(workload_approval_steps).values(
            approval_id=approval_id,
            step=step,
            state=outcome.state.value,
            username=account.username,
            at=at,
            capacity=capacity,
            comment=comment,
            disputes=values["disputes"],
            sha256=sha256,
        )
    )
    audit.record(
        connection,
        account.username,
        f"workload {step}",
        f"workload approval {agency}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before={"state": known[agency].state},
        after={"capacity": capacity, "comment": comment, "sha256": sha256, "disputes": values["disputes"]}
        | {"state": outcome.state.value},
    )
    return status(connection, post)[agency]


def refuse_if_locked(connection: Connection, post: PostKey, run: PostRun | None = None) -> None:
    """Refuse the change being made (Locked) when it changes the lines of an agency whose counts are approved:
    `run` is the post's after the change (None when the change made no run: then it is run here, once, only
    while some agency is approved, and kept as the post's state: call this as the change's last step)."""
    approved = connection.execute(
        select(workload_approvals).where(*_where(post), workload_approvals.c.state == State.APPROVED.value)
    ).all()
    if not approved:
        return
    made = None
    if run is None:
        made = state_on(connection, post.id)
        run = made.run
    for row in approved:
        now = agency_lines(run, row.agency)
        if model.snapshot_sha256(now) != row.sha256:
            changed = model.changed_lines(_counted(row.snapshot), now) or ["its lines would change"]
            if len(changed) > SAID:
                changed = [*changed[:SAID], f"and {len(changed) - SAID} more"]
            errors = [d for d in run.diagnostics if d.severity == ERROR]
            why = (
                f"; after it the post has {len(errors)} error(s), the first: {errors[0]}; its counts are what the "
                "records derive only once they are fixed"
                if errors
                else ""
            )
            raise Locked(
                f"the workload counts of {row.agency} were approved by {row.username} "
                f"({model.taken_as(row.capacity, 'approve')}) on {row.at}; "
                f"this change would change them ({'; '.join(changed)}{why}): the post's FMO must reopen "
                f"{row.agency}'s approval first (6 FAH-5 {model.SECTIONS})"
            )
    if made is not None:
        keep_state(connection, post.id, made)


def lock_refusal(connection: Connection, post_id: int, code: str, fiscal_year: int) -> str | None:
    """Why an import in place of the post is refused (None: it stands): it would change the counts an agency
    approved (icass.store.bundles.import_bundle's `keeps`; the post's FMO reopens the approval first)."""
    try:
        refuse_if_locked(connection, PostKey(post_id, code, fiscal_year))
    except Locked as e:
        return str(e)
    return None
