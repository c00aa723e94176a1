"""The budget committee's review queue (issue 18): every modification of the post's counts awaiting the
member's decision, each with the agency and cost center by name, the count before and after, the dollars it
moves on every agency's invoice and its justification; a note, and Approve or Reject, each confirmed in a USWDS
modal that says what is decided; then the decisions made, with their notes. A decision is recorded for the
agency the member stands for (icass.api.tables.decide, as the API's /approval)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from icass.api import tables
from icass.api.committee import review_queue
from icass.api.guard import GuardedRoute, account_of, allow, sits_on_committee
from icass.api.posts import post_key, post_out
from icass.api.schemas import TEXT, FiscalYear, RowId
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
SITS = "sit on the post's budget committee"
QUEUE = "/posts/{post}/{fiscal_year}/committee"


@router.get(QUEUE)
@allow(sits_on_committee, SITS)
def queue_page(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    decided: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    agency = account_of(request).committee_agency(post)
    assert agency is not None  # the route's rule
    queue = review_queue(request, key, agency)
    just = next((r for r in queue.decided if r.review.id == decided), None)
    return page(request, "committee.html", post=post_out(request, key), queue=queue, just=just)


@router.post(QUEUE + "/{row_id}")
@allow(sits_on_committee, SITS)
def decide(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    row_id: RowId,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    note: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    account = account_of(request)
    agency = account.committee_agency(post)
    assert agency is not None  # the route's rule
    try:
        tables.decide(request, key, row_id, agency, decision, note.strip(), account.username)
    except tables.NotFound as e:
        raise HTTPException(404, str(e)) from None
    # The queue again, from the post as it is now, with the decision just made named at its top.
    answer = page(request, "empty.html")
    answer.headers["HX-Redirect"] = f"/posts/{post}/{fiscal_year}/committee?decided={row_id}"
    return answer
