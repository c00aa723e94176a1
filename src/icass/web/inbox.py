"""A person's inbox (issue 20 §2): what waits for them, each with its due date, late or not, and the page it is
taken on; below, what waits for others at their posts. It asks the API's own route (icass.api.inbox)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from icass.api import inbox as api
from icass.api.guard import GuardedRoute, allow, signed_in
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/inbox")
@allow(signed_in)
def inbox(request: Request) -> HTMLResponse:
    found = api.inbox(request)
    return page(request, "inbox.html", inbox=found, today=api.today())
