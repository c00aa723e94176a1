"""The whole application: the API, the pages and their static files. A page asks exactly what the API asks
of the store (the same guard, the same changes); a page refused for want of a session sends the person to
sign in."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from icass.api.app import create_api
from icass.api.guard import (
    COOKIE,
    PUBLIC,
    GuardedRoute,
    allow,
    edits_post,
    reads_audit,
    reads_invoice,
    reads_post,
    signed_in,
)
from icass.api.posts import computed, invoice_of, post_key
from icass.api.schemas import FiscalYear
from icass.model import FUNDING_SOURCES
from icass.money import format_grouped
from icass.pipeline import PostRun
from icass.store import audit, changes
from icass.store.accounts import Throttled, authenticate, open_session
from icass.store.schema import ROW_TABLES, posts

HERE = resources.files("icass.web")
templates = Jinja2Templates(directory=str(HERE / "templates"))
pages = APIRouter(route_class=GuardedRoute, include_in_schema=False)


def create_app(engine: Engine, secure_cookies: bool = True) -> FastAPI:
    app = create_api(engine, secure_cookies)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(StarletteHTTPException, _page_errors)  # type: ignore[arg-type]
    return app


async def _page_errors(request: Request, e: StarletteHTTPException) -> Response:
    if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
        return await http_exception_handler(request, e)
    if e.status_code == 401:
        return RedirectResponse("/login", status_code=303)
    if request.headers.get("HX-Request"):
        fragment = f'<span class="usa-error-message" role="alert">{escape(str(e.detail))}</span>'
        return HTMLResponse(fragment, e.status_code)
    answer = _page(request, "error.html", status=e.status_code, detail=e.detail)
    answer.status_code = e.status_code
    return answer


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"session": getattr(request.state, "session", None), **context})


@pages.get("/login")
@allow(PUBLIC)
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html", message="")


@pages.post("/login")
@allow(PUBLIC)
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
    engine = request.app.state.engine
    message = ""
    with engine.begin() as connection:
        try:
            account = authenticate(connection, username, password)
        except Throttled:
            account, message = None, "Too many failed sign-ins for this username: wait 15 minutes and try again."
    if account is None:
        return _page(request, "login.html", message=message or "Wrong username or password.")
    with engine.begin() as connection:
        token, _ = open_session(connection, account)
        audit.record(connection, account.username, "sign in", f"account {account.username}")
    answer = RedirectResponse("/", status_code=303)
    answer.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.app.state.secure_cookies, path="/")
    return answer


@pages.get("/")
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
    return _page(request, "posts.html", posts=shown)


def _post_row(request: Request, key: changes.PostKey) -> Any:
    with request.app.state.engine.connect() as connection:
        return connection.execute(select(posts).where(posts.c.id == key.id)).one()


@pages.get("/posts/{post}/{fiscal_year}")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def dashboard(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    context: dict[str, Any] = {"post": _post_row(request, key), "problems": [str(d) for d in run.diagnostics]}
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
    return _page(request, "post.html", **context)


@pages.get("/posts/{post}/{fiscal_year}/workload")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def workload_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    with request.app.state.engine.connect() as connection:
        lines = changes.workload(connection, key, run)
    editable = request.state.session.account.edits_post(post)
    return _page(
        request, "workload.html", post=_post_row(request, key), lines=lines, editable=editable, derived=_derived(run)
    )


def _derived(run: PostRun) -> dict[str, str]:
    """What the records derive for each workload line, shown beside a count typed by hand."""
    lines = run.derivation.lines if run.derivation else ()
    return {changes.workload_id(w.cost_center, w.agency, w.factor): str(w.count) for w in lines}


@pages.patch("/posts/{post}/{fiscal_year}/workload/{line_id}")
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
    context: dict[str, Any] = {"post": _post_row(request, key), "editable": True}
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
    return _page(request, "workload_row.html", derived=_derived(computed(request, key)), **context)


@pages.get("/posts/{post}/{fiscal_year}/invoices/{agency}")
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def invoice_page(request: Request, post: str, fiscal_year: FiscalYear, agency: str) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    bill = invoice_of(request, key, agency)
    grouped = bill.model_copy(
        update={
            "lines": [
                line.model_copy(
                    update={
                        "amounts": {f: format_grouped(_cents(v)) for f, v in line.amounts.items()},
                        "redistribution": format_grouped(_cents(line.redistribution)),
                        "total": format_grouped(_cents(line.total)),
                    }
                )
                for line in bill.lines
            ],
            "subtotals": {f: format_grouped(_cents(v)) for f, v in bill.subtotals.items()},
            "redistribution": format_grouped(_cents(bill.redistribution)),
            "total": format_grouped(_cents(bill.total)),
        }
    )
    return _page(
        request, "invoice.html", post=_post_row(request, key), invoice=grouped, fundings=sorted(bill.subtotals)
    )


def _cents(plain: str) -> int:
    from icass.money import parse_cents

    return parse_cents(plain)


@pages.get("/audit")
@allow(reads_audit, "read the record (admin, or a post's FMO for the post)")
def audit_page(request: Request) -> HTMLResponse:
    account = request.state.session.account
    with request.app.state.engine.connect() as connection:
        entries = audit.entries(connection, 200, None, None if account.is_admin else account.posts)
    return _page(request, "audit.html", entries=entries)
