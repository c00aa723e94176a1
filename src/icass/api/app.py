"""The API application: its routes, and each store error as its HTTP answer (JSON with a message); a busy or
full database is a 503 with Retry-After (icass.store.failures)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send

import icass
from icass.api import (
    acknowledgements,
    audit,
    cost_factors,
    inbox,
    jobs,
    posts,
    rows,
    scenarios,
    session,
    staffing,
    tdy,
    variance,
    versions,
    workload_approvals,
    world,
)
from icass.api.headers import SecurityHeaders, content_security_policy, script_hash
from icass.api.origin import SameOrigin
from icass.api.posts import RejectedPost, problem
from icass.store import jobs as store_jobs
from icass.store.changes import Conflict, NotFound, Rejected
from icass.store.failures import BUSY, unavailable

log = logging.getLogger(__name__)

# The most a request's body may hold (FastAPI counts the bytes as they arrive, so a chunked body or a lying
# Content-Length cannot pass): a form or JSON is a few kilobytes. The imports' uploads have their own limit
# (icass.api.jobs).
MAX_BODY_BYTES = 2**20

DOCS_PATH = "/api/docs"
DOCS_ASSETS = "/static/vendor/swagger-ui"
FAVICON = "/static/favicon.svg"

ROUTERS = (
    session.router,
    posts.router,
    rows.router,
    acknowledgements.router,
    audit.router,
    jobs.router,
    scenarios.router,
    versions.router,
    variance.router,
    world.router,
    tdy.router,
    cost_factors.router,
    inbox.router,
    staffing.router,
    workload_approvals.router,
)


def create_api(engine: Engine, secure_cookies: bool = True, inline_scripts: Iterable[str] = ()) -> FastAPI:
    """The API on `engine`. `secure_cookies`: the session cookie only over HTTPS, and HSTS (both off for a demo
    on loopback). `inline_scripts`: the text of each inline script block a page holds (the pages' own), the
    only ones the Content-Security-Policy lets run."""
    app = FastAPI(
        title="icass",
        summary="The ICASS budget and cost distribution, exact to the cent",
        version=icass.__version__,
        docs_url=None,  # served below, from the vendored Swagger UI rather than FastAPI's CDN
        redoc_url=None,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.engine = engine
    try:  # the jobs a process that died left running: ended, their folders removed
        store_jobs.recover(engine)
    except DBAPIError:  # a full or busy database must not keep the workspace from starting and answering reads
        log.warning("the jobs left unfinished by a stopped process could not be ended now", exc_info=True)
    app.add_middleware(NoNulInThePath)
    app.state.secure_cookies = secure_cookies
    for router in ROUTERS:
        app.include_router(router)
    docs_page = _docs_page(app)
    app.get(DOCS_PATH, include_in_schema=False)(lambda: docs_page)
    app.add_exception_handler(413, _too_large)
    policy = content_security_policy(script_sources=[script_hash(text) for text in inline_scripts])
    app.add_middleware(SameOrigin)
    # Added last, so it is the outermost: the refusals of the middlewares inside carry the headers too.
    app.add_middleware(
        SecurityHeaders, policy=policy, strict_transport=secure_cookies, policies={DOCS_PATH: _docs_policy(docs_page)}
    )
    app.add_exception_handler(NotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(Conflict, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(Rejected, _rejected)  # type: ignore[arg-type]
    app.add_exception_handler(RejectedPost, _rejected_post)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, database_failed)  # type: ignore[arg-type]
    return app


def _docs_page(app: FastAPI) -> HTMLResponse:
    """FastAPI's Swagger UI page, its script and stylesheet from the vendored copy (static/vendor/swagger-ui, served
    by the workspace with the pages' other files), so the explorer works offline and under the site's policy."""
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "",
        title=f"{app.title} API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=FAVICON,
        oauth2_redirect_url=None,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )


def _docs_policy(page: HTMLResponse) -> str:
    """The page starts Swagger UI with one inline script; its policy allows that script by its hash, and nothing
    from elsewhere."""
    inline = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), re.DOTALL)
    return content_security_policy(script_sources=[script_hash(script) for script in inline])


def unavailable_answer(e: DBAPIError) -> HTTPException:
    """A busy or full database as the 503 it is answered with (its message and Retry-After); any other
    database error raised again, a server error."""
    found = unavailable(e)
    if found is None:
        raise e
    log.warning("a request met the database %s: %s", "busy" if found is BUSY else "full", e.orig)
    return HTTPException(503, found.message, headers={"Retry-After": str(found.retry_after)})


async def database_failed(_request: Request, e: DBAPIError) -> JSONResponse:
    answer = unavailable_answer(e)
    return JSONResponse({"detail": answer.detail}, answer.status_code, headers=answer.headers)


class NoNulInThePath:
    """A path with a NUL character names nothing (no post code or agency holds one, and PostgreSQL's text cannot
    store it): 404 before any route, rather than a database error. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware runs every request's answer through a task and a stream of its own, a cost every read
    paid."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or "%00" in scope["path"]):
            answer = JSONResponse({"detail": "a path cannot hold the NUL character"}, status_code=404)
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _too_large(_request: Request, _e: Exception) -> JSONResponse:
    detail = f"the request's body is larger than {MAX_BODY_BYTES:,} bytes (1 MiB), the most it may hold: nothing stored"
    return JSONResponse({"detail": detail}, status_code=413)


async def _not_found(_request: Request, e: NotFound) -> JSONResponse:
    return JSONResponse({"detail": str(e)}, status_code=404)


async def _conflict(_request: Request, e: Conflict) -> JSONResponse:
    # The row or line as it is now: its record (icass.store.steps) as the mapping of its fields, in their order.
    return JSONResponse({"detail": str(e), "current": jsonable_encoder(e.current)}, status_code=409)


async def _rejected(_request: Request, e: Rejected) -> JSONResponse:
    problems = [problem(d).model_dump() for d in e.problems]
    return JSONResponse({"detail": "the change breaks a rule; nothing was saved", "problems": problems}, 422)


async def _rejected_post(request: Request, e: RejectedPost) -> JSONResponse:
    # The problems quote the post's rows: told to whoever reads the post whole (of the world, the ISC), else
    # only how many there are (a headquarters reads its agency's invoices, not the other agencies' rows).
    session = getattr(request.state, "session", None)
    post = request.path_params.get("post")
    told = session is not None and (session.account.reads_post(post) if post else session.account.is_admin)
    return JSONResponse({"detail": e.detail, "problems": [p.model_dump() for p in e.problems] if told else []}, 422)
