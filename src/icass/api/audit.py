"""GET /api/audit: the record, newest first. The ICASS Service Center (admin) reads all of it; a post's FMO
reads its post's entries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from icass.api.guard import GuardedRoute, account_of, allow, reads_audit
from icass.api.schemas import AuditOut, Message
from icass.store import audit

router = APIRouter(route_class=GuardedRoute, tags=["audit"])
# What a reader of the record picks (who, what, post, days), as the pages pass it on.
RecordChoice = audit.Chosen


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
    user: Annotated[str | None, Query(max_length=64, description="only this person's entries")] = None,
    action: Annotated[str | None, Query(max_length=32, description="only entries of this kind, e.g. update")] = None,
    post: Annotated[str | None, Query(max_length=16, description="only this post's entries")] = None,
    since: Annotated[dt.date | None, Query(description="only entries of this day (UTC) or later")] = None,
    until: Annotated[dt.date | None, Query(description="only entries of this day (UTC) or earlier")] = None,
) -> list[AuditOut]:
    chosen = audit.Chosen(user, action, post, since, until)
    return [AuditOut.model_validate(e, from_attributes=True) for e in entries_read(request, limit, before, chosen)]


def entries_read(
    request: Request, limit: int, before: int | None = None, chosen: audit.Chosen | None = None
) -> list[audit.Entry]:
    """The newest `limit` entries (older than `before`, of those `chosen` picks) the signed-in person may read:
    all of them for an admin, their posts' for a post's FMO."""
    with request.app.state.engine.connect() as connection:
        return audit.entries(connection, limit, before, _scope(request), chosen=chosen)


def record_choices(request: Request) -> tuple[list[str], list[str], list[str]]:
    """The people, kinds of change and posts of the record the signed-in person reads: what its filters offer."""
    with request.app.state.engine.connect() as connection:
        return audit.choices(connection, _scope(request))


def _scope(request: Request) -> frozenset[str] | None:
    account = account_of(request)
    return None if account.is_admin else account.posts
