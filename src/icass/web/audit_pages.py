"""The record: the newest changes first, scoped to the posts the person may read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from icass.api.audit import entries_read
from icass.api.guard import GuardedRoute, allow, reads_audit
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/audit")
@allow(reads_audit, "read the record (admin, or a post's FMO for the post)")
def audit_page(request: Request) -> HTMLResponse:
    return page(request, "audit.html", entries=entries_read(request, 200))
