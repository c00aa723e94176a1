"""What the API takes and gives, as pydantic models (they are its OpenAPI schema). Money and counts are
decimal strings, never JSON numbers: a float cannot hold them exactly."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, create_model

from icass.bundle.codes import CODE_SHAPE, MAX_CODE_CHARS, MAX_TEXT_CHARS
from icass.bundle.format import FILES, Column, Kind
from icass.store.changes import RESOURCES

Decimal = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", examples=["1234.50"])]
# Path parameters, bounded so that no number reaches the database beyond its integer columns.
FiscalYear = Annotated[int, Path(ge=1990, le=2999, examples=[2027])]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]
Count = Annotated[str, Field(max_length=32, pattern=r"^[0-9]+(\.[0-9]+)?$", examples=["12"])]


# Text a person types: no NUL character, which no bundle file may hold and PostgreSQL's text cannot store
# (schemathesis found one reaching the database as a 500).
TEXT = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=TEXT)]
# A typed cell: a code has its one shape (icass.bundle.codes), empty where the column may be; free text is at most
# MAX_TEXT_CHARS characters. The store checks them again by the same declaration (icass.store.changes).
Code = Annotated[str, Field(min_length=1, max_length=MAX_CODE_CHARS, pattern=f"^{CODE_SHAPE}$", examples=["1931.0"])]
CodeCell = Annotated[str, Field(max_length=MAX_CODE_CHARS, pattern=f"^(?:{CODE_SHAPE})?$")]
TextCell = Annotated[str, Field(max_length=MAX_TEXT_CHARS, pattern=TEXT)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Checked before anything is stored or hashed (issue 16: a million-character username filled the disk).
USERNAME_LENGTH = 64
PASSWORD_LENGTH = 1024


class Login(Strict):
    username: Annotated[str, Field(min_length=1, max_length=USERNAME_LENGTH, pattern=TEXT)]
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_LENGTH)]


class GrantOut(BaseModel):
    role: str
    post: str | None
    agency: str | None


class SessionOut(BaseModel):
    username: str
    roles: list[GrantOut]
    csrf_token: str


class Message(BaseModel):
    detail: str


class Problem(BaseModel):
    severity: str
    where: str
    field: str
    message: str
    section: str
    rule: str = ""  # the budget rule broken (R01-R142), if the problem is one
    acknowledged: str = ""  # for a warning the FMO acknowledged: the reason, who and when


class BudgetSummaryLineOut(BaseModel):
    soc: str
    by_funding: dict[str, str]  # funding source -> dollars, "1234.50"
    total: str


class BudgetSummaryContractOut(BaseModel):
    cost_center: str
    soc: str
    description: str
    amount: str


class BudgetSummaryOut(BaseModel):
    post: str
    fiscal_year: int
    lines: list[BudgetSummaryLineOut]
    contracts: list[BudgetSummaryContractOut]  # the local guard program's contract lines (H-341.5-1(B) NOTE 5)
    total: str


class TargetLineOut(BaseModel):
    """One funding source's target and the budget counted against it, in dollars ("1234.50"), as `icass targets`
    writes them (docs/bundle.md "Targets")."""

    post: str
    funding: str
    kind: str
    target: str
    budgeted: str
    central_contracts: str
    psu: str
    operating_allowance: str
    difference: str


class AcknowledgementIn(Strict):
    """A warning the post raises now, by its rule, file and row, and why it is left as it is."""

    rule: Annotated[str, Field(pattern=r"^R\d{2,3}$")]
    # A file, or a count derived from the records named by its key (icass.model.provenance.Source.place).
    file: Annotated[
        str, Field(max_length=64, pattern=r"^(?:[a-z_/]+\.(?:csv|toml)|workload \[[0-9A-Za-z./-]{1,40}\])$")
    ]
    row: Annotated[int, Field(ge=0, le=2**31 - 1)]
    reason: TextCell


class AcknowledgementOut(BaseModel):
    id: int
    rule: str
    file: str
    row: int
    reason: str
    by: str
    on: str


class Rejection(BaseModel):
    detail: str
    problems: list[Problem]


class SchemaRefusal(BaseModel):
    """FastAPI's own 422, when a request does not keep to its schema at all (a key or value of the wrong type):
    each error with its place (`loc`), message and type, before any rule of the handbook is asked."""

    detail: list[dict[str, Any]]


# A change's 422: the handbook's rules broken (Rejection), or the request not keeping to its schema.
Refused = Rejection | SchemaRefusal


class PostOut(BaseModel):  # icass.store.posts.StoredPost without its id and revision
    code: str
    fiscal_year: int
    name: str
    country: str
    region: str
    methodology: str
    stage: str | None
    version: int


class PostDetail(PostOut):
    ok: bool
    problems: list[Problem]


class DistributionLineOut(BaseModel):
    agency: str
    cost_center: str
    funding: str
    share: Decimal
    redistribution: Decimal
    total: Decimal


class DistributionOut(BaseModel):
    post: str
    fiscal_year: int
    total: Decimal
    lines: list[DistributionLineOut]


class InvoiceLineOut(BaseModel):
    cost_center: str
    workload: str | None
    modified_workload: str | None
    share_percent: str
    amounts: dict[str, Decimal]
    redistribution: Decimal
    total: Decimal


class PartialYearLineOut(BaseModel):
    cost_center: str
    amounts: dict[str, Decimal]
    total: Decimal


class PartialYearOut(BaseModel):
    """The partial-year invoice of an agency arriving or leaving during the fiscal year: its days at post of
    the year's, and each line of the full-year invoice times that fraction, the local guard program left out."""

    first_day: dt.date
    last_day: dt.date
    days: int
    year_days: int
    fraction: str  # days/year_days, e.g. "183/365"
    lines: list[PartialYearLineOut]
    subtotals: dict[str, Decimal]
    total: Decimal


