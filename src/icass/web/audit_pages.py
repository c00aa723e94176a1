"""The record: the newest changes first, scoped to the posts the person may read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, reads_audit
from icass.store import audit
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/audit")
@allow(reads_audit, "read the record (admin, or a post's FMO for the post)")
def audit_page(request: Request) -> HTMLResponse:
    account = request.state.session.account
    with request.app.state.engine.connect() as connection:
        entries = audit.entries(connection, 200, None, None if account.is_admin else account.posts)
    return page(request, "audit.html", entries=entries)
