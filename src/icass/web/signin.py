"""Signing in from a page: the form, and the session cookie it sets (the API's own sign-in is JSON)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from icass.api.guard import COOKIE, PUBLIC, GuardedRoute, allow
from icass.store import audit
from icass.store.accounts import Throttled, authenticate, open_session
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/login")
@allow(PUBLIC)
def login_page(request: Request) -> HTMLResponse:
    return page(request, "login.html", message="")


@router.post("/login")
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
        return page(request, "login.html", message=message or "Wrong username or password.")
    with engine.begin() as connection:
        token, _ = open_session(connection, account)
        audit.record(connection, account.username, "sign in", f"account {account.username}")
    answer = RedirectResponse("/", status_code=303)
    answer.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.app.state.secure_cookies, path="/")
    return answer
