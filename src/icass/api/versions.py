"""Approved versions of a post and what changed since (icass.store.versions): the list, recording the
approval of the post as it is now, and the changes since one version."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request

from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_post
from icass.api.posts import SCOPED, approved_bill, post_key
from icass.api.schemas import AgencyChangeOut, ChangesOut, FileChangesOut, FiscalYear, VersionIn, VersionOut
from icass.money import format_plain
from icass.store import versions
from icass.store.changes import PostKey, Rejected
from icass.views.changes import Version
from icass.views.invoice import InvoiceView, invoice_view

router = APIRouter(route_class=GuardedRoute, tags=["versions"])
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
PATH = "/api/posts/{post}/{fiscal_year}/versions"


@router.get(PATH, responses=SCOPED, summary="The post's approved versions, newest first")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def list_versions(request: Request, post: str, fiscal_year: FiscalYear) -> list[VersionOut]:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        return [VersionOut(**asdict(v)) for v in versions.versions(connection, key)]


def record_approval(request: Request, key: PostKey, note: str) -> Version:
    """Record the post as it is now as approved (a page's form): 422 while the post has errors."""
    try:
        with request.app.state.engine.begin() as connection:
            return versions.approve(connection, key, account_of(request).username, note)
    except Rejected as e:
        # Only a change made since the page was shown gets here: the page offers no approval while errors stand.
        raise HTTPException(422, f"the post has errors, which block recording its approval: {e}") from None


@router.post(PATH, responses=SCOPED, summary="Record that the post as it is now was approved")
@allow(edits_post, "change the post (its admin or FMO)")
def approve(request: Request, post: str, fiscal_year: FiscalYear, body: VersionIn) -> VersionOut:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.begin() as connection:
        version = versions.approve(connection, key, account_of(request).username, body.note)
    return VersionOut(**asdict(version))


@router.get(f"{PATH}/{{number}}/changes", responses=SCOPED, summary="What changed since an approved version")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def changes(request: Request, post: str, fiscal_year: FiscalYear, number: Number) -> ChangesOut:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        found = versions.changes_since(connection, key, number)
    return ChangesOut(
        version=VersionOut(**asdict(found.version)),
        files=[
            FileChangesOut(
                file=f.file,
                header=list(f.header),
                added=[list(r) for r in f.added],
                removed=[list(r) for r in f.removed],
            )
            for f in found.files
        ],
        agencies=[
            AgencyChangeOut(
                agency=a.agency,
                then=_money(a.then),
                now=_money(a.now),
                difference=format_plain(a.difference),
                cost_effect=_money(a.cost_effect),
                count_effect=_money(a.count_effect),
                modification_effect=_money(a.modification_effect),
            )
            for a in found.agencies
        ],
        then_total=_money(found.then_total),
        now_total=_money(found.now_total),
        largest_changes=list(found.told),
    )


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_plain(cents)


def approval_of(request: Request, key: PostKey) -> tuple[Version | None, bool]:
    """The post's newest approved version (None: none yet) and whether the post changed since: what an invoice
    page says of its figures (live or approved). For whoever reads the invoice: the guard is the caller's."""
    with request.app.state.engine.connect() as connection:
        return versions.approval_state(connection, key)


def approved_invoice_view(request: Request, key: PostKey, agency: str, number: int) -> tuple[Version, InvoiceView]:
    """The invoice of `agency` as approved version `number` of the post gave it, with its derivation: 404 when
    the post has no such version or the agency no invoice in it."""
    approved, run, bill = approved_bill(request, key, agency, number)
    return approved, invoice_view(run, bill)
