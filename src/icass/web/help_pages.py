"""Help for everyone signed in: the glossary of ICASS terms and the handbook's chapters, read section by section
and searched (icass.catalog.glossary, icass.catalog.chapters). The pages only lay out what the catalog holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, signed_in
from icass.catalog.chapters import chapter, chapters, search, section_place
from icass.catalog.glossary import OVERVIEW, glossary
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)

# A search needs at least this many letters, and shows at most this many sections: a screen or two to read.
MIN_SEARCH = 2
MAX_FOUND = 50


@router.get("/glossary")
@allow(signed_in)
def glossary_page(request: Request) -> HTMLResponse:
    places = {s: section_place(s) for term in glossary() for s in term.sections if s != OVERVIEW}
    return page(request, "glossary.html", terms=glossary(), places=places)


@router.get("/handbook")
@allow(signed_in)
def handbook_page(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    words = " ".join(q.split())
    found = search(words, MAX_FOUND) if len(words) >= MIN_SEARCH else ()
    return page(request, "handbook.html", chapters=chapters(), q=words, found=found, limit=MAX_FOUND)


@router.get("/handbook/{slug}")
@allow(signed_in)
def chapter_page(request: Request, slug: str) -> HTMLResponse:
    found = chapter(slug)
    if found is None:
        raise HTTPException(404, "No such chapter of the handbook.")
    return page(request, "handbook_chapter.html", chapter=found)


@router.get("/handbook/{slug}/{anchor}")
@allow(signed_in)
def section_page(request: Request, slug: str, anchor: str) -> HTMLResponse:
    found = chapter(slug)
    where = next((i for i, s in enumerate(found.sections) if s.anchor == anchor), None) if found else None
    if found is None or where is None:
        raise HTTPException(404, "No such section of the handbook.")
    before = found.sections[where - 1] if where else None
    after = found.sections[where + 1] if where + 1 < len(found.sections) else None
    return page(
        request, "handbook_section.html", chapter=found, section=found.sections[where], before=before, after=after
    )
