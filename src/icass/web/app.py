"""The whole application: the API, the pages and their static files. A page asks exactly what the API asks
of the store (the same guard, the same changes); a page refused for want of a session sends the person to
sign in. Each page module has its own router; PAGES lists them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from icass.api.app import create_api, database_failed, unavailable_answer
from icass.api.guard import PUBLIC, GuardedRoute, allow
from icass.web import (
    audit_pages,
    committee,
    cost_factors,
    editors,
    help_pages,
    inbox,
    invoice,
    jobs,
    positions,
    posts,
    scenarios,
    signin,
    staffing,
    variance,
    versions,
    workload,
    workload_approval,
    world,
)
from icass.web.charts import IMPORT_MAP
from icass.web.render import HERE, error_fragment, page

# Chromium asks for /favicon.ico when a page is left before its <link rel="icon"> was read; a 404 there is a
# console error on the page (the browser tests fail on any).
_favicon = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@_favicon.get("/favicon.ico")
@allow(PUBLIC)
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=308)


PAGES = (
    signin.router,
    world.router,  # first: its home page ("/", an agency's headquarters' own) hands every other person to posts'
    posts.router,
    workload.router,
    workload_approval.router,
    positions.router,
    invoice.router,
    versions.router,
    audit_pages.router,
    editors.router,
    cost_factors.router,
    variance.router,
    committee.router,
    jobs.router,
    scenarios.router,
    staffing.router,
    help_pages.router,
    inbox.router,
    _favicon,
)


def create_app(engine: Engine, secure_cookies: bool = True) -> FastAPI:
    app = create_api(engine, secure_cookies, inline_scripts=[IMPORT_MAP])
    for router in PAGES:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_exception_handler(StarletteHTTPException, _page_errors)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, _database_failed)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _page_input_refused)  # type: ignore[arg-type]
    return app


async def _page_input_refused(request: Request, e: RequestValidationError) -> Response:
    """A page's address or form that FastAPI refused: under /api its usual 422, else each problem as a sentence
    that names the field in words (a person never sees pydantic's JSON)."""
    if request.url.path.startswith("/api/"):
        return await request_validation_exception_handler(request, e)
    return await _page_errors(request, StarletteHTTPException(422, " ".join(map(_in_words, e.errors()))))


def _in_words(error: Any) -> str:
    """{"loc": ["query", "as_of"], "msg": "Input should be a valid date", "input": "2027-13-45"} ->
    'As of: input should be a valid date (given: 2027-13-45).'"""
    field = str(error.get("loc", ["", "input"])[-1]).replace("_", " ")
    message = str(error.get("msg", "not accepted"))
    given = error.get("input")
    shown = f" (given: {given})" if isinstance(given, str | int) and len(str(given)) <= 60 else ""
    return f"{field[:1].upper()}{field[1:]}: {message[:1].lower()}{message[1:]}{shown}."


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
    answer = page(request, "error.html", status=e.status_code, status_phrase=_phrase(e.status_code), detail=e.detail)
    answer.status_code = e.status_code
    return answer


# An error page's heading, in words a person reads; any other status is headed with its standard phrase.
HEADINGS = {
    400: "The request could not be read",
    403: "Not allowed",
    404: "Not found",
    409: "Changed meanwhile",
    413: "Too large",
    422: "Something to correct",
    429: "Too many tries",
    503: "Busy: try again shortly",
}


def _phrase(status: int) -> str:
    try:
        return HEADINGS.get(status) or HTTPStatus(status).phrase
    except ValueError:
        return str(status)
