"""The security headers every answer carries (issue 16 §3), pages, API and static files alike.

The Content-Security-Policy lets a page run only the scripts and styles the workspace serves itself: no inline
script, no inline event handler, no `eval` or `new Function` (so markup that slipped past escaping cannot run),
no plugin, no <base> to redirect relative links, forms only to this site, and no framing by another site
(clickjacking). The few inline blocks a page does need are allowed by their SHA-256 alone (`script_hashes`),
so any other inline script is still refused. HSTS is sent only when the server is not on loopback: it is
decided from the configuration the application is created with (the same flag that makes the session cookie
HTTPS-only), never from a request's Host header, which the client chooses.

A pure ASGI middleware rather than Starlette's BaseHTTPMiddleware, so streamed and file answers pass through
untouched and only their start message gains headers. Written here rather than taken from a library (such as
`secure`): it is a few fixed headers, and the policy must carry the pages' own hashes and the docs page's
exception, which such a library would take as strings anyway."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A year, the figure OWASP's HTTP headers cheat sheet gives; subdomains of the workspace's host are its too.
STRICT_TRANSPORT = "max-age=31536000; includeSubDomains"


def script_hash(text: str) -> str:
    """The CSP source that allows exactly one inline block: 'sha256-…' of its text as the page holds it."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def content_security_policy(
    script_sources: Iterable[str] = (),
    style_sources: Iterable[str] = (),
    image_sources: Iterable[str] = (),
) -> str:
    """The policy: this site only, plus the extra sources given (hashes or hosts) for scripts, styles, images."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_sources],
        "style-src": ["'self'", *style_sources],
        # data: for the placeholder image of USWDS's file input (uswds.min.js) and Swagger UI's icons in its
        # stylesheet; an image cannot run script.
        "img-src": ["'self'", "data:", *image_sources],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class SecurityHeaders:
    """Adds the headers to every HTTP answer of `app`: `policy` as its Content-Security-Policy, or the policy
    `policies` names for the answer's path; Strict-Transport-Security when `strict_transport`."""

    def __init__(
        self, app: ASGIApp, policy: str, strict_transport: bool, policies: Mapping[str, str] | None = None
    ) -> None:
        self.app = app
        self.policy = policy
        self.policies = dict(policies or {})
        self.common = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            **({"Strict-Transport-Security": STRICT_TRANSPORT} if strict_transport else {}),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope["path"], self.policy)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                for name, value in self.common.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
