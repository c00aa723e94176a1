"""The Agency Workload approval (issue 20 §2): each agency at post reviews its workload counts and the
modifications applied to them, with the records behind them, and approves them or disputes them line by line.
Pure: the store records what this decides, the API only asks it.

The handbook has the post's records "provided to customer agencies for review and validation" before the FMO
enters the counts (H-341.3-4 NOTE, H-341.6-4 NOTE 1), and the counts entered "once agency staffing reports are
validated by customer agencies" (H-341.1-4 NOTE 1). An approval is that validation, recorded: once given, the
agency's counts are locked until the post's FMO (or the ISC) reopens it with a reason. A committee member's
decision on one modification request (the Budget Committee "reviews and approves workload count modification
requests", ICASS overview) is another thing: it decides whether a modification stands; this approval says an
agency agrees to the counts and modifications as they stand."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from icass.model.approval import Incomplete, NotYours, OutOfOrder

__all__ = [
    "ADMIN",
    "CAPACITY_WORDS",
    "COMMITTEE",
    "FMO",
    "HQ",
    "SECTIONS",
    "STEPS",
    "Counted",
    "Dispute",
    "Incomplete",
    "Invalid",
    "NotYours",
    "OutOfOrder",
    "Outcome",
    "State",
    "Step",
    "changed_lines",
    "snapshot_sha256",
    "take",
    "taken_as",
]

# Where the handbook has agencies review and validate their counts: cited in the data and in every refusal.
SECTIONS = "H-341.1-4 NOTE 1, H-341.3-4 NOTE, H-341.6-4 NOTE 1"


class State(StrEnum):
    AWAITING = "awaiting"  # no decision yet
    APPROVED = "approved"  # the agency agrees: its counts are locked
    DISPUTED = "disputed"  # the agency disputes some lines, each with a comment
    REOPENED = "reopened"  # the FMO (or the ISC) reopened the approval: counts may change, the agency decides again


# The capacities a person acts in for one agency at one post.
COMMITTEE, HQ, ADMIN, FMO = "committee", "hq", "admin", "fmo"


# Each capacity in words, as a page and a refusal name who took a step.
CAPACITY_WORDS = {
    COMMITTEE: "the agency's member of the Budget Committee",
    HQ: "the agency's headquarters",
    ADMIN: "the ISC",
    FMO: "the post's FMO",
}
# The ISC approving or disputing acts for the agency; reopening, in its own right.
ON_BEHALF = "the ISC, on the agency's behalf"


def taken_as(capacity: str, step: str) -> str:
    """Who took `step` in `capacity`, in words."""
    return ON_BEHALF if capacity == ADMIN and step != "reopen" else CAPACITY_WORDS.get(capacity, capacity)


@dataclass(frozen=True)
class Step:
    name: str
    due_in: frozenset[State]
    leads_to: State
    by: frozenset[str]
    words: str  # who takes it, for a refusal's message


_AGENCY = frozenset({COMMITTEE, HQ, ADMIN})
_AGENCY_WORDS = "the agency (its member of the post's Budget Committee or its headquarters), or the ISC on its behalf"
_POST_WORDS = "the post's FMO or the ISC"
_OPEN = frozenset({State.AWAITING, State.DISPUTED, State.REOPENED})
STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("approve", _OPEN, State.APPROVED, _AGENCY, _AGENCY_WORDS),
        # A dispute again replaces the lines disputed before: the agency's latest word stands.
        Step("dispute", _OPEN, State.DISPUTED, _AGENCY, _AGENCY_WORDS),
        Step("reopen", frozenset({State.APPROVED}), State.REOPENED, frozenset({FMO, ADMIN}), _POST_WORDS),
    )
}


class Invalid(Incomplete):
    """Incomplete, naming the field of the request that lacks what the step needs (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Dispute:
    """A line the agency disputes: one cost center's count or modification of the agency, with why."""

    cost_center: str
    comment: str


@dataclass(frozen=True)
class Counted:
    """One workload line of an agency as an approval freezes it: what it is charged by."""

    cost_center: str
    factor: str
    count: str  # as the workload lines give it: a plain decimal
    modification: str


@dataclass(frozen=True)
class Outcome:
    state: State
    disputes: tuple[Dispute, ...]


def take(
    state: State,
    step: str,
    capacities: Collection[str],
    comment: str,
    lines: Sequence[Dispute] = (),
    cost_centers: Collection[str] = (),
) -> Outcome:
    """What follows when a person acting in `capacities` for an agency takes `step` on its approval in `state`.
    `lines`: a dispute's lines; `cost_centers`: those the agency has counts in (the lines it may dispute)."""
    found = STEPS.get(step)
    if found is None:
        raise Invalid("decision", f"unknown step {step!r}: one of {', '.join(STEPS)}")
    if not found.by & set(capacities):
        raise NotYours(f"{step} is taken by {found.words}")
    if state not in found.due_in:
        raise OutOfOrder(_out_of_order(state, step))
    if step == "reopen":
        if not comment.strip():
            raise Invalid("comment", "reopening an approval needs a comment saying why")
        return Outcome(State.REOPENED, ())
    if step == "approve":
        if lines:
            raise Invalid("lines", "an approval disputes no line: send the lines with a dispute")
        return Outcome(State.APPROVED, ())
    return Outcome(State.DISPUTED, _disputes(lines, cost_centers))


def _out_of_order(state: State, step: str) -> str:
    if state == State.APPROVED:
        return (
            f"the counts are approved already: to {step} them, the post's FMO must first reopen the approval "
            f"(6 FAH-5 {SECTIONS})"
        )
    return f"the approval is {state.value}, not approved: there is nothing to reopen"


def _disputes(lines: Sequence[Dispute], cost_centers: Collection[str]) -> tuple[Dispute, ...]:
    seen: set[str] = set()
    for k, line in enumerate(lines):
        if line.cost_center not in cost_centers:
            raise Invalid(f"lines[{k}].cost_center", f"the agency has no count in {line.cost_center!r}")
        if line.cost_center in seen:
            raise Invalid(f"lines[{k}].cost_center", f"{line.cost_center} is disputed twice: one comment a line")
        seen.add(line.cost_center)
    kept = tuple(Dispute(line.cost_center, line.comment.strip()) for line in lines if line.comment.strip())
    if not kept:
        raise Invalid("lines", "a dispute needs at least one line with a comment saying what is wrong")
    return kept


def snapshot_sha256(lines: Sequence[Counted]) -> str:
    """The hash of an agency's lines as approved: the same lines, in any order, give the same hash."""
    rows = sorted([c.cost_center, c.factor, c.count, c.modification] for c in lines)
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode("utf-8")).hexdigest()


def changed_lines(approved: Sequence[Counted], now: Sequence[Counted]) -> list[str]:
    """What differs between the lines approved and those now, in words, by cost center and factor."""
    before = {(c.cost_center, c.factor): c for c in approved}
    after = {(c.cost_center, c.factor): c for c in now}
    said = []
    for key in sorted(before.keys() | after.keys()):
        name = key[0] + (f" ({key[1]})" if key[1] else "")
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            said.append(f"{name} would gain a count of {new.count}")
        elif new is None and old is not None:
            said.append(f"{name} would lose its count of {old.count}")
        elif old is not None and new is not None:
            if old.count != new.count:
                said.append(f"{name}'s count would go from {old.count} to {new.count}")
            if old.modification != new.modification:
                said.append(f"{name}'s modification would go from {old.modification} to {new.modification}")
    return said
