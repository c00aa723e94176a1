"""The worldwide headquarters invoices (H-424, Exhibit H-421) and a post's TDY invoices (H-360), computed from
the stored data by the same pipeline and read-side as `icass world` and `icass tdy invoices`."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from icass.api.downloads import attachment
from icass.api.guard import GuardedRoute, account_of, allow, reads_world_invoice, signed_in
from icass.api.posts import (
    JSON,
    SCOPED,
    InvoiceFormat,
    RejectedPost,
    invoice_files_answer,
    problem,
    refuse_unknown_format,
)
from icass.api.schemas import (
    FiscalYear,
    Rejection,
    WorldBasisOut,
    WorldBureauOut,
    WorldInvoiceOut,
    WorldItemLineOut,
    WorldPartialYearOut,
    WorldPostLineOut,
    WorldPostOut,
    WorldTotalOut,
    WorldVersionOut,
)
from icass.bundle.invoice_files import MEDIA_TYPES, world_file_name, world_invoice_file
from icass.diagnostics import ERROR
from icass.distribution.consolidation import Consolidation, PartialYearAtPost
from icass.model.approval import Basis
from icass.model.world import World
from icass.money import format_plain
from icass.store.accounts import Account
from icass.store.bundles import NotStored
from icass.store.changes import PostKey, find_post
from icass.store.compute import state_stored
from icass.store.posts import stored_post
from icass.store.versions import approval_state
from icass.store.worlds import LIVE, StoredWorldRun, WorldBasis, consolidated_stored_world, stored_world_years
from icass.views.world_invoice import (
    WorldInvoice,
    WorldNames,
    invoice_file_of,
    names_of,
    world_bureaus,
    world_invoice,
)

router = APIRouter(route_class=GuardedRoute, tags=["world"])
WORLD_ERRORS = {**SCOPED, 422: {"model": Rejection}}
BasisQuery = Annotated[
    Basis,
    Query(
        description="live: the posts' rows as they stand; initial: each post's newest accepted (else newest) "
        "initial version, informational; final: the final versions the ISC accepted, payable"
    ),
]


def consolidated(stored: StoredWorldRun) -> tuple[World, Consolidation]:
    """The world and its consolidation, of a stored world that consolidated (`_stored`)."""
    assert stored.consolidation is not None
    assert stored.run.files is not None
    return stored.run.files.world, stored.consolidation


def _stored(request: Request, fiscal_year: int, basis: Basis = Basis.LIVE) -> StoredWorldRun:
    """The stored world of `fiscal_year`, consolidated, as the store keeps it (its invoices made once), on
    `basis`: 404 when none is stored, 422 with its errors."""
    try:
        stored = consolidated_stored_world(request.app.state.engine, fiscal_year, basis)
    except NotStored:
        raise HTTPException(404, f"no world of fiscal year {fiscal_year} is stored") from None
    run, consolidation, more = stored.run, stored.consolidation, stored.problems
    errors = [problem(d) for d in (*run.diagnostics, *more) if d.severity == ERROR]
    if consolidation is None or run.files is None or errors:
        raise RejectedPost(f"the world of {fiscal_year} has {len(errors)} error(s): it cannot be consolidated", errors)
    return stored


def is_service_center(account: Account, _path: Any) -> bool:
    return account.is_admin


def world_years(request: Request) -> list[int]:
    """The fiscal years of the stored worlds, oldest first."""
    return stored_world_years(request.app.state.engine)


def world_names(request: Request, fiscal_year: int) -> WorldNames:
    """The names of the agencies and posts of the stored world of `fiscal_year` (for whoever reads its invoices:
    the guard is the caller's)."""
    return _names(_stored(request, fiscal_year))


def _names(stored: StoredWorldRun) -> WorldNames:
    return names_of(stored.run.posts)


def figures_said(basis: WorldBasis) -> str:
    """The basis of a world's figures in words, as its pages and files say it (icass.store.worlds.WorldBasis)."""
    return basis.said()


def basis_out(basis: WorldBasis) -> WorldBasisOut:
    return WorldBasisOut(**_basis_fields(basis))


def _basis_fields(basis: WorldBasis) -> dict[str, Any]:
    return {
        "basis": basis.basis.value,
        "payable": basis.payable,
        "figures": figures_said(basis),
        "versions": _versions_out(basis),
        "posts_left_out": list(basis.left_out),
    }


def _versions_out(basis: WorldBasis) -> list[WorldVersionOut]:
    return [
        WorldVersionOut(post=v.post, number=v.number, kind=v.kind, revision=v.revision, state=v.state, sha256=v.sha256)
        for v in basis.versions
    ]


def world_basis(request: Request, fiscal_year: int, basis: Basis) -> WorldBasisOut:
    """What the stored world's figures on `basis` are computed from (for the world's page)."""
    return basis_out(_stored(request, fiscal_year, basis).basis)


def _partial_year_out(days: PartialYearAtPost | None) -> WorldPartialYearOut | None:
    if days is None:
        return None
    return WorldPartialYearOut(
        first_day=days.first_day,
        last_day=days.last_day,
        days=days.days,
        year_days=days.year_days,
        full_year=format_plain(days.full_year),
        said=days.said(),
    )


def invoice_out(
    bill: WorldInvoice, names: WorldNames | None = None, basis: WorldBasis | None = None
) -> WorldInvoiceOut:
    bureaus: dict[str, dict[str, str]] = {}
    for (region, funding), cents in sorted(bill.bureau_totals().items()):
        bureaus.setdefault(region, {})[funding] = format_plain(cents)
    return WorldInvoiceOut(
        agency=bill.agency,
        agency_name=names.agency(bill.agency) if names else "",
        fiscal_year=bill.fiscal_year,
        stage=bill.stage,
        posts=[
            WorldPostLineOut(
                post=line.post,
                region=line.region,
                amounts={f: format_plain(c) for f, c in line.amounts.items()},
                total=format_plain(line.total),
                partial_year=_partial_year_out(line.partial),
            )
            for line in bill.posts
        ],
        bureaus=bureaus,
        bureau_totals={region: format_plain(cents) for region, cents in bill.regions().items()},
        items=[
            WorldItemLineOut(
                item=str(i.item),
                amount=format_plain(i.amount),
                basis=i.basis,
                name=i.name,
                section=i.section,
                bases=list(i.bases),
            )
            for i in bill.items
        ],
        post_total=format_plain(bill.post_total),
        item_total=format_plain(bill.item_total),
        total=format_plain(bill.total),
        **_basis_fields(basis or LIVE),
    )


@router.get(
    "/api/world/{fiscal_year}/invoices",
    responses=WORLD_ERRORS,
    summary="Every agency's worldwide total (hq: its own agency's)",
)
@allow(signed_in)
def list_world_invoices(
    request: Request, fiscal_year: FiscalYear, basis: BasisQuery = Basis.LIVE
) -> list[WorldTotalOut]:
    account = account_of(request)
    if not account.is_admin and not account.hq_agencies:
        raise HTTPException(403, "only the ICASS Service Center and agency headquarters read worldwide invoices")
    stored = _stored(request, fiscal_year, basis)
    names = _names(stored)
    bills = [bill for a, bill in stored.invoices.items() if account.reads_world_invoice(a)]
    return [
        WorldTotalOut(agency=b.agency, total=format_plain(b.total), agency_name=names.agency(b.agency))
        for b in bills
        if b is not None
    ]


@router.get(
    "/api/world/{fiscal_year}/posts",
    responses=WORLD_ERRORS,
    summary="The world's posts by regional bureau: each one's total and approval, each bureau's total, on a "
    "basis, with the posts it leaves out (the ISC)",
)
@allow(is_service_center, "read the world's posts (the ICASS Service Center)")
def list_world_posts(request: Request, fiscal_year: FiscalYear, basis: BasisQuery = Basis.LIVE) -> list[WorldBureauOut]:
    stored = _stored(request, fiscal_year, basis)
    _world, consolidation = consolidated(stored)
    names = _names(stored)
    counted = {v.post: v for v in _versions_out(stored.basis)}
    found = []
    with request.app.state.engine.connect() as connection:
        # The posts left out of a basis of versions are in no bureau of its consolidation: each is listed under
        # its own bureau, as the post's row says it.
        left_out: dict[str, list[str]] = {}
        for post in stored.basis.left_out:
            region = stored_post(connection, find_post(connection, post, fiscal_year).id).region
            left_out.setdefault(region, []).append(post)
        bureaus = {b.region: b for b in world_bureaus(consolidation)}
        for region in sorted(bureaus.keys() | left_out.keys()):
            shown = []
            bureau = bureaus.get(region)
            for post, cents in bureau.posts if bureau else ():
                version, changed = approval_state(connection, find_post(connection, post, fiscal_year))
                shown.append(
                    WorldPostOut(
                        post=post,
                        name=names.post(post),
                        total=format_plain(cents),
                        approved_version=version.number if version else None,
                        approved_at=version.approved_at if version else None,
                        changed_since_approved=changed,
                        version=counted.get(post),
                    )
                )
            total = format_plain(bureau.total if bureau else 0)
            found.append(
                WorldBureauOut(region=region, total=total, posts=shown, posts_left_out=left_out.get(region, []))
            )
    return found


def _world_bill(stored: StoredWorldRun, fiscal_year: int, agency: str) -> WorldInvoice:
    if agency in stored.invoices or stored.basis.left_out:
        bill = stored.invoices.get(agency)
    else:
        world, consolidation = consolidated(stored)
        bill = world_invoice(consolidation, world, agency)
    if bill is None and stored.basis.left_out:
        wanting = "no accepted final version" if stored.basis.basis == Basis.FINAL else "no initial version"
        raise HTTPException(
            404,
            f"agency {agency} has no {stored.basis.basis.value} invoice of {fiscal_year} yet: it is made from the "
            f"posts' versions, and these posts have {wanting} yet: {', '.join(stored.basis.left_out)} "
            "(the live figures are always there)",
        )
    if bill is None:
        raise HTTPException(404, f"agency {agency} has nothing to pay in the world of {fiscal_year}")
    return bill


@router.get(
    "/api/world/{fiscal_year}/invoices/{agency}",
    response_model=WorldInvoiceOut,
    responses={
        **WORLD_ERRORS,
        200: invoice_files_answer("world-FY-AGENCY"),
    },
    summary="One agency's worldwide headquarters invoice (Exhibit H-421), as JSON, PDF or Excel",
)
@allow(reads_world_invoice, "read this agency's worldwide invoice (the ICASS Service Center, or the agency's hq)")
def get_world_invoice(
    request: Request,
    fiscal_year: FiscalYear,
    agency: str,
    format: InvoiceFormat = JSON,
    basis: BasisQuery = Basis.LIVE,
) -> WorldInvoiceOut | Response:
    refuse_unknown_format(format)
    stored = _stored(request, fiscal_year, basis)
    bill = _world_bill(stored, fiscal_year, agency)
    if format == JSON:
        return invoice_out(bill, _names(stored), stored.basis)
    made = invoice_file_of(bill, _names(stored), figures_said(stored.basis), stored.basis.payable)
    return Response(
        world_invoice_file(made, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": attachment(world_file_name(made, format))},
    )


def tdy_names(request: Request, key: PostKey) -> tuple[dict[str, str], dict[str, str]]:
    """The names a post's TDY invoices are read by: each agency's (the post's agencies.csv, then those of its
    year's stored world, where visitors' agencies are named too) and each cost center's (the catalog)."""
    run = state_stored(request.app.state.engine, key.id).run
    names: dict[str, str] = {}
    if key.fiscal_year in world_years(request):
        with suppress(HTTPException, RejectedPost):
            names.update(world_names(request, key.fiscal_year).agencies)
    if run.records is not None:
        names.update({a.code: a.name for a in run.records.entered.agencies})
        methodology = run.records.post.methodology
        centers = {spec.code: spec.name for spec in run.catalog.entries if spec.methodology == methodology}
    else:
        centers = {}
    return names, centers
