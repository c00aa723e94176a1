"""A version of a post's budget as a page (issue 20 §1): what it is (kind, revision, state, SHA-256), each step
taken on it with the person, time, capacity and comment (refusals said as such), whom it waits for, and its
invoices, each agency's as the version gave it (`/posts/P/FY/versions/N/invoices/AGENCY`, the page of the API's
`GET /api/posts/P/FY/versions/N/invoices/AGENCY`). The page asks the API's own functions and lays them out."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, reads_invoice, reads_post
from icass.api.posts import post_key, post_out
from icass.api.schemas import BudgetVersionOut, FiscalYear, StepOut
from icass.api.versions import Number, get_version, version_invoices
from icass.model.approval import STEPS, State
from icass.money import format_grouped
from icass.web.invoice import invoice_page
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)

# The steps in a reader's words (the API names them as icass.model.approval does).
STEP_WORDS = {
    "submit_to_committee": "Sent to the Budget Committee",
    "recommend": "Recommended",
    "record_council_approval": "Council's approval recorded",
    "submit_to_isc": "Submitted to the ISC",
    "accept": "Accepted by the ISC",
    "return": "Returned by the ISC",
}
# A refused step in a reader's words (accept and return are the ISC's two answers: neither is refused).
REFUSED_WORDS = {
    "submit_to_committee": "Sending to the Budget Committee refused",
    "recommend": "Recommendation refused",
    "record_council_approval": "Council's approval refused",
    "submit_to_isc": "Submission to the ISC refused",
}
# The next step as what the person it waits for is to do.
NEXT_WORDS = {
    "submit_to_committee": "send it to the Budget Committee",
    "recommend": "recommend it",
    "record_council_approval": "record the Council's approval",
    "submit_to_isc": "submit it to the ISC",
    "accept": "accept it",
    "return": "return it",
}
STATE_WORDS: dict[str, str] = {
    State.DRAFT: "draft",
    State.WITH_COMMITTEE: "with the Budget Committee",
    State.RECOMMENDED: "recommended by the Budget Committee",
    State.COUNCIL_APPROVED: "approved by the Council",
    State.SUBMITTED_TO_ISC: "submitted to the ISC",
    State.ACCEPTED: "accepted by the ISC",
    State.RETURNED: "returned by the ISC",
}


def capacity(step: StepOut) -> str:
    """In what capacity the step was taken: a recommendation names its agency's seat, or the ISC's override;
    every other step is taken in the one capacity the path gives it (icass.model.approval.STEPS)."""
    if step.step == "recommend":
        return f"Budget Committee member for {step.agency}" if step.agency else "the ISC, overriding the committee"
    found = STEPS.get(step.step)
    return found.words if found else ""


def waits_for(version: BudgetVersionOut) -> str:
    """Whom the version waits for, in words: the committee's agencies yet to recommend it, else whoever takes the
    next step; nobody once the ISC has answered."""
    state = State(version.state)
    if state == State.WITH_COMMITTEE and version.waiting_for:
        return "the Budget Committee members for " + ", ".join(version.waiting_for) + ", to recommend it"
    due = [s for s in STEPS.values() if s.due_in == state]
    if not due:
        return ""
    return f"{due[0].words}, to " + " or ".join(NEXT_WORDS[s.name] for s in due)


def _step_words(step: StepOut) -> str:
    words = REFUSED_WORDS if step.refused else STEP_WORDS
    return words.get(step.step, step.step)


def _day(iso: str | None) -> str:
    """A date as the year's other pages write one ("20 Nov 2026"), not as it is stored."""
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%b %Y')}"


def _state_words(state: str) -> str:
    return STATE_WORDS.get(state, state)  # a StrEnum member is found by its value


@router.get("/posts/{post}/{fiscal_year}/versions/{number}")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def version_page(request: Request, post: str, fiscal_year: FiscalYear, number: Number) -> HTMLResponse:
    version = get_version(request, post, fiscal_year, number)
    key = post_key(request, post, fiscal_year)
    return page(
        request,
        "version.html",
        post=post_out(request, key),
        version=version,
        state_words=_state_words(version.state),
        steps=[(s, _step_words(s), capacity(s), _state_words(s.state)) for s in version.steps],
        waits_for=waits_for(version),
        council_day=_day(version.council_date),
        invoices=version_invoices(request, key, number),
        money=format_grouped,
        base=f"/posts/{key.code}/{key.fiscal_year}",
    )


@router.get("/posts/{post}/{fiscal_year}/versions/{number}/invoices/{agency}")
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def version_invoice_page(
    request: Request, post: str, fiscal_year: FiscalYear, number: Number, agency: str
) -> HTMLResponse:
    """The invoice page of the version's figures (the invoice page's `?version=N`)."""
    return invoice_page(request, post, fiscal_year, agency, number)
