"""GET /api/audit: the record, newest first. The ICASS Service Center (admin) reads all of it; a post's FMO
reads its post's entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from icass.api.guard import GuardedRoute, account_of, allow, reads_audit
from icass.api.schemas import AuditOut, Message
from icass.store import audit

router = APIRouter(route_class=GuardedRoute, tags=["audit"])


@router.get(
    "/api/audit",
    responses={401: {"model": Message}, 403: {"model": Message}},
    summary="Every change recorded, newest first",
)
@allow(reads_audit, "read the record (admin, or a post's FMO for the post)")
def read_audit(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="only entries older than this id")] = None,
) -> list[AuditOut]:
    return [AuditOut.model_validate(e, from_attributes=True) for e in entries_read(request, limit, before)]


def entries_read(request: Request, limit: int, before: int | None = None) -> list[audit.Entry]:
    """The newest `limit` entries (older than `before`) the signed-in person may read: all of them for an
    admin, their posts' for a post's FMO."""
    account = account_of(request)
    scope = None if account.is_admin else account.posts
    with request.app.state.engine.connect() as connection:
        return audit.entries(connection, limit, before, scope)
