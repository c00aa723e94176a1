"""The workload page: every count of the post grouped by cost center (names, counts and each factor's subtotal
in the section's heading), found by cost center and agency; a section's lines are rendered only when it is
opened (a fragment htmx asks for, or the page with that cost center alone), 25 at a time, so the page is as
long as the cost centers, not the thousands of lines a large post has. The derived count stands beside one
typed by hand with an action to go back to it, the records behind each count a link away, and a count is
entered in place (htmx). Every answer to a change is the row with its message, never an error status htmx would not
show: an empty or malformed count, a stale version and a refused rule all come back in the row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from icass.api import tables
from icass.api.guard import GuardedRoute, allow, edits_post, reads_post
from icass.api.posts import computed, post_key, post_out
from icass.api.schemas import FiscalYear
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.bundle.format import FILES as FORMAT
from icass.views.workload import agencies_counted, kept_groups, line_records, lines_page, workload_groups
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
READ = "read the post (its admin, FMO or budget committee)"
EDIT = "change the post (its admin or FMO)"
LINE = "/posts/{post}/{fiscal_year}/workload/{line_id}"


Searched = Annotated[str, Query(max_length=MAX_TEXT_CHARS)]
PageNumber = Annotated[int, Query(alias="page", ge=1, le=2**31 - 1)]


@router.get("/posts/{post}/{fiscal_year}/workload")
@allow(reads_post, READ)
def workload_page(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    cost_center: Searched = "",
    agency: Searched = "",
    page_number: PageNumber = 1,
) -> HTMLResponse:
    """The cost centers' headings, each opening on request: its lines come as a fragment (lines_fragment) when
    it is opened, or on this page with `cost_center` (a link that needs no script), 25 at a time."""
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    groups = workload_groups(run, tables.workload_lines(request, key, run))
    shown = kept_groups(groups, cost_center, agency)
    opened = lines_page(shown[0], agency, page_number) if cost_center and shown else None
    return page(
        request,
        "workload.html",
        post=post_out(request, key),
        post_url=f"/posts/{post}/{fiscal_year}",
        groups=groups,
        shown=shown,
        opened=opened,
        asked={"cost_center": cost_center, "agency": agency},
        agencies=agencies_counted(groups),
        lines=sum(len(g.rows) for g in groups),
        entered=sum(g.entered for g in groups),
        differing=sum(g.differing for g in groups),
        editable=request.state.session.account.edits_post(post),
    )


@router.get("/posts/{post}/{fiscal_year}/workload/lines")
@allow(reads_post, READ)
def lines_fragment(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    cost_center: Annotated[str, Query(max_length=MAX_TEXT_CHARS)],
    agency: Searched = "",
    page_number: PageNumber = 1,
) -> HTMLResponse:
    """One page of a cost center's lines (of one agency when `agency` is given), as its opened section shows
    them; a cost center with no line (gone since the page was read) is said in the section, not as an error
    status htmx would not show."""
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    lines = [line for line in tables.workload_lines(request, key, run) if line.cost_center == cost_center]
    shown = kept_groups(workload_groups(run, lines), cost_center, agency)
    return page(
        request,
        "workload_lines.html",
        post=post_out(request, key),
        post_url=f"/posts/{post}/{fiscal_year}",
        opened=lines_page(shown[0], agency, page_number) if shown else None,
        asked={"cost_center": cost_center, "agency": agency},
        editable=request.state.session.account.edits_post(post),
    )


def _row(request: Request, key: tables.PostKey, line_id: str, **context: Any) -> HTMLResponse:
    """The line's row as the page shows it (its group's subtotals with it, out of band), with `context`'s
    message; a line gone (a typed count removed where the records derive none) leaves a row saying so."""
    run = computed(request, key)
    try:
        line = tables.workload_line(request, key, line_id)
    except tables.NotFound:
        return page(request, "workload_gone.html", line_id=line_id, **context)
    (group,) = workload_groups(run, [line])
    (row,) = group.rows
    mates = [other for other in tables.workload_lines(request, key, run) if other.cost_center == line.cost_center]
    (whole,) = workload_groups(run, mates) or (group,)
    more: dict[str, Any] = {"row": row, "g": whole, "oob": True}
    return page(request, "workload_row.html", post=post_out(request, key), editable=True, **more, **context)


def _version(version: str) -> int:
    try:
        return int(version)
    except ValueError:
        return -1  # no version a row has: the store answers that the line changed since it was read


@router.patch(LINE)
@allow(edits_post, EDIT)
def enter_count(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    line_id: str,
    # Both as text, an empty one included: a form htmx sends is answered with its row whatever it holds.
    count: Annotated[str, Form(max_length=64)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    if not count.strip():
        message = "Enter a count: a number, 0 or more. To go back to what the records derive, use the derived count."
        return _row(request, key, line_id, error=message, typed=count)
    try:
        tables.enter_count(request, key, line_id, count, _version(version), request.state.session.account.username)
    except tables.Rejected as e:
        message = "; ".join(p.message + (f" (6 FAH-5 {p.section})" if p.section else "") for p in e.problems)
        return _row(request, key, line_id, error=message, typed=count)
    except (tables.Conflict, tables.NotFound) as e:
        return _row(request, key, line_id, error=str(e))
    return _row(request, key, line_id, saved="saved")


@router.delete(LINE)
@allow(edits_post, EDIT)
def use_derived_count(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    line_id: str,
    version: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> HTMLResponse:
    """The count typed by hand removed: the line goes back to what the records derive."""
    key = post_key(request, post, fiscal_year)
    try:
        tables.clear_count(request, key, line_id, version, request.state.session.account.username)
    except (tables.Conflict, tables.NotFound) as e:
        return _row(request, key, line_id, error=str(e))
    return _row(request, key, line_id, saved="now the count the records derive")


# The line in the query, not the path: one page of the workspace whichever line it shows.
@router.get("/posts/{post}/{fiscal_year}/workload/records")
@allow(reads_post, READ)
def records_page(
    request: Request, post: str, fiscal_year: FiscalYear, line_id: Annotated[str, Query(alias="line", max_length=200)]
) -> HTMLResponse:
    """The records behind one line's count: each counted with its weight, routing and section; those the
    counting rules left out and why; or the row typed by hand that replaced them."""
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    line = tables.workload_line(request, key, line_id)
    (group,) = workload_groups(run, [line])
    explained = line_records(run, line.cost_center, line.agency, line.factor)
    if explained is None:
        raise HTTPException(422, "the post's records could not be read, so no count can be followed to them")
    resources = {file: resource for resource, file in tables.RESOURCES.items()}
    return page(
        request,
        "workload_records.html",
        post=post_out(request, key),
        post_url=f"/posts/{post}/{fiscal_year}",
        g=group,
        row=group.rows[0],
        explained=explained,
        files={file: (FORMAT[file].label if file in FORMAT else file, resources.get(file, "")) for file in FORMAT},
    )
