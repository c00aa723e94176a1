"""The world's pages (admin, hq) and a post's TDY invoices: each page asks the API's own route functions
(icass.api.world) for what it shows, under the same rules, and only lays it out. An agency's headquarters opens
on its worldwide invoice: its home is that page, with its invoices at every post below."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from icass.api import tdy, world
from icass.api.guard import GuardedRoute, account_of, allow, reads_world_invoice, signed_in
from icass.api.posts import JSON, RejectedPost, listed_posts, post_key, post_out
from icass.api.schemas import TEXT, FiscalYear, WorldInvoiceOut
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.model import FUNDING_SOURCES
from icass.model.approval import Basis
from icass.tdy.invoices import STATUS_IN_WORDS
from icass.web import posts
from icass.web.render import error_fragment, page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
# The bases a world's figures are shown on (issue 20 §1), in the words of the pages' switch.
BASES = (
    (Basis.LIVE.value, "Live figures"),
    (Basis.INITIAL.value, "Initial versions (informational)"),
    (Basis.FINAL.value, "Payable: the versions accepted"),
)


@router.get("/")
@allow(signed_in)
def home(request: Request, basis: world.BasisQuery = Basis.LIVE) -> HTMLResponse:
    """An agency's headquarters (an account that reads no post whole) opens on its newest worldwide invoice, on
    the basis its switch chose (live, initial, final); everyone else, and an hq when no world of its agency is
    stored, on the posts they read (icass.web.posts)."""
    account = account_of(request)
    years = world.world_years(request)
    if account.is_admin or account.posts or not account.hq_agencies or not years:
        return posts.home(request)
    agencies = sorted(account.hq_agencies)
    for agency in agencies:
        try:
            bill = world.get_world_invoice(request, years[-1], agency, JSON, basis)
        except HTTPException as e:
            if e.status_code != 404 or basis != Basis.LIVE:
                raise  # a basis chosen on the switch and not there yet is said, not swapped for the posts' list
            continue
        assert isinstance(bill, WorldInvoiceOut)  # the JSON format's answer
        return _invoice_page(request, bill, home=True, others=[a for a in agencies if a != agency])
    return posts.home(request)


@router.get("/world")
@allow(signed_in)
def newest_world(request: Request) -> RedirectResponse:
    years = world.world_years(request)
    if not years:
        raise HTTPException(404, "no world is stored yet: the ICASS Service Center imports one on the Imports page")
    return RedirectResponse(f"/world/{years[-1]}", status_code=303)


@router.get("/world/{fiscal_year}")
@allow(signed_in)
def world_page(request: Request, fiscal_year: FiscalYear, basis: world.BasisQuery = Basis.LIVE) -> HTMLResponse:
    totals = world.list_world_invoices(request, fiscal_year, basis)
    account = account_of(request)
    return page(
        request,
        "world.html",
        fiscal_year=fiscal_year,
        totals=totals,
        basis=world.world_basis(request, fiscal_year, basis),
        bases=BASES,
        posts=world.list_world_posts(request, fiscal_year, basis) if account.is_admin else None,
    )


@router.get("/world/{fiscal_year}/invoices/{agency}")
@allow(reads_world_invoice, "read this agency's worldwide invoice (the ICASS Service Center, or the agency's hq)")
def world_invoice_page(
    request: Request, fiscal_year: FiscalYear, agency: str, basis: world.BasisQuery = Basis.LIVE
) -> HTMLResponse:
    bill = world.get_world_invoice(request, fiscal_year, agency, JSON, basis)
    assert isinstance(bill, WorldInvoiceOut)  # the JSON format's answer
    return _invoice_page(request, bill, home=False, others=[])


def _invoice_page(request: Request, bill: WorldInvoiceOut, home: bool, others: list[str]) -> HTMLResponse:
    charged = {f for amounts in bill.bureaus.values() for f in amounts}
    return page(
        request,
        "world_invoice.html",
        invoice=bill,
        names=world.world_names(request, bill.fiscal_year),
        fundings=[str(f) for f in FUNDING_SOURCES if f in charged],
        files=f"/api/world/{bill.fiscal_year}/invoices/{bill.agency}?"
        + ("" if bill.basis == "live" else f"basis={bill.basis}&"),
        bases=BASES,
        home=home,
        others=others,
        listed=listed_posts(request) if home else [],
    )


@router.get("/posts/{post}/{fiscal_year}/tdy")
@allow(tdy.reads_tdy, tdy.WHO_READS)
def tdy_page(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    as_of: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    shown = post_out(request, key)
    try:
        billed = tdy.tdy_invoices(request, post, fiscal_year, as_of)
    except RejectedPost as e:
        # A post that bills no visitors (no TDY folder in its bundle) or has errors: the page its dashboard links
        # to says why in sentences, where the API's 422 is JSON.
        return page(request, "tdy.html", key=key, post=shown, billed=None, problems=e.problems)
    agencies, cost_centers = world.tdy_names(request, key)
    return page(
        request,
        "tdy.html",
        key=key,
        post=shown,
        billed=billed,
        agencies=agencies,
        cost_centers=cost_centers,
        status_in_words=STATUS_IN_WORDS,
        state_in_words=STATE_IN_WORDS,
        step_buttons=STEP_BUTTONS,
        step_done=STEP_DONE,
    )


# A TDY invoice's states and steps as the page says them (icass.model.tdy_path).
STATE_IN_WORDS = {
    "prepared": "Prepared",
    "submitted_to_isc": "Submitted to the ISC",
    "approved": "Approved by headquarters",
    "rejected": "Rejected by headquarters",
}
STEP_BUTTONS = {"submit_to_isc": "Submit to the ISC", "approve": "Approve", "reject": "Reject"}
STEP_DONE = {"submit_to_isc": "Submitted to the ISC", "approve": "Approved", "reject": "Rejected"}


@router.post("/posts/{post}/{fiscal_year}/tdy/invoices/{invoice}/steps")
@allow(tdy.reads_tdy, tdy.WHO_READS)
def take_tdy_step(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    invoice: tdy.InvoiceId,
    step: Annotated[str, Form(max_length=32)],
    comment: Annotated[str, Form(max_length=MAX_TEXT_CHARS, pattern=TEXT)] = "",
) -> Response:
    """htmx posts it (the button pressed names the step): the page is reloaded once it is taken; a step out of
    order, not the person's, or a rejection without its reason is said in the form."""
    try:
        tdy.step_taken(request, post_key(request, post, fiscal_year), invoice, step, comment)
    except HTTPException as e:
        return error_fragment(request, str(e.detail))
    return Response(headers={"HX-Refresh": "true"})
