"""An agency's invoice at a post, as a page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, reads_invoice
from icass.api.posts import invoice_of, post_key
from icass.api.schemas import FiscalYear
from icass.money import format_grouped
from icass.web.render import page, post_row

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/posts/{post}/{fiscal_year}/invoices/{agency}")
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def invoice_page(request: Request, post: str, fiscal_year: FiscalYear, agency: str) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    bill = invoice_of(request, key, agency)
    grouped = bill.model_copy(
        update={
            "lines": [
                line.model_copy(
                    update={
                        "amounts": {f: format_grouped(_cents(v)) for f, v in line.amounts.items()},
                        "redistribution": format_grouped(_cents(line.redistribution)),
                        "total": format_grouped(_cents(line.total)),
                    }
                )
                for line in bill.lines
            ],
            "subtotals": {f: format_grouped(_cents(v)) for f, v in bill.subtotals.items()},
            "redistribution": format_grouped(_cents(bill.redistribution)),
            "total": format_grouped(_cents(bill.total)),
        }
    )
    return page(request, "invoice.html", post=post_row(request, key), invoice=grouped, fundings=sorted(bill.subtotals))


def _cents(plain: str) -> int:
    from icass.money import parse_cents

    return parse_cents(plain)
