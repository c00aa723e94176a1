"""The posts a person may see, and a post's dashboard: its budget by cost center and funding source and each
agency's share."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from icass.api.guard import GuardedRoute, allow, edits_post, reads_post, signed_in
from icass.api.posts import computed, post_key
from icass.api.schemas import FiscalYear
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.model import FUNDING_SOURCES
from icass.money import format_grouped
from icass.runs.post import PostRun
from icass.store import changes, versions
from icass.store.schema import ROW_TABLES, posts
from icass.web.charts import budget_chart, shares_chart
from icass.web.render import page, post_row

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/")
@allow(signed_in)
def home(request: Request) -> HTMLResponse:
    account = request.state.session.account
    with request.app.state.engine.connect() as connection:
        rows = connection.execute(select(posts).order_by(posts.c.code, posts.c.fiscal_year)).all()
        agencies = ROW_TABLES["agencies.csv"]
        billed: dict[int, list[str]] = defaultdict(list)
        if account.hq_agencies:
            for post_id, code in connection.execute(
                select(agencies.c.post_id, agencies.c.code).where(agencies.c.code.in_(sorted(account.hq_agencies)))
            ):
                billed[post_id].append(code)
    shown = [
        {
            **row._mapping,
            "readable": account.reads_post(row.code),
            "invoices": [] if account.reads_post(row.code) else billed[row.id],
        }
        for row in rows
        if account.reads_post(row.code) or billed[row.id]
    ]
    return page(request, "posts.html", posts=shown)


@router.get("/posts/{post}/{fiscal_year}")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def dashboard(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    context: dict[str, Any] = {"post": post_row(request, key), "problems": [str(d) for d in run.diagnostics]}
    if run.distribution is not None and run.bundle is not None:
        cost = run.distribution.cost_of(post)
        fundings = [str(f) for f in FUNDING_SOURCES]
        used = [j for j in range(len(fundings)) if int(cost[:, j].sum())]
        budget = []
        for i, cc in enumerate(run.distribution.columns.cost_centers):
            if int(cost[i].sum()):
                budget.append(
                    (
                        cc,
                        {fundings[j]: format_grouped(int(cost[i, j])) for j in used if int(cost[i, j])},
                        format_grouped(int(cost[i].sum())),
                    )
                )
        by_agency: dict[str, int] = defaultdict(int)
        for agency, *_rest, total in run.distribution.lines(post):
            by_agency[agency] += total
        whole = int(cost.sum())
        names = {a.code: a.name for a in run.bundle.agencies}
        cost_centers = run.distribution.columns.cost_centers
        context["charts"] = {
            "budget": budget_chart(
                [(cc, fundings[j], int(cost[i, j])) for i, cc in enumerate(cost_centers) for j in used]
            ),
            "shares": shares_chart([(a, names.get(a, ""), v) for a, v in by_agency.items()]),
        }
        context |= {
            "fundings": [fundings[j] for j in used],
            "budget": budget,
            "funding_totals": {fundings[j]: format_grouped(int(cost[:, j].sum())) for j in used},
            "total": format_grouped(whole),
            "shares": [
                (a, names.get(a, ""), format_grouped(v), f"{100 * v / whole:.2f}" if whole else "0")
                for a, v in sorted(by_agency.items())
            ],
        }
    editable = request.state.session.account.edits_post(post)
    context |= _since_approved(request, key, run, editable and run.ok)
    context["approval_blocked"] = editable and not run.ok
    return page(request, "post.html", **context)


def _since_approved(request: Request, key: changes.PostKey, run: PostRun, editable: bool) -> dict[str, Any]:
    """What changed since the last approved version (icass.store.versions), for the dashboard."""
    with request.app.state.engine.connect() as connection:
        approved = versions.versions(connection, key)
        since = versions.changes_since(connection, key, approved[0].number, run) if approved else None
    return {"approved": approved[0] if approved else None, "since": since, "may_approve": editable}


@router.post("/posts/{post}/{fiscal_year}/versions")
@allow(edits_post, "change the post (its admin or FMO)")
def approve_version(
    request: Request, post: str, fiscal_year: FiscalYear, note: Annotated[str, Form(max_length=MAX_TEXT_CHARS)] = ""
) -> Response:
    key = post_key(request, post, fiscal_year)
    try:
        with request.app.state.engine.begin() as connection:
            versions.approve(connection, key, request.state.session.account.username, note)
    except changes.Rejected as e:
        # Only a change made since the page was shown gets here: the page offers no approval while errors stand.
        raise HTTPException(422, f"the post has errors, which block recording its approval: {e}") from None
    return RedirectResponse(f"/posts/{post}/{fiscal_year}", status_code=303)
