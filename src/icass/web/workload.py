"""The workload editor: every count of the post, the derived count beside one typed by hand, and entering a
count in place (htmx), with the rule a count breaks shown in its row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, edits_post, reads_post
from icass.api.posts import computed, post_key
from icass.api.schemas import FiscalYear
from icass.runs.post import PostRun
from icass.store import changes
from icass.web.render import page, post_row

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/posts/{post}/{fiscal_year}/workload")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def workload_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    with request.app.state.engine.connect() as connection:
        lines = changes.workload(connection, key, run)
    editable = request.state.session.account.edits_post(post)
    return page(
        request, "workload.html", post=post_row(request, key), lines=lines, editable=editable, derived=_derived(run)
    )


def _derived(run: PostRun) -> dict[str, str]:
    """What the records derive for each workload line, shown beside a count typed by hand."""
    lines = run.derivation.lines if run.derivation else ()
    return {changes.workload_id(w.cost_center, w.agency, w.factor): str(w.count) for w in lines}


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
    context: dict[str, Any] = {"post": post_row(request, key), "editable": True}
    try:
        with request.app.state.engine.begin() as connection:
            line = changes.enter_count(connection, key, line_id, count, version, user)
        context |= {"line": line, "saved": True}
    except (changes.Conflict, changes.Rejected, changes.NotFound) as e:
        with request.app.state.engine.connect() as connection:
            line = changes.get_workload(connection, key, computed(request, key), line_id)
        message = (
            "; ".join(f"{p.message}" + (f" (6 FAH-5 {p.section})" if p.section else "") for p in e.problems)
            if isinstance(e, changes.Rejected)
            else str(e)
        )
        context |= {"line": line, "error": message}
    return page(request, "workload_row.html", derived=_derived(computed(request, key)), **context)
