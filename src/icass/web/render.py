"""What every page shares: the templates, and a page with the session in its context."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError

from icass.api.inbox import inbox_count
from icass.catalog.glossary import pieces
from icass.money import format_grouped, parse_cents
from icass.web.charts import IMPORT_MAP

HERE = resources.files("icass.web")
templates = Jinja2Templates(directory=str(HERE / "templates"))
# Cents as a page shows them: grouped, two decimals (an absent amount is an empty cell).
templates.env.filters["grouped"] = lambda cents: "" if cents is None else format_grouped(cents)
# The API's decimal strings as a page shows them.
templates.env.filters["dollars"] = lambda plain: "" if plain is None else format_grouped(parse_cents(plain))
# A stored moment (ISO 8601, UTC) as people read it: "7 Dec 2026, 09:15 UTC". Pages put it in a <time> element
# that static/icass.js rewrites in the reader's own time zone, which the server cannot know.
templates.env.filters["readable_utc"] = lambda at: "" if not at else readable_utc(at)
# A text cut where it names a glossary term (icass.catalog.glossary.pieces): macros.html's `linked` links each.
templates.env.filters["terms"] = pieces
# As it is: the text the Content-Security-Policy's hash allows (escaping would change it; it holds no data).
templates.env.globals["chart_import_map"] = Markup(IMPORT_MAP)


def readable_utc(at: str) -> str:
    moment = dt.datetime.fromisoformat(at).astimezone(dt.UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Every page and fragment is a template (Jinja2 escapes what it puts in): no HTML is built in Python."""
    session = getattr(request.state, "session", None)
    context = {"session": session, "inbox_count": _inbox_count(request) if session else None, **context}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


log = logging.getLogger(__name__)


def _inbox_count(request: Request) -> Callable[[], int | None]:
    """The count of the person's inbox, read only when a page's navigation shows it (a fragment has none), and
    None when the database cannot say: a page that tells of a failed database must still be shown."""
    kept: list[int | None] = []

    def count() -> int | None:
        if not kept:
            try:
                kept.append(inbox_count(request))
            except DBAPIError:
                log.warning("the inbox's count could not be read for the navigation", exc_info=True)
                kept.append(None)
        return kept[0]

    return count


def error_fragment(request: Request, detail: str, status_code: int = 200, row: bool = False) -> HTMLResponse:
    """What an htmx request that failed shows in place of its answer (`row`: a table row of its own)."""
    return page(request, "error_fragment.html", status_code, detail=detail, row=row)
