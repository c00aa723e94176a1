"""The staffing certification page of a post (issue 20 §2, docs/workspace.md "The data call and staffing
certification"): the data call's count date, each agency's people at post on it by category, where its
certification stands, and a Certify button for those who may certify it (icass.api.staffing decides and records)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from icass.api.guard import GuardedRoute, allow
from icass.api.schemas import TEXT, FiscalYear
from icass.api.staffing import certifications_of, certified, sees_staffing
from icass.bundle.codes import MAX_CODE_CHARS, MAX_TEXT_CHARS
from icass.model.data_call import SECTION
from icass.web.render import error_fragment, page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
SEES = "read the post (its admin, FMO or committee) or be an agency's headquarters"


@router.get("/posts/{post}/{fiscal_year}/staffing")
@allow(sees_staffing, SEES)
def staffing(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    shown = certifications_of(request, post, fiscal_year)
    reads_post = request.state.session.account.reads_post(post)
    return page(request, "staffing.html", shown=shown, section=SECTION, reads_post=reads_post)


@router.post("/posts/{post}/{fiscal_year}/staffing/certifications")
@allow(sees_staffing, "certify an agency's staffing (its committee member, its headquarters or the ISC)")
def certify(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    agency: Annotated[str, Form(max_length=MAX_CODE_CHARS)],
    comment: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
) -> Response:
    """htmx posts it: the page is reloaded once the certification is recorded; a refusal is said in the form."""
    try:
        certified(request, post, fiscal_year, agency, comment)
    except HTTPException as e:
        return error_fragment(request, str(e.detail))
    return Response(headers={"HX-Refresh": "true"})
