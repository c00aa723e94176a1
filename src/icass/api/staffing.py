"""The data call and each agency's certification of its staffing data (issue 20 §2, icass.store.data_call and
icass.store.certifications; docs/workspace.md "The data call and staffing certification"). The ISC opens and
changes a fiscal year's data call; anyone signed in reads it. An agency's member of a post's Budget Committee,
its headquarters or the ISC certifies its people records as of the call's count date; the post's readers and
every headquarters read where the certifications stand (a headquarters only its own agencies')."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from icass.api.guard import GuardedRoute, account_of, allow, is_isc, signed_in
from icass.api.posts import SCOPED, Responses, post_key
from icass.api.schemas import Code, FiscalYear, Message, Strict, TextCell
from icass.model.data_call import SECTION, DataCall, Invalid
from icass.store import certifications, data_call
from icass.store.accounts import Account
from icass.store.certifications import CertificationStatus
from icass.store.changes import NotFound, PostKey, find_post

router = APIRouter(route_class=GuardedRoute, tags=["data call"])
DATA_CALL = "/api/world/{fiscal_year}/data-call"
CERTIFICATIONS = "/api/posts/{post}/{fiscal_year}/certifications"
NOT_OPENED: Responses = {401: {"model": Message}, 404: {"model": Message, "description": "not opened yet"}}
CERTIFY_ANSWERS: Responses = {
    **SCOPED,
    409: {"model": Message, "description": "the ISC has not opened the fiscal year's data call"},
    422: {"model": Message, "description": "the agency is not at the post, or the body is malformed"},
}


class DataCallIn(Strict):
    """The data call's dates (YYYY-MM-DD); one left out keeps the call's date, or the default when opening it."""

    count_date: dt.date | None = Field(None, description=f"static counts are taken on this day ({SECTION})")
    window_start: dt.date | None = Field(None, description="the first day of the window of cumulative counts")
    window_end: dt.date | None = Field(None, description="the last day of the window, before the count date")
    counts_to_agencies_by: dt.date | None = Field(None, description="the day counts go to the agencies by")
    counts_agreed_by: dt.date | None = Field(None, description="the day the agencies agree their counts by")


class CertificationIn(Strict):
    agency: Code
    comment: TextCell = ""


class CertificationOut(BaseModel):
    """Where one agency's staffing certification stands (icass.store.certifications.CertificationStatus) and its
    people at post on the count date, by category (H-352)."""

    agency: str
    name: str
    state: str = Field(description="not_certified | certified | cleared")
    count_date: dt.date
    rows: int
    current_sha256: str
    by_category: dict[str, int]
    by: str | None
    at: str | None
    comment: str | None
    sha256: str | None
    certified_rows: int | None
    certified_count_date: dt.date | None
    cleared_at: str | None
    cleared_by: str | None
    reason: str
    may_certify: bool


class CertificationsOut(BaseModel):
    post: str
    fiscal_year: int
    data_call: DataCall | None
    count_date: dt.date = Field(description="the data call's count date (before it is opened: the default)")
    post_count_date: dt.date | None = Field(description="post.toml's own count_date, when it sets one")
    warning: str | None = Field(description="post.toml's count date differs from the data call's")
    agencies: list[CertificationOut]


@router.get(DATA_CALL, responses=NOT_OPENED, summary="The fiscal year's data call")
@allow(signed_in, "")
def get_data_call(request: Request, fiscal_year: FiscalYear) -> DataCall:
    with request.app.state.engine.connect() as connection:
        found = data_call.get(connection, fiscal_year)
    if found is None:
        raise HTTPException(404, f"the ISC has not opened the data call of fiscal year {fiscal_year}")
    return found


@router.put(
    DATA_CALL,
    responses={401: {"model": Message}, 403: {"model": Message}, 422: {"model": Message}},
    summary="Open or change the fiscal year's data call (the ISC)",
)
@allow(is_isc, "open or change a data call (the ISC, an admin)")
def put_data_call(request: Request, fiscal_year: FiscalYear, body: DataCallIn) -> DataCall:
    return data_call_set(request, fiscal_year, body.model_dump())


def data_call_set(request: Request, fiscal_year: int, dates: Mapping[str, dt.date | None]) -> DataCall:
    """Open or change the data call as the signed-in ISC (a page's form too): 422 naming the date at fault."""
    try:
        with request.app.state.engine.begin() as connection:
            return data_call.open_or_change(connection, fiscal_year, account_of(request).username, **dates)
    except Invalid as e:
        raise HTTPException(422, f"{e.field}: {e}") from None


def sees_staffing(account: Account, path: Mapping[str, Any]) -> bool:
    """The post's readers (admin, FMO, committee) and every headquarters, which certifies at every post."""
    return account.reads_post(path["post"]) or bool(account.hq_agencies)


def staffing_key(request: Request, account: Account, post: str, fiscal_year: int) -> PostKey:
    """The post, for a person who reads it; for a headquarters that does not, only where one of its agencies is
    at the post, and otherwise the same "not found" whether the post is stored or not (as of an invoice,
    icass.api.guard.refusal), so that a headquarters cannot map the posts."""
    if account.reads_post(post):
        return post_key(request, post, fiscal_year)
    hidden = HTTPException(404, f"There is no post {post} in fiscal year {fiscal_year} for you to see.")
    with request.app.state.engine.connect() as connection:
        try:
            key = find_post(connection, post, fiscal_year)
        except NotFound:
            raise hidden from None
        if not account.hq_agencies & set(certifications.agencies_at(connection, key)):
            raise hidden
    return key


def _status_out(account: Account, post: str, found: CertificationStatus) -> CertificationOut:
    fields = {k: v for k, v in asdict(found).items() if k != "categories"}
    may = certifications.may_certify(account, post, found.agency)
    return CertificationOut(**fields, by_category=dict(found.categories), may_certify=may)


@router.get(CERTIFICATIONS, responses=SCOPED, summary="Where each agency's staffing certification stands")
@allow(sees_staffing, "read the post (its admin, FMO or committee) or be an agency's headquarters")
def get_certifications(request: Request, post: str, fiscal_year: FiscalYear) -> CertificationsOut:
    return certifications_of(request, post, fiscal_year)


def certifications_of(request: Request, post: str, fiscal_year: int) -> CertificationsOut:
    """The post's certifications as the signed-in person may see them (a page too): a headquarters that does not
    read the post sees its own agencies only."""
    account = account_of(request)
    key = staffing_key(request, account, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        call = data_call.get(connection, fiscal_year)
        found = certifications.status(connection, key)
        own = certifications.own_count_date(connection, key)
    if not account.reads_post(post):
        found = {a: s for a, s in found.items() if a in account.hq_agencies}
    warning = None
    if call is not None and own is not None and own != call.count_date:
        warning = (
            f"post.toml's count_date ({own}) differs from the data call's ({call.count_date}): the post's counts are "
            f"taken on its own date, its staffing is certified as of the data call's ({SECTION})"
        )
    return CertificationsOut(
        post=post,
        fiscal_year=fiscal_year,
        data_call=call,
        count_date=certifications.count_date_of(call, fiscal_year),
        post_count_date=own,
        warning=warning,
        agencies=[_status_out(account, post, s) for s in found.values()],
    )


@router.post(CERTIFICATIONS, status_code=201, responses=CERTIFY_ANSWERS, summary="Certify an agency's staffing data")
@allow(sees_staffing, "certify an agency's staffing (its committee member, its headquarters or the ISC)")
def certify(request: Request, post: str, fiscal_year: FiscalYear, body: CertificationIn) -> CertificationOut:
    return certified(request, post, fiscal_year, body.agency, body.comment)


def certified(request: Request, post: str, fiscal_year: int, agency: str, comment: str) -> CertificationOut:
    """The signed-in person's certification of `agency` (a page's form too): 403 not theirs, 422 not at the post,
    409 before the data call is opened."""
    account = account_of(request)
    key = staffing_key(request, account, post, fiscal_year)
    try:
        with request.app.state.engine.begin() as connection:
            found = certifications.certify(connection, key, account, agency, comment)
    except certifications.NotYours as e:
        raise HTTPException(403, str(e)) from None
    except certifications.UnknownAgency as e:
        raise HTTPException(422, f"agency: {e}") from None
    except certifications.NotOpen as e:
        raise HTTPException(409, str(e)) from None
    return _status_out(account, post, found)
