"""The whole application: the API, the pages and their static files. A page asks exactly what the API asks
of the store (the same guard, the same changes); a page refused for want of a session sends the person to
sign in. Each page module has its own router; PAGES lists them."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from icass.api.app import create_api, database_failed, unavailable_answer
from icass.web import audit_pages, editors, help_pages, invoice, jobs, posts, scenarios, signin, workload, world
from icass.web.charts import IMPORT_MAP
from icass.web.render import HERE, error_fragment, page

PAGES = (
    signin.router,
    posts.router,
    workload.router,
    invoice.router,
    audit_pages.router,
    editors.router,
    jobs.router,
    scenarios.router,
    world.router,
    help_pages.router,
)


def create_app(engine: Engine, secure_cookies: bool = True) -> FastAPI:
    app = create_api(engine, secure_cookies, inline_scripts=[IMPORT_MAP])
    for router in PAGES:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(StarletteHTTPException, _page_errors)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, _database_failed)  # type: ignore[arg-type]
    return app


async def _database_failed(request: Request, e: DBAPIError) -> Response:
    """A busy or full database: the API's 503 under /api, else its message as a page or fragment."""
    if request.url.path.startswith("/api/"):
        return await database_failed(request, e)
    unavailable = unavailable_answer(e)
    answer = await _page_errors(request, unavailable)
    answer.headers.update(unavailable.headers or {})
    return answer


async def _page_errors(request: Request, e: StarletteHTTPException) -> Response:
    if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
        return await http_exception_handler(request, e)
    if e.status_code == 401:
        return RedirectResponse("/login", status_code=303)
    if request.headers.get("HX-Request"):
        return error_fragment(request, str(e.detail), e.status_code)
    answer = page(request, "error.html", status=e.status_code, detail=e.detail)
    answer.status_code = e.status_code
    return answer
