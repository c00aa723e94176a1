"""Who may call what (issue 8 §2-3): every route states its rule, and the rule is checked before anything of
the request is read, so an unauthenticated request gets 401 and an out-of-scope one 403 (404 for a post the
person does not read, see `refusal`) before its body is even parsed (FastAPI's own dependencies run after the
body is decoded). Unsafe methods of a signed-in session also need its CSRF token in the X-CSRF-Token header
(synchronizer token; the pages send it through htmx's hx-headers)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from icass.store.accounts import Account, Session, find_session

COOKIE = "icass_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Rule = Callable[[Account, Mapping[str, Any]], bool]
F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"


def allow(rule: Rule | str, why: str = "") -> Callable[[F], F]:
    """Declare who may call the route (`PUBLIC`, or a rule on the account and the path's parameters) and, for
    the 403 message, what the rule asks for."""

    def mark(endpoint: F) -> F:
        endpoint.__dict__["icass_rule"] = (rule, why)
        return endpoint

    return mark


def signed_in(_account: Account, _path: Mapping[str, Any]) -> bool:
    return True


def reads_post(account: Account, path: Mapping[str, Any]) -> bool:
    return account.reads_post(path["post"])


def edits_post(account: Account, path: Mapping[str, Any]) -> bool:
    return account.edits_post(path["post"])


# The tables the ISC keeps for a post, which its FMO reads but does not change: its targets (H-422).
ISC_TABLES = frozenset({"targets"})


def is_isc(account: Account, _path: Mapping[str, Any]) -> bool:
    return account.is_admin


def edits_table(account: Account, path: Mapping[str, Any]) -> bool:
    """Who changes a table of the post: its FMO or the admin, except the ISC's tables, which the admin alone."""
    if path.get("resource") in ISC_TABLES:
        return account.is_admin
    return account.edits_post(path["post"])


def sits_on_committee(account: Account, path: Mapping[str, Any]) -> bool:
    return account.committee_agency(path["post"]) is not None


def reads_invoice(account: Account, path: Mapping[str, Any]) -> bool:
    return account.reads_invoice(path["post"], path["agency"])


def reads_world_invoice(account: Account, path: Mapping[str, Any]) -> bool:
    return account.reads_world_invoice(path["agency"])


def reads_audit(account: Account, _path: Mapping[str, Any]) -> bool:
    return account.is_admin or any(g.role == "fmo" for g in account.grants)


def session_of(engine: Engine, token: str | None) -> Session | None:
    if not token:
        return None
    return find_session(engine, token)


def refusal(account: Account, path: Mapping[str, Any], why: str) -> HTTPException:
    """What a person is told when the route's rule refuses them. Of a post they do not read, the same "not found"
    whether it is stored or not (as icass.api.posts.no_invoice answers for an invoice): a 403 there would tell
    anyone signed in which posts exist. Of a post they read, what they may not do there (403)."""
    post = path.get("post")
    if post is not None and not account.reads_post(post):
        year = path.get("fiscal_year")
        return HTTPException(404, f"There is no post {post}{f' in fiscal year {year}' if year else ''} for you to see.")
    return HTTPException(403, f"{account.username} may not do this{': ' + why if why else ''}")


class GuardedRoute(APIRoute):
    """A route whose rule (see `allow`) is checked before the request is handled; a route without one is a
    programming error, caught when the application is built."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "icass_rule" not in endpoint.__dict__:
            raise TypeError(f"{path}: the route does not say who may call it (icass.api.guard.allow)")
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        rule, why = self.endpoint.__dict__["icass_rule"]

        async def guarded(request: Request) -> Response:
            if rule != PUBLIC:
                engine = request.app.state.engine
                session = await run_in_threadpool(session_of, engine, request.cookies.get(COOKIE))
                if session is None:
                    raise HTTPException(401, "sign in first (POST /api/session)")
                if not rule(session.account, request.path_params):
                    raise refusal(session.account, request.path_params, why)
                if request.method in UNSAFE and request.headers.get(CSRF_HEADER) != session.csrf_token:
                    raise HTTPException(403, f"the {CSRF_HEADER} header is missing or is not this session's token")
                request.state.session = session
            return await handle(request)

        return guarded


def account_of(request: Request) -> Account:
    """The signed-in account of a guarded route (a dependency)."""
    session: Session = request.state.session
    return session.account
