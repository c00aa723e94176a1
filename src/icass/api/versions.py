"""Versions of a post's budget and their path (issue 20 §1, icass.store.versions): the list, making a version
from the post as it is now, each step of its path, one version, its invoices, and what changed since one. The
path is icass.model.approval's: a route checks who reads the post, the store asks the path and records it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request

from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_invoice, reads_post
from icass.api.posts import (
    JSON,
    SCOPED,
    InvoiceFormat,
    approved_bill,
    get_invoice,
    invoice_key,
    invoice_out,
    post_key,
    refuse_unknown_format,
)
from icass.api.schemas import (
    AgencyChangeOut,
    BudgetVersionOut,
    ChangesOut,
    FileChangesOut,
    FiscalYear,
    Message,
    StepIn,
    StepOut,
    VersionIn,
    VersionInvoiceOut,
    VersionOut,
)
from icass.model.approval import ADMIN, Incomplete, Kind, NotYours, OutOfOrder, State, open_to
from icass.money import format_plain
from icass.store import versions
from icass.store.changes import PostKey
from icass.store.versions import VersionRecord as VersionRecord  # the pages name it: re-exported
from icass.views.changes import Version
from icass.views.invoice import InvoiceView, agency_invoice, invoice_view

router = APIRouter(route_class=GuardedRoute, tags=["versions"])
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
PATH = "/api/posts/{post}/{fiscal_year}/versions"
STEPS_ANSWERS: dict[int | str, dict[str, Any]] = {
    **SCOPED,
    409: {"model": Message, "description": "the step is not due in the version's state (the message names it)"},
    422: {"model": Message, "description": "the step lacks what it needs (a reason, the Council's date, minutes)"},
}


def version_out(found: VersionRecord) -> BudgetVersionOut:
    return BudgetVersionOut(
        **{k: v for k, v in asdict(found).items() if k not in ("steps", "waiting_for")},
        steps=[StepOut(**asdict(s)) for s in found.steps],
        waiting_for=list(found.waiting_for),
    )


@router.get(PATH, responses=SCOPED, summary="The post's versions, newest first")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def list_versions(request: Request, post: str, fiscal_year: FiscalYear) -> list[BudgetVersionOut]:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        return [version_out(v) for v in versions.versions(connection, key)]


@router.post(PATH, status_code=201, responses=SCOPED, summary="Make a version of the post as it is now, in draft")
@allow(edits_post, "make a version of the post (its admin or FMO)")
def create(request: Request, post: str, fiscal_year: FiscalYear, body: VersionIn) -> BudgetVersionOut:
    return version_out(version_made(request, post_key(request, post, fiscal_year), Kind(body.kind), body.comment))


def version_made(request: Request, key: PostKey, kind: Kind, comment: str) -> VersionRecord:
    """A version of the post as it is now, made by the signed-in person (a page's form too); Rejected while the
    post has errors."""
    with request.app.state.engine.begin() as connection:
        return versions.create(connection, key, account_of(request).username, kind, comment)


@router.get(f"{PATH}/{{number}}", responses=SCOPED, summary="One version with the steps taken on it")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def get_version(request: Request, post: str, fiscal_year: FiscalYear, number: Number) -> BudgetVersionOut:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        return version_out(versions.find(connection, key, number))


@router.post(f"{PATH}/{{number}}/steps", responses=STEPS_ANSWERS, summary="Take (or refuse) the version's next step")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def take_step(request: Request, post: str, fiscal_year: FiscalYear, number: Number, body: StepIn) -> BudgetVersionOut:
    key = post_key(request, post, fiscal_year)
    return version_out(step_taken(request, key, number, body.step, body.comment, body.refused, body.date, body.minutes))


def step_taken(
    request: Request,
    key: PostKey,
    number: int,
    step: str,
    comment: str,
    refused: bool = False,
    date: Any = None,
    minutes: str | None = None,
) -> VersionRecord:
    """The step taken by the signed-in person (a page's form too): 409 out of order, 403 not theirs, 422 short."""
    council = None if date is None and minutes is None else (str(date or ""), minutes or "")
    try:
        with request.app.state.engine.begin() as connection:
            return versions.take_step(connection, key, number, account_of(request), step, comment, refused, council)
    except OutOfOrder as e:
        raise HTTPException(409, str(e)) from None
    except NotYours as e:
        raise HTTPException(403, f"{account_of(request).username} may not do this: {e}") from None
    except Incomplete as e:
        raise HTTPException(422, str(e)) from None


@router.get(
    f"{PATH}/{{number}}/invoices/{{agency}}",
    response_model=VersionInvoiceOut,
    responses=SCOPED,
    summary="One agency's invoice as the version gave it (JSON, PDF or Excel), with the version and its hash",
)
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def version_invoice(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    number: Number,
    agency: str,
    format: InvoiceFormat = JSON,
) -> Any:
    refuse_unknown_format(format)
    if format != JSON:
        return get_invoice(request, post, fiscal_year, agency, format, number)
    key = invoice_key(request, post, fiscal_year, agency)
    found, run, bill = approved_bill(request, key, agency, number)
    return VersionInvoiceOut(
        **invoice_out(bill, run.bundle).model_dump(),
        version=found.number,
        kind=found.kind,
        revision=found.revision,
        state=found.state,
        sha256=found.sha256,
    )


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


def versions_of(request: Request, key: PostKey) -> list[VersionRecord]:
    """The post's versions, newest first (a page's list; the guard is the caller's)."""
    with request.app.state.engine.connect() as connection:
        return versions.versions(connection, key)


# The steps a page offers as buttons: the Council's approval has its own form (its date and minutes).
BUTTON_STEPS = {
    "submit_to_committee": "Send to the Budget Committee",
    "recommend": "Recommend",
    "submit_to_isc": "Submit to the ISC",
    "accept": "Accept",
    "return": "Return to the post",
}


def open_steps(request: Request, post: str, listed: list[VersionRecord]) -> dict[int, list[tuple[str, str]]]:
    """For each version, the steps (name, button label) the signed-in person may take on it now."""
    held, agency = versions.capacities(account_of(request), post)
    found = {}
    for v in listed:
        steps = [s for s in open_to(State(v.state), held) if s in BUTTON_STEPS]
        if "recommend" in steps and ADMIN not in held and agency not in v.waiting_for:
            steps.remove("recommend")  # the member's agency has recommended it already
        if steps:
            found[v.number] = [(s, BUTTON_STEPS[s]) for s in steps]
    return found


def awaiting_council(listed: list[VersionRecord]) -> int | None:
    """The number of the newest of the versions awaiting the Council's approval (recommended), if any."""
    return next((v.number for v in listed if v.state == State.RECOMMENDED), None)


def approval_of(request: Request, key: PostKey) -> tuple[Version | None, bool]:
    """The post's newest version the Council approved (None: none yet) and whether the post changed since: what
    an invoice page says of its figures (live or approved). For whoever reads the invoice: the guard is the
    caller's."""
    with request.app.state.engine.connect() as connection:
        return versions.approval_state(connection, key)


def version_invoices(request: Request, key: PostKey, number: int) -> list[tuple[str, str, int]]:
    """Each agency's invoice total as version `number` of the post gave it: (code, name, cents), in agencies.csv's
    order (a page's list; the guard is the caller's). 404 when the post has no such version."""
    with request.app.state.engine.connect() as connection:
        _found, run = versions.version_run(connection, key, number)  # NotFound: 404 (icass.api.app)
    if run.bundle is None or run.distribution is None:
        return []  # create() refuses a post with errors: a version always distributes
    return [(a.code, a.name, agency_invoice(run, a.code).total) for a in run.bundle.agencies]


def approved_invoice_view(
    request: Request, key: PostKey, agency: str, number: int
) -> tuple[VersionRecord, InvoiceView]:
    """The invoice of `agency` as version `number` of the post gave it, with its derivation: 404 when the post
    has no such version or the agency no invoice in it."""
    found, run, bill = approved_bill(request, key, agency, number)
    return found, invoice_view(run, bill)
