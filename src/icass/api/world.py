"""The worldwide headquarters invoices (H-424, Exhibit H-421) and a post's TDY invoices (H-360), computed from
the stored data by the same pipeline and read-side as `icass world` and `icass tdy invoices`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from icass.api.guard import GuardedRoute, account_of, allow, reads_post, reads_world_invoice, signed_in
from icass.api.posts import SCOPED, RejectedPost, post_key, problem
from icass.api.schemas import (
    FiscalYear,
    Rejection,
    TdyInvoiceOut,
    TdyInvoicesOut,
    TdyLineOut,
    WorldInvoiceOut,
    WorldItemLineOut,
    WorldPostLineOut,
    WorldTotalOut,
)
from icass.diagnostics import ERROR
from icass.distribution.consolidation import Consolidation
from icass.model.world import World
from icass.money import format_plain
from icass.store.bundles import NotStored
from icass.store.compute import run_stored_tdy
from icass.store.worlds import StoredWorldRun, consolidated_stored_world, stored_world_years
from icass.views.world_invoice import WorldInvoice, world_invoice

router = APIRouter(route_class=GuardedRoute, tags=["world"])
WORLD_ERRORS = {**SCOPED, 422: {"model": Rejection}}


def consolidated(stored: StoredWorldRun) -> tuple[World, Consolidation]:
    """The world and its consolidation, of a stored world that consolidated (`_stored`)."""
    assert stored.consolidation is not None
    assert stored.run.files is not None
    return stored.run.files.world, stored.consolidation


def _stored(request: Request, fiscal_year: int) -> StoredWorldRun:
    """The stored world of `fiscal_year`, consolidated, as the store keeps it (its invoices made once): 404 when
    none is stored, 422 with its errors."""
    try:
        stored = consolidated_stored_world(request.app.state.engine, fiscal_year)
    except NotStored:
        raise HTTPException(404, f"no world of fiscal year {fiscal_year} is stored") from None
    run, consolidation, more = stored.run, stored.consolidation, stored.problems
    errors = [problem(d) for d in (*run.diagnostics, *more) if d.severity == ERROR]
    if consolidation is None or run.files is None or errors:
        raise RejectedPost(f"the world of {fiscal_year} has {len(errors)} error(s): it cannot be consolidated", errors)
    return stored


def world_years(request: Request) -> list[int]:
    """The fiscal years of the stored worlds, oldest first."""
    return stored_world_years(request.app.state.engine)


def invoice_out(bill: WorldInvoice) -> WorldInvoiceOut:
    bureaus: dict[str, dict[str, str]] = {}
    for (region, funding), cents in sorted(bill.bureau_totals().items()):
        bureaus.setdefault(region, {})[funding] = format_plain(cents)
    return WorldInvoiceOut(
        agency=bill.agency,
        fiscal_year=bill.fiscal_year,
        stage=bill.stage,
        posts=[
            WorldPostLineOut(
                post=line.post,
                region=line.region,
                amounts={f: format_plain(c) for f, c in line.amounts.items()},
                total=format_plain(line.total),
            )
            for line in bill.posts
        ],
        bureaus=bureaus,
        items=[WorldItemLineOut(item=str(i.item), amount=format_plain(i.amount), basis=i.basis) for i in bill.items],
        post_total=format_plain(bill.post_total),
        item_total=format_plain(bill.item_total),
        total=format_plain(bill.total),
    )


@router.get(
    "/api/world/{fiscal_year}/invoices",
    responses=WORLD_ERRORS,
    summary="Every agency's worldwide total (hq: its own agency's)",
)
@allow(signed_in)
def list_world_invoices(request: Request, fiscal_year: FiscalYear) -> list[WorldTotalOut]:
    account = account_of(request)
    if not account.is_admin and not account.hq_agencies:
        raise HTTPException(403, "only the ICASS Service Center and agency headquarters read worldwide invoices")
    invoices = _stored(request, fiscal_year).invoices
    bills = [bill for a, bill in invoices.items() if account.reads_world_invoice(a)]
    return [WorldTotalOut(agency=b.agency, total=format_plain(b.total)) for b in bills if b is not None]


@router.get(
    "/api/world/{fiscal_year}/invoices/{agency}",
    responses=WORLD_ERRORS,
    summary="One agency's worldwide headquarters invoice (Exhibit H-421)",
)
@allow(reads_world_invoice, "read this agency's worldwide invoice (the ICASS Service Center, or the agency's hq)")
def get_world_invoice(request: Request, fiscal_year: FiscalYear, agency: str) -> WorldInvoiceOut:
    stored = _stored(request, fiscal_year)
    if agency in stored.invoices:
        bill = stored.invoices[agency]
    else:
        world, consolidation = consolidated(stored)
        bill = world_invoice(consolidation, world, agency)
    if bill is None:
        raise HTTPException(404, f"agency {agency} has nothing to pay in the world of {fiscal_year}")
    return invoice_out(bill)


@router.get(
    "/api/posts/{post}/{fiscal_year}/tdy/invoices",
    responses=WORLD_ERRORS,
    summary="The TDY invoices of the post's visits, billed on this prior-year final budget (H-360)",
)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def tdy_invoices(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    as_of: Annotated[dt.date | None, Query(description="judge the invoices on this date; today when omitted")] = None,
) -> TdyInvoicesOut:
    key = post_key(request, post, fiscal_year)
    when = as_of or dt.date.today()
    run = run_stored_tdy(request.app.state.engine, key.id, when)
    errors = [problem(d) for d in run.diagnostics if d.severity == ERROR]
    if run.billing is None or errors:
        raise RejectedPost(f"post {post} {fiscal_year} has {len(errors)} error(s): no TDY invoices", errors)
    return TdyInvoicesOut(
        post=post,
        fiscal_year=fiscal_year,
        as_of=when.isoformat(),
        invoices=[
            TdyInvoiceOut(
                invoice=i.invoice,
                agency=i.agency,
                visits=list(i.visits),
                status=i.status,
                reasons=list(i.reasons),
                lines=[
                    TdyLineOut(
                        cost_center=line.cost_center,
                        quantity=format(line.quantity, "f"),
                        weighted=format(line.weighted, "f"),
                        rate=format_plain(line.rate),
                        amount=format_plain(line.amount),
                    )
                    for line in i.lines
                ],
                total=format_plain(i.total),
            )
            for i in run.billing.invoices
        ],
    )
