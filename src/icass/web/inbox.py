"""A person's inbox (issue 20 §2): what waits for them, each with its due date, late or not, and the page it is
taken on; below, what waits for others at their posts. And the ISC's page of a year's data call: for every post,
where each agency's certification and approval stand and what is late. Each asks the API's own route
(icass.api.inbox)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from icass.api import inbox as api
from icass.api.guard import GuardedRoute, allow, is_isc, signed_in
from icass.api.inbox import AwaitedOut
from icass.api.schemas import FiscalYear
from icass.api.staffing import data_call_set
from icass.model.data_call import DATES, SECTION, defaults
from icass.web.render import error_fragment, page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/inbox")
@allow(signed_in)
def inbox(request: Request) -> HTMLResponse:
    found = api.inbox(request)
    return page(request, "inbox.html", inbox=found, today=api.today())


# The states of an agency's certification and approval, in a page's words and the tag's color.
STANDING_WORDS = {
    "not_certified": ("not certified", "bg-base-lighter text-ink"),
    "certified": ("certified", "bg-green"),
    "cleared": ("cleared: certify again", "bg-gold text-ink"),
    "awaiting": ("awaiting approval", "bg-base-lighter text-ink"),
    "approved": ("approved", "bg-green"),
    "disputed": ("disputed", "bg-secondary-dark"),
    "reopened": ("reopened", "bg-gold text-ink"),
}
# The late actions of a post's agencies, grouped by what they are.
LATE_WORDS = {
    "certify_staffing": "Staffing data to certify",
    "approve_counts": "Counts to approve",
    "resolve_dispute": "Disputes to resolve",
}
# The actions the agencies' table does not show: the budgets' and the TDY invoices'.
COUNTS = frozenset({"certify_staffing", "approve_counts"})


@router.get("/world/{fiscal_year}/data-call")
@allow(is_isc, "follow the data call (the ICASS Service Center: admin)")
def data_call_page(request: Request, fiscal_year: FiscalYear) -> HTMLResponse:
    status = api.data_call_status(request, fiscal_year)
    others = [a for p in status.posts for a in p.awaited if a.what not in COUNTS]
    shown = status.data_call or defaults(fiscal_year)
    return page(
        request,
        "data_call.html",
        status=status,
        others=others,
        words=STANDING_WORDS,
        dates={name: getattr(shown, name) for name in DATES},
        section=SECTION,
        late_words=LATE_WORDS,
    )


Day = Annotated[dt.date | None, Form()]


@router.post("/world/{fiscal_year}/data-call")
@allow(is_isc, "open or change a data call (the ISC, an admin)")
def set_data_call(
    request: Request,
    fiscal_year: FiscalYear,
    window_start: Day = None,
    window_end: Day = None,
    count_date: Day = None,
    counts_to_agencies_by: Day = None,
    counts_agreed_by: Day = None,
) -> Response:
    """htmx posts it: the page is reloaded once the data call is open or changed; dates out of order are said in
    the form, naming the date at fault."""
    given = {
        "window_start": window_start,
        "window_end": window_end,
        "count_date": count_date,
        "counts_to_agencies_by": counts_to_agencies_by,
        "counts_agreed_by": counts_agreed_by,
    }
    try:
        data_call_set(request, fiscal_year, given)
    except HTTPException as e:
        return error_fragment(request, str(e.detail))
    return Response(headers={"HX-Refresh": "true"})


@dataclass(frozen=True)
class AwaitedRow:
    """A row of a post's "Awaiting action": one action, or one kind of action of many agencies at once (each
    agency's certification, each agency's approval), with who holds each agency's part."""

    what: str
    words: str
    link: str
    who: str
    due: dt.date | None
    late: bool
    held: tuple[tuple[str, tuple[str, ...]], ...]  # (agency or capacity, the usernames holding it)
    unheld: tuple[str, ...]  # the agencies nobody holds a capacity for yet


# The kinds of action a post's home shows in one row for all its agencies, in its words, and the page they are
# taken on.
GROUPED = {
    "certify_staffing": ("Certify the agencies' staffing data as of the count date", "staffing"),
    "approve_counts": ("Approve or dispute the agencies' workload counts", "workload-approval"),
}


def grouped(actions: list[AwaitedOut]) -> list[AwaitedRow]:
    """A post's awaited actions as its home shows them: the agencies' certifications and approvals one row each
    kind, every other action a row of its own; in the actions' order."""
    rows: list[AwaitedRow] = []
    for what, group in itertools.groupby(actions, key=lambda a: a.what):
        listed = list(group)
        if what not in GROUPED or len(listed) == 1:
            rows += [_row(a.what, a.words, a.link, a.who, [a]) for a in listed]
            continue
        words, page_name = GROUPED[what]
        first = listed[0]
        link = f"/posts/{first.post}/{first.fiscal_year}/{page_name}"
        rows.append(_row(what, words, link, "each agency's member of the Budget Committee or its headquarters", listed))
    return rows


def _row(what: str, words: str, link: str, who: str, actions: list[AwaitedOut]) -> AwaitedRow:
    held, unheld = [], []
    for a in actions:
        people = tuple(u for h in a.people or () for u in h.usernames)
        name = a.agency if a.agency and len(actions) > 1 else ""
        if people:
            held.append((name, people))
        elif name:
            unheld.append(name)
        else:
            held.append(("", ()))
    due = min((a.due for a in actions if a.due), default=None)
    return AwaitedRow(what, words, link, who, due, any(a.late for a in actions), tuple(held), tuple(unheld))
