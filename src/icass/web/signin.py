"""Signing in from a page: the form, and the session cookie it sets (the API's own sign-in is JSON; both check
the password the same way, icass.api.session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from icass.api.guard import PUBLIC, GuardedRoute, allow
from icass.api.schemas import PASSWORD_LENGTH, TEXT, USERNAME_LENGTH
from icass.api.session import check_password, start_session
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/login")
@allow(PUBLIC)
def login_page(request: Request) -> HTMLResponse:
    return page(request, "login.html", message="")


@router.post("/login")
@allow(PUBLIC)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=USERNAME_LENGTH, pattern=TEXT)],
    password: Annotated[str, Form(max_length=PASSWORD_LENGTH)],
) -> Response:
    try:
        account = check_password(request, username, password)
    except HTTPException as e:
        if e.status_code == 401:
            return page(request, "login.html", message="Wrong username or password.")
        refused = page(request, "login.html", message=str(e.detail).capitalize() + ".")
        refused.status_code = e.status_code
        refused.headers.update(e.headers or {})
        return refused
    answer = RedirectResponse("/", status_code=303)
    start_session(request, account, answer)
    return answer
