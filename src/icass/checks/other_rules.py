"""The handbook's budget rules on positions outside ICASS, costs ICASS excludes or misplaces, and TDY (group h),
each a check (icass.catalog.budget_rules holds its section, severity and advice).

The bundle marks no position as outside ICASS and no budget line as a cost funded elsewhere: every check here
guesses from a position's title or a line's description, so each is a warning (the FMO acknowledges the ones
read wrongly). The keyword lists are data below, one tuple for each, with the section it reads.

R123 reads the USDH positions with time on Information Management Technical Support Services (5458) as the
post's IM officers: one with time on 0000 is the State Program's, its cost shared through the non-ICASS dual
feature (H-341.4-3 NOTE 1); post.toml's `state_program_im` says whether another, outside the positions, serves
the post. R139 reads the approvals from positions.csv's `ds_approved_on` and `council_approved_on`.

Not checked: R124's regional medical staff (which post is a regional employee's home is not in the bundle; its
RIMC staff are checked); R137 is judged with the warehouse lines in icass.checks.sub_cost_centers; R138 (no
record says a residence is vacant). The TDY rules R66, R140, R141 and R142 are judged on the tdy/ folder
(icass.checks.tdy_rules).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from icass.checks.broken import broken
from icass.checks.context import Check, Context, per_columns, per_table, rows_by
from icass.checks.time_rules import LOCAL_GUARD_COORDINATOR_TITLES
from icass.diagnostics import Diagnostic
from icass.model import LOCAL_GUARD_PROGRAM, NON_ICASS, PostBundle
from icass.model.columnar import column, source_of
from icass.model.records import PositionCategory

# H-341.12 d(1), H-342.12 d(1): OBO pays its facility managers, outside ICASS.
FACILITY_MANAGER_TITLES = ("facility manager", "facilities manager", "facility management officer")
# H-341.5 b, H-341.6-2 NOTE 1: the USDH staff of the regional security office.
REGIONAL_SECURITY_OFFICE_TITLES = ("regional security officer", "rso", "arso", "regional security office")
# H-341.5 f NOTES 4-5: LE security coordinators and regional security technicians (FE/BR too) are DS's; the
# residential security coordinators and technicians (RSC, RSET) are ICASS's, so a title naming them is not.
DS_PROGRAM_SECURITY_TITLES = ("le security coordinator", "regional security technician", "fe/br", "forced entry")
RESIDENTIAL_SECURITY_TITLES = ("residential security",)
# H-341.4-2 NOTE 2: the Regional Information Management Centers' staff are not ICASS funded.
REGIONAL_IM_CENTER_TITLES = ("rimc", "regional information management center")
# H-341.12-1(C) b, H-342.12-1(C) b: staff assigned to one residence (the COM residence's gardener) are State's.
DEDICATED_RESIDENCE_TITLES = (
    "cmr",
    "com residence",
    "chief of mission residence",
    "ambassador's residence",
    "dcm residence",
    "principal officer's residence",
)
# H-341.12-1(B) NOTE 2, H-341.12-3(B) NOTE 2: grounds care of the residences their agencies fund.
GROUNDS_CARE_DESCRIPTIONS = ("grounds", "gardening", "gardener", "landscaping")
DEDICATED_RESIDENCE_DESCRIPTIONS = (
    "chief of mission residence",
    "cmr",
    "dcm residence",
    "deputy chief of mission residence",
    "principal officer's residence",
    "principal officer residence",
    "por",
    "msgq",
    "marine house",
    "marine security guard quarters",
)
RESIDENTIAL_BUILDING_OPERATIONS = frozenset({"7810", "7850"})
# H-341.2-2 NOTE; H-341.3-2 NOTES 1, 3, 4, 7, 8: what FLO, MED and DS/PSP/WMD fund centrally.
CENTRALLY_FUNDED_CARE_DESCRIPTIONS = (
    "flo training",
    "emergency kit",
    "emergency medical kit",
    "pandemic",
    "antidote",
    "regional medical travel",
    "continuing medical education",
    "medevac travel",
    "medical evacuation travel",
    "escape mask",
)
# H-341.4-2 NOTES 3-4; H-341.9-3(B) NOTE 1: what Washington, IRM and OBO fund for information management.
# A bare "GITM" is no sign: a post budgets what GITM does not cover.
CENTRALLY_FUNDED_IM_DESCRIPTIONS = (
    "gitm replacement",
    "gitm refresh",
    "replacement of core network",
    "pbx replacement",
    "replacement of the pbx",
    "pbx upgrade",
    "telephone system replacement",
    "im regional travel",
)
# H-341.5 j, m; H-341.15-1(D) NOTE 4; H-341.15-2(B) NOTE 2: what DS and OBO fund outside the post's target.
CENTRALLY_FUNDED_SECURITY_DESCRIPTIONS = (
    "personal protective equipment",
    "ppe",
    "construction site guard",
    "construction-site guard",
    "marine corps ball",
    "marine ball",
    "cams",
)
# H-341.7-5(B) NOTE; H-341.4-1 NOTE 2; H-341.7-7(B) NOTE 1; H-341.7-9(B) NOTE; H-341.7-6(B) NOTE; H-341.1-2 NOTE 1:
# what each cost center direct-charges to the agency served instead of budgeting it.
DIRECT_CHARGED_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "6136": ("clearance fee", "clearance fees", "shipping cost", "shipping costs"),
    "5458": ("mobile device", "mobile devices", "opennet connection"),
    "6195": ("mobile device", "mobile devices"),
    "6143": ("non-expendable", "nonexpendable"),
    "6192": ("special pouch",),
    "6462": ("transaction fee", "transaction fees"),
    "6139": ("per diem",),
    "6150": ("vip overtime", "vip support overtime", "vip lodging"),
    "6132": ("accident repair", "accident repairs", "major repair", "major repairs"),
}
# H-341.12-1(B) NOTE 4, H-341.12-3(B) NOTE 3, H-341.8-2 NOTE 2: welcome kits and the pool's repairs go on the main
# 6144; H-341.7-7(B) NOTE 2: so do the pool's moving contracts, not the warehouse's 6143.
FURNITURE_POOL = "6144"
WELCOME_KIT_DESCRIPTIONS = ("welcome kit", "welcome kits")
FURNITURE_POOL_DESCRIPTIONS = ("fap", "furniture and appliance pool", "furniture pool")
FURNITURE_POOL_WORK_DESCRIPTIONS = ("repair", "repairs", "refurbish", "refurbishing", "moving", "move", "moves")
# H-341.7-6(B)(8), H-342.7-2 NOTE 2: DS funds its armored vehicles, never the motor pool.
MOTOR_POOLS = frozenset({"6139", "6145"})
ARMORED_VEHICLE_DESCRIPTIONS = ("armored", "armoured")
# H-341.9-3(B) NOTE 8, H-342.9-2 NOTE 7, H-341.13-2(14): the ICASS sections' own calls and mobile devices are
# budgeted on 8790, not on the telephone cost centers that serve the customers.
TELEPHONES = frozenset({"6195", "6196"})
PHONE_CHARGE_DESCRIPTIONS = (
    "call",
    "calls",
    "long-distance",
    "long distance",
    "mobile",
    "cell phone",
    "cell phones",
    "phone charges",
    "telephone charges",
)
ICASS_STAFF_DESCRIPTIONS = ("icass section", "icass sections", "icass staff", "icass usdh", "icass employees")
# H-341.13-2 and NOTES 1-3: the ICASS staff's training, travel and awards are budgeted on 8790.
MISCELLANEOUS = "8790"
MISCELLANEOUS_COST_DESCRIPTIONS = (
    "training",
    "workshop",
    "workshops",
    "conference",
    "conferences",
    "travel",
    "award",
    "awards",
    "vacancy advertising",
)
# H-341.5-1(B) NOTE 5, -2(B) NOTE 6, -3(B) NOTE 5, -4(B) NOTE 6: a guard contract is budgeted in its contract's
# parts; a cost center whose one contract line names none of them holds it as a lump sum.
GUARD_CONTRACT_COST_CENTERS = LOCAL_GUARD_PROGRAM
CONTRACT_DESCRIPTIONS = ("contract",)
CONTRACT_PART_DESCRIPTIONS = (
    "standard services",
    "a&e",
    "additional and emergency",
    "vat",
    "value added tax",
    "dba",
    "defense base act",
    "wcf",
)
# H-341.1-2 NOTES 2, 4: no vehicle costs on the Basic Package, and VAT goes where its cost is.
BASIC_PACKAGE = "6150"
BASIC_PACKAGE_MISPLACED_DESCRIPTIONS = ("vehicle", "fuel", "gasoline", "diesel", "vat", "value added tax")


# H-341.4-3: the IM officers are the USDH staff of Information Management Technical Support Services.
INFORMATION_MANAGEMENT = "5458"


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.IGNORECASE)


_FACILITY_MANAGER, _REGIONAL_SECURITY_OFFICE = _words(FACILITY_MANAGER_TITLES), _words(REGIONAL_SECURITY_OFFICE_TITLES)
_DS_PROGRAM_SECURITY, _RESIDENTIAL_SECURITY = _words(DS_PROGRAM_SECURITY_TITLES), _words(RESIDENTIAL_SECURITY_TITLES)
_REGIONAL_IM_CENTER = _words(REGIONAL_IM_CENTER_TITLES)
_GROUNDS_CARE, _DEDICATED_RESIDENCE = _words(GROUNDS_CARE_DESCRIPTIONS), _words(DEDICATED_RESIDENCE_DESCRIPTIONS)
_CARE, _IM = _words(CENTRALLY_FUNDED_CARE_DESCRIPTIONS), _words(CENTRALLY_FUNDED_IM_DESCRIPTIONS)
_SECURITY = _words(CENTRALLY_FUNDED_SECURITY_DESCRIPTIONS)
_BASIC_PACKAGE_MISPLACED = _words(BASIC_PACKAGE_MISPLACED_DESCRIPTIONS)
_PHONE_CHARGE, _ICASS_STAFF = _words(PHONE_CHARGE_DESCRIPTIONS), _words(ICASS_STAFF_DESCRIPTIONS)
_MISCELLANEOUS_COST = _words(MISCELLANEOUS_COST_DESCRIPTIONS)
_CONTRACT, _CONTRACT_PART = _words(CONTRACT_DESCRIPTIONS), _words(CONTRACT_PART_DESCRIPTIONS)
_DEDICATED_RESIDENCE_STAFF = _words(DEDICATED_RESIDENCE_TITLES)
_DIRECT_CHARGED = {code: _words(words) for code, words in DIRECT_CHARGED_DESCRIPTIONS.items()}
_WELCOME_KIT, _FURNITURE_POOL = _words(WELCOME_KIT_DESCRIPTIONS), _words(FURNITURE_POOL_DESCRIPTIONS)
_FURNITURE_POOL_WORK, _ARMORED = _words(FURNITURE_POOL_WORK_DESCRIPTIONS), _words(ARMORED_VEHICLE_DESCRIPTIONS)
_LOCAL_GUARD_COORDINATOR = _words(LOCAL_GUARD_COORDINATOR_TITLES)


def _positions_titled(
    bundle: PostBundle, rule: str, titled: Callable[[str], bool], category: PositionCategory | None = None
) -> list[Diagnostic]:
    """Each position (of `category`, if given) whose title `titled` says yes to."""
    positions = bundle.positions
    lines = zip(*(column(positions, name) for name in ("position_id", "category", "title")), strict=True)
    said = functools.cache(titled)  # a post's titles repeat (every guard, every driver)
    return [
        broken(rule, source_of(positions, k), f"position {position_id} is titled {title!r}", "title")
        for k, (position_id, of, title) in enumerate(lines)
        if (category is None or of == category) and said(title)
    ]


def _lines_described(
    bundle: PostBundle, rule: str, described: Callable[[str, str], bool], what: str
) -> list[Diagnostic]:
    """Each budget line whose cost center and description `described` says yes to, read as `what`."""
    budget = bundle.budget
    rows = sorted(
        k for (code, description), at in _described(budget).items() if described(code, description) for k in at
    )
    codes = column(budget, "cost_center")
    return [broken(rule, source_of(budget, k), f"the line of {codes[k]} reads as {what}", "description") for k in rows]


@per_table
def _described(budget: Sequence[Any]) -> dict[tuple[str, str], list[int]]:
    """The budget's lines by cost center and description: a post repeats its descriptions line after line (every
    month's utilities, every residence's lease), so each is judged once."""
    found: dict[tuple[str, str], list[int]] = {}
    for k, pair in enumerate(zip(column(budget, "cost_center"), column(budget, "description"), strict=True)):
        found.setdefault(pair, []).append(k)
    return found


def _says(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.search(text) is not None


def facility_managers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R120: OBO pays a USDH facility manager, who is no ICASS position."""
    return _positions_titled(bundle, "R120", _says(_FACILITY_MANAGER), PositionCategory.USDH)


