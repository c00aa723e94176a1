"""A change comes only from the workspace's own pages (issue 16 §3, login CSRF): every POST, PUT, PATCH and
DELETE whose `Origin` header (or, without one, whose `Referer`) names another site is refused with 403 before
any route reads it. The routes of a signed-in session already need its X-CSRF-Token (icass.api.guard); this
check is what protects the routes that have no session yet, the sign-in form `POST /login` and
`POST /api/session`, from a page elsewhere that would sign a victim's browser in as the attacker.

Readings:
- The request's own origin is the scheme, host and port it was made to: the scheme of the connection as
  uvicorn reports it, and the Host header. Behind a reverse proxy that ends TLS, the proxy must pass the
  original Host and X-Forwarded-Proto, and uvicorn must trust it (`--forwarded-allow-ips`; uvicorn trusts
  127.0.0.1 by default, and `icass serve` keeps that default), or every change from a browser is refused as
  "http://… is not https://…". The Host header cannot be used by an attacker against a victim: the victim's
  browser sets it to the site it sends the request to.
- A request with neither header is let through: browsers send `Origin` with every POST, PUT, PATCH and DELETE
  (OWASP's CSRF cheat sheet), so only a client that is not a browser (curl, a script) sends neither, and such a
  client carries no victim's cookies. `Origin: null` (a sandboxed frame, a data: URL) is a foreign origin.
- The refusal is JSON like every API error; a page shows it as it is (no foreign page can read it anyway).

Written here: Starlette and FastAPI have no such check, and the CSRF middlewares for them (starlette-csrf and
the like) are double-submit cookie schemes, which the session's synchronizer token already covers."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from icass.api.guard import UNSAFE

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]
# A header value quoted back in the refusal is cut to this many characters.
QUOTED = 200


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an absolute http(s) URL, the default port filled in; None for anything else
    (`null`, a relative or malformed URL)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def own_origin(scope: Scope) -> Origin | None:
    """The origin the request was made to: its scheme and its Host header (or the server's address)."""
    host = Headers(scope=scope).get("host")
    if not host and scope.get("server"):
        address, port = scope["server"]
        host = f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"
    return origin_of(f"{scope['scheme']}://{host}") if host else None


def foreign(scope: Scope) -> str | None:
    """Why the request comes from another site, or None when it comes from this one (or says nothing)."""
    headers = Headers(scope=scope)
    for name in ("origin", "referer"):
        claimed = headers.get(name)
        if claimed is None:
            continue
        own = own_origin(scope)
        if own is not None and origin_of(claimed) == own:
            return None
        here = "this site" if own is None else f"{own[0]}://{own[1]}:{own[2]}"
        return (
            f"refused: a change must come from this site's own pages, and this request's {name.capitalize()} "
            f"{claimed[:QUOTED]!r} is not {here}"
        )
    return None


class SameOrigin:
    """Refuses a state-changing request from a foreign origin with 403, before the application sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            refusal = foreign(scope)
            if refusal is not None:
                await JSONResponse({"detail": refusal}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
