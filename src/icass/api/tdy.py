"""A stored post's TDY invoices (H-360) and their path (issue 20 §5, icass.model.tdy_path): the invoices as billed
on the post's prior-year final budget, each with its state, its steps and the day it is judged on; each step of
its path; and the day the ISC issued a fiscal year's final headquarters invoices (H-363.1-6 c(7)).

Who reads them: whoever reads the post, and an agency's headquarters (`hq`) that agency's invoices only, at any
post; an invoice of another agency is, for an hq, not there (404), as a post it does not read is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from icass.api.guard import GuardedRoute, account_of, allow, is_isc, signed_in
from icass.api.posts import SCOPED, RejectedPost, post_key, problem
from icass.api.schemas import (
    FinalInvoicesIn,
    FinalInvoicesOut,
    FiscalYear,
    Message,
    Rejection,
    TdyInvoiceOut,
    TdyInvoicesOut,
    TdyLineOut,
    TdyRatesOut,
    TdyStepIn,
    TdyStepOut,
    TdyVisitOut,
)
from icass.diagnostics import ERROR
from icass.model import tdy_path
from icass.model.tdy import Visit
from icass.model.tdy_path import Incomplete, NotYours, OutOfOrder, State, billed_in, open_to
from icass.money import format_plain
from icass.runs.tdy import TdyRun, billed_on
from icass.store import tdy_path as store
from icass.store.accounts import Account
from icass.store.changes import PostKey
from icass.store.versions import RatesFrom, stored_tdy
from icass.tdy.invoices import ISSUED, TdyBilling, TdyInvoice

router = APIRouter(route_class=GuardedRoute, tags=["tdy"])
PATH = "/api/posts/{post}/{fiscal_year}/tdy/invoices"
InvoiceId = Annotated[str, Path(min_length=1, max_length=64, description="the invoice: the first of its visits")]
ANSWERS: dict[int | str, dict[str, Any]] = {**SCOPED, 422: {"model": Rejection}}
STEP_ANSWERS: dict[int | str, dict[str, Any]] = {
    **ANSWERS,
    409: {
        "model": Message,
        "description": "the step is not due in the invoice's state, or the policy or the "
        "invoice does not allow it (the message says which)",
    },
}
WHO_READS = "read the post (its admin, FMO or budget committee), or its agency's TDY invoices (its hq)"


def today() -> dt.date:
    """The day a step is taken on: the day of a submission, the one the invoice is judged on (tests set it)."""
    return dt.date.today()


def reads_tdy(account: Account, path: Mapping[str, Any]) -> bool:
    return account.reads_post(path["post"]) or bool(account.hq_agencies)


def _sees(account: Account, post: str, agency: str) -> bool:
    return account.reads_post(post) or agency in account.hq_agencies


@router.get(
    PATH,
    responses=ANSWERS,
    summary="The TDY invoices of the post's visits, billed on this prior-year final budget (H-360), with their path",
)
@allow(reads_tdy, WHO_READS)
def tdy_invoices(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    as_of: Annotated[
        dt.date | None, Query(description="judge the invoices not yet submitted on this date; today when omitted")
    ] = None,
) -> TdyInvoicesOut:
    key = post_key(request, post, fiscal_year)
    when = as_of or today()
    run, version = stored_tdy(request.app.state.engine, key.id, when)
    billing = _billing(run, post, fiscal_year, account_of(request))
    assert run.rates is not None
    assert run.records is not None
    year = run.rates.fiscal_year
    with request.app.state.engine.connect() as connection:
        kept = store.paths(connection, key.id)
        issued = store.final_issued_on(connection, year)
    account = account_of(request)
    rebilled: dict[dt.date, TdyBilling | None] = {when: billing}
    invoices = []
    for invoice in billing.invoices:
        if not _sees(account, post, invoice.agency):
            continue
        path = kept.get(invoice.invoice, store.PREPARED)
        judged_on = _submitted(path) or when
        if judged_on not in rebilled:
            rebilled[judged_on] = billed_on(run, judged_on)
        again = rebilled[judged_on]
        judged = next((i for i in again.invoices if i.invoice == invoice.invoice), invoice) if again else invoice
        invoices.append(_invoice_out(judged, judged_on, path, run, issued, account, post))
    council = run.records.policy.council_approved_on
    return TdyInvoicesOut(
        post=post,
        fiscal_year=fiscal_year,
        as_of=when.isoformat(),
        invoices=invoices,
        rates_from=rates_out(version),
        visits_end_in=year,
        council_approved_on=None if council is None else council.isoformat(),
        final_invoices_issued_on=None if issued is None else issued.isoformat(),
    )


def _submitted(path: store.TdyPath) -> dt.date | None:
    """The day the invoice is judged on and billed by: its submission's, while it stands (submitted or approved).
    A rejected one is back with the post, judged as any not submitted: its next submission is judged anew."""
    if path.state in (State.SUBMITTED_TO_ISC, State.APPROVED):
        return path.submitted_on
    return None


def _billing(run: TdyRun, post: str, fiscal_year: int, account: Account) -> TdyBilling:
    errors = [problem(d) for d in run.diagnostics if d.severity == ERROR]
    if run.billing is None or errors:
        # A headquarters that does not read the post is told it has errors, not what they say: its rows' values.
        told = errors if account.reads_post(post) else []
        raise RejectedPost(f"post {post} {fiscal_year} has {len(errors)} error(s): no TDY invoices", told)
    return run.billing


def _invoice_out(
    invoice: TdyInvoice,
    judged_on: dt.date,
    path: store.TdyPath,
    run: TdyRun,
    issued: dt.date | None,
    account: Account,
    post: str,
) -> TdyInvoiceOut:
    assert run.rates is not None
    assert run.records is not None
    visits = {v.visit_id: v for v in run.records.visits}
    rolled = billed_in(run.rates.fiscal_year, _submitted(path), issued)
    state = State(path.state)
    return TdyInvoiceOut(
        invoice=invoice.invoice,
        agency=invoice.agency,
        visits=list(invoice.visits),
        status=invoice.status,
        reasons=list(invoice.reasons),
        lines=[
            TdyLineOut(
                cost_center=line.cost_center,
                quantity=format(line.quantity, "f"),
                weighted=format(line.weighted, "f"),
                rate=format_plain(line.rate),
                amount=format_plain(line.amount),
            )
            for line in invoice.lines
        ],
        total=format_plain(invoice.total),
        state=state.value,
        steps=[
            TdyStepOut(step=s.step, user=s.user, at=s.at, comment=s.comment, state=s.state, total=format_plain(s.total))
            for s in path.steps
        ],
        judged_on=judged_on.isoformat(),
        submitted_on=None if path.submitted_on is None else path.submitted_on.isoformat(),
        billed_in=rolled.fiscal_year,
        billed_in_said=rolled.said,
        travelers=[_visit_out(visits[v]) for v in invoice.visits if v in visits],
        # An invoice held, below the threshold or past its deadline on the day judged is not offered for
        # submission: submitting it is refused with the same reasons its status already shows.
        may_take=[
            step
            for step in open_to(state, store.capacities(account, post, invoice.agency))
            if step != "submit_to_isc" or invoice.status == ISSUED
        ],
    )


def _visit_out(visit: Visit) -> TdyVisitOut:
    assert visit.arrive is not None
    assert visit.depart is not None
    return TdyVisitOut(
        visit=visit.visit_id,
        traveler=visit.traveler,
        arrive=visit.arrive.isoformat(),
        depart=visit.depart.isoformat(),
        days=visit.days,
        ecc=visit.ecc,
        approved_on=None if visit.approved_on is None else visit.approved_on.isoformat(),
    )


def rates_out(version: RatesFrom | None) -> TdyRatesOut:
    """Whose figures the TDY rates are (issue 20 §1: the prior year's accepted final version), said."""
    if version is None:
        return TdyRatesOut(
            basis="live",
            said="the post's live figures: the ICASS Service Center has accepted no final version of this budget",
        )
    revision = f", revision {version.revision}" if version.revision else ""
    return TdyRatesOut(
        basis="final",
        version=version.number,
        revision=version.revision,
        sha256=version.sha256,
        said=f"the accepted final version {version.number}{revision} (SHA-256 {version.sha256})",
    )


@router.post(
    f"{PATH}/{{invoice}}/steps",
    responses=STEP_ANSWERS,
    summary="Take the invoice's next step: submit_to_isc (FMO), approve or reject (the ISC or the agency's hq)",
)
@allow(reads_tdy, WHO_READS)
def take_step(
    request: Request, post: str, fiscal_year: FiscalYear, invoice: InvoiceId, body: TdyStepIn
) -> TdyInvoiceOut:
    key = post_key(request, post, fiscal_year)
    step_taken(request, key, invoice, body.step, body.comment)
    return _one(request, key, invoice)


def step_taken(request: Request, key: PostKey, invoice: str, step: str, comment: str) -> store.TdyPath:
    """The step taken by the signed-in person on the day (a page's form too): 404 when the invoice is not there
    for them, 409 out of order or not allowed, 403 not theirs, 422 a rejection without its reason."""
    on = today()
    engine = request.app.state.engine
    run, _ = stored_tdy(engine, key.id, on)
    billing = _billing(run, key.code, key.fiscal_year, account_of(request))
    assert run.rates is not None
    assert run.records is not None
    account = account_of(request)
    found = next((i for i in billing.invoices if i.invoice == invoice), None)
    if found is None or not _sees(account, key.code, found.agency):
        raise HTTPException(404, f"post {key.code} {key.fiscal_year} has no TDY invoice {invoice} for you to see")
    judged = tdy_path.Invoice(found.invoice, run.rates.fiscal_year, found.status, found.reasons, found.total, None)
    council = run.records.policy.council_approved_on
    try:
        with engine.begin() as connection:
            return store.take_step(connection, key, account, step, comment, judged, found.agency, on, council)
    except (OutOfOrder, NotYours, Incomplete) as refused:
        said = f"{account.username} may not do this: {refused}" if isinstance(refused, NotYours) else str(refused)
        raise HTTPException(REFUSED[type(refused)], said) from None


REFUSED: dict[type[Exception], int] = {OutOfOrder: 409, NotYours: 403, Incomplete: 422}


def _one(request: Request, key: PostKey, invoice: str) -> TdyInvoiceOut:
    listed = tdy_invoices(request, key.code, key.fiscal_year)
    return next(i for i in listed.invoices if i.invoice == invoice)


FINAL = "/api/world/{fiscal_year}/final-invoices"


@router.get(FINAL, responses=SCOPED, summary="The day the ISC issued the fiscal year's final headquarters invoices")
@allow(signed_in)
def final_invoices(request: Request, fiscal_year: FiscalYear) -> FinalInvoicesOut:
    with request.app.state.engine.connect() as connection:
        issued = store.final_issued_on(connection, fiscal_year)
    return FinalInvoicesOut(fiscal_year=fiscal_year, issued_on=None if issued is None else issued.isoformat())


@router.put(
    FINAL,
    responses=SCOPED,
    summary="Record the day the fiscal year's final headquarters invoices were issued (the ISC): a TDY invoice "
    "submitted after it is billed in the next fiscal year (H-363.1-6 c(7))",
)
@allow(is_isc, "record when the final headquarters invoices were issued (the ICASS Service Center)")
def record_final_invoices(request: Request, fiscal_year: FiscalYear, body: FinalInvoicesIn) -> FinalInvoicesOut:
    with request.app.state.engine.begin() as connection:
        store.record_final_issued(connection, fiscal_year, body.issued_on, account_of(request).username)
    return FinalInvoicesOut(fiscal_year=fiscal_year, issued_on=body.issued_on.isoformat())