class InvoiceOut(BaseModel):
    post: str
    fiscal_year: int
    agency: str
    agency_name: str
    lines: list[InvoiceLineOut]
    subtotals: dict[str, Decimal]
    redistribution: Decimal
    total: Decimal
    # What the agency pays when it arrives or leaves during the fiscal year (docs/distribution.md); null when it
    # is at post all year.
    partial_year: PartialYearOut | None = None


class VersionInvoiceOut(InvoiceOut):
    """An agency's invoice as a version of the post gave it: the version and its bundle's hash with it."""

    version: int
    kind: str
    revision: int
    state: str
    sha256: str


class WorkloadOut(BaseModel):
    id: str
    cost_center: str
    agency: str
    factor: str
    count: Count
    modification: str
    origin: str
    version: int


class WorkloadPatch(Strict):
    count: Count
    version: Version
    modification: TextCell | None = None


class WorkloadNew(Strict):
    cost_center: Code
    agency: Code
    factor: CodeCell = ""
    count: Count
    modification: TextCell | None = None


class ApprovalIn(Strict):
    decision: Annotated[str, Field(pattern="^(approve|reject)$")]
    note: TextCell = ""


class ApprovalOut(BaseModel):
    modification: int
    agency: str
    decision: str
    note: str
    at: str


class AuditOut(BaseModel):
    id: int
    user: str
    at: str
    action: str
    entity: str
    post: str | None
    fiscal_year: int | None
    before: Any
    after: Any


def _name(resource: str) -> str:
    return "".join(part.capitalize() for part in resource.split("-"))


# The API's cell of each kind of the format, as a new or changed row gives it (None: left out).
_GIVEN: dict[Kind, Any] = {
    Kind.AMOUNT: Decimal,
    Kind.SIGNED_AMOUNT: Decimal,
    Kind.CODE: CodeCell,
    Kind.POST_CODE: CodeCell,
    Kind.ONE_OF: CodeCell,
}


def _described(column: Column, given: bool) -> Any:
    """A cell's field, with the column's label and what it holds (its handbook section, its note)."""
    cited = f"6 FAH-5 {column.section}" if column.section and column.section not in column.note else ""
    said = "; ".join(part for part in (column.note, cited) if part)
    about = Field(None if given else ..., title=column.label, description=said or None)
    if given:
        return (_GIVEN.get(column.kind, TextCell) | None, about)
    return (Decimal if column.cents else str, about)


def _row_models(resource: str) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    """The row as read, a new row, and a changed row (with the version it was read at) of one resource."""
    file = FILES[RESOURCES[resource]]
    cell = {c.name: _described(c, given=False) for c in file.columns}
    optional = {c.name: _described(c, given=True) for c in file.columns}
    out = create_model(
        f"{_name(resource)}Row", id=(int, ...), version=(int, ...), row=(int, ...), extra=(dict[str, str], ...), **cell
    )
    if resource == "people":  # a change to people.csv says which staffing certifications it cleared (issue 20 §2)
        out = create_model("PeopleRow", __base__=out, notices=(list[str], Field(default_factory=list)))
    new = create_model(f"{_name(resource)}New", __base__=Strict, **optional)
    changed = create_model(
        f"{_name(resource)}Change",
        __base__=Strict,
        version=(Annotated[int, Field(ge=1, le=2**31 - 1)], ...),
        **optional,
    )
    return out, new, changed


