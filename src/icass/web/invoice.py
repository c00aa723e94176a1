"""An agency's invoice at a post, as a page: every line with its derivation (the agency's counts and where
each came from, the modification, the share of the cost center's workload, the routing, the amount per funding
source, ICASS redistribution) and links to the same invoice as PDF and Excel (the API's files)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, reads_invoice
from icass.api.posts import invoice_key, invoice_view_of, post_out
from icass.api.schemas import FiscalYear
from icass.catalog.cost_centers import REDISTRIBUTION_NOTE, WITHOUT_FACTOR
from icass.money import format_grouped
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/posts/{post}/{fiscal_year}/invoices/{agency}")
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def invoice_page(request: Request, post: str, fiscal_year: FiscalYear, agency: str) -> HTMLResponse:
    key = invoice_key(request, post, fiscal_year, agency)
    view = invoice_view_of(request, key, agency)
    return page(
        request,
        "invoice.html",
        post=post_out(request, key),
        invoice=view.invoice,
        derivation=view.lines,
        fundings=view.fundings,
        subtotals=dict(view.subtotals),
        money=format_grouped,
        redistribution_note=REDISTRIBUTION_NOTE,
        without_factor=WITHOUT_FACTOR,
        files=f"/api/posts/{key.code}/{key.fiscal_year}/invoices/{agency}",
    )
