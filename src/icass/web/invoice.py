"""An agency's invoice at a post, as a page: every line with its derivation (the agency's counts and where
each came from, the modification, the share of the cost center's workload, the routing, the cost center's dollars
and the agency's share of them by funding source, ICASS redistribution) and links to the same invoice as PDF and
Excel (the API's files). The page says whether its figures are live (the post as it is now, still changing) or
those of an approved version (`?version=N`), and only the latter calls them final."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, reads_invoice
from icass.api.posts import invoice_key, invoice_view_of, post_out
from icass.api.schemas import FiscalYear
from icass.api.versions import approval_of, approved_invoice_view
from icass.catalog.cost_centers import REDISTRIBUTION_NOTE, WITHOUT_FACTOR
from icass.money import format_grouped
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/posts/{post}/{fiscal_year}/invoices/{agency}")
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def invoice_page(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    agency: str,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    key = invoice_key(request, post, fiscal_year, agency)
    if version is None:
        view = invoice_view_of(request, key, agency)
        newest, changed_since = approval_of(request, key)
        approved = None
    else:
        approved, view = approved_invoice_view(request, key, agency, version)
        newest, changed_since = None, False
    return page(
        request,
        "invoice.html",
        post=post_out(request, key),
        invoice=view.invoice,
        derivation=view.lines,
        fundings=view.fundings,
        subtotals=dict(view.subtotals),
        partial=view.partial,
        money=format_grouped,
        redistribution_note=REDISTRIBUTION_NOTE,
        without_factor=WITHOUT_FACTOR,
        approved=approved,
        newest=newest,
        changed_since=changed_since,
        live_page=f"/posts/{key.code}/{key.fiscal_year}/invoices/{agency}",
        files=f"/api/posts/{key.code}/{key.fiscal_year}/invoices/{agency}",
    )
