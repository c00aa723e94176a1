"""The workload editor: every count of the post, the derived count beside one typed by hand, and entering a
count in place (htmx), with the rule a count breaks shown in its row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from icass.api import tables
from icass.api.guard import GuardedRoute, allow, edits_post, reads_post
from icass.api.posts import computed, post_key, post_out
from icass.api.schemas import FiscalYear
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/posts/{post}/{fiscal_year}/workload")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def workload_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    lines = tables.workload_lines(request, key, run)
    editable = request.state.session.account.edits_post(post)
    return page(
        request,
        "workload.html",
        post=post_out(request, key),
        lines=lines,
        editable=editable,
        derived=tables.derived_counts(run),
    )


@router.patch("/posts/{post}/{fiscal_year}/workload/{line_id}")
@allow(edits_post, "change the post (its admin or FMO)")
def enter_count(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    line_id: str,
    count: Annotated[str, Form()],
    version: Annotated[int, Form()],
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    user = request.state.session.account.username
    context: dict[str, Any] = {"post": post_out(request, key), "editable": True}
    try:
        line = tables.enter_count(request, key, line_id, count, version, user)
        context |= {"line": line, "saved": True}
    except tables.REFUSED as e:
        line = tables.workload_line(request, key, line_id)
        message = (
            "; ".join(f"{p.message}" + (f" (6 FAH-5 {p.section})" if p.section else "") for p in e.problems)
            if isinstance(e, tables.Rejected)
            else str(e)
        )
        context |= {"line": line, "error": message}
    return page(request, "workload_row.html", derived=tables.derived_counts(computed(request, key)), **context)
