"""The world's pages (admin, hq) and a post's TDY invoices: each page asks the API's own route functions
(icass.api.world) for what it shows, under the same rules, and only lays it out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from icass.api import world
from icass.api.guard import GuardedRoute, allow, reads_post, reads_world_invoice, signed_in
from icass.api.posts import RejectedPost, post_key, post_out
from icass.api.schemas import FiscalYear
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/world")
@allow(signed_in)
def newest_world(request: Request) -> RedirectResponse:
    years = world.world_years(request)
    if not years:
        raise HTTPException(404, "no world is stored yet (icass import WORLD, or the Imports page)")
    return RedirectResponse(f"/world/{years[-1]}", status_code=303)


@router.get("/world/{fiscal_year}")
@allow(signed_in)
def world_page(request: Request, fiscal_year: FiscalYear) -> HTMLResponse:
    totals = world.list_world_invoices(request, fiscal_year)
    return page(request, "world.html", fiscal_year=fiscal_year, totals=totals)


@router.get("/world/{fiscal_year}/invoices/{agency}")
@allow(reads_world_invoice, "read this agency's worldwide invoice (the ICASS Service Center, or the agency's hq)")
def world_invoice_page(request: Request, fiscal_year: FiscalYear, agency: str) -> HTMLResponse:
    bill = world.get_world_invoice(request, fiscal_year, agency)
    return page(request, "world_invoice.html", invoice=bill)


@router.get("/posts/{post}/{fiscal_year}/tdy")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def tdy_page(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    as_of: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    shown = post_out(request, post_key(request, post, fiscal_year))
    try:
        billed = world.tdy_invoices(request, post, fiscal_year, as_of)
    except RejectedPost as e:
        # A post that bills no visitors (no TDY folder in its bundle) or has errors: the page its dashboard links
        # to says why in sentences, where the API's 422 is JSON.
        return page(request, "tdy.html", post=shown, billed=None, problems=e.problems)
    return page(request, "tdy.html", post=shown, billed=billed)