ROW_MODELS = {resource: _row_models(resource) for resource in RESOURCES}

# The most rows of each list a new position may carry: a time allocation row a cost center at most.
MAX_ROWS_OF_POSITION = 200


def _position_models() -> tuple[type[BaseModel], type[BaseModel]]:
    """A new position with, in the same change, its time allocation rows and its cost lines (each item the
    cells of its own file, position_id left out or the position's), and the position so made with them."""
    out, new, _ = ROW_MODELS["positions"]
    allocation_out, allocation_new, _ = ROW_MODELS["time-allocation"]
    costs_out, costs_new, _ = ROW_MODELS["position-costs"]

    def given(model: type[BaseModel]) -> Any:  # a list of rows of the model, each list optional and bounded
        return (Annotated[list[model], Field(max_length=MAX_ROWS_OF_POSITION)] | None, None)  # type: ignore[valid-type]

    made = create_model("NewPosition", __base__=new, time_allocation=given(allocation_new), costs=given(costs_new))
    shown = create_model(
        "PositionMade",
        __base__=out,
        time_allocation=(list[allocation_out], ...),  # type: ignore[valid-type]
        costs=(list[costs_out], ...),  # type: ignore[valid-type]
    )
    return made, shown


POSITION_NEW, POSITION_MADE = _position_models()


# What-if scenarios (icass.api.scenarios) ---------------------------------------------------------------------

ScenarioId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ChangeNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ScenarioNew(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT, examples=["Two more guards' posts"])]


class ScenarioChangeIn(Strict):
    """A change in a scenario: `resource` is a row resource of the post (`budget-lines`, `modifications`...) or
    `workload`; `target` the row's id or the workload line's id (none for `create`); `values` the cells, as
    text, as the row routes take them (a workload line: `count`, and `modification` if it changes)."""

    resource: Annotated[str, Field(min_length=1, max_length=32, pattern=TEXT, examples=["workload"])]
    action: Annotated[str, Field(pattern="^(set|delete|create)$")] = "set"
    target: Annotated[str, Field(max_length=100, pattern=TEXT, examples=["6150:1931.0"])] = ""
    values: dict[Annotated[str, Field(max_length=64, pattern=TEXT)], TextCell] = Field(
        default_factory=dict, max_length=32, examples=[{"count": "12"}]
    )


class ScenarioChangeOut(BaseModel):
    number: int
    resource: str
    action: str
    target: str
    values: dict[str, str]
    base_version: int
    stale: bool  # the row changed since the change was made: applying would be refused (409)
    skipped: str | None  # why the change cannot be made on the post as it is now (its row is gone)


class ScenarioHead(BaseModel):
    id: int
    name: str
    created_by: str
    created_at: str
    version: int
    applied_at: str | None
    applied_by: str | None
    post_changed: bool  # the post changed since the scenario was made: it is computed on its current rows


class ScenarioOut(ScenarioHead):
    post: str
    fiscal_year: int
    changes: list[ScenarioChangeOut]


class ScenarioApply(Strict):
    version: Version


class FundingComparisonOut(BaseModel):
    baseline: Decimal | None
    scenario: Decimal | None
    difference: Decimal | None


class AgencyComparisonOut(FundingComparisonOut):
    agency: str
    name: str
    by_funding: dict[str, FundingComparisonOut]


class ComparisonOut(BaseModel):
    post: str
    fiscal_year: int
    scenario: int
    post_changed: bool
    baseline_total: Decimal | None  # None: that side has errors and does not distribute
    scenario_total: Decimal | None
    difference: Decimal | None
    agencies: list[AgencyComparisonOut]
    baseline_problems: list[Problem]
    scenario_problems: list[Problem]


class ScenarioSummaryOut(ScenarioHead):
    changes: int  # how many


class VersionIn(BaseModel):
    kind: Literal["initial", "final"] = Field(description="the budget the version is of: initial or final")
    comment: str = Field(default="", max_length=MAX_TEXT_CHARS, pattern=TEXT)


STEP_NAMES = Literal["submit_to_committee", "recommend", "record_council_approval", "submit_to_isc", "accept", "return"]


