"""Signing in and out: POST /api/session sets the session cookie, DELETE ends the session."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from icass.api.guard import COOKIE, PUBLIC, GuardedRoute, allow, signed_in
from icass.api.schemas import GrantOut, Login, Message, SessionOut
from icass.store import audit
from icass.store.accounts import (
    Account,
    Busy,
    Session,
    authenticate,
    end_session_here,
    open_session,
    revoke_session,
)
from icass.store.failures import unavailable
from icass.store.throttle import Throttled

router = APIRouter(route_class=GuardedRoute, tags=["session"])
logger = logging.getLogger(__name__)
SERVER_BUSY = "too many sign-ins at once: wait a moment and try again later"


def _out(session: Session) -> SessionOut:
    grants = [GrantOut(role=g.role, post=g.post, agency=g.agency) for g in session.account.grants]
    return SessionOut(username=session.account.username, roles=grants, csrf_token=session.csrf_token)


def check_password(request: Request, username: str, password: str) -> Account:
    """The account whose password this is (the pages' sign-in asks the same): 401 when it is not, 429 with
    Retry-After when the client has failed too often lately or too many passwords are being checked at once. The
    answers never tell whether the username exists."""
    address = request.client.host if request.client else ""
    try:
        account = authenticate(request.app.state.engine, username, password, address)
    except Throttled as e:
        detail = "too many sign-ins from this address or of this username lately: wait and try again later"
        raise HTTPException(429, detail, headers={"Retry-After": str(e.retry_after)}) from None
    except Busy:
        raise HTTPException(429, SERVER_BUSY, headers={"Retry-After": "1"}) from None
    if account is None:
        raise HTTPException(401, "wrong username or password")
    return account


def start_session(request: Request, account: Account, response: Response) -> Session:
    """Open a session of the account, record the sign-in and set the session cookie on `response`."""
    with request.app.state.engine.begin() as connection:
        token, session = open_session(connection, account)
        audit.record(connection, account.username, "sign in", f"account {account.username}")
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.app.state.secure_cookies, path="/")
    return session


@router.post(
    "/api/session",
    responses={401: {"model": Message}, 429: {"model": Message}},
    summary="Sign in: sets the session cookie; send csrf_token as X-CSRF-Token with every change",
)
@allow(PUBLIC)
def sign_in(login: Login, request: Request, response: Response) -> SessionOut:
    return _out(start_session(request, check_password(request, login.username, login.password), response))


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
def sign_out(request: Request) -> JSONResponse:
    """Ends the session and clears its cookie. When the database cannot record it (a full disk, a busy
    database, a lost connection), the session still ends: this server refuses it from now on, and the answer
    is 503 (with Retry-After when the database is busy or full)."""
    token = request.cookies[COOKIE]
    try:
        with request.app.state.engine.begin() as connection:
            revoke_session(connection, token)
            audit.record(connection, request.state.session.account.username, "sign out", "session")
    except SQLAlchemyError as e:
        logger.error("signing out could not be recorded: %s", e)
        end_session_here(token)
        found = unavailable(e) if isinstance(e, DBAPIError) else None
        why = found.message if found else "tell the administrator"
        detail = f"signed out of this browser (its cookie is cleared), but the database could not record it: {why}"
        headers = {"Retry-After": str(found.retry_after)} if found else None
        answer = JSONResponse({"detail": detail}, status_code=503, headers=headers)
    else:
        answer = JSONResponse({"detail": "signed out"})
    answer.delete_cookie(COOKIE, path="/")
    return answer
