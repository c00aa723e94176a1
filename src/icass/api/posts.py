"""Posts and what they compute: the list, one post with its problems, its distribution and an agency's
invoice, each computed by the engine from the stored rows (icass.store.compute)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from icass.api.downloads import attachment
from icass.api.guard import GuardedRoute, account_of, allow, reads_invoice, reads_post, signed_in
from icass.api.schemas import (
    BudgetSummaryContractOut,
    BudgetSummaryLineOut,
    BudgetSummaryOut,
    DistributionLineOut,
    DistributionOut,
    FiscalYear,
    InvoiceLineOut,
    InvoiceOut,
    Message,
    PartialYearLineOut,
    PartialYearOut,
    PostDetail,
    PostOut,
    Problem,
    Rejection,
    TargetLineOut,
)
from icass.bundle.invoice_files import MEDIA_TYPES, PDF, XLSX, file_name, invoice_file
from icass.checks.targets import TargetLine, target_lines
from icass.diagnostics import ERROR, Diagnostic
from icass.distribution.invoice import Invoice
from icass.distribution.partial_year import PartialYear, PartialYearLine, of_agency
from icass.model import PostBundle
from icass.model.approval import APPROVED
from icass.money import format_plain
from icass.runs.post import PostRun
from icass.store.changes import NotFound, PostKey, find_post
from icass.store.compute import PostState, run_stored, state_kept, state_stored
from icass.store.posts import StoredPost, agencies_billed, bills, find_stored, stored_post, stored_posts
from icass.store.versions import VersionRecord, since_newest, version_run
from icass.views.budget_summary import BudgetSummary, budget_summary
from icass.views.changes import SinceApproved
from icass.views.invoice import InvoiceView, agency_invoice
from icass.views.summary import PostSummary

router = APIRouter(route_class=GuardedRoute, tags=["posts"])
Responses = dict[int | str, dict[str, Any]]
SIGNED_IN: Responses = {401: {"model": Message}}
SCOPED: Responses = {401: {"model": Message}, 403: {"model": Message}, 404: {"model": Message}}


def problem(d: Diagnostic) -> Problem:
    return Problem(
        severity=d.severity,
        where=str(d.source),
        field=d.field,
        message=d.message,
        section=d.section,
        rule=d.rule,
        acknowledged=d.acknowledged,
    )


def post_key(request: Request, post: str, fiscal_year: int) -> PostKey:
    with request.app.state.engine.connect() as connection:
        try:
            return find_post(connection, post, fiscal_year)
        except NotFound as e:
            raise HTTPException(404, str(e)) from None


def computed(request: Request, key: PostKey) -> PostRun:
    return run_stored(request.app.state.engine, key.id)


def targets_of(run: PostRun) -> list[TargetLine]:
    """The post's budget against each of its targets (its targets.csv), H-422."""
    records = run.records
    return [] if records is None else target_lines(records.post.code, records.entered, records.targets)


def budget_summary_of(run: PostRun) -> BudgetSummary | None:
    """The Budget Summary Worksheet of the post's rows as read; None when they could not be read."""
    return None if run.records is None else budget_summary(run.records.entered)


@dataclass(frozen=True)
class Dashboard:
    """What a post's dashboard shows: the post, its summary, what changed since its approved version, and the
    run they were read from (its problems placed and its changes named by it)."""

    key: PostKey
    post: PostOut
    summary: PostSummary
    since: SinceApproved
    run: PostRun


def dashboard_of(request: Request, post: str, fiscal_year: int) -> Dashboard:
    """The post's dashboard, read in one connection: the post's row (its revision with it), its kept state,
    its versions (a dashboard is the page most read, by every reader of the post at once)."""
    with request.app.state.engine.connect() as connection:
        stored = find_stored(connection, post, fiscal_year)
        if stored is None:
            raise HTTPException(404, f"post {post}, fiscal year {fiscal_year}, is not in the database")
        key = PostKey(stored.id, stored.code, stored.fiscal_year)
        state = state_kept(connection, stored.id, stored.revision)
        return Dashboard(key, _post_out(stored), state.summary, since_newest(connection, key), state.run)


def distributed(request: Request, key: PostKey) -> PostRun:
    """The post's run, which must have reached its distribution: 422 with its errors otherwise."""
    return _distributed_state(request, key).run