class StepIn(BaseModel):
    step: STEP_NAMES
    comment: str = Field(default="", max_length=MAX_TEXT_CHARS, pattern=TEXT)
    refused: bool = Field(default=False, description="the step is refused (a comment says why): back to draft")
    date: dt.date | None = Field(default=None, description="record_council_approval: the Council's decision's date")
    minutes: str | None = Field(
        default=None, max_length=MAX_TEXT_CHARS, pattern=TEXT, description="record_council_approval: its minutes"
    )


class StepOut(BaseModel):
    step: str
    user: str
    at: str
    comment: str
    agency: str | None  # a committee member's recommendation: the agency it was made for
    refused: bool
    state: str  # the version's state after it


class BudgetVersionOut(BaseModel):
    number: int
    kind: str
    revision: int  # 0: the kind's first version; n: its n-th revision
    state: str
    sha256: str  # of the version's bundle (docs/workspace.md "Versions and their path")
    created_at: str
    created_by: str
    comment: str
    council_date: str | None
    council_minutes: str | None
    steps: list[StepOut]
    waiting_for: list[str]  # with the committee: the seated agencies yet to recommend it


class VersionOut(BaseModel):
    number: int
    approved_at: str
    approved_by: str
    note: str


class FileChangesOut(BaseModel):
    file: str
    header: list[str]
    added: list[list[str]]
    removed: list[list[str]]


class AgencyChangeOut(BaseModel):
    agency: str
    then: str | None
    now: str | None
    difference: str
    # What made the difference (`icass variance`): null while a side cannot be distributed.
    cost_effect: str | None = None
    count_effect: str | None = None
    modification_effect: str | None = None


class ChangesOut(BaseModel):
    version: VersionOut
    files: list[FileChangesOut]
    agencies: list[AgencyChangeOut]
    then_total: str | None
    now_total: str | None
    largest_changes: list[str] = []


class WorldPartialYearOut(BaseModel):
    """An agency at a post for part of the fiscal year: its post line is its partial-year invoice's."""

    first_day: dt.date
    last_day: dt.date
    days: int
    year_days: int
    full_year: str = Field(description="the agency's full-year invoice at the post, dollars")
    said: str = Field(description="the reading in words, with its section (H-341.5-3(D) NOTE 1)")


class WorldPostLineOut(BaseModel):
    post: str
    region: str
    amounts: dict[str, str]  # funding source -> dollars
    total: str
    partial_year: WorldPartialYearOut | None = Field(
        None, description="the agency's days at the post when it arrives or leaves during the fiscal year"
    )


class WorldItemLineOut(BaseModel):
    item: str
    amount: str
    basis: str
    name: str = Field("", description="the item as H-424 b names it, e.g. Contingency fund replenishment")
    section: str = Field("", description="the paragraph that states the item and its basis, e.g. H-424 b(3)")
    bases: list[str] = Field(default_factory=list, description="the basis of each share, without the item's code")


class WorldVersionOut(BaseModel):
    """A post's version a world is computed from."""

    post: str
    number: int
    kind: str
    revision: int
    state: str
    sha256: str


class WorldBasisOut(BaseModel):
    """What a world's figures are computed from (issue 20 §1)."""

    basis: str = Field("live", description="live (the posts' rows as they stand), initial or final (versions)")
    payable: bool = Field(False, description="true only for final: the ISC accepted every version it counts")
    figures: str = Field("", description="the figures' basis in words, as the invoice's files say it")
    versions: list[WorldVersionOut] = Field(default_factory=list, description="each post's version counted")
    posts_left_out: list[str] = Field(
        default_factory=list,
        description="the world's posts not counted: final not yet accepted (final), no initial version (initial)",
    )


class WorldInvoiceOut(WorldBasisOut):
    agency: str
    agency_name: str = ""
    fiscal_year: int
    stage: str = Field(description="initial (informational) or final (payable)")
    posts: list[WorldPostLineOut]
    bureaus: dict[str, dict[str, str]]  # regional bureau -> funding source -> dollars
    bureau_totals: dict[str, str] = Field(default_factory=dict)  # regional bureau -> dollars
    items: list[WorldItemLineOut]
    post_total: str
    item_total: str
    total: str


class WorldTotalOut(BaseModel):
    agency: str
    total: str
    agency_name: str = ""


class WorldPostOut(BaseModel):
    """A post of the world: its total (every agency's, at the post) and its approval."""

    post: str
    name: str
    total: str
    approved_version: int | None = Field(None, description="the post's newest approved version; none yet: null")
    approved_at: str | None = None
    changed_since_approved: bool = Field(description="the post changed since that version (or has none)")
    version: WorldVersionOut | None = Field(
        None, description="on the initial or final basis: the post's version its total is computed from"
    )


