"""The format, declared once: every file of a post bundle, of its tdy/ folder and of a world folder, each column
with its name, its kind (an amount, a count, a code of its shape, a date, yes/no, one of a list, free text),
whether a cell may be empty, whether the header may leave it out, its label for people and its handbook
section (docs/bundle.md, docs/tdy.md, docs/world.md).

Everything else is made from this declaration: the readers' parsers (icass.bundle.load, tdy, world) and the
polars readers' column kinds (icass.bundle.frames), the workbook's sheets, notes and drop-down lists
(icass.bundle.workbook, workbook_writer), the database's tables (icass.store.schema), the API's row models
(icass.api.schemas), the table editors' columns and labels (icass.web.editors), and the tables of
docs/bundle.md (`markdown_tables`, held to the file by tests/core/test_format.py).

A kind says what a cell may hold; the code shapes are icass.bundle.codes'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from icass.catalog.counting import PersonKind, Tenure, load_counting_rules
from icass.model import Funding, GuardForce, Methodology, PositionCategory, Region
from icass.model.tdy import VisitCategory
from icass.model.world import Item, Mail, Stage


class Kind(StrEnum):
    """What a cell holds (docs/bundle.md's general rules)."""

    AMOUNT = "amount"  # dollars >= 0, at most two decimals: integer cents in the database
    SIGNED_AMOUNT = "signed amount"  # dollars, may be negative (a world's items.csv): integer cents
    COUNT = "count"  # a count, percent or quantity >= 0, at most four decimals, kept as written
    COUNT_OR_LEVEL = "count or level"  # a count, or the name of a level the catalog offers
    CODE = "code"  # icass.bundle.codes.CODE_SHAPE
    POST_CODE = "post code"  # icass.bundle.codes.POST_CODE_SHAPE
    DATE = "date"  # YYYY-MM-DD
    YES_NO = "yes/no"
    ONE_OF = "one of"  # a code from a closed list (`Column.choices`)
    TEXT = "text"  # free text, at most icass.bundle.codes.MAX_TEXT_CHARS characters
    YEAR = "year"  # a fiscal year, a TOML integer (post.toml, world.toml)
    PERCENT = "percent"  # a number from 0 to 100 (world.toml)


# The kinds the database keeps as integer cents; every other cell is kept as the text the format defines.
CENTS_KINDS = frozenset({Kind.AMOUNT, Kind.SIGNED_AMOUNT})


@dataclass(frozen=True)
class Choices:
    """A closed list of codes: its name (the workbook's list of it), what one of them is called in a message,
    and its values, in the order people are shown them."""

    name: str
    what: str
    values: Callable[[], tuple[str, ...]]
    enum: type[StrEnum] | None = None  # the model's type of a value, when it has one
    sorted_in_workbook: bool = False  # the workbook's drop-down list is sorted (roles: the catalog's order is its own)


def _enum(name: str, what: str, choices: type[StrEnum], leave_out: tuple[str, ...] = ()) -> Choices:
    return Choices(name, what, lambda: tuple(str(c) for c in choices if str(c) not in leave_out), choices)


def _roles() -> tuple[str, ...]:
    return tuple(load_counting_rules().roles)


FUNDING = _enum("funding", "funding source", Funding)
POSITION_CATEGORY = _enum("position_category", "position category", PositionCategory)
PERSON_CATEGORY = _enum("person_category", "person category", PersonKind)
FACTOR = _enum("factor", "factor", PersonKind, leave_out=(PersonKind.MOH,))
ROLE = Choices("role", "role", _roles, sorted_in_workbook=True)
TENURE = _enum("tenure", "tenure", Tenure)
VISIT_CATEGORY = _enum("visit_category", "visitor category", VisitCategory)
REGION = _enum("region", "region", Region)
METHODOLOGY = _enum("methodology", "methodology", Methodology)
YES_NO = Choices("yes_no", "yes or no", lambda: ("yes", "no"))
MAIL = _enum("mail", "mail service", Mail)
ITEM = _enum("item", "below-the-line item", Item)
STAGE = _enum("stage", "stage", Stage)
GUARD_FORCE = _enum("guard_force", "guard force", GuardForce)
# The three targets a post receives (H-422); AmSal and PAT are outside every target (H-423.1 a).
TARGET_FUNDING = _enum("target_funding", "funding source with a target", Funding, leave_out=("AMSAL", "PAT"))


@dataclass(frozen=True)
class Column:
    """One column of a file. `required`: a cell may not be empty; `in_header`: the header must name it (False:
    it may be left out, and then reads as empty cells). `default` is an empty yes/no cell's value. `suggested`
    names a workbook list offered for a code (`strict`: only its values; otherwise a warning, since a post may
    define its own, H-341.15 c)."""

    name: str
    kind: Kind
    label: str
    required: bool = True
    in_header: bool = True
    choices: Choices | None = None
    default: bool | None = None
    suggested: str | None = None
    strict: bool = True
    section: str = ""
    note: str = ""

    @property
    def cents(self) -> bool:
        return self.kind in CENTS_KINDS

    @property
    def listed(self) -> tuple[str, bool] | None:
        """The workbook list a cell is picked from, and whether only its values are taken."""
        if self.choices is not None:
            return self.choices.name, True
        if self.kind == Kind.YES_NO:
            return YES_NO.name, True
        if self.suggested is not None:
            return self.suggested, self.strict
        return None


@dataclass(frozen=True)
class File:
    """One file: its path in its folder, the database table that keeps its rows, its columns in the format's
    order. `required`: the folder must have it; `keep_extra`: columns beyond the format are kept (otherwise
    ignored, with a warning). `part` is where it belongs: the budget side, the source records, tdy/, a world."""

    name: str
    table: str
    label: str
    part: str
    columns: tuple[Column, ...]
    required: bool = False
    keep_extra: bool = False
    section: str = ""
    note: str = ""
    key: str = ""  # docs/bundle.md's key column: which columns make a row unique ("" if none is said)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    @property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def optional_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.in_header)


@dataclass(frozen=True)
class Document:
    """A TOML file of keys (post.toml): each key as a column of the one record it holds."""

    name: str
    table: str
    label: str
    keys: tuple[Column, ...] = field(default=())
    note: str = ""

    def key(self, name: str) -> Column:
        return next(k for k in self.keys if k.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    @property
    def optional_keys(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if not k.in_header)


# Where a file belongs.
BUDGET_SIDE, SOURCE_RECORDS, TDY_FOLDER, WORLD_FOLDER = "budget", "records", "tdy", "world"


def _code(name: str, label: str, **more: Any) -> Column:
    return Column(name, Kind.CODE, label, **more)


def _cost_center(required: bool = True) -> Column:
    return Column("cost_center", Kind.CODE, "Cost center", required=required, suggested="cost_center", strict=False)


def _agency(label: str = "Agency", required: bool = True, note: str = "", section: str = "") -> Column:
    return Column("agency", Kind.CODE, label, required=required, suggested="agency", note=note, section=section)


def _compound() -> Column:
    """The compound a building is on (housing.csv, office_space.csv)."""
    return _code(
        "compound",
        "Compound",
        required=False,
        in_header=False,
        section="H-341.5-4(D) c",
        note="the compound the building is on: an agency's 5826 count there adds its residential and "
        "nonresidential square meters",
    )


def _yes_no(name: str, label: str, default: bool | None, **more: Any) -> Column:
    """A yes/no cell; an empty one reads as `default` (None: not said, for a fact a rule needs)."""
    return Column(name, Kind.YES_NO, label, required=False, default=default, **more)


def _date(name: str, label: str, required: bool = False, **more: Any) -> Column:
    return Column(name, Kind.DATE, label, required=required, **more)


def _count(name: str, label: str, required: bool = True, **more: Any) -> Column:
    return Column(name, Kind.COUNT, label, required=required, **more)


# The workbook's drop-down lists, in the order of its lists sheet (after the catalog's cost centers).
WORKBOOK_LISTS = (
    FUNDING,
    POSITION_CATEGORY,
    PERSON_CATEGORY,
    FACTOR,
    ROLE,
    TENURE,
    VISIT_CATEGORY,
    YES_NO,
    REGION,
    METHODOLOGY,
    GUARD_FORCE,
    TARGET_FUNDING,
    STAGE,
)

FUNDING_NOTE = "RB, OBO or LGP (H-420)"

# A grade's AmSal and PAT cost factors, in a bundle's cost_factors.csv and in a world's (the ISC's).
_FACTOR_COLUMNS = (
    _code("grade", "Grade"),
    Column("amsal", Kind.AMOUNT, "AmSal", section="H-423.1-1"),
    Column("pat", Kind.AMOUNT, "PAT", section="H-423.1-2"),
)

# A target's columns, in a bundle's targets.csv and (after its post) in a world's.
_TARGET_COLUMNS = (
    _count("fiscal_year", "Fiscal year", note="a year, e.g. 2027"),
    Column("funding", Kind.ONE_OF, "Funding", choices=TARGET_FUNDING, section="H-422", note="RB, OBO or LGP"),
    Column("kind", Kind.ONE_OF, "Kind", choices=STAGE, note="initial or final"),
    Column("amount", Kind.AMOUNT, "Target"),
)

# What some budget rules need to know of an agency (icass.checks.facts): name, label, section, what yes means.
AGENCY_FACTS = (
    ("under_com", "Under COM", "H-341 b", "yes when its people are under chief of mission authority"),
    ("physically_present", "Present at post", "H-341 b", "yes when it has people physically at post"),
    ("co_located", "Co-located", "H-341 b(1)", "yes when it sits in the embassy's buildings"),
    ("government_housing", "Government housing", "H-341 b(2)", "yes when its people live in government housing"),
    ("own_medical_program", "Own medical program", "H-341.3", "yes when it runs its own medical program"),
)

POST = Document(
    "post.toml",
    "posts",
    "The post",
    (
        Column("code", Kind.POST_CODE, "Post", note="the post's code, e.g. KVR"),
        Column("name", Kind.TEXT, "Name"),
        Column("country", Kind.TEXT, "Country"),
        Column("region", Kind.ONE_OF, "Region", choices=REGION, note="AF, EAP, EUR, NEA, SCA or WHA"),
        Column("methodology", Kind.ONE_OF, "Methodology", choices=METHODOLOGY, note="standard (H-341) or lite (H-342)"),
        Column("fiscal_year", Kind.YEAR, "Fiscal year", note="a year, e.g. 2027"),
        _date(
            "count_date",
            "Count date",
            in_header=False,
            section="H-341.1-4 a",
            note="optional: the static count date; default May 1 of the fiscal year before (H-341.1-4 a)",
        ),
        Column(
            "stage",
            Kind.TEXT,
            "Stage",
            required=False,
            in_header=False,
            note="optional: final for the ISC-accepted final budget, which sets the next year's TDY rates",
        ),
        Column(
            "guard_force",
            Kind.ONE_OF,
            "Guard force",
            required=False,
            in_header=False,
            choices=GUARD_FORCE,
            section="H-341.5 g",
            note="optional: psa (guards on personal services agreements) or contract; some budget rules need it",
        ),
        _yes_no(
            "medevac_post",
            "MEDEVAC post",
            None,
            in_header=False,
            section="H-341.3-4 e",
            note="optional: yes for a designated regional MEDEVAC post; some budget rules need it",
        ),
        _yes_no(
            "furniture_pool",
            "Furniture pool",
            None,
            in_header=False,
            section="H-341.15-6",
            note="optional: yes when the post runs a furniture and appliance pool; some budget rules need it",
        ),
        _yes_no(
            "state_program_im",
            "State Program IM officer",
            None,
            in_header=False,
            section="H-341.4-3",
            note="optional: yes when a USDH IM officer of the State Program, not on the positions sheet, serves the "
            "post; some budget rules need it",
        ),
        _yes_no(
            "cell_phone_program",
            "Cell phone program",
            None,
            in_header=False,
            section="H-341.9-3(A)",
            note="optional: yes when ICASS manages the official cell phone program; some budget rules need it",
        ),
        _yes_no(
            "radio_repeater_site",
            "Radio repeater site",
            None,
            in_header=False,
            section="H-341.9-3(B)",
            note="optional: yes when ICASS leases a site for its radio network's repeaters; some budget rules need it",
        ),
        _yes_no(
            "new_facilities",
            "New facilities",
            None,
            in_header=False,
            section="H-341.12-1(D)",
            note="optional: yes when the post moves into new facilities in the next fiscal year; some budget rules "
            "need it",
        ),
    ),
    note="The post and the fiscal year: one key a row (column A), its value in column B.",
)

BUNDLE_FILES: tuple[File, ...] = (
    File(
        "agencies.csv",
        "agencies",
        "Agencies",
        BUDGET_SIDE,
        (
            _code("code", "Agency"),
            Column("name", Kind.TEXT, "Name"),
            _yes_no(
                "separate_network",
                "Separate network",
                False,
                in_header=False,
                section="H-341.4-4 a(2)",
                note="yes for an agency that keeps its own network (H-341.4-4 a(2))",
            ),
            *(
                _yes_no(name, label, None, in_header=False, section=section, note=f"optional: {note}")
                for name, label, section, note in AGENCY_FACTS
            ),
            _date(
                "arrives_on",
                "Arrives",
                in_header=False,
                section="H-341.5-3(D)",
                note="optional: the day an agency new at post arrives; arriving during the fiscal year, it gets a "
                "partial-year invoice (docs/distribution.md)",
            ),
            _date(
                "leaves_on",
                "Leaves",
                in_header=False,
                section="H-016.5",
                note="optional: the last day an agency leaving post is served, once its notice has run out; leaving "
                "during the fiscal year, it gets a partial-year invoice (docs/distribution.md)",
            ),
        ),
        required=True,
        keep_extra=True,
        key="code",
        note="The agencies at post, including the special codes that receive routed workload: 1900.0 State, "
        "1901.0 ICASS, 1931.0 MSG, 1942.0, 9913.0 MEDEVAC. Columns beyond these are kept.",
    ),
    File(
        "cost_factors.csv",
        "cost_factors",
        "AmSal and PAT cost factors by grade",
        BUDGET_SIDE,
        _FACTOR_COLUMNS,
        required=True,
        key="grade",
        section="H-423.1",
        note="The annual AmSal and PAT cost factor of each USDH grade (H-423.1-1, H-423.1-2).",
    ),
    File(
        "positions.csv",
        "positions",
        "ICASS positions",
        BUDGET_SIDE,
        (
            _code("position_id", "Position"),
            Column(
                "category",
                Kind.ONE_OF,
                "Category",
                choices=POSITION_CATEGORY,
                note="USDH, LE, or EFM (an eligible family member's position, H-422.3(1) NOTE)",
            ),
            _code("grade", "Grade"),
            Column("title", Kind.TEXT, "Title", required=False),
            _yes_no(
                "dual_function",
                "Dual function",
                False,
                in_header=False,
                section="H-341.14-1 b",
                note="yes for a position that serves ICASS and a program (H-341.14-1 b)",
            ),
            _date(
                "dual_approved_on",
                "Dual function approved",
                in_header=False,
                section="H-341.14-1 b",
                note="when a dual-function LE position was approved (H-341.14-1 b)",
            ),
            _date(
                "ds_approved_on",
                "DS approved",
                in_header=False,
                section="H-341.5-1(C)",
                note="DS's prior approval of a local guard coordinator or clerk position (H-341.5-1(C) NOTE 1)",
            ),
            _date(
                "council_approved_on",
                "Council approved",
                in_header=False,
                section="H-341.5-1(C)",
                note="the ICASS Council's approval of such a position (H-341.5-1(C) NOTE 1)",
            ),
        ),
        required=True,
        key="position_id",
        note="The ICASS positions. A USDH grade must be on the cost_factors sheet; LE grades are free text.",
    ),
    File(
        "position_costs.csv",
        "position_costs",
        "Position costs",
        BUDGET_SIDE,
        (
            _code("position_id", "Position"),
            Column("funding", Kind.ONE_OF, "Funding", choices=FUNDING, section="H-420", note=FUNDING_NOTE),
            _code("soc", "SOC"),
            Column("amount", Kind.AMOUNT, "Amount"),
        ),
        required=True,
        section="H-423.1",
        note="The rest of each position's cost pool (salary, allowances, housing...), apportioned over "
        "its time allocation. AMSAL and PAT lines come from the grade automatically: never type them (H-423.1).",
    ),
    File(
        "time_allocation.csv",
        "time_allocation",
        "Time allocation",
        BUDGET_SIDE,
        (_code("position_id", "Position"), _cost_center(), _count("percent", "Percent", section="H-341.14-1")),
        required=True,
        key="position_id,cost_center",
        section="H-341.14-1",
        note="Each position's percents per cost center: they sum to exactly 100, and never 100 on 0000 (H-341.14-1).",
    ),
    File(
        "budget.csv",
        "budget_lines",
        "Budget lines",
        BUDGET_SIDE,
        (
            _cost_center(),
            Column("funding", Kind.ONE_OF, "Funding", choices=FUNDING, section="H-420", note=FUNDING_NOTE),
            _code("soc", "SOC"),
            Column("amount", Kind.AMOUNT, "Amount"),
            Column("description", Kind.TEXT, "Description", required=False, note="may be empty"),
            _yes_no(
                "lease",
                "Lease",
                False,
                in_header=False,
                section="H-363.1-3 a(4)",
                note="yes on a residential or nonresidential lease line (left out of TDY rates, H-363.1-3 a(4))",
            ),
            _yes_no(
                "central",
                "Central contract",
                False,
                in_header=False,
                section="H-423.2-1",
                note="yes on a centrally funded RB or DS contract, counted inside the target (H-423.2-1)",
            ),
            _code(
                "provider",
                "Provider",
                required=False,
                in_header=False,
                suggested="agency",
                section="H-421",
                note="the agency code of an alternate service provider whose line it is; empty: State's (H-421 NOTE)",
            ),
        ),
        required=True,
        section="H-420",
        note="The post's budget lines by cost center, funding source (H-420) and SOC. Two lines with the same "
        "cost center, funding and SOC are two lines.",
    ),
    File(
        "workload.csv",
        "workload",
        "Workload counts entered by hand",
        BUDGET_SIDE,
        (
            _cost_center(),
            _agency(),
            _count("count", "Count", section="H-341.1-4"),
            _count(
                "modification",
                "Modification",
                required=False,
                note="the budget committee's approved factor in (0, 1]; empty means 1",
            ),
            Column(
                "factor",
                Kind.CODE,
                "Factor",
                required=False,
                in_header=False,
                suggested="factor",
                section="H-341.1-4 NOTE 2",
                note="a people-based cost center's category (USDH, LE_STAFF, ...); empty for the others",
            ),
        ),
        required=True,
        key="cost_center,agency,factor",
        section="H-341.1-4 NOTE 2",
        note="Counts entered by hand: one agency's count of one distribution factor, fixed weights applied "
        "(H-341.1-4 NOTE 2). May stay empty where the source record sheets give the counts.",
    ),
    File(
        "modifications.csv",
        "modifications",
        "Modifications",
        BUDGET_SIDE,
        (
            _cost_center(),
            _agency(),
            Column(
                "factor",
                Kind.CODE,
                "Factor",
                required=False,
                suggested="factor",
                note="empty: every factor of the agency in that cost center",
            ),
            Column(
                "modification",
                Kind.COUNT_OR_LEVEL,
                "Modification",
                note="a number in (0, 1] or a level the catalog names (RECEIVING_AND_DELIVERY)",
            ),
            Column("justification", Kind.TEXT, "Justification", required=False),
            _date("bc_approved_on", "Budget committee approval", section="H-332.1"),
            _date(
                "med_approved_on",
                "Medical officer approval",
                section="H-341.3-4 b",
                note="required for 5624 (H-341.3-4 b)",
            ),
        ),
        section="H-341.3-4 b",
        note="Approved modifications of derived counts (H-341.3-4 b for 5624; floors such as H-341.11-2(D) b).",
    ),
    File(
        "acknowledgements.csv",
        "acknowledgements",
        "Acknowledged warnings",
        BUDGET_SIDE,
        (
            _code("rule", "Rule", note="the id of a budget rule whose severity is warning (icass rules)"),
            Column(
                "file",
                Kind.TEXT,
                "File",
                note="the file of the row the warning is on, e.g. budget.csv; for a count derived from the "
                "records, workload and its key, e.g. workload [6150/1900.0], with row 0",
            ),
            _count("row", "Row", note="the row the warning names; 0 for a warning on the file as a whole"),
            Column("reason", Kind.TEXT, "Reason"),
            Column("by", Kind.TEXT, "By", note="who acknowledged it"),
            _date("on", "On", required=True),
        ),
        key="rule,file,row",
        note="The FMO's reasons for leaving warnings of the budget rules as they are: an acknowledged warning "
        "is shown to the committee with its reason and no longer counted as open. Errors cannot be acknowledged.",
    ),
    File(
        "targets.csv",
        "targets",
        "Targets",
        BUDGET_SIDE,
        (*_TARGET_COLUMNS,),
        key="fiscal_year,funding,kind",
        section="H-422",
        note="Optional, for a bundle alone: the post's targets by funding source, as the ISC set them (H-422); in "
        "a world, world/targets.csv holds them.",
    ),
    File(
        "terminations.csv",
        "terminations",
        "Termination notices",
        BUDGET_SIDE,
        (
            _agency(note="the customer agency terminating the service"),
            _cost_center(),
            _date(
                "notice_on",
                "Notice given",
                required=True,
                section="H-341.12-4(D) c",
                note="the day the agency gave its notice (on or before April 1 or October 1)",
            ),
            _date(
                "ends_on",
                "Service ends",
                required=True,
                section="H-341.12-4(D) c",
                note="the April 1 or October 1 the service ends on, six months or more after the notice",
            ),
            _date(
                "reassigned_on",
                "Space reassigned",
                in_header=False,
                section="H-341.12-4(D) c",
                note="optional: the day another tenant was assigned the vacated space, when before the notice ran "
                "out; the vacating tenant bears its cost until then only",
            ),
        ),
        key="agency,cost_center",
        section="H-341.12-4(D) c",
        note="Optional: each customer agency's notice of terminating a service (H-016.5). Until the notice runs out "
        "the agency keeps its count in the cost center, and a vacating tenant its square meters of leased office "
        "space (H-341.12-4(D) c).",
    ),
    File(
        "people.csv",
        "people",
        "People",
        SOURCE_RECORDS,
        (
            _code("person_id", "Person"),
            _agency(required=False, note="empty for a family member (EFM, MOH)"),
            Column(
                "category",
                Kind.ONE_OF,
                "Category",
                choices=PERSON_CATEGORY,
                section="H-352",
                note="USDH, UNIFORMED, TCN, US_CONTRACTOR, INSTITUTIONAL_CONTRACTOR, OTHER, LE_STAFF, EFM or MOH",
            ),
            _code(
                "sponsor_id",
                "Sponsor",
                required=False,
                in_header=False,
                note="a family member's sponsor (a person_id)",
            ),
            Column("employed_by", Kind.CODE, "Employed by", required=False, in_header=False, suggested="agency"),
            Column(
                "role",
                Kind.ONE_OF,
                "Role",
                required=False,
                in_header=False,
                choices=ROLE,
                section="H-341.5",
                note="routes the person's workload to a special agency (H-341.5, H-341.12 d(1))",
            ),
            _date("start_date", "Start", required=True),
            _date("end_date", "End", in_header=False, note="empty: still at post"),
            _yes_no(
                "med_eligible", "Medical eligible", True, in_header=False, section="H-341.3", note="default yes (5624)"
            ),
            _yes_no(
                "sma",
                "SMA",
                False,
                in_header=False,
                note="default no; family members only (left out of 6443 and 5624)",
            ),
            _code(
                "home_post",
                "Home post",
                required=False,
                in_header=False,
                section="H-341.1-4 c",
                note="a regional employee's home post, when it is another post: counted in 6150 there only",
            ),
            _code(
                "position_id",
                "Position",
                required=False,
                in_header=False,
                section="H-341.15-2(D) NOTE 2",
                note="the position the person encumbers: of two incumbents overlapping three months or less, "
                "only the incoming one is counted",
            ),
        ),
        key="person_id",
        section="H-352",
        note="Source records: everyone at post, with family members on their sponsor's orders (H-352; role "
        "routing H-341.5). Present, it makes icass derive the people-based counts.",
    ),
    File(
        "subscriptions.csv",
        "subscriptions",
        "Subscriptions",
        SOURCE_RECORDS,
        (_cost_center(), _agency()),
        section="H-341 b",
        note="Source records: an agency's subscription to a non-mandatory cost center (H-341 b).",
    ),
    File(
        "it_inventory.csv",
        "it_inventory",
        "IT inventory",
        SOURCE_RECORDS,
        (_agency(), _count("devices", "Devices"), _count("opennet_accounts", "OpenNet accounts")),
        section="H-341.4-4 a",
        note="Source records: devices and OpenNet accounts per agency on the count date (H-341.4-4 a).",
    ),
    File(
        "procurement.csv",
        "procurement",
        "Procurement actions",
        SOURCE_RECORDS,
        (
            _code("action_id", "Action"),
            _date("date", "Date", required=True),
            _agency(),
            Column("amount", Kind.AMOUNT, "Amount"),
        ),
        section="H-341.7-3(D) c",
        note="Source records: one row per strip code of an executed procurement document (H-341.7-3(D) c).",
    ),
    File(
        "housing.csv",
        "housing",
        "Housing units",
        SOURCE_RECORDS,
        (
            _code("unit_id", "Unit"),
            _code("building_id", "Building"),
            Column("tenure", Kind.ONE_OF, "Tenure", choices=TENURE, note="GOCL or OL"),
            _agency(),
            _count("net_square_meters", "Net square meters"),
            _date("vacant_since", "Vacant since", note="empty if occupied"),
            _compound(),
            _yes_no(
                "official_residence",
                "Official residence",
                False,
                in_header=False,
                section="H-341.5-1(B) NOTE 6",
                note="default no; yes: the Chief of Mission's or the Principal Officer's residence, whose guards "
                "stay when it is vacant",
            ),
        ),
        section="H-341.12-1(D) c",
        note="Source records: residential units (H-341.12-1(D) c, H-341.12-3(D) c).",
    ),
    File(
        "office_space.csv",
        "office_space",
        "Office space",
        SOURCE_RECORDS,
        (
            _code("building_id", "Building"),
            Column("tenure", Kind.ONE_OF, "Tenure", choices=TENURE, note="GOCL or OL"),
            _agency(),
            _count("net_square_meters", "Net square meters"),
            _yes_no(
                "common",
                "Common area",
                False,
                in_header=False,
                section="H-341.12-2(D) e",
                note="default no; yes: a common area of the building (foyer, hallways, rest rooms, shared conference "
                "rooms, ...), which is not counted",
            ),
            _date(
                "vacant_since",
                "Vacant since",
                in_header=False,
                section="H-341.12-2(D) c",
                note="empty if occupied; vacant GO/CL space is 1900.0's, vacated OL space its tenant's for the six "
                "months of notice only (or until its notice in terminations.csv runs out)",
            ),
            _compound(),
        ),
        note="Source records: nonresidential footprint per agency (7820, 7860).",
    ),
    File(
        "guard_hours.csv",
        "guard_hours",
        "Guard hours",
        SOURCE_RECORDS,
        (_code("building_id", "Building"), _count("annual_hours", "Annual hours")),
        note="Source records: residential guard hours per building (5821, Schedule A).",
    ),
    File(
        "activity.csv",
        "activity",
        "Activity (transactions)",
        SOURCE_RECORDS,
        (
            _cost_center(),
            _agency(),
            _date("date", "Date", required=True),
            _count("quantity", "Quantity"),
            Column(
                "description",
                Kind.TEXT,
                "Description",
                required=False,
                in_header=False,
                note="what the transaction was, e.g. a CODEL's motor pool trip (some budget rules read it)",
            ),
        ),
        section="H-341.1-4 a",
        note="Source records: dated transactions of the cumulative cost centers (H-341.1-4 a).",
    ),
    File(
        "tdy/visits.csv",
        "tdy_visits",
        "TDY visits",
        TDY_FOLDER,
        (
            _code("visit_id", "Visit"),
            # A missing name holds the invoice back (H-363.1-6 a(2)); it is no format error.
            Column("traveler", Kind.TEXT, "Traveler", required=False, section="H-363.1-6 a(2)"),
            _agency("Sponsoring agency", section="H-363.1-5 a", note="the sponsoring agency (H-363.1-5 a)"),
            Column(
                "category",
                Kind.ONE_OF,
                "Category",
                choices=VISIT_CATEGORY,
                note="ROUTINE, CONTRACTOR, GAP_FILLER, ICASS_SUPPORT, POST_TO_POST, MINIMAL, OIG, VIP, SECSTATE or "
                "CABINET",
            ),
            _date("arrive", "Arrives"),
            _date("depart", "Departs"),
            _code("ecc", "eCC number", required=False, section="H-363.1-6 a(2)"),
            _date("approved_on", "Approved on"),
            _code("group_id", "Group", required=False, section="H-363.1-3 d"),
            _code("related_to", "Related to", required=False, section="H-363.1-3 d NOTE"),
        ),
        key="visit_id",
        section="H-363.1-6",
        note="TDY visits (docs/tdy.md): billed at the prior year's final rates (H-363.1-6, H-363.1-3 d).",
    ),
    File(
        "tdy/services.csv",
        "tdy_services",
        "TDY services",
        TDY_FOLDER,
        (
            _code("visit_id", "Visit"),
            _cost_center(),
            _count("quantity", "Quantity", required=False, note="for a transaction (cumulative) cost center"),
            _count("modification", "Modification", required=False, section="H-363.1-5 d"),
            Column("comment", Kind.TEXT, "Comment", required=False),
        ),
        key="visit_id,cost_center",
        section="H-363.1-5 d",
        note="TDY services a visit asked for beyond the four mandatory ones (H-363.1-5 d).",
    ),
)

WORLD_FILES: tuple[File, ...] = (
    File(
        "posts.csv",
        "world_post_profiles",
        "Posts of the world",
        WORLD_FOLDER,
        (
            Column("post", Kind.POST_CODE, "Post"),
            Column("mail", Kind.ONE_OF, "Mail", choices=MAIL, section="H-424 b(2)"),
            _yes_no("separation_pay", "Separation pay", False, section="H-424 b(9)"),
            _yes_no("psa_guards", "PSA guards", False, section="H-424 b(12)"),
            _yes_no("medevac", "MEDEVAC", False, section="H-424 b(16)"),
        ),
        required=True,
        key="post",
    ),
    File(
        "items.csv",
        "world_items",
        "Below-the-line items",
        WORLD_FOLDER,
        (
            Column("item", Kind.ONE_OF, "Item", choices=ITEM, section="H-424 b"),
            Column("amount", Kind.SIGNED_AMOUNT, "Amount"),
            Column("post", Kind.POST_CODE, "Post", required=False),
            _code("funding", "Funding", required=False),
            _agency(required=False),
            _cost_center(required=False),
            Column("note", Kind.TEXT, "Note", required=False),
        ),
        section="H-424 b",
    ),
    File(
        "dependents.csv",
        "world_dependents",
        "Overseas school dependents",
        WORLD_FOLDER,
        (_agency(), _count("dependents", "Dependents")),
        section="H-424 b(11)",
    ),
    File(
        "tokens.csv",
        "world_tokens",
        "FOB/RSA tokens",
        WORLD_FOLDER,
        (_agency(), _count("tokens", "Tokens")),
        section="H-424 b(8)",
    ),
    File(
        "gfs_workload.csv",
        "world_gfs_workload",
        "GFS workload",
        WORLD_FOLDER,
        (_cost_center(), _agency(), _count("count", "Count")),
        section="H-424 b(7) NOTE 2",
    ),
    File(
        "targets.csv",
        "world_targets",
        "Targets",
        WORLD_FOLDER,
        (
            Column("post", Kind.POST_CODE, "Post"),
            *_TARGET_COLUMNS,
        ),
        key="post,fiscal_year,funding,kind",
        section="H-422",
        note="Each post's targets by funding source, initial and final, as the ISC set them (H-422).",
    ),
    File(
        "cost_factors.csv",
        "world_cost_factors",
        "AmSal and PAT cost factors by grade",
        WORLD_FOLDER,
        _FACTOR_COLUMNS,
        key="grade",
        section="H-423.1",
        note="The ISC's AmSal factor of each grade and its one PAT factor for the fiscal year (H-423.1-1 b, "
        "H-423.1-2 b): the world's posts take their factors from it.",
    ),
)

# world.toml's [world] table (docs/world.md). Money is in dollars, a TOML string or number read as an exact decimal.
WORLD_SETTINGS = Document(
    "world.toml",
    "worlds",
    "The world's settings",
    (
        Column("fiscal_year", Kind.YEAR, "Fiscal year"),
        Column("stage", Kind.ONE_OF, "Stage", choices=STAGE, note="initial (informational) or final (payable)"),
        Column("amsal_target", Kind.AMOUNT, "AmSal target", section="H-424 b(1)"),
        Column("pat_target", Kind.AMOUNT, "PAT target", section="H-424 b(18)"),
        Column(
            "dpm_pouch_percent",
            Kind.PERCENT,
            "DPM pouch percent",
            section="H-424 b(4)",
            note="the pouch-only part of DPM costs (A/LM's split)",
        ),
        Column("fob_rsa_fee", Kind.AMOUNT, "FOB/RSA fee", in_header=False, section="H-424 b(8)", note="default 0"),
        _date("tdy_as_of", "TDY invoices as of", in_header=False, note="default: the day of the run"),
    ),
)

# Documents a post keeps whole, as written: its TDY policy is one text its FMO edits as a whole.
POLICY_FILE = "tdy/policy.toml"
# tdy/policy.toml's [policy] table (docs/tdy.md): its plain keys; [[policy.basket]] and [policy.direct_costs] are
# tables of their own, described there.
TDY_POLICY = Document(
    POLICY_FILE,
    "documents",
    "The TDY visitor policy",
    (
        Column("threshold", Kind.AMOUNT, "Threshold", section="H-363.1-3 c(1)", note="at least 500 dollars"),
        Column("invoices", Kind.YES_NO, "TDY invoices", section="H-363.1-3 b", note="no: direct costs only"),
        _date(
            "council_approved_on",
            "Council approved",
            in_header=False,
            section="H-362 a",
            note="the ICASS Council's approval of the policy: no TDY invoice is approved without one in its year",
        ),
    ),
)
POLICY_NOTE = (
    "The TDY visitor policy, tdy/policy.toml, one line a row in column A from row 1 (H-363.1-3 c(1), "
    "H-363.1-5 e for Lite baskets)."
)

FILES: dict[str, File] = {f.name: f for f in BUNDLE_FILES}
WORLD_FILE_OF: dict[str, File] = {f.name: f for f in WORLD_FILES}
REQUIRED_FILES: tuple[str, ...] = tuple(f.name for f in BUNDLE_FILES if f.required)
RECORD_FILES: tuple[str, ...] = tuple(f.name for f in BUNDLE_FILES if f.part == SOURCE_RECORDS)


SHARED_NAMES = ("cost_factors.csv", "targets.csv")  # a bundle's file and a world's, of one name


@cache
def every_file() -> dict[str, File]:
    """Every CSV file of a bundle and of a world, by name."""
    # targets.csv and cost_factors.csv are both a bundle's and a world's: this gives the bundle's, and a world's
    # is read by its own declaration (WORLD_FILE_OF, icass.bundle.world).
    found = {**WORLD_FILE_OF, **FILES}
    assert len(found) == len(FILES) + len(WORLD_FILE_OF) - len(SHARED_NAMES)
    return found


# ---- docs/bundle.md's tables -------------------------------------------------------------------------------

_HOLDS = {
    Kind.AMOUNT: "an amount in dollars",
    Kind.SIGNED_AMOUNT: "an amount in dollars, may be negative",
    Kind.COUNT: "a number",
    Kind.COUNT_OR_LEVEL: "a number or a level's name",
    Kind.CODE: "a code",
    Kind.POST_CODE: "a post's code",
    Kind.DATE: "a date YYYY-MM-DD",
    Kind.YES_NO: "yes or no",
    Kind.TEXT: "text",
    Kind.YEAR: "a fiscal year such as 2027",
    Kind.PERCENT: "a number from 0 to 100",
}
DOCS_START = "<!-- The tables below are made from src/icass/bundle/format.py (markdown_tables); do not edit them. -->"
DOCS_END = "<!-- End of the tables made from the format. -->"


def _holds(column: Column) -> str:
    if column.choices is not None:
        return "one of " + ", ".join(f"`{v}`" for v in column.choices.values())
    return _HOLDS[column.kind]


def _empty(column: Column) -> str:
    if column.kind == Kind.YES_NO:
        return f"means {'yes' if column.default else 'no'}"
    return "allowed" if not column.required else "an error"


def key_table(document: Document) -> str:
    """A TOML document's keys as a Markdown table."""
    lines = [
        f"### `{document.name}`: {document.label}",
        "",
        "| key | label | holds | may be left out | section |",
        "|---|---|---|---|---|",
    ]
    for k in document.keys:
        left_out = "no" if k.in_header else "yes"
        lines.append(f"| `{k.name}` | {k.label} | {_holds(k)} | {left_out} | {k.section} |")
    return "\n".join(lines)


def column_table(file: File) -> str:
    """One file's columns as a Markdown table."""
    lines = [f"### `{file.name}`: {file.label}" + (f" ({file.section})" if file.section else ""), ""]
    if file.key:
        lines += ["Key: " + ", ".join(f"`{k}`" for k in file.key.split(",")) + " (no two rows share it).", ""]
    lines += [
        "| column | label | holds | empty cell | in the header | section |",
        "|---|---|---|---|---|---|",
    ]
    for c in file.columns:
        header = "required" if c.in_header else "may be left out"
        lines.append(f"| `{c.name}` | {c.label} | {_holds(c)} | {_empty(c)} | {header} | {c.section} |")
    return "\n".join(lines)


def markdown_tables() -> str:
    """Every file's table, between the markers docs/bundle.md holds them in."""
    tables = [
        key_table(POST),
        *(column_table(file) for file in BUNDLE_FILES),
        key_table(TDY_POLICY),
        key_table(WORLD_SETTINGS),
        *(column_table(file) for file in WORLD_FILES),
    ]
    return "\n\n".join([DOCS_START, *tables, DOCS_END])
