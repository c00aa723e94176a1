"""The record: the newest changes first, scoped to the posts the person may read, picked by who, what, post and
days, each entry's change shown as the cells that changed (icass.views.record), a page at a time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BeforeValidator

from icass.api.audit import RecordChoice, entries_read, record_choices
from icass.api.guard import GuardedRoute, allow, reads_audit
from icass.views.record import changed_cells
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
PAGE = 50


def _blank_is_none(value: str | None) -> str | None:
    return value or None


# The filter form sends an empty field as an empty value: no choice, as if it were left out.
Day = Annotated[dt.date | None, BeforeValidator(_blank_is_none), Query()]


@router.get("/audit")
@allow(reads_audit, "read the record (admin, or a post's FMO for the post)")
def audit_page(
    request: Request,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    user: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    post: Annotated[str | None, Query(max_length=16)] = None,
    since: Day = None,
    until: Day = None,
) -> HTMLResponse:
    chosen = RecordChoice(_blank_is_none(user), _blank_is_none(action), _blank_is_none(post), since, until)
    found = entries_read(request, PAGE + 1, before, chosen)
    shown = found[:PAGE]
    picked = {k: v for k, v in {"user": user, "action": action, "post": post}.items() if v}
    picked |= {k: v.isoformat() for k, v in {"since": since, "until": until}.items() if v}
    users, actions, posts = record_choices(request)
    return page(
        request,
        "audit.html",
        entries=[(e, changed_cells(e.entity, e.before, e.after)) for e in shown],
        chosen=chosen,
        users=users,
        actions=actions,
        posts=posts,
        older=f"/audit?{urlencode({**picked, 'before': shown[-1].id})}" if len(found) > PAGE else None,
        newest="/audit?" + urlencode(picked) if before else None,
        filtered=bool(picked),
    )
