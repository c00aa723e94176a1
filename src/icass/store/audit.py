"""The record of every change (issue 8 §2): who, when, what, before and after. Only `record` writes to it, and
only by INSERT; migration 0002 makes the database refuse anything else (docs/workspace.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from icass.store.schema import audit_log


def now() -> str:
    """The time as the database keeps it: ISO 8601 in UTC, to the microsecond, sortable as text."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    id: int
    user: str
    at: str
    action: str
    entity: str
    post: str | None
    fiscal_year: int | None
    before: Any
    after: Any


def record(
    connection: Connection,
    user: str,
    action: str,
    entity: str,
    *,
    post: str | None = None,
    fiscal_year: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry, in the caller's transaction: the change and its record commit or fail together."""
    connection.execute(
        audit_log.insert(),
        {
            "at": now(),
            "username": user,
            "action": action,
            "entity": entity,
            "post": post,
            "fiscal_year": fiscal_year,
            "before": before,
            "after": after,
        },
    )


def entries(
    connection: Connection,
    limit: int = 100,
    before_id: int | None = None,
    posts: Collection[str] | None = None,
    fiscal_year: int | None = None,
) -> list[Entry]:
    """The newest entries first (by their order of writing), `limit` of them, older than `before_id` if given."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    if posts is not None:  # only these posts' entries (a post's FMO sees the record of the post)
        query = query.where(audit_log.c.post.in_(sorted(posts)))
    if fiscal_year is not None:
        query = query.where(audit_log.c.fiscal_year == fiscal_year)
    return [
        Entry(
            row.id,
            row.username,
            row.at,
            row.action,
            row.entity,
            row.post,
            row.fiscal_year,
            row.before,
            row.after,
        )
        for row in connection.execute(query)
    ]