class WorldBureauOut(BaseModel):
    region: str
    total: str
    posts: list[WorldPostOut]
    posts_left_out: list[str] = Field(
        default_factory=list,
        description="the bureau's posts not counted on the basis asked: final not yet accepted (final), no initial "
        "version (initial)",
    )


class TdyLineOut(BaseModel):
    cost_center: str
    quantity: str
    weighted: str
    rate: str
    amount: str


class TdyVisitOut(BaseModel):
    """A visit of a TDY invoice as the document shows it (H-363.1-6 a(2))."""

    visit: str
    traveler: str
    arrive: str
    depart: str
    days: int = Field(description="days at post, the day of arrival and of departure included")
    ecc: str = Field(description="the eCC number, travel order or APACS number")
    approved_on: str | None = Field(description="the sponsoring agency's approval")


class TdyStepOut(BaseModel):
    step: str
    user: str
    at: str
    comment: str
    state: str = Field(description="the invoice's state after it")
    total: str = Field(description="the invoice's total when the step was taken")


class TdyInvoiceOut(BaseModel):
    invoice: str
    agency: str
    visits: list[str]
    status: str
    reasons: list[str]
    lines: list[TdyLineOut]
    total: str
    state: str = Field(default="prepared", description="prepared, submitted_to_isc, approved or rejected")
    steps: list[TdyStepOut] = Field(default_factory=list)
    judged_on: str = Field(default="", description="its submission day once submitted, else the day asked")
    submitted_on: str | None = None
    billed_in: int | None = Field(
        default=None,
        description="the fiscal year its charges count in: the next one once submitted after its "
        "year's final headquarters invoices (H-363.1-6 c(7))",
    )
    billed_in_said: str = ""
    travelers: list[TdyVisitOut] = Field(default_factory=list)
    may_take: list[str] = Field(default_factory=list, description="the steps the signed-in person may take now")


class TdyStepIn(BaseModel):
    step: Literal["submit_to_isc", "approve", "reject"]
    comment: str = Field(default="", max_length=MAX_TEXT_CHARS, pattern=TEXT, description="reject: the reason")


class FinalInvoicesIn(BaseModel):
    issued_on: dt.date = Field(description="the day the ISC issued the fiscal year's final headquarters invoices")


class FinalInvoicesOut(BaseModel):
    fiscal_year: int
    issued_on: str | None = Field(description="None: not recorded yet")


class TdyRatesOut(BaseModel):
    """Whose figures a post's TDY rates are: its accepted final version, or its live rows."""

    basis: str = Field(description="final (the post's newest final version the ISC accepted) or live")
    version: int | None = None
    revision: int | None = Field(default=None, description="of the final kind: 0, then 1 after a return, ...")
    sha256: str | None = None
    said: str = Field("", description="the same in words")


class TdyInvoicesOut(BaseModel):
    post: str
    fiscal_year: int
    as_of: str
    invoices: list[TdyInvoiceOut]
    rates_from: TdyRatesOut | None = None
    visits_end_in: int | None = Field(default=None, description="the fiscal year whose visits these rates bill")
    council_approved_on: str | None = Field(default=None, description="the Council's approval of the policy (H-362 a)")
    final_invoices_issued_on: str | None = Field(
        default=None, description="the day the ISC issued the final headquarters invoices of visits_end_in"
    )


# The ISC's cost factors of a fiscal year (icass.api.cost_factors): a row as read; a new or changed row takes the
# cells of a post's cost_factors.csv (ROW_MODELS["cost-factors"]), a change with the version it was read at.
class CentralFactorOut(BaseModel):
    id: int
    version: int
    grade: str
    amsal: Decimal
    pat: Decimal


class VarianceLineOut(BaseModel):
    """One line of `icass variance`'s CSV: dollars to the cent."""

    agency: str
    cost_center: str
    funding: str
    old: str
    new: str
    cost_effect: str
    count_effect: str
    modification_effect: str


class VarianceSumOut(BaseModel):
    """The lines of one agency or one cost center summed."""

    code: str
    name: str
    old: str
    new: str
    change: str
    cost_effect: str
    count_effect: str
    modification_effect: str


class VarianceOut(BaseModel):
    """The change from OLD to NEW (each named: its fiscal year, live or its version and hash) and what made it."""

    old: str
    new: str
    lines: list[VarianceLineOut]
    by_agency: list[VarianceSumOut]
    by_cost_center: list[VarianceSumOut]
    largest_changes: list[str]