def _distributed_state(request: Request, key: PostKey) -> PostState:
    state = state_stored(request.app.state.engine, key.id)
    run = state.run
    if run.distribution is None or run.bundle is None:
        errors = [problem(d) for d in run.diagnostics if d.severity == ERROR]
        raise RejectedPost(
            f"post {key.code} {key.fiscal_year} has {len(errors)} error(s): it cannot be distributed", errors
        )
    return state


class RejectedPost(Exception):
    def __init__(self, detail: str, problems: list[Problem]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems


def _post_out(row: StoredPost) -> PostOut:
    return PostOut.model_validate(row, from_attributes=True)  # the stored post's fields the API shows


def post_out(request: Request, key: PostKey) -> PostOut:
    """The post's row as the API shows it (what a page's heading names)."""
    with request.app.state.engine.connect() as connection:
        return _post_out(stored_post(connection, key.id))


@dataclass(frozen=True)
class ListedPost:
    """A post as the list of posts shows it to one person: readable whole, or only for its invoices of the
    person's headquarters agencies."""

    post: PostOut
    readable: bool
    invoices: tuple[str, ...]  # the agencies whose invoice the person reads there, when not `readable`


def listed_posts(request: Request) -> list[ListedPost]:
    """The posts the signed-in person reads, whole or for their agencies' invoices, by code and fiscal year."""
    account = account_of(request)
    with request.app.state.engine.connect() as connection:
        found = stored_posts(connection)
        billed = agencies_billed(connection, account.hq_agencies)
    return [
        ListedPost(_post_out(stored), readable, () if readable else tuple(billed[stored.id]))
        for stored in found
        if (readable := account.reads_post(stored.code)) or billed[stored.id]
    ]


@router.get("/api/posts", responses=SIGNED_IN, summary="The posts the signed-in person may see")
@allow(signed_in)
def list_posts(request: Request) -> list[PostOut]:
    account = account_of(request)
    with request.app.state.engine.connect() as connection:
        if account.is_admin:
            return [_post_out(p) for p in stored_posts(connection)]
        # An hq account sees the posts where its agency is one of the agencies (it reads its invoice there).
        return [_post_out(p) for p in stored_posts(connection, account.posts, account.hq_agencies)]


@router.get("/api/posts/{post}/{fiscal_year}", responses=SCOPED, summary="A post, and the problems found in it")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def get_post(request: Request, post: str, fiscal_year: FiscalYear) -> PostDetail:
    key = post_key(request, post, fiscal_year)
    shown = post_out(request, key)
    run = computed(request, key)
    return PostDetail(**shown.model_dump(), ok=run.ok, problems=[problem(d) for d in run.diagnostics])


@router.get(
    "/api/posts/{post}/{fiscal_year}/distribution",
    responses={**SCOPED, 422: {"model": Rejection}},
    summary="Every agency's share of every cost center by funding source, after ICASS redistribution",
)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def distribution(request: Request, post: str, fiscal_year: FiscalYear) -> DistributionOut:
    key = post_key(request, post, fiscal_year)
    run = distributed(request, key)
    assert run.distribution is not None
    lines = [
        DistributionLineOut(
            agency=a,
            cost_center=cc,
            funding=f,
            share=format_plain(s),
            redistribution=format_plain(r),
            total=format_plain(t),
        )
        for a, cc, f, s, r, t in sorted(run.distribution.lines(post))
    ]
    total = format_plain(int(run.distribution.cost_of(post).sum()))
    return DistributionOut(post=post, fiscal_year=fiscal_year, total=total, lines=lines)


@router.get(
    "/api/posts/{post}/{fiscal_year}/budget-summary",
    responses={**SCOPED, 422: {"model": Rejection}},
    summary="The Budget Summary Worksheet: the budget by SOC and funding source, guard contracts line by line",
)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def budget_summary_route(request: Request, post: str, fiscal_year: FiscalYear) -> BudgetSummaryOut:
    key = post_key(request, post, fiscal_year)
    summary = budget_summary_of(computed(request, key))
    if summary is None:
        raise RejectedPost(f"post {post} {fiscal_year} has rows that cannot be read: no worksheet", [])
    return BudgetSummaryOut(
        post=post,
        fiscal_year=fiscal_year,
        lines=[
            BudgetSummaryLineOut(
                soc=line.soc,
                by_funding={f: format_plain(c) for f, c in line.by_funding.items()},
                total=format_plain(line.total),
            )
            for line in summary.lines
        ],
        contracts=[
            BudgetSummaryContractOut(
                cost_center=c.cost_center, soc=c.soc, description=c.description, amount=format_plain(c.amount)
            )
            for c in summary.contracts
        ],
        total=format_plain(summary.total()),
    )


@router.get(
    "/api/posts/{post}/{fiscal_year}/budget-against-targets",
    responses=SCOPED,
    summary="The budget against each RB, OBO and LGP target: central contracts, PSU, operating allowance",
)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def targets_route(request: Request, post: str, fiscal_year: FiscalYear) -> list[TargetLineOut]:
    lines = targets_of(computed(request, post_key(request, post, fiscal_year)))
    return [
        TargetLineOut(
            post=line.post,
            funding=line.funding,
            kind=line.kind,
            **{
                name: format_plain(getattr(line, name))
                for name in ("target", "budgeted", "central_contracts", "psu", "operating_allowance", "difference")
            },
        )
        for line in lines
    ]


def no_invoice(post: str, fiscal_year: int, agency: str) -> HTTPException:
    """The one answer for an invoice that cannot be read: the post is not stored, the agency is not one of its
    agencies, or the reader's scope does not cover it. An agency's headquarters reads its invoice at every post,
    so a different answer for each case would tell it which posts exist and which agencies they bill."""
    return HTTPException(404, f"there is no invoice of agency {agency} at post {post}, fiscal year {fiscal_year}")


def invoice_key(request: Request, post: str, fiscal_year: int, agency: str) -> PostKey:
    """The post of an agency's invoice, checked before anything of the post is computed: one who does not read
    the post whole (an hq account) learns nothing of it, not even its problems, unless the agency is billed."""
    with request.app.state.engine.connect() as connection:
        try:
            key = find_post(connection, post, fiscal_year)
        except NotFound:
            raise no_invoice(post, fiscal_year, agency) from None
        if account_of(request).reads_post(post):
            return key
        if not bills(connection, key.id, agency):
            raise no_invoice(post, fiscal_year, agency)
    return key


def bill_of(request: Request, key: PostKey, agency: str) -> tuple[PostRun, Invoice]:
    """The post's run and the engine's invoice of `agency`, the one typed record the JSON, the files and the
    page are made from (404 for an agency not of the post, as for a post not stored: `no_invoice`)."""
    state = _distributed_state(request, key)
    try:
        return state.run, state.invoice(agency)
    except KeyError:
        raise no_invoice(key.code, key.fiscal_year, agency) from None


def invoice_view_of(request: Request, key: PostKey, agency: str) -> InvoiceView:
    """The invoice of `agency` with the derivation of each line (the invoice page's record)."""
    state = _distributed_state(request, key)
    try:
        state.invoice(agency)
    except KeyError:
        raise no_invoice(key.code, key.fiscal_year, agency) from None
    return state.invoice_view(agency)


def _partial_line(line: PartialYearLine) -> PartialYearLineOut:
    amounts = {f: format_plain(v) for f, v in line.amounts.items()}
    return PartialYearLineOut(cost_center=line.cost_center, amounts=amounts, total=format_plain(line.total))


def partial_year_out(part: PartialYear | None) -> PartialYearOut | None:
    if part is None:
        return None
    fundings = sorted({f for line in part.lines for f in line.amounts})
    return PartialYearOut(
        first_day=part.first_day,
        last_day=part.last_day,
        days=part.days,
        year_days=part.year_days,
        fraction=f"{part.days}/{part.year_days}",
        lines=[_partial_line(line) for line in part.lines],
        subtotals={f: format_plain(part.subtotal(f)) for f in fundings},
        total=format_plain(part.total),
    )


def invoice_out(bill: Invoice, bundle: PostBundle | None) -> InvoiceOut:
    """The invoice as JSON, with its partial-year invoice when `bundle`'s agencies.csv says the agency arrives
    or leaves during the fiscal year."""
    fundings = sorted({f for line in bill.lines for f in line.amounts})
    return InvoiceOut(
        partial_year=None if bundle is None else partial_year_out(of_agency(bundle, bill)),
        post=bill.post,
        fiscal_year=bill.fiscal_year,
        agency=bill.agency,
        agency_name=bill.agency_name,
        lines=[
            InvoiceLineOut(
                cost_center=line.cost_center,
                workload=None if line.workload is None else str(line.workload),
                modified_workload=None if line.modified_workload is None else str(line.modified_workload),
                share_percent=str(line.share_percent),
                amounts={f: format_plain(v) for f, v in line.amounts.items()},
                redistribution=format_plain(line.redistribution),
                total=format_plain(line.total),
            )
            for line in bill.lines
        ],
        subtotals={f: format_plain(bill.subtotal(f)) for f in fundings},
        redistribution=format_plain(bill.redistribution),
        total=format_plain(bill.total),
    )


def invoice_of(request: Request, key: PostKey, agency: str) -> InvoiceOut:
    run, bill = bill_of(request, key, agency)
    return invoice_out(bill, run.bundle)


JSON = "json"
FORMATS = (JSON, PDF, XLSX)
BINARY = {"schema": {"type": "string", "format": "binary"}}
InvoiceFormat = Annotated[
    str,
    Query(
        description="json (the default), pdf (letter size, WeasyPrint) or xlsx (an Excel workbook)",
        json_schema_extra={"enum": list(FORMATS)},
    ),
]


def invoice_files_answer(named: str) -> dict[str, Any]:
    """The OpenAPI 200 answer of an invoice route that also gives its PDF and Excel files, named `named`.pdf."""
    return {
        "description": "The invoice: JSON, or with `format` the PDF or Excel file (as an attachment named "
        f"{named}.pdf or .xlsx)",
        "content": {MEDIA_TYPES[PDF]: BINARY, MEDIA_TYPES[XLSX]: BINARY},
    }


def refuse_unknown_format(format: str) -> None:
    """An invoice's `format` that is none of FORMATS: 422, in one sentence naming the parameter and the choices
    (checked here, not by the parameter's type, whose answer would be pydantic's)."""
    if format not in FORMATS:
        message = f"format {format!r} is not one of {', '.join(FORMATS)}"
        raise RejectedPost(
            message, [Problem(severity=ERROR, where="query", field="format", message=message, section="")]
        )


@router.get(
    "/api/posts/{post}/{fiscal_year}/invoices/{agency}",
    response_model=InvoiceOut,
    responses={
        **SCOPED,
        200: invoice_files_answer("POST-FY-AGENCY"),
        422: {"model": Rejection, "description": "an unknown format, or a post with errors cannot be distributed"},
    },
    summary="One agency's invoice at the post, as JSON, PDF or Excel",
)
@allow(reads_invoice, "read this agency's invoice (the post's admin, FMO or committee, or the agency's hq)")
def get_invoice(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    agency: str,
    format: InvoiceFormat = JSON,
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="the invoice as this approved version gave it")
    ] = None,
) -> Any:
    refuse_unknown_format(format)
    key = invoice_key(request, post, fiscal_year, agency)
    if version is None:
        run, bill = bill_of(request, key, agency)
        figures, suffix, council_approved = LIVE_FIGURES, "", False
    else:
        approved, run, bill = approved_bill(request, key, agency, version)
        figures, suffix = version_figures(approved), f"-version-{approved.number}"
        council_approved = approved.state in APPROVED
    if format == JSON:
        return invoice_out(bill, run.bundle)
    assert run.bundle is not None
    return Response(
        invoice_file(bill, run.bundle.post, format, figures, council_approved, of_agency(run.bundle, bill)),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": attachment(file_name(bill, format, suffix))},
    )


# What an invoice's files say of figures read from the post as it is now.
LIVE_FIGURES = "live: they still change with every edit of the post's budget"


def version_figures(version: VersionRecord) -> str:
    """What an invoice's files say of a version's figures: which version, where it stands, and its hash."""
    return (
        f"version {version.number} ({version.kind}, revision {version.revision}, {version.state.replace('_', ' ')}),"
        f" SHA-256 {version.sha256}: they never change"
    )


def approved_bill(request: Request, key: PostKey, agency: str, number: int) -> tuple[VersionRecord, PostRun, Invoice]:
    """Version `number` of the post, its run and the invoice of `agency` it gave: 404 when the post has no such
    version or the agency no invoice in it."""
    with request.app.state.engine.connect() as connection:
        try:
            approved, run = version_run(connection, key, number)
        except NotFound as e:
            raise HTTPException(404, str(e)) from None
    if run.distribution is None or run.bundle is None:
        # create() refuses a post with errors, so a version always distributes; kept as an answer, not a crash.
        raise HTTPException(404, f"version {number} of post {key.code} {key.fiscal_year} has no invoices")
    try:
        return approved, run, agency_invoice(run, agency)
    except KeyError:
        raise no_invoice(key.code, key.fiscal_year, agency) from None
