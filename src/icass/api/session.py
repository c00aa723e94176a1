"""Signing in and out: POST /api/session sets the session cookie, DELETE ends the session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from icass.api.guard import COOKIE, PUBLIC, GuardedRoute, allow, signed_in
from icass.api.schemas import GrantOut, Login, Message, SessionOut
from icass.store import audit
from icass.store.accounts import Session, Throttled, authenticate, open_session, revoke_session
from icass.store.failures import unavailable

router = APIRouter(route_class=GuardedRoute, tags=["session"])


def _out(session: Session) -> SessionOut:
    grants = [GrantOut(role=g.role, post=g.post, agency=g.agency) for g in session.account.grants]
    return SessionOut(username=session.account.username, roles=grants, csrf_token=session.csrf_token)


@router.post(
    "/api/session",
    responses={401: {"model": Message}, 429: {"model": Message}},
    summary="Sign in: sets the session cookie; send csrf_token as X-CSRF-Token with every change",
)
@allow(PUBLIC)
def sign_in(login: Login, request: Request, response: Response) -> SessionOut:
    engine = request.app.state.engine
    with engine.begin() as connection:
        try:
            account = authenticate(connection, login.username, login.password)
        except Throttled:
            account = None
            throttled = True
        else:
            throttled = False
    if throttled:
        raise HTTPException(429, "too many failed sign-ins for this username: wait 15 minutes and try again")
    if account is None:
        raise HTTPException(401, "wrong username or password")
    with engine.begin() as connection:
        token, session = open_session(connection, account)
        audit.record(connection, account.username, "sign in", f"account {account.username}")
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.app.state.secure_cookies, path="/")
    return _out(session)


@router.get("/api/session", responses={401: {"model": Message}}, summary="Who is signed in")
@allow(signed_in)
def who(request: Request) -> SessionOut:
    return _out(request.state.session)


@router.delete(
    "/api/session",
    response_model=Message,
    responses={401: {"model": Message}, 503: {"model": Message}},
    summary="Sign out: ends the session",
)
@allow(signed_in)
def sign_out(request: Request, response: Response) -> Any:
    try:
        with request.app.state.engine.begin() as connection:
            revoke_session(connection, request.cookies[COOKIE])
            audit.record(connection, request.state.session.account.username, "sign out", "session")
    except DBAPIError as e:
        # A busy or full database cannot keep this browser signed in: its cookie is cleared all the same.
        found = unavailable(e)
        if found is None:
            raise
        detail = (
            f"signed out of this browser (its cookie is cleared), but the session could not be ended: {found.message}"
        )
        answer = JSONResponse({"detail": detail}, 503, headers={"Retry-After": str(found.retry_after)})
        answer.delete_cookie(COOKIE, path="/")
        return answer
    response.delete_cookie(COOKIE, path="/")
    return Message(detail="signed out")