def regional_security_office(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R121: the regional security office's USDH staff are not budgeted in ICASS."""
    return _positions_titled(bundle, "R121", _says(_REGIONAL_SECURITY_OFFICE), PositionCategory.USDH)


def ds_program_security(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R122: DS funds LE security coordinators and regional security technicians."""

    def titled(title: str) -> bool:
        return _DS_PROGRAM_SECURITY.search(title) is not None and _RESIDENTIAL_SECURITY.search(title) is None

    return _positions_titled(bundle, "R122", titled)


def regional_im_centers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R124: a Regional Information Management Center's staff are not ICASS funded."""
    return _positions_titled(bundle, "R124", _says(_REGIONAL_IM_CENTER))


def dedicated_residence_staff(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R125: staff assigned to one residence are a State program cost."""
    return _positions_titled(bundle, "R125", _says(_DEDICATED_RESIDENCE_STAFF))


def dedicated_grounds_care(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R126: full grounds care of the chief of mission's, DCM's and principal officer's residences and the
    Marine house is funded outside ICASS."""

    def described(code: str, description: str) -> bool:
        return (
            code in RESIDENTIAL_BUILDING_OPERATIONS
            and _GROUNDS_CARE.search(description) is not None
            and _DEDICATED_RESIDENCE.search(description) is not None
        )

    return _lines_described(bundle, "R126", described, "grounds care of a dedicated residence")


def centrally_funded_care(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R127: FLO's and MED's centrally funded costs, and medevac travel, are not in the post budget."""
    return _lines_described(bundle, "R127", lambda code, text: _CARE.search(text) is not None, "a FLO or MED cost")


def centrally_funded_information_management(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R128: the IT replacement cycle, IM regional travel and a central telephone system's replacement are not in
    the post budget."""
    return _lines_described(
        bundle, "R128", lambda code, text: _IM.search(text) is not None, "a centrally funded IM cost"
    )


def centrally_funded_security(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R129: DS and OBO fund the guards' protective equipment, construction-site and Marine ball guards, and
    CAMS, outside the post's target."""
    return _lines_described(
        bundle, "R129", lambda code, text: _SECURITY.search(text) is not None, "a centrally funded security cost"
    )


def direct_charged(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R130: what a cost center direct-charges to the agency it serves is not budgeted."""

    def described(code: str, description: str) -> bool:
        pattern = _DIRECT_CHARGED.get(code)
        return pattern is not None and pattern.search(description) is not None

    return _lines_described(bundle, "R130", described, "a cost direct-charged to the agency served")


def icass_section_phones(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R132: the ICASS sections' own phone charges are on 8790, not on the telephone cost centers."""

    def described(code: str, description: str) -> bool:
        return (
            code.split("-", 1)[0] in TELEPHONES
            and _PHONE_CHARGE.search(description) is not None
            and _ICASS_STAFF.search(description) is not None
        )

    return _lines_described(bundle, "R132", described, "phone charges of the ICASS sections")


def icass_staff_costs(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R133: the ICASS staff's training, travel and awards are on 8790."""

    def described(code: str, description: str) -> bool:
        return (
            code != MISCELLANEOUS
            and _MISCELLANEOUS_COST.search(description) is not None
            and _ICASS_STAFF.search(description) is not None
        )

    return _lines_described(bundle, "R133", described, "training, travel or awards of the ICASS staff")


def guard_contract_parts(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R136: a guard contract is budgeted in its parts, not as one line."""
    return list(_guard_contracts_in_one_line(bundle.budget))


@per_columns("cost_center", "description")  # an amount changed leaves the lines' words as they were
def _guard_contracts_in_one_line(budget: Sequence[Any]) -> list[Diagnostic]:
    contracts: dict[str, list[int]] = {}
    parted: set[str] = set()
    for k, (code, description) in enumerate(
        zip(column(budget, "cost_center"), column(budget, "description"), strict=True)
    ):
        if code not in GUARD_CONTRACT_COST_CENTERS:
            continue
        if _CONTRACT_PART.search(description) is not None:
            parted.add(code)
        elif _CONTRACT.search(description) is not None:
            contracts.setdefault(code, []).append(k)
    return [
        broken("R136", source_of(budget, lines[0]), f"the guard contract of {code} is one line", "description")
        for code, lines in contracts.items()
        if len(lines) == 1 and code not in parted
    ]


def furniture_pool_costs(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R134: welcome kits and the furniture pool's repairs and moves are budgeted on the main 6144."""

    def described(code: str, description: str) -> bool:
        if code == FURNITURE_POOL:
            return False
        return _WELCOME_KIT.search(description) is not None or (
            _FURNITURE_POOL.search(description) is not None and _FURNITURE_POOL_WORK.search(description) is not None
        )

    return _lines_described(bundle, "R134", described, "a welcome kit or work of the furniture pool")


def armored_vehicles(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R135: the motor pool budgets no armored vehicle, which DS funds."""
    return _lines_described(
        bundle,
        "R135",
        lambda code, text: code in MOTOR_POOLS and _ARMORED.search(text) is not None,
        "an armored vehicle",
    )


def basic_package_misplaced(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R131: the Basic Package budgets no vehicle costs, and no VAT of its own."""
    return _lines_described(
        bundle,
        "R131",
        lambda code, text: code == BASIC_PACKAGE and _BASIC_PACKAGE_MISPLACED.search(text) is not None,
        "a vehicle, fuel or VAT cost",
    )


def information_management_officers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R123: a sole USDH IM officer is the State Program's (shared with ICASS, if at all, through 0000); of two,
    exactly one is ICASS's. More than two are the post's mix to settle, not judged."""
    allocation = bundle.time_allocation
    ids = column(allocation, "position_id")
    by_code = rows_by(allocation, "cost_center")
    on_im = {ids[k] for k in by_code.get(INFORMATION_MANAGEMENT, ())}
    shared = {ids[k] for k in by_code.get(NON_ICASS, ())}
    positions = bundle.positions
    officers = [
        (k, position_id)
        for k, (position_id, category) in enumerate(
            zip(column(positions, "position_id"), column(positions, "category"), strict=True)
        )
        if category == PositionCategory.USDH and position_id in on_im
    ]
    icass = [(k, position_id) for k, position_id in officers if position_id not in shared]
    count = len(officers) + (1 if bundle.post.state_program_im else 0)
    if count == 1 and icass:
        k, position_id = icass[0]
        found = f"position {position_id} is the post's sole USDH IM officer and has no time on {NON_ICASS}"
        return [broken("R123", source_of(positions, k), found, "title")]
    if count == 2 and len(icass) != 1:
        if icass:
            k, position_id = icass[-1]
            found = f"positions {' and '.join(p for _, p in icass)} are the post's two USDH IM officers, both ICASS"
            return [broken("R123", source_of(positions, k), found, "title")]
        k, position_id = officers[-1]
        found = f"the post's two USDH IM officers are both the State Program's, position {position_id} on {NON_ICASS}"
        return [broken("R123", source_of(positions, k), found, "title")]
    return []


def guard_coordinator_approvals(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R139: a local guard coordinator or clerk position needs DS's prior approval and the ICASS Council's."""
    positions = bundle.positions
    names = ("position_id", "title", "ds_approved_on", "council_approved_on")
    found: list[Diagnostic] = []
    for k, (position_id, title, ds, council) in enumerate(zip(*(column(positions, n) for n in names), strict=True)):
        if _LOCAL_GUARD_COORDINATOR.search(title) is None or (ds is not None and council is not None):
            continue
        missing = " and ".join(who for who, given in (("DS's", ds), ("the Council's", council)) if given is None)
        field = "ds_approved_on" if ds is None else "council_approved_on"
        found.append(
            broken("R139", source_of(positions, k), f"position {position_id} has no date of {missing} approval", field)
        )
    return found


_POSITIONS = frozenset({"positions"})
_BUDGET = frozenset({"budget"})

CHECKS: tuple[Check, ...] = (
    Check(facility_managers, reads=_POSITIONS, budget_rule="R120"),
    Check(regional_security_office, reads=_POSITIONS, budget_rule="R121"),
    Check(ds_program_security, reads=_POSITIONS, budget_rule="R122"),
    Check(regional_im_centers, reads=_POSITIONS, budget_rule="R124"),
    Check(dedicated_residence_staff, reads=_POSITIONS, budget_rule="R125"),
    Check(dedicated_grounds_care, reads=_BUDGET, budget_rule="R126", line_by_line=True),
    Check(centrally_funded_care, reads=_BUDGET, budget_rule="R127", line_by_line=True),
    Check(centrally_funded_information_management, reads=_BUDGET, budget_rule="R128", line_by_line=True),
    Check(centrally_funded_security, reads=_BUDGET, budget_rule="R129", line_by_line=True),
    Check(direct_charged, reads=_BUDGET, budget_rule="R130", line_by_line=True),
    Check(icass_section_phones, reads=_BUDGET, budget_rule="R132", line_by_line=True),
    Check(icass_staff_costs, reads=_BUDGET, budget_rule="R133", line_by_line=True),
    Check(furniture_pool_costs, reads=_BUDGET, budget_rule="R134", line_by_line=True),
    Check(armored_vehicles, reads=_BUDGET, budget_rule="R135", line_by_line=True),
    Check(guard_contract_parts, reads=_BUDGET, budget_rule="R136"),
    Check(basic_package_misplaced, reads=_BUDGET, budget_rule="R131", line_by_line=True),
    Check(
        information_management_officers,
        reads=frozenset({"post", "positions", "time_allocation"}),
        budget_rule="R123",
    ),
    Check(guard_coordinator_approvals, reads=_POSITIONS, budget_rule="R139"),
)
