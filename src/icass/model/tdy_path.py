"""The path of a TDY invoice (issue 20 §5): its states, the steps between them, who takes each and what state
follows, and the fiscal year its charges count in. Pure: the store records what this decides, the API asks it.

The post prepares the invoice at the end of the visit and its FMO submits it to the ICASS Service Center (the
ISC, this system's admin) "electronically within the ICASS software"; the ISC verifies it and the sponsoring
agency's headquarters gives "a second level of approval" (H-363.1-6 a(8), c(1), c(4)): the ISC or the agency's
`hq` account approves it or rejects it with the reason. A rejected invoice is "returned to post by the ISC for
correction and resubmission" (H-363.1-6 a(2)): the FMO corrects the visits and submits it again, from
`rejected`, on a new submission date. The ISC "will reject TDY invoices submitted by posts that do not have a
current policy" (H-363.1-6 c(3)), and the policy is the one the ICASS Council approved (H-362 a): none is
approved while the policy has no Council approval date in the invoice's fiscal year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from icass.model.approval import Incomplete, NotYours, OutOfOrder
from icass.model.tdy import fiscal_year_of

__all__ = ["Incomplete", "NotYours", "OutOfOrder"]


class State(StrEnum):
    PREPARED = "prepared"
    SUBMITTED_TO_ISC = "submitted_to_isc"
    APPROVED = "approved"
    REJECTED = "rejected"


FMO, ADMIN, HQ = "fmo", "admin", "hq"  # the post's FMO, the ISC, the sponsoring agency's headquarters
COUNCIL_SECTION = "H-362 a"
REQUIRED_SECTION = "H-363.1-6 a(2)"
ROLL_SECTION = "H-363.1-6 c(7)"
SUBMIT_SECTION = "H-363.1-6 a(8)"
APPROVAL_SECTION = "H-363.1-6 c(4)"


@dataclass(frozen=True)
class Step:
    name: str
    due_in: frozenset[State]  # the states the step may be taken in
    leads_to: State
    by: frozenset[str]  # the capacities that may take it
    words: str  # who takes it, for a refusal's message
    section: str


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step(
            "submit_to_isc",
            frozenset({State.PREPARED, State.REJECTED}),
            State.SUBMITTED_TO_ISC,
            frozenset({FMO}),
            "the post's FMO",
            SUBMIT_SECTION,
        ),
        Step(
            "approve",
            frozenset({State.SUBMITTED_TO_ISC}),
            State.APPROVED,
            frozenset({ADMIN, HQ}),
            "the ISC or the sponsoring agency's headquarters",
            APPROVAL_SECTION,
        ),
        Step(
            "reject",
            frozenset({State.SUBMITTED_TO_ISC}),
            State.REJECTED,
            frozenset({ADMIN, HQ}),
            "the ISC or the sponsoring agency's headquarters",
            REQUIRED_SECTION,
        ),
    )
}
# A status of the invoice as judged (icass.tdy.invoices) that may be submitted: the others are not submitted
# (below the threshold, H-363.1-6 a(3)), would be rejected (past the deadline, b(4)) or lack what a(2) requires.
SUBMITTABLE = "issued"


@dataclass(frozen=True)
class Invoice:
    """What the path needs to know of an invoice, judged on the day the step is taken."""

    invoice: str
    fiscal_year: int  # N: its visits ended in fiscal year N
    status: str  # as judged on the day (icass.tdy.invoices.STATUSES)
    reasons: tuple[str, ...]
    total: int  # cents
    submitted_total: int | None  # cents, as it was when it was submitted (None: never submitted)


def take(
    state: State,
    step: str,
    capacities: Collection[str],
    invoice: Invoice,
    comment: str,
    on: dt.date,
    council_approved_on: dt.date | None,
) -> State:
    """The state that follows when a person with `capacities` takes `step` on `invoice`, in `state`, on day `on`.
    Raises NotYours (403), OutOfOrder (409: not due, or the invoice or the policy does not allow it) or
    Incomplete (422: a rejection without its reason)."""
    found = STEPS.get(step)
    if found is None:
        raise Incomplete(f"unknown step {step!r}: one of {', '.join(STEPS)}")
    if not found.by & set(capacities):
        raise NotYours(f"{step} is taken by {found.words} ({found.section})")
    if state not in found.due_in:
        due = " or ".join(sorted(s.value for s in found.due_in))
        raise OutOfOrder(f"invoice {invoice.invoice} is {state.value}: {step} is taken on an invoice {due}")
    if step == "submit_to_isc" and invoice.status != SUBMITTABLE:
        why = "; ".join(invoice.reasons) or invoice.status
        raise OutOfOrder(f"invoice {invoice.invoice} cannot be submitted on {on}: {why}")
    if step == "reject" and not comment.strip():
        raise Incomplete(f"a rejection needs its reason, for the post to correct the invoice ({REQUIRED_SECTION})")
    if step == "approve":
        problem = council_problem(council_approved_on, invoice.fiscal_year, on)
        if problem is not None:
            raise OutOfOrder(f"invoice {invoice.invoice} cannot be approved: {problem}")
        if invoice.submitted_total is not None and invoice.total != invoice.submitted_total:
            raise OutOfOrder(
                f"invoice {invoice.invoice} changed since it was submitted (total ${_dollars(invoice.submitted_total)} "
                f"then, ${_dollars(invoice.total)} now): reject it for the post to submit it again"
            )
    return found.leads_to


def council_problem(council_approved_on: dt.date | None, fiscal_year: int, on: dt.date) -> str | None:
    """Why the post's visitor policy does not allow an invoice of `fiscal_year` to be approved on `on`, or None:
    the ICASS Council must have approved it (H-362 a) within that fiscal year, on or before that day."""
    cite = f"({COUNCIL_SECTION}: the post's visitor policy is approved by the ICASS Council)"
    if council_approved_on is None:
        return f"tdy/policy.toml has no council_approved_on date {cite}"
    if fiscal_year_of(council_approved_on) != fiscal_year:
        return f"the policy's Council approval of {council_approved_on} is not in FY {fiscal_year} {cite}"
    if council_approved_on > on:
        return f"the policy's Council approval of {council_approved_on} is after {on} {cite}"
    return None


def open_to(state: State, capacities: Collection[str]) -> list[str]:
    """The steps due in `state` that a person with `capacities` may take, in the path's order."""
    return [s.name for s in STEPS.values() if state in s.due_in and s.by & set(capacities)]


@dataclass(frozen=True)
class BilledIn:
    fiscal_year: int  # the fiscal year the invoice's charges count in
    said: str  # why, in words ("" when its own year)


def billed_in(fiscal_year: int, submitted_on: dt.date | None, final_issued_on: dt.date | None) -> BilledIn:
    """The fiscal year an invoice of `fiscal_year` is billed to headquarters in: its own, but one submitted after
    the ISC issued that year's final headquarters invoices rolls to the next (H-363.1-6 c(7))."""
    if submitted_on is None or final_issued_on is None or submitted_on <= final_issued_on:
        return BilledIn(fiscal_year, "")
    return BilledIn(
        fiscal_year + 1,
        f"submitted on {submitted_on}, after the FY {fiscal_year} final headquarters invoices were issued on "
        f"{final_issued_on}: billed in FY {fiscal_year + 1} ({ROLL_SECTION})",
    )


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
