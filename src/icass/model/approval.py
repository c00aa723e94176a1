"""The path of a budget version (issue 20 §1): its states, the steps between them, who takes each step and what
state follows. Pure: the store records what this decides, the API only asks it.

The Budget Committee "reviews and recommends budget approval to the Council"; the Council approves the post's
ICASS budget; the post submits it to the ICASS Service Center (the ISC, this system's admin), which accepts it
or returns it (ICASS overview, Players at Post; H-341.1-4 NOTE 1). Each step is taken in the capacity a
person holds at the post: `fmo`, `committee` (for one agency), `admin` (the ISC)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    WITH_COMMITTEE = "with_committee"
    RECOMMENDED = "recommended"
    COUNCIL_APPROVED = "council_approved"
    SUBMITTED_TO_ISC = "submitted_to_isc"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Kind(StrEnum):
    INITIAL = "initial"
    FINAL = "final"


class Basis(StrEnum):
    """What a stored world's invoices are computed from: the posts' rows as they stand, or a version of each
    post: its initial budget (informational) or its final one accepted by the ISC (payable)."""

    LIVE = "live"
    INITIAL = "initial"
    FINAL = "final"


FMO, COMMITTEE, ADMIN = "fmo", "committee", "admin"


@dataclass(frozen=True)
class Step:
    name: str
    due_in: State  # the one state the step may be taken in
    leads_to: State
    by: frozenset[str]  # the capacities that may take (or refuse) it
    words: str  # who takes it, for a refusal's message


# The path, in order. A refusal of any step sends the version back to draft (REFUSED_TO), but `accept`, whose
# refusal is the ISC's return, and `return`, itself the ISC's refusal.
STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("submit_to_committee", State.DRAFT, State.WITH_COMMITTEE, frozenset({FMO}), "the post's FMO"),
        Step(
            "recommend",
            State.WITH_COMMITTEE,
            State.RECOMMENDED,
            frozenset({COMMITTEE, ADMIN}),
            "a member of the Budget Committee for an agency, or the ISC overriding with a reason",
        ),
        Step(
            "record_council_approval",
            State.RECOMMENDED,
            State.COUNCIL_APPROVED,
            frozenset({FMO, ADMIN}),
            "the post's FMO or the ISC",
        ),
        Step("submit_to_isc", State.COUNCIL_APPROVED, State.SUBMITTED_TO_ISC, frozenset({FMO}), "the post's FMO"),
        Step("accept", State.SUBMITTED_TO_ISC, State.ACCEPTED, frozenset({ADMIN}), "the ISC"),
        Step("return", State.SUBMITTED_TO_ISC, State.RETURNED, frozenset({ADMIN}), "the ISC"),
    )
}
REFUSED_TO = State.DRAFT
NOT_REFUSABLE = frozenset({"accept", "return"})  # the ISC's two answers: refusing one is taking the other
# The states of a version the Council has approved: what "the approved version" of a post means.
APPROVED = frozenset({State.COUNCIL_APPROVED, State.SUBMITTED_TO_ISC, State.ACCEPTED})


@dataclass(frozen=True)
class Taken:
    """A step recorded on a version: `agency` for a committee member's recommendation; `refused` for a refusal."""

    step: str
    agency: str | None = None
    refused: bool = False


@dataclass(frozen=True)
class Outcome:
    state: State
    agency: str | None  # the agency a recommendation was made for (None: the ISC's override, or another step)
    new_revision: bool  # the ISC returned the version: its kind's next revision starts in draft


class OutOfOrder(Exception):
    """The step is not due in the version's state, or was already taken (HTTP 409)."""


class NotYours(Exception):
    """The person holds no capacity that may take the step (HTTP 403)."""


class Incomplete(Exception):
    """The step lacks what it needs: a reason, the Council's date and minutes (HTTP 422)."""


def take(
    state: State,
    step: str,
    capacities: Collection[str],
    agency: str | None,
    seated: Collection[str],
    taken: Sequence[Taken],
    comment: str,
    refused: bool = False,
    council: tuple[str, str] | None = None,
) -> Outcome:
    """What follows when a person with `capacities` (and `agency`, their committee seat) takes `step` on a
    version in `state`. `seated`: the agencies seated on the post's committee; `taken`: the steps recorded on
    the version so far, oldest first; `council`: the Council's date and minutes reference."""
    found = STEPS.get(step)
    if found is None:
        raise Incomplete(f"unknown step {step!r}: one of {', '.join(STEPS)}")
    if not found.by & set(capacities):
        raise NotYours(f"{step} is taken by {found.words}")
    if state != found.due_in:
        raise OutOfOrder(f"the version is {state.value}: {step} is taken on a version {found.due_in.value}")
    if refused:
        if step in NOT_REFUSABLE:
            raise Incomplete(f"{step} is the ISC's answer: to refuse it, take the other (accept or return)")
        if not comment.strip():
            raise Incomplete("a refusal needs a comment saying why")
        return Outcome(REFUSED_TO, agency if step == "recommend" and COMMITTEE in capacities else None, False)
    if step == "recommend":
        return _recommend(capacities, agency, seated, taken, comment)
    if step == "record_council_approval" and (council is None or not council[0] or not council[1].strip()):
        raise Incomplete("the Council's approval needs its date and its minutes reference")
    if step == "return" and not comment.strip():
        raise Incomplete("a return needs the ISC's comments")
    return Outcome(found.leads_to, None, step == "return")


def _recommend(
    capacities: Collection[str], agency: str | None, seated: Collection[str], taken: Sequence[Taken], comment: str
) -> Outcome:
    if COMMITTEE in capacities and agency is not None:
        done = recommended_by(taken)
        if agency in done:
            raise OutOfOrder(f"the version is with_committee and {agency} has already recommended it")
        everyone = set(seated) <= done | {agency}
        return Outcome(State.RECOMMENDED if everyone else State.WITH_COMMITTEE, agency, False)
    if not comment.strip():  # the ISC, not on the committee: its override needs a reason
        raise Incomplete("the ISC's override of the committee's recommendation needs a reason")
    return Outcome(State.RECOMMENDED, None, False)


def open_to(state: State, capacities: Collection[str]) -> list[str]:
    """The steps due in `state` that a person with `capacities` may take (or refuse), in the path's order."""
    return [s.name for s in STEPS.values() if s.due_in == state and s.by & set(capacities)]


def recommended_by(taken: Sequence[Taken]) -> set[str]:
    """The agencies that recommended the version since it last went to the committee."""
    done: set[str] = set()
    for t in taken:
        if t.step == "submit_to_committee" and not t.refused:
            done = set()
        elif t.step == "recommend" and not t.refused and t.agency is not None:
            done.add(t.agency)
    return done


def waiting_for(seated: Collection[str], taken: Sequence[Taken]) -> list[str]:
    """The seated agencies whose recommendation the version still waits for."""
    return sorted(set(seated) - recommended_by(taken))
