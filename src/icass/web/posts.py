"""The posts a person may see, and a post's home: a headline (the total, its change since the approved version,
the approval state, the problems), each problem a sentence linked to the row that needs fixing, the newest
changes, the changes since the approved version row by row, and the budget by cost center and funding source
and each agency's share."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from icass.api.acknowledgements import acknowledge_warning, acknowledgement_ids, withdraw_acknowledgement
from icass.api.guard import GuardedRoute, allow, edits_post, reads_post, signed_in
from icass.api.inbox import post_awaited
from icass.api.post_home import FILE_RESOURCES, problems_placed, recent_changes, rules_not_judged
from icass.api.posts import budget_summary_of, computed, dashboard_of, listed_posts, post_key, targets_of
from icass.api.schemas import TEXT, FiscalYear, RowId
from icass.api.tables import Rejected
from icass.api.versions import awaiting_council, open_steps, step_taken, version_made, versions_of
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.bundle.format import FILES
from icass.diagnostics import ERROR
from icass.model import FUNDING_SOURCES
from icass.model.approval import Kind
from icass.views.post_home import row_changes_in_words
from icass.views.summary import PostSummary
from icass.views.what_if import Names
from icass.web.charts import dashboard_charts
from icass.web.inbox import grouped
from icass.web.render import error_fragment, page, templates
from icass.web.versions import STATE_WORDS

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/")
@allow(signed_in)
def home(request: Request) -> HTMLResponse:
    return page(request, "posts.html", posts=listed_posts(request))


@router.get("/posts/{post}/{fiscal_year}")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def dashboard(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    shown = dashboard_of(request, post, fiscal_year)
    summary = shown.summary
    editable = request.state.session.account.edits_post(post)
    run = shown.run
    names = Names(run)
    since = shown.since.since
    listed = versions_of(request, shown.key)
    return page(
        request,
        "post.html",
        post=shown.post,
        summary=summary,
        figures=_figures(summary, post, fiscal_year),
        shown=shown.since,
        problems=problems_placed(request, shown.key, run) if summary.problems else (),
        errors=sum(d.severity == ERROR for d in summary.problems),
        open_warnings=sum(d.severity != ERROR and d.open for d in summary.problems),
        acknowledged=sum(not d.open for d in summary.problems),
        # Read only when there is one to withdraw: the dashboard is the page most read.
        acknowledgement_ids=(
            acknowledgement_ids(request, shown.key) if editable and not all(d.open for d in summary.problems) else {}
        ),
        editable=editable,
        recent=recent_changes(request, shown.key, run, names),
        not_judged=rules_not_judged(run),
        rows_since=[(f, row_changes_in_words(names, f, FILE_RESOURCES)) for f in since.files] if since else [],
        agency_names=names.agencies,
        file_labels={name: f.label for name, f in FILES.items()},
        versions=listed,
        state_words=STATE_WORDS,
        awaiting=awaiting_council(listed) if editable else None,
        open_steps=open_steps(request, post, listed),
        may_make_version=editable and summary.ok,
        awaited=grouped(post_awaited(request, post, fiscal_year)),
    )


# The dashboard's figures (its charts and tables) as HTML, kept as long as the summary they show, which the
# store keeps with the post's state: made once per revision of the post, not once per reader.
_figures_kept: weakref.WeakKeyDictionary[PostSummary, Markup] = weakref.WeakKeyDictionary()
_keeping = threading.Lock()


def _figures(summary: PostSummary, post: str, fiscal_year: int) -> Markup:
    with _keeping:
        kept = _figures_kept.get(summary)
    if kept is not None:
        return kept
    charts = dashboard_charts(summary) if summary.distributed else None
    made = Markup(
        templates.get_template("post_figures.html").render(
            summary=summary, charts=charts, post={"code": post, "fiscal_year": fiscal_year}
        )
    )
    with _keeping:
        return _figures_kept.setdefault(summary, made)


@router.get("/posts/{post}/{fiscal_year}/budget-summary")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def budget_summary_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    return page(
        request,
        "budget_summary.html",
        post={"code": key.code, "fiscal_year": key.fiscal_year},
        summary=budget_summary_of(run),
        targets=targets_of(run),
        fundings=[str(f) for f in FUNDING_SOURCES],
        names=Names(run),
    )


@router.post("/posts/{post}/{fiscal_year}/acknowledgements")
@allow(edits_post, "change the post (its admin or FMO)")
def acknowledge(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    rule: Annotated[str, Form(max_length=8)],
    file: Annotated[str, Form(max_length=64)],
    row: Annotated[int, Form(ge=0, le=2**31 - 1)],
    reason: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
) -> Response:
    """htmx posts it (with the session's CSRF header): the page is reloaded once it is recorded; a refusal (no
    reason, a warning no longer raised) is said in the form."""
    try:
        acknowledge_warning(request, post_key(request, post, fiscal_year), rule, file, row, reason)
    except Rejected as refused:
        return error_fragment(request, "; ".join(p.message for p in refused.problems))
    return Response(headers={"HX-Refresh": "true"})


@router.post("/posts/{post}/{fiscal_year}/acknowledgements/{acknowledgement_id}/withdrawal")
@allow(edits_post, "change the post (its admin or FMO)")
def withdraw(request: Request, post: str, fiscal_year: FiscalYear, acknowledgement_id: RowId) -> Response:
    withdraw_acknowledgement(request, post_key(request, post, fiscal_year), acknowledgement_id)
    return Response(headers={"HX-Refresh": "true"})


@router.post("/posts/{post}/{fiscal_year}/versions/new")
@allow(edits_post, "make a version of the post (its admin or FMO)")
def make_version(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    kind: Annotated[Kind, Form()],
    comment: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
) -> Response:
    """htmx posts it: the page is reloaded once the version is made; a post with errors is said in the form."""
    try:
        version_made(request, post_key(request, post, fiscal_year), kind, comment)
    except Rejected as refused:
        return error_fragment(request, "; ".join(p.message for p in refused.problems))
    return Response(headers={"HX-Refresh": "true"})


@router.post("/posts/{post}/{fiscal_year}/versions/{number}/steps")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def take_version_step(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    number: Annotated[int, Path(ge=1, le=2**31 - 1)],
    step: Annotated[str, Form(max_length=32)],
    comment: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
    refused: Annotated[bool, Form()] = False,
) -> Response:
    """htmx posts it (the button pressed names the step): the page is reloaded once it is taken; a step out of
    order, not the person's, or without its reason is said in the form."""
    try:
        step_taken(request, post_key(request, post, fiscal_year), number, step, comment, refused)
    except HTTPException as e:
        return error_fragment(request, str(e.detail))
    return Response(headers={"HX-Refresh": "true"})


@router.post("/posts/{post}/{fiscal_year}/versions")
@allow(edits_post, "record the Council's approval (the post's admin or FMO)")
def approve_version(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    note: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
    date: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """The record_council_approval step of the version awaiting it (the newest recommended one): `note` is the
    minutes reference, `date` the Council's (today when not given)."""
    key = post_key(request, post, fiscal_year)
    waiting = awaiting_council(versions_of(request, key))
    if waiting is None:
        raise HTTPException(409, "no version is recommended by the Budget Committee: none awaits the Council")
    step_taken(request, key, waiting, "record_council_approval", note, date=date or dt.date.today(), minutes=note)
    return RedirectResponse(f"/posts/{post}/{fiscal_year}", status_code=303)
