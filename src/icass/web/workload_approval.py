"""The Agency Workload approval's pages (issue 20 §2): the post's agencies and where each stands, and one
agency's page: its counts and modifications by cost center, with the records behind each count (the workload
page's views, icass.views.workload), an Approve button and a Dispute form with a comment a line for whoever
speaks for the agency, and, for the post's FMO, the disputes and a Reopen form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from icass.api import tables
from icass.api.guard import GuardedRoute, account_of, allow, reads_invoice, reads_post
from icass.api.posts import computed, post_key, post_out
from icass.api.schemas import TEXT, FiscalYear
from icass.api.workload_approvals import approval_of, approvals_of, step_taken, steps_open
from icass.bundle.codes import MAX_CODE_CHARS, MAX_TEXT_CHARS
from icass.bundle.format import FILES as FORMAT
from icass.model.workload_approval import SECTIONS, Dispute
from icass.views.workload import line_records, workload_groups
from icass.web.render import error_fragment, page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
PAGE = "/posts/{post}/{fiscal_year}/workload-approval"


@router.get(PAGE)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def approvals_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    return page(
        request,
        "workload_approvals.html",
        post=post_out(request, key),
        post_url=f"/posts/{post}/{fiscal_year}",
        approvals=approvals_of(request, key),
        names=_names(request, key),
        own=account_of(request).committee_agency(post),
        sections=SECTIONS,
    )


@router.get(PAGE + "/{agency}")
@allow(reads_invoice, "read the agency's counts (the post's admin, FMO or committee, or the agency's hq)")
def approval_page(request: Request, post: str, fiscal_year: FiscalYear, agency: str) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    approval = approval_of(request, key, agency)
    run = computed(request, key)
    lines = [line for line in tables.workload_lines(request, key, run) if line.agency == agency]
    groups = workload_groups(run, lines)
    records = {r.line.id: line_records(run, r.line.cost_center, agency, r.line.factor) for g in groups for r in g.rows}
    reads = account_of(request).reads_post(post)
    resources = {file: resource for resource, file in tables.RESOURCES.items()} if reads else {}
    return page(
        request,
        "workload_approval.html",
        post=post_out(request, key),
        post_url=f"/posts/{post}/{fiscal_year}",
        agency=agency,
        agency_name=_names(request, key).get(agency, ""),
        approval=approval,
        disputed={d.cost_center: d.comment for d in approval.disputes},
        groups=groups,
        explained=records,
        files={file: (FORMAT[file].label if file in FORMAT else file, resources.get(file, "")) for file in FORMAT},
        steps=steps_open(request, post, agency, approval.state),
        reads_post=reads,
        edits_post=account_of(request).edits_post(post),
        sections=SECTIONS,
    )


def _names(request: Request, key: tables.PostKey) -> dict[str, str]:
    """Each agency of the post by its code, its name."""
    run = computed(request, key)
    return {a.code: a.name for a in run.records.entered.agencies} if run.records else {}


Text = Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)]


@router.post(PAGE + "/{agency}")
@allow(reads_invoice, "speak for the agency (its committee member, its hq, or the ISC)")
def decide(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    agency: str,
    decision: Annotated[str, Form(max_length=16)],
    comment: Text = "",
    cost_center: Annotated[list[str], Form(max_length=500)] = [],  # noqa: B006 - FastAPI copies a default
    line_comment: Annotated[list[str], Form(max_length=500)] = [],  # noqa: B006
) -> Response:
    """htmx posts the Approve button or the Dispute form (each line's cost center beside its comment), or the
    FMO's Reopen form: the page is reloaded once the step is taken; a refusal is said in the form."""
    if any(len(c) > MAX_CODE_CHARS for c in cost_center) or any(len(c) > MAX_TEXT_CHARS for c in line_comment):
        return error_fragment(request, "a line's cost center or comment is too long")
    if any("\x00" in text for text in (*cost_center, *line_comment)):  # PostgreSQL's text cannot hold it
        return error_fragment(request, "a line's cost center or comment holds a NUL character", 422)
    lines = [Dispute(c, text) for c, text in zip(cost_center, line_comment, strict=False)]
    try:
        step_taken(request, post_key(request, post, fiscal_year), agency, decision, comment, lines)
    except HTTPException as e:
        return error_fragment(request, str(e.detail))
    return Response(headers={"HX-Refresh": "true"})
