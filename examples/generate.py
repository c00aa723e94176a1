"""Write the sample post bundles: examples/standard-post (a mid-size Standard embassy), examples/lite-post
(a smaller Lite post) and examples/consulate (a small Standard consulate general).

All three posts are fictional. The generator is deterministic (no randomness at all). It writes each post's
budget side (positions, cost pools, time allocation, budget lines) and its SOURCE RECORDS: the people at post,
subscriptions, the IT inventory, procurement actions, housing units, guard hours, office space and dated
transactions. The workload counts are not computed here: the product derives them from those records by the
handbook's counting rules (icass.workload), so that the counts of different cost centers agree by
construction. Only the cost centers that no counting rule covers (vehicles, furniture pool, leases,
telephones, nonresidential guard posts ...) get counts in workload.csv, and the budget committee's
modifications go in modifications.csv. After writing, the generator runs the product's own pipeline
(icass.runs.post.run_post) on each bundle and stops unless it distributes with no error and no warning.

Run: uv run python examples/generate.py [--out FOLDER]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from icass.model import FUNDING_SOURCES
from icass.runs.post import PostRun, Through, run_post
from icass.runs.tdy import run_tdy
from icass.runs.world import consolidate_world, run_world

HERE = Path(__file__).resolve().parent
FISCAL_YEAR = 2027
D = Decimal
ZERO = D(0)
CENT = D("0.01")

STATE, ICASS, MSG, DS, PD = "1900.0", "1901.0", "1931.0", "1942.0", "1967.0"
USAID, FCS, FAS, DAO, FBI, CDC, PC, MEDEVAC = (
    "7200.0",
    "1300.0",
    "1200.0",
    "9700.0",
    "1500.0",
    "7500.0",
    "1100.0",
    "9913.0",
)
STATE_FAMILY = (STATE, ICASS, PD)  # State elements: the usual subscribers of HR-U.S. citizen services
BC_APPROVED = "2026-06-18"  # the budget committee meeting that approved this year's modifications
MED_APPROVED = "2026-06-11"  # the post medical officer's concurrence (5624, H-341.3-4 b)
# Days in the cumulative window (May 1, 2025 - April 30, 2026) on which transactions are dated, and one
# day outside it whose rows must not count.
WINDOW_DAYS = ("2025-05-01", "2025-08-14", "2025-11-20", "2026-02-09", "2026-04-30")
OUTSIDE_WINDOW = "2025-04-28"
VACANT_OFFICE_SINCE = "2025-11-01"  # vacant on the count date


# --------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Agency:
    """One agency at post and the facts its workload counts are derived from."""

    code: str
    name: str
    usdh: int  # Basic Package heads: USDH, uniformed personnel, authorized TCNs/contractors (6150)
    efm: int  # eligible family members on assignment orders (5624, 6443)
    le: int  # LE staff of the agency (5880, 6143/6145, 6451/6445)
    own_network: bool = False  # keeps its own IT network: its OpenNet accounts weigh 0.3 in 5458
    devices: int = 0  # post-serviced devices (5458)
    accounts: int = 0  # post-issued OpenNet accounts (5458)
    bureau: str = ""  # extra column of agencies.csv
    own_medical_program: bool = False  # its own medical officer beside the health unit: 5624 at 0.3 (R60)


@dataclass(frozen=True)
class Position:
    position_id: str
    category: str  # USDH or LE
    grade: str
    title: str
    allocation: Mapping[str, int]  # cost center -> percent
    funding: str = "RB"  # funding of an LE position's salary and benefits (LGP for local guard program staff)
    housing: str = ""  # USDH: OL (operating lease, OBO-funded in the pool) or GO (government-owned)
    overtime: int = 0  # LE: annual overtime in dollars


# H-341.14-1 b: an LE dual-function position has the budget committee's concurrence; H-341.5-1(C) NOTE 1: a local
# guard coordinator or clerk position has DS's prior approval and the ICASS Council's.
DUAL_APPROVED_ON = "2025-11-18"
GUARD_COORDINATOR_APPROVED = ("2024-02-06", "2024-03-12")  # DS, then the Council


def position_facts(p: Position) -> list[str]:
    """positions.csv's facts of a position: dual_function, dual_approved_on, ds_approved_on, council_approved_on."""
    dual = "0000" in p.allocation
    approved = DUAL_APPROVED_ON if dual and p.category != "USDH" else ""
    coordinator = "guard coordinator" in p.title.lower() or "guard clerk" in p.title.lower()
    ds, council = GUARD_COORDINATOR_APPROVED if coordinator else ("", "")
    return ["yes" if dual else "no", approved, ds, council]


@dataclass(frozen=True)
class BudgetLine:
    cost_center: str
    funding: str
    soc: str
    amount: int
    description: str


@dataclass
class PostSpec:
    code: str
    name: str
    country: str
    region: str
    methodology: str
    agencies: list[Agency]
    positions: list[Position]
    budget: list[BudgetLine]
    workload: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # entered: no counting rule covers them
    modifications: list[list[str]] = field(default_factory=list)
    records: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))
    guard_force: str = "psa"  # post.toml's guard_force, which budget rules R09 and R44 need (H-341.5 g)
    furniture_pool: bool = True  # post.toml's furniture_pool, which budget rule R39 needs (H-341.15-6)
    # post.toml's cell_phone_program and radio_repeater_site, which budget rules R81 and R82 need (H-341.9-3)
    cell_phone_program: bool = False
    radio_repeater_site: bool = False
    new_facilities: bool = False  # post.toml's new_facilities, which budget rule R94 needs (H-341.12-1(D) NOTE 2)
    # terminations.csv: customer agencies' notices of terminating a service, which budget rule R65 judges (the
    # file is written for every post, with its header alone where no agency gave notice)
    terminations: list[list[str]] = field(default_factory=list)

    def count(self, cost_center: str, counts: Mapping[str, int | Decimal | str]) -> None:
        """Counts typed in workload.csv, for the cost centers that no counting rule covers; counts for the same
        agency add up."""
        table = self.workload.setdefault(cost_center, {})
        for agency, value in counts.items():
            amount = D(str(value))
            if amount > 0:
                table[agency] = table.get(agency, ZERO) + amount

    def modify(self, cost_center: str, why: str, modifications: Mapping[str, str]) -> None:
        """Budget committee modifications of all of an agency's factors in a cost center (modifications.csv)."""
        med = MED_APPROVED if cost_center == "5624" else ""
        for agency, value in modifications.items():
            self.modifications.append([cost_center, agency, "", value, why, BC_APPROVED, med])

    def subscribe(self, cost_center: str, agencies: Iterable[str]) -> None:
        self.records["subscriptions"] += [[cost_center, agency] for agency in agencies]

    def activity(self, cost_center: str, counts: Mapping[str, int]) -> None:
        """Dated transactions that add up, inside the window, to each agency's count; plus a row outside it."""
        for agency, total in counts.items():
            share, rest = divmod(total, len(WINDOW_DAYS))
            for i, day in enumerate(WINDOW_DAYS):
                quantity = share + (rest if i == 0 else 0)
                if quantity:
                    self.records["activity"].append([cost_center, agency, day, str(quantity), ""])
            late = [cost_center, agency, OUTSIDE_WINDOW, str(max(1, total // 10)), "logged before the count window"]
            self.records["activity"].append(late)


# ---------------------------------------------------------------------------------------- cost tables

# Annual AmSal (salary, benefits, post differential; SOC 0006) cost factor per grade, and PAT (SOC 0005), a single
# factor for every grade (H-423.1-2 b: "we use a single cost factor for PAT costs").
COST_FACTORS: dict[str, tuple[int, int]] = {
    "FE-MC": (249_800, 45_000),
    "FE-OC": (231_400, 45_000),
    "FS-01": (204_700, 45_000),
    "FS-02": (178_900, 45_000),
    "FS-03": (158_200, 45_000),
    "FS-04": (141_500, 45_000),
    "FS-05": (130_300, 45_000),
    "FS-06": (121_600, 45_000),
}

# RB allowances (COLA, danger pay, education) and R&R/EVT travel per USDH grade; residential utilities;
# OBO residential operating lease of an ICASS USDH housed in leased quarters (H-422.2 (1)).
USDH_ALLOWANCES = {"FE-OC": 46_800, "FS-01": 41_500, "FS-02": 37_200, "FS-03": 33_900, "FS-04": 29_700}
USDH_ALLOWANCES |= {"FS-05": 26_400, "FS-06": 23_800}
USDH_TRAVEL = {"FE-OC": 14_200, "FS-01": 13_600, "FS-02": 12_100, "FS-03": 11_400, "FS-04": 10_900}
USDH_TRAVEL |= {"FS-05": 9_800, "FS-06": 9_200}
USDH_UTILITIES = 8_400
USDH_LEASE = {"FE-OC": 62_400, "FS-01": 57_600, "FS-02": 52_800, "FS-03": 49_200, "FS-04": 45_600}
USDH_LEASE |= {"FS-05": 42_000, "FS-06": 40_800}

# LE staff annual basic salary per grade (local compensation plan); benefits are 28 percent of salary.
LE_SALARY = {
    "FSN-03": 9_480,
    "FSN-04": 11_620,
    "FSN-05": 14_150,
    "FSN-06": 17_230,
    "FSN-07": 21_060,
    "FSN-08": 25_740,
    "FSN-09": 31_450,
    "FSN-10": 38_420,
    "FSN-11": 46_900,
    "FP-06 (EFM)": 47_300,
    "FP-07 (EFM)": 42_100,
}
LE_BENEFITS = D("0.28")


def usdh(position_id: str, grade: str, title: str, allocation: Mapping[str, int], housing: str) -> Position:
    return Position(position_id, "USDH", grade, title, allocation, housing=housing)


def le(
    position_id: str,
    grade: str,
    title: str,
    allocation: Mapping[str, int],
    funding: str = "RB",
    overtime: int = 0,
) -> Position:
    return Position(position_id, "LE", grade, title, allocation, funding=funding, overtime=overtime)


def pool_lines(position: Position) -> list[tuple[str, str, int]]:
    """(funding, soc, dollars) of a position's pool other than AmSal and PAT, which come from its grade."""
    if position.category == "USDH":
        lines = [
            ("RB", "1200", USDH_ALLOWANCES[position.grade]),
            ("RB", "2100", USDH_TRAVEL[position.grade]),
            ("RB", "2340", USDH_UTILITIES),
        ]
        if position.housing == "OL":
            lines.append(("OBO", "2320", USDH_LEASE[position.grade]))
        return lines
    salary = LE_SALARY[position.grade]
    lines = [
        (position.funding, "1100", salary),
        (position.funding, "1200", int((D(salary) * LE_BENEFITS).to_integral_value())),
    ]
    if position.overtime:
        lines.append((position.funding, "1130", position.overtime))
    return lines


def pool_total(position: Position) -> int:
    total = sum(amount for _, _, amount in pool_lines(position))
    if position.category == "USDH":
        total += sum(COST_FACTORS[position.grade])
    return total


# ----------------------------------------------------------------------------------------- source records

# Who the people of each agency are: most Basic Package staff are USDH; these agencies' staff are otherwise.
BASIC_PACKAGE_MIX = {DAO: ("UNIFORMED",), USAID: ("USDH", "USDH", "US_CONTRACTOR", "USDH", "INSTITUTIONAL_CONTRACTOR")}
BASIC_PACKAGE_MIX |= {CDC: ("USDH", "TCN", "USDH"), PC: ("USDH", "OTHER")}
# Staff whose workload the handbook routes to a special code are recorded under the agency they work for,
# with their role (H-341.5 b, d; the role table in catalog/counting/rules.toml).
ROUTED = {DS: (STATE, "RSO"), MSG: (STATE, "MSG")}


def people(spec: PostSpec, guards: int, extra: Iterable[list[str]] = ()) -> None:
    """people.csv from each agency's facts: Basic Package staff, their family members (round robin over the
    staff), LE staff; `guards` LE local guards (PSA, routed to 1901.0); then `extra` rows as given."""
    rows = spec.records["people"]
    for agency in spec.agencies:
        employer, role = ROUTED.get(agency.code, (agency.code, ""))
        mix = BASIC_PACKAGE_MIX.get(agency.code, ("USDH",))
        category = "UNIFORMED" if role == "MSG" else ""
        staff = [f"{agency.code[:4]}-B{i + 1:02d}" for i in range(agency.usdh)]
        for i, person in enumerate(staff):
            start = f"{2023 + i % 3}-{1 + (i * 5) % 12:02d}-15"
            rows.append([person, employer, category or mix[i % len(mix)], "", "", role, start, "", "", ""])
        for j in range(agency.efm if staff else 0):
            sponsor = staff[j % len(staff)]
            rows.append([f"{agency.code[:4]}-F{j + 1:02d}", "", "EFM", sponsor, "", "", "2024-08-20", "", "", ""])
        for k in range(agency.le):
            le_role = "RSO" if agency.code == DS else ""  # RSO office LE staff count with the RSO (H-341.5 b)
            rows.append(
                [f"{agency.code[:4]}-L{k + 1:02d}", employer, "LE_STAFF", "", "", le_role, "2015-03-01", "", "", ""]
            )
    for g in range(guards):
        rows.append([f"LGP-G{g + 1:02d}", STATE, "LE_STAFF", "", "", "PSA_GUARD", "2018-06-01", "", "", ""])
    rows.extend(extra)


def it_inventory(spec: PostSpec) -> None:
    spec.records["it_inventory"] += [[a.code, str(a.devices), str(a.accounts)] for a in spec.agencies if a.devices]


def procurement(
    spec: PostSpec, actions: Mapping[str, int], shared: Iterable[tuple[str, str, Mapping[str, int]]]
) -> None:
    """procurement.csv: each agency's own actions (amounts cycling through the three tiers of H-341.7-3(D) c),
    the `shared` actions with one strip code per agency, and one action dated before the window."""
    amounts = (2_480, 8_900, 36_500, 4_120, 312_000, 9_750, 61_200)
    rows = spec.records["procurement"]
    for agency, n in actions.items():
        for i in range(n):
            day = WINDOW_DAYS[i % len(WINDOW_DAYS)]
            rows.append([f"PO-{agency[:4]}-{i + 1:03d}", day, agency, f"{amounts[i % len(amounts)]}.00"])
    for action, day, split in shared:
        rows += [[action, day, agency, f"{amount}.00"] for agency, amount in split.items()]
    rows.append(["PO-PRIOR-001", OUTSIDE_WINDOW, STATE, "18000.00"])


@dataclass(frozen=True)
class Housing:
    """The housing of one agency (square meters are net, per 15 FAM Exhibit 238(2)); its government-owned
    units and their square meters are listed building by building where the post calls housing_records."""

    go_units: int = 0
    ol_units: int = 0
    ol_m2: int = 0  # per leased unit
    lqa_leases: int = 0
    furnished: int = 0  # housing units furnished by the pool (6144)


def housing_records(
    spec: PostSpec,
    housing: Mapping[str, Housing],
    go_buildings: Iterable[tuple[str, int, Sequence[tuple[str, int]]]],
    vacant: Iterable[list[str]] = (),
) -> None:
    """housing.csv and guard_hours.csv. `go_buildings`: (building, guard posts around the clock, {agency: net
    m2 of each unit}) for the government-owned buildings, whose units the Housing facts count; every leased
    unit is a house of its own with one guard post; `vacant` rows are added as given (with their buildings
    guarded one post)."""
    units = spec.records["housing"]
    hours = spec.records["guard_hours"]
    for building, posts, tenants in go_buildings:
        for n, (agency, m2) in enumerate(tenants):
            units.append([f"{building}-{n + 1}", building, "GOCL", agency, str(m2), ""])
        hours.append([building, str(posts * HOURS_24_7)])
    for code, h in housing.items():
        for i in range(h.ol_units):
            house = f"H-{code[:4]}-{i + 1:02d}"
            units.append([house, house, "OL", code, str(h.ol_m2), ""])
            hours.append([house, str(HOURS_24_7)])
    for row in vacant:
        units.append(row)
        if row[1] not in {h[0] for h in hours}:
            hours.append([row[1], str(HOURS_24_7)])


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def present(agency: Agency) -> bool:
    """People at post, under chief-of-mission authority (H-341 b, rules R55, R58): 9913.0 is the regional MEDEVAC
    program's code, with nobody."""
    return agency.usdh + agency.efm + agency.le > 0


def office_space(spec: PostSpec, tenure: str, building: str, space: Mapping[str, int]) -> None:
    """Each agency's office space in a building, the building its own compound (no residences on it)."""
    spec.records["office_space"] += [
        [building, tenure, agency, str(m2), "", "", building] for agency, m2 in space.items()
    ]


def vacant_office_space(spec: PostSpec, building: str, m2: int) -> None:
    """Unassigned GO/CL office space, counted for 1900.0 as Single Real Property Manager (H-341.12-2(D) c)."""
    spec.records["office_space"].append([building, "GOCL", STATE, str(m2), "", VACANT_OFFICE_SINCE, building])


# ------------------------------------------------------------------------------------ Standard post

STANDARD_AGENCIES = [
    Agency(STATE, "Department of State - Diplomatic Programs", 36, 20, 14, False, 210, 94, "State"),
    Agency(ICASS, "ICASS Service Provider (State Management Section)", 0, 7, 0, False, 118, 46, "State"),
    Agency(MSG, "State - Marine Security Guard Support", 9, 0, 0, False, 6, 2, "State"),
    Agency(DS, "State - Diplomatic Security (Regional Security Office)", 4, 3, 6, False, 30, 10, "State"),
    Agency(PD, "State - Public Diplomacy", 3, 3, 4, False, 28, 7, "State"),
    Agency(USAID, "U.S. Agency for International Development - Mission", 18, 10, 16, True, 12, 24, "USAID"),
    Agency(FCS, "Commerce - U.S. and Foreign Commercial Service", 2, 2, 3, True, 4, 5, "Commerce"),
    Agency(FAS, "Agriculture - Foreign Agricultural Service", 2, 2, 2, False, 8, 4, "Agriculture"),
    Agency(DAO, "Defense - Defense Attache Office", 7, 5, 2, True, 6, 9, "Defense"),
    Agency(FBI, "Justice - FBI Legal Attache Office", 3, 3, 1, True, 2, 4, "Justice"),
    Agency(CDC, "HHS - Centers for Disease Control and Prevention", 6, 4, 12, True, 15, 18, "HHS"),
    Agency(PC, "Peace Corps", 3, 2, 6, True, 3, 6, "Peace Corps", own_medical_program=True),
    Agency(MEDEVAC, "Regional MEDEVAC Center", 0, 0, 0, False, 0, 0, "State"),
]

STANDARD_POSITIONS = [
    # ICASS USDH
    usdh(
        "M-001",
        "FE-OC",
        "Management Counselor",
        {"6150": 25, "6211": 10, "6441": 15, "6451": 10, "6134": 10, "7810": 10, "7850": 10, "6443": 5, "6148": 5},
        "GO",
    ),
    usdh(
        "F-001",
        "FS-02",
        "Financial Management Officer",
        {"6211": 40, "6221": 25, "6223": 20, "6224": 10, "6150": 5},
        "GO",
    ),
    usdh(
        "G-001",
        "FS-02",
        "Supervisory General Services Officer",
        {"6134": 25, "6148": 15, "6139": 15, "6136": 10, "6144": 10, "6133": 10, "6143": 10, "6132": 5},
        "GO",
    ),
    usdh(
        "G-002",
        "FS-04",
        "Assistant General Services Officer",
        {"6148": 20, "6144": 20, "7850": 20, "6139": 15, "6136": 15, "6462": 10},
        "OL",
    ),
    usdh(
        "G-003",
        "FS-03",
        "Assistant General Services Officer for Facilities",
        {"7810": 30, "7820": 30, "7850": 25, "7860": 10, "7820-X821": 5},
        "OL",
    ),
    usdh("H-001", "FS-03", "Human Resources Officer", {"6441": 40, "6451": 45, "6222": 15}, "OL"),
    # The first IM position is State program, the second ICASS (H-341.4-3 NOTE 2): a non-ICASS dual position.
    usdh(
        "I-001",
        "FS-02",
        "Information Management Officer (dual: State program / ICASS)",
        {"0000": 40, "5458": 25, "6192": 15, "6194": 10, "6195": 10},
        "OL",
    ),
    usdh(
        "I-002",
        "FS-04",
        "Information Systems Officer",
        {"5458": 70, "6195": 15, "6195-0001": 5, "6192": 10},
        "OL",
    ),
    # The post is a Washington-designated regional MEDEVAC center: medical staff only in 5624-0001.
    usdh("D-001", "FS-01", "Regional Medical Officer", {"5624": 85, "5624-0001": 15}, "GO"),
    usdh(
        "D-002",
        "FS-03",
        "Foreign Service Health Practitioner",
        {"5624": 90, "5624-0001": 5, "6150": 5},
        "OL",
    ),
    usdh(
        "O-001",
        "FS-06",
        "Office Management Specialist (Management)",
        {"6150": 45, "6441": 30, "6462": 15, "6211": 10},
        "OL",
    ),
    # Management and CLO
    le("L-101", "FSN-09", "Management Assistant", {"6150": 50, "6441": 20, "6462": 30}),
    le("L-102", "FP-06 (EFM)", "Community Liaison Office Coordinator", {"6443": 85, "6150": 15}),
    # Financial management
    le("L-201", "FSN-10", "Budget Analyst", {"6211": 80, "6221": 20}),
    le("L-202", "FSN-10", "Senior Accountant", {"6221": 70, "6223": 30}),
    le("L-203", "FSN-08", "Voucher Examiner", {"6223": 100}),
    le("L-204", "FSN-07", "Cashier", {"6224": 100}),
    le("L-205", "FSN-08", "Payroll Technician", {"6222": 100}),
    # Human resources
    le("L-301", "FSN-10", "Human Resources Specialist", {"6451": 70, "6222": 30}),
    le("L-302", "FSN-08", "Human Resources Assistant", {"6451": 60, "6441": 40}),
    le("L-303", "FSN-08", "Language Instructor", {"6441-X001": 60, "6451-X002": 40}),
    # General services
    le("L-401", "FSN-09", "Procurement Agent", {"6134": 100}),
    le("L-402", "FSN-07", "Procurement Assistant", {"6134": 80, "6133": 20}),
    le("L-403", "FSN-08", "Shipping and Customs Assistant", {"6136": 100}),
    le("L-404", "FSN-07", "Travel Assistant", {"6462": 100}),
    le("L-405", "FSN-09", "Housing Coordinator", {"6148": 40, "7850": 30, "7850-X899": 20, "6144": 10}),
    le("L-406", "FSN-07", "Warehouse Supervisor", {"6143": 50, "6144": 30, "6133": 20}),
    le("L-407", "FSN-04", "Warehouse Worker", {"6143": 40, "6144": 60}),
    le("L-408", "FSN-07", "Motor Pool Supervisor", {"6139": 90, "6132-X132": 10}),
    le("L-409", "FSN-04", "Chauffeur", {"6139": 100}, overtime=3_200),
    le("L-410", "FSN-04", "Chauffeur", {"6139": 100}, overtime=3_200),
    le("L-411", "FSN-04", "Chauffeur", {"6139": 100}, overtime=2_800),
    le("L-412", "FSN-06", "Automotive Mechanic", {"6132": 85, "6132-X001": 15}),
    le("L-413", "FSN-05", "Supply and Reproduction Clerk", {"6133": 70, "6135": 30}),
    # Facilities
    le("L-501", "FSN-09", "Maintenance Supervisor", {"7820": 40, "7810": 30, "7850": 20, "7860": 10}),
    le("L-502", "FSN-06", "Electrician", {"7820": 50, "7810": 30, "7860": 20}),
    le("L-503", "FSN-05", "Plumber", {"7810": 40, "7850": 60}),
    le("L-504", "FSN-04", "Painter", {"7850-X799": 70, "7850": 30}),
    # Information management
    le("L-601", "FSN-09", "Information Technology Specialist", {"5458": 100}),
    le("L-602", "FSN-07", "Radio Technician (E&E radio program in 0000)", {"6195": 70, "0000": 30}),
    le("L-603", "FSN-05", "Telephone Operator", {"6195": 100}),
    le("L-604", "FSN-06", "Mail and Pouch Clerk", {"6192": 50, "6194": 50}),
    # Health unit
    le("L-701", "FSN-10", "Registered Nurse", {"5624": 90, "5624-0001": 10}),
    le("L-702", "FSN-06", "Medical Assistant", {"5624": 100}),
    # Security
    le("L-801", "FSN-09", "Security Investigator", {"5880": 100}),
    le(
        "L-802",
        "FSN-08",
        "Local Guard Coordinator",
        {"5821": 100},
        funding="LGP",
    ),
    le("L-803", "FSN-07", "Residential Security Coordinator", {"5823-X023": 100}, funding="LGP"),
]

STANDARD_BUDGET = [
    BudgetLine("5458", "RB", "3100", 185_000, "IT equipment and peripherals not covered by GITM"),
    BudgetLine("5458", "RB", "2570", 142_000, "Software licences and IT maintenance contracts"),
    BudgetLine("5458", "RB", "2330", 236_000, "Internet service and dedicated data circuits"),
    BudgetLine("5624", "RB", "2520", 268_000, "Contract physician, laboratory and radiology services"),
    BudgetLine("5624", "RB", "2600", 148_000, "Medical supplies and pharmaceuticals"),
    BudgetLine("5624", "RB", "3100", 42_000, "Medical equipment"),
    BudgetLine("5624-0001", "RB", "2200", 48_000, "MEDEVAC patient ground transport and airport coordination"),
    BudgetLine("5624-0001", "RB", "2600", 21_500, "MEDEVAC center supplies"),
    BudgetLine("5821", "LGP", "2521", 3_300_000, "Residential local guard services contract: standard services"),
    BudgetLine(
        "5821", "LGP", "2521", 120_000, "Residential local guard services contract: additional and emergency services"
    ),
    BudgetLine("5821", "LGP", "2600", 64_000, "Guard uniforms, radios and equipment (residential)"),
    BudgetLine("5821-X999", "LGP", "2521", 41_000, "Special-event guard hours (A&E contract)"),
    BudgetLine(
        "5822", "LGP", "2521", 288_000, "Guard services contract, USAID stand-alone building: standard services"
    ),
    BudgetLine(
        "5822",
        "LGP",
        "2521",
        10_000,
        "Guard services contract, USAID stand-alone building: additional and emergency services",
    ),
    BudgetLine("5823", "LGP", "2521", 410_000, "Mobile patrol contract: standard services"),
    BudgetLine("5823", "LGP", "2521", 18_000, "Mobile patrol contract: additional and emergency services"),
    BudgetLine("5823", "LGP", "2600", 51_000, "Mobile patrol vehicle fuel and parts"),
    BudgetLine("5823-X023", "LGP", "2570", 68_000, "Central alarm monitoring system maintenance"),
    BudgetLine("5823-X023", "LGP", "3100", 44_000, "Residential security equipment"),
    BudgetLine(
        "5826", "LGP", "2521", 2_600_000, "Chancery compound, annex and warehouse guard contract: standard services"
    ),
    BudgetLine(
        "5826",
        "LGP",
        "2521",
        90_000,
        "Chancery compound, annex and warehouse guard contract: additional and emergency services",
    ),
    BudgetLine("5826", "LGP", "3100", 57_000, "Guard booths and screening equipment"),
    BudgetLine("5880", "RB", "2520", 46_000, "Background investigations and police checks"),
    BudgetLine("5880", "RB", "3100", 26_000, "Security equipment for ICASS offices"),
    BudgetLine("5880", "RB", "2600", 9_400, "Security supplies for ICASS offices"),
    BudgetLine("6132", "RB", "2600", 112_000, "Vehicle spare parts and tires"),
    BudgetLine("6132", "RB", "2570", 31_000, "Garage equipment maintenance"),
    BudgetLine("6132-X132", "RB", "2520", 18_400, "DriveCam event recorder subscription and data service"),
    BudgetLine("6133", "RB", "2600", 246_000, "Administrative supplies stock"),
    BudgetLine("6134", "RB", "2520", 26_500, "Procurement systems, bid advertising and legal review"),
    BudgetLine("6135", "RB", "2570", 71_000, "Copier leases and maintenance"),
    BudgetLine("6135", "RB", "2600", 36_000, "Paper and toner"),
    BudgetLine("6136", "RB", "2200", 186_000, "Freight, customs brokerage and port charges"),
    BudgetLine("6139", "RB", "2600", 218_000, "Motor pool fuel"),
    BudgetLine("6139", "RB", "3100", 246_000, "Replacement motor pool vehicles (two)"),
    BudgetLine("6139", "RB", "2520", 39_000, "Vehicle insurance and registration"),
    BudgetLine("6143", "RB", "2570", 31_000, "Warehouse materials-handling equipment maintenance"),
    BudgetLine("6143", "RB", "2600", 21_000, "Packing materials"),
    BudgetLine("6144", "RB", "3100", 412_000, "Residential furniture and appliances"),
    BudgetLine("6144", "RB", "2200", 46_000, "Furniture delivery and transport"),
    BudgetLine("6144-X144", "RB", "3123", 492_000, "FAP annual assessment: fenced replacement purchases"),
    BudgetLine("6148", "RB", "2520", 36_000, "Lease appraisals, registration fees and legal services"),
    BudgetLine("6150", "RB", "2520", 148_000, "Orientation materials, building passes and COLA survey contract"),
    BudgetLine("6150", "RB", "2600", 41_000, "Management section supplies"),
    BudgetLine("6150", "RB", "3100", 36_000, "Office furniture and equipment, management section"),
    BudgetLine("6192", "RB", "2200", 97_000, "Pouch transport and commercial air freight"),
    BudgetLine("6192", "RB", "2600", 12_000, "Pouch supplies"),
    BudgetLine("6194", "RB", "2200", 31_000, "Mail transport to the diplomatic post office"),
    BudgetLine("6194", "RB", "2600", 6_200, "Mail room supplies"),
    BudgetLine("6195", "RB", "2330", 214_000, "Telephone and data lines"),
    BudgetLine("6195", "RB", "3100", 35_000, "Telephone equipment for new ICASS positions"),
    BudgetLine("6195", "RB", "2570", 48_000, "Switchboard (PBX) maintenance"),
    BudgetLine("6195-0001", "RB", "2330", 96_000, "Cell phone program: service plans"),
    BudgetLine("6195-0001", "RB", "3100", 27_000, "Cell phone program: handsets"),
    BudgetLine("6211", "RB", "2600", 8_200, "Budget office supplies"),
    BudgetLine("6221", "RB", "2520", 69_000, "Accounting support services contract"),
    BudgetLine("6222", "RB", "2520", 14_500, "LE staff payroll processing fees"),
    BudgetLine("6223", "RB", "2529", 55_000, "Post Support Unit (PSU) voucher processing"),
    BudgetLine("6224", "RB", "2520", 33_000, "Bank fees and cash transport"),
    BudgetLine("6441", "RB", "2520", 36_500, "USDH check-in/check-out processing and employee assistance services"),
    BudgetLine("6441-X001", "RB", "2520", 53_000, "Post language program: contract instructors"),
    BudgetLine("6443", "RB", "2520", 46_000, "CLO programs and events"),
    BudgetLine("6443", "RB", "2600", 8_100, "CLO supplies"),
    BudgetLine("6451", "RB", "2520", 97_000, "LE staff recruitment testing and local compensation plan surveys"),
    BudgetLine("6451", "RB", "2530", 24_000, "LE staff health insurance and retirement plan administration"),
    BudgetLine("6451-X002", "RB", "2520", 24_500, "English language classes (contract)"),
    BudgetLine("6462", "RB", "2520", 26_800, "Travel management center fees"),
    BudgetLine("7810", "RB", "2340", 268_000, "Utilities, GO/CL residences"),
    BudgetLine("7810", "RB", "2540", 92_000, "Maintenance contracts, GO/CL residences"),
    BudgetLine("7810", "RB", "2540", 486_000, "Minor repairs and appliance servicing (BOE), GO/CL residences"),
    BudgetLine("7820", "RB", "2340", 962_000, "Utilities, chancery compound"),
    BudgetLine("7820", "RB", "2540", 386_000, "Janitorial and landscaping contracts, chancery compound"),
    BudgetLine("7820", "RB", "2600", 96_000, "Building maintenance supplies"),
    BudgetLine(
        "7820",
        "RB",
        "2540",
        548_000,
        "Pest control, trash collection and minor system repairs (BOE), chancery compound",
    ),
    BudgetLine("7820-X821", "RB", "2540", 22_600, "Parking lot No. 1 maintenance and lighting"),
    BudgetLine("7850", "OBO", "2320", 6_380_000, "Residential operating leases (shared housing pool)"),
    BudgetLine("7850", "RB", "2540", 318_000, "Maintenance and repair, OL residences"),
    BudgetLine("7850-X799", "RB", "2510", 146_000, "Make-ready: painting, cleaning and garden clean-up"),
    BudgetLine("7850-X899", "RB", "2520", 86_000, "Commissioning and decommissioning: inspections, upgrades"),
    BudgetLine("7860", "OBO", "2320", 940_000, "Nonresidential operating leases (annex and warehouse)"),
    BudgetLine("7860", "RB", "2340", 154_000, "Utilities, annex and warehouse"),
    BudgetLine("7860-X099", "OBO", "2320", 96_000, "Leased warehouse: dedicated agency storage"),
    BudgetLine("8790", "RB", "1150", 42_000, "Awards for ICASS personnel"),
    BudgetLine("8790", "RB", "2100", 148_000, "Training and in-country travel of ICASS USDH and LE staff"),
    BudgetLine("8790", "RB", "2200", 4_800, "ICASS postage and post office box rental"),
    BudgetLine("8790", "RB", "2330", 38_000, "Telephone and cell phone charges of ICASS sections"),
    BudgetLine("8790", "RB", "2400", 6_300, "Advertising vacant ICASS positions"),
    BudgetLine("8790", "RB", "2520", 96_000, "Training courses, workshops and conferences for ICASS staff"),
    BudgetLine("8790", "RB", "2530", 18_000, "Pre-employment and in-service medical exams for LE staff"),
]

STANDARD_HOUSING = {
    # COM residence (950 m2) and DCM residence (420 m2) are government-owned; GO apartment compound of
    # 12 units of 165 m2 (State 8, ICASS 4); the rest are operating leases.
    STATE: Housing(go_units=10, ol_units=24, ol_m2=225, furnished=33),
    ICASS: Housing(go_units=4, ol_units=7, ol_m2=215, furnished=11),
    # Marine security guard quarters, and USAID's leases: furnished by the post's pool, as government housing
    # needs (H-341 b(2), rule R57).
    MSG: Housing(go_units=1, furnished=1),
    DS: Housing(ol_units=4, ol_m2=230, furnished=4),
    PD: Housing(ol_units=3, ol_m2=220, furnished=3),
    USAID: Housing(ol_units=17, ol_m2=235, furnished=17),
    FCS: Housing(ol_units=2, ol_m2=220, furnished=2),
    FAS: Housing(ol_units=2, ol_m2=220, furnished=2),
    DAO: Housing(ol_units=7, ol_m2=240, furnished=7),
    FBI: Housing(ol_units=3, ol_m2=230, furnished=3),
    CDC: Housing(ol_units=6, ol_m2=225, furnished=6),
    PC: Housing(ol_units=1, ol_m2=240, lqa_leases=2, furnished=1),
}
HOURS_24_7 = 8_760  # one guard post around the clock for a year


def standard_post() -> PostSpec:
    agencies = STANDARD_AGENCIES
    icass_usdh = sum(1 for p in STANDARD_POSITIONS if p.category == "USDH")
    icass_le = sum(1 for p in STANDARD_POSITIONS if p.category == "LE")
    # ICASS's own staff are counted under 1901.0 (spread through ICASS redistribution).
    agencies = [dataclasses.replace(a, usdh=icass_usdh, le=icass_le) if a.code == ICASS else a for a in agencies]
    served = [a for a in agencies if a.code != MEDEVAC]
    spec = PostSpec(
        "KVR",
        "U.S. Embassy Kivara",
        "Republic of Makena",
        "AF",
        "standard",
        agencies,
        STANDARD_POSITIONS,
        STANDARD_BUDGET,
        cell_phone_program=True,  # 6195-0001 counts the agencies' cell phones serviced
    )
    housing = STANDARD_HOUSING

    # People (6150, 6443, 5624, 5880 and the other people-based cost centers): every agency's staff and
    # family, local guards, and the cases the counting rules single out.
    people(
        spec,
        guards=10,
        extra=[
            ["1900-X01", STATE, "USDH", "", "", "", "2023-08-01", "2026-03-20", "", ""],  # left before May 1
            ["1900-X02", STATE, "USDH", "", "", "", "2026-07-10", "", "", ""],  # arrives after May 1
            ["1900-X03", "", "EFM", "1900-B01", "", "", "2024-08-20", "", "", "yes"],  # on SMA
            ["7200-X04", "", "EFM", "7200-B01", "", "", "2024-08-20", "", "no", ""],  # not MED eligible
            ["1900-X05", "", "MOH", "1900-B02", "", "", "2024-08-20", "", "", ""],  # member of household
            ["1900-X06", "", "EFM", "1900-B03", USAID, "", "2024-08-20", "", "", ""],  # employed by USAID
            ["1900-X07", STATE, "USDH", "", "", "FACILITY_MANAGER", "2025-07-01", "", "", ""],  # OBO-funded FM
            ["7200-X08", "", "MOH", "7200-B02", "", "", "2025-02-11", "", "", ""],  # member of household
            ["LGP-S01", STATE, "LE_STAFF", "", "", "LGP_SUPPORT", "2016-01-10", "", "", ""],
            ["LGP-S02", STATE, "LE_STAFF", "", "", "LGP_SUPPORT", "2017-04-02", "", "", ""],
            ["LGP-D01", STATE, "LE_STAFF", "", "", "SD_GUARD", "2019-01-10", "", "", ""],
            ["LGP-D02", STATE, "LE_STAFF", "", "", "SD_GUARD", "2019-01-10", "", "", ""],
        ],
    )
    customers = [a.code for a in served]
    spec.modify("5624", "Peace Corps medical officer next door: emergency access only (H-341.3-4 c)", {PC: "0.3"})
    spec.activity("5624-0001", {MEDEVAC: 42})  # medevacs processed by the regional center

    # Information management
    it_inventory(spec)
    spec.activity(
        "6192",
        {STATE: 4_210, ICASS: 1_880, MSG: 150, DS: 805, PD: 420, USAID: 655, FCS: 92, FAS: 110}
        | {DAO: 384, FBI: 262, CDC: 540, PC: 118},
    )  # kilograms of outgoing pouch
    spec.subscribe("6194", customers)
    spec.modify("6194", "DAO receives most mail through its own military post office", {DAO: "0.6"})
    phones = {STATE: 188, ICASS: 84, MSG: 8, DS: 30, PD: 26, USAID: 12, FCS: 9, FAS: 8, DAO: 10, FBI: 6}
    spec.count("6195", phones | {CDC: 24, PC: 4})
    cells = {STATE: 62, MSG: 9, DS: 12, PD: 10, USAID: 20, FCS: 3, FAS: 3, DAO: 8, FBI: 4}
    # post-defined sub-cost center: agency cell phones serviced (ICASS sections' phones are in 8790, H-341.13-2)
    spec.count("6195-0001", cells | {CDC: 14, PC: 5})

    # General services
    vehicles = {STATE: 9, ICASS: 16, MSG: 1, DS: 4, PD: 2, USAID: 6, FCS: 1, FAS: 1, DAO: 3, FBI: 2, CDC: 8}
    spec.count("6132", vehicles)
    spec.count("6132-X001", {ICASS: 6})  # DS ICASS LGP vehicles, all to 1901.0
    spec.count("6132-X132", {ICASS: 16, STATE: 9, DS: 4})
    spec.activity(
        "6133",
        {STATE: 84_560, ICASS: 61_240, MSG: 3_120, DS: 9_870, PD: 12_430, USAID: 18_650, FCS: 2_310}
        | {FAS: 2_140, DAO: 4_260, FBI: 1_930, CDC: 21_780, PC: 1_240},
    )  # dollars of supplies issued
    procurement(
        spec,
        {STATE: 214, ICASS: 328, MSG: 12, DS: 40, PD: 71, USAID: 51, FCS: 7, FAS: 6, DAO: 14, FBI: 5}
        | {CDC: 88, PC: 4, MEDEVAC: 10},
        [
            # H-341.7-3(D) NOTE 6: one furniture contract, each agency weighted by its own share.
            ("PO-JOINT-001", "2025-09-30", {STATE: 190_000, USAID: 50_000, FAS: 10_000}),
            ("PO-JOINT-002", "2026-01-15", {CDC: 280_000, PD: 12_500}),
        ],
    )
    spec.activity(
        "6135",
        {STATE: 186_400, ICASS: 96_300, MSG: 1_200, DS: 12_100, PD: 64_800, USAID: 8_150, FCS: 2_480}
        | {FAS: 3_120, DAO: 1_790, FBI: 940, CDC: 15_260},
    )  # copies
    spec.activity(
        "6136",
        {STATE: 212, ICASS: 166, MSG: 14, DS: 38, PD: 45, USAID: 121, FCS: 10, FAS: 9, DAO: 31, FBI: 12}
        | {CDC: 142, PC: 25},
    )  # shipments cleared
    spec.activity(
        "6139",
        {STATE: 95_400, ICASS: 41_250, MSG: 3_080, DS: 12_300, PD: 15_600, USAID: 30_150, FCS: 6_020}
        | {FAS: 5_140, DAO: 4_010, FBI: 2_960, CDC: 22_480, PC: 2_050, MEDEVAC: 2_400},
    )  # kilometers (ICASS: CODEL support, multi-agency school runs, CLO errands)
    spec.subscribe("6143", customers)
    spec.modify("6143", "Receiving, pickup/delivery and disposal only", {PC: "RECEIVING_AND_DELIVERY"})
    spec.count("6144", {code: h.furnished for code, h in housing.items()})
    spec.count("6144-X144", {code: h.furnished for code, h in housing.items()} | {STATE: 31, DAO: 6})
    leases = {code: h.ol_units + h.lqa_leases for code, h in housing.items()}
    leases[ICASS] += 1  # warehouse lease
    leases[CDC] += 1  # annex lease
    spec.count("6148", leases)
    spec.activity(
        "6462",
        {STATE: 384, ICASS: 142, MSG: 40, DS: 61, PD: 86, USAID: 121, FCS: 18, FAS: 20, DAO: 30, FBI: 20}
        | {CDC: 152, PC: 25},
    )  # travel service accesses
    spec.modify("6462", "DAO books most travel through its own travel office", {DAO: "0.6"})

    # Financial management
    spec.activity(
        "6211",
        {ICASS: 420, STATE: 160, DS: 40, PD: 60, MSG: 24, FCS: 16, FAS: 16, DAO: 24, FBI: 12, CDC: 40}
        | {USAID: 10, PC: 8},
    )  # hours (ICASS: preparing the ICASS budget)
    spec.activity(
        "6221",
        {STATE: 2_610, ICASS: 3_420, MSG: 118, DS: 452, PD: 784, USAID: 306, FCS: 141, FAS: 122, DAO: 163}
        | {FBI: 92, CDC: 905, PC: 61},
    )  # obligation lines
    spec.subscribe("6222", customers)
    spec.modify("6222", "USAID prepares its own time and attendance and allotments", {USAID: "0.6"})
    spec.activity(
        "6223",
        {STATE: 5_230, ICASS: 6_140, MSG: 236, DS: 703, PD: 1_312, USAID: 2_215, FCS: 262, FAS: 231}
        | {DAO: 314, FBI: 152, CDC: 2_608, PC: 418},
    )  # non-cashier strip codes
    spec.modify("6223", "USAID certifies its own vouchers", {USAID: "0.6"})
    spec.activity(
        "6224",
        {STATE: 1_804, ICASS: 952, MSG: 221, DS: 183, PD: 425, USAID: 604, FCS: 71, FAS: 62, DAO: 142}
        | {FBI: 81, CDC: 763, PC: 905},
    )  # cashier strip codes plus accommodation exchanges

    # Human resources
    spec.subscribe("6441", STATE_FAMILY)
    spec.activity(
        "6441-X001",
        {STATE: 38, ICASS: 9, DS: 4, PD: 6, USAID: 14, DAO: 6, CDC: 5, FBI: 2, FCS: 2, FAS: 3},
    )  # language course registrations
    spec.subscribe("6451", customers)
    own_hr = "Own HR office: recruitment and LE staff records handled by the agency"
    spec.modify("6451", own_hr, {USAID: "0.6", CDC: "0.6", PC: "0.3"})  # 0.3: the floor (H-341.11-2(D) b)
    spec.activity("6451-X002", {STATE: 22, ICASS: 30, DS: 6, PD: 5, USAID: 12, CDC: 10})

    # Housing and the residential local guard program: the GO buildings, the leased houses, two vacancies
    housing_records(
        spec,
        housing,
        [
            ("CMR", 4, [(STATE, 950)]),  # chief of mission residence
            ("DCMR", 2, [(STATE, 420)]),
            ("APT", 3, [(STATE, 165)] * 8 + [(ICASS, 165)] * 4),  # GO apartment compound
            ("MSGQ", 1, [(MSG, 720)]),  # Marine security guard quarters
        ],
        vacant=[
            ["APT-V1", "APT", "GOCL", USAID, "330", "2025-11-03"],  # 179 days vacant: to 1900.0
            ["H-7200-V1", "H-7200-V1", "OL", USAID, "235", "2026-04-10"],  # 21 days: stays with USAID
        ],
    )
    spec.activity("5821-X999", {STATE: 620, PD: 140, ICASS: 48, USAID: 96, DAO: 72, CDC: 40})
    spec.count("5822", {USAID: 3 * HOURS_24_7})  # USAID's stand-alone building, 3 posts
    # 5823-X023 counts the housing records as 5823 does (rule R79): nothing to type.

    # Building operations: chancery compound (GO/CL), annex and warehouse (OL)
    chancery = {STATE: 3_150, ICASS: 1_650, MSG: 180, DS: 420, PD: 380, FCS: 140, FAS: 120, DAO: 360, FBI: 210}
    vacant_chancery = 260  # unassigned GO/CL office space: 1900.0 as Single Real Property Manager
    office_space(spec, "GOCL", "CHANCERY", chancery)
    vacant_office_space(spec, "CHANCERY", vacant_chancery)
    spec.count("7820-X821", {STATE: 40, ICASS: 25, DS: 8, PD: 5, FCS: 2, FAS: 2, DAO: 6, FBI: 3, MSG: 2})
    office_space(spec, "OL", "ANNEX", {CDC: 950, PD: 260})  # annex: CDC and the American Space
    # CDC leaves the annex for space of its own: its notice, given after April 1, runs out on the next April 1,
    # and until then it bears the cost of its 950 m2 (H-341.12-4(D) c, rule R65).
    spec.terminations.append([CDC, "7860", "2026-06-15", "2027-04-01"])
    office_space(spec, "OL", "WAREHOUSE", {ICASS: 1_150})
    storage = {STATE: 140, USAID: 220, CDC: 180, DAO: 60}
    spec.count("7860-X099", storage)
    spec.count("5826", chancery)
    spec.count("5826", {STATE: vacant_chancery})
    spec.count("5826", {CDC: 950, PD: 260, ICASS: 1_150})
    spec.count("5826", storage)
    spec.activity(
        "7850-X799",
        {STATE: 1_810, ICASS: 450, DS: 230, PD: 220, USAID: 940, DAO: 480, FBI: 230, CDC: 450},
    )  # square meters made ready, counted for the outgoing tenant's agency
    spec.activity("7850-X899", {STATE: 5, USAID: 3, DAO: 1, CDC: 2, ICASS: 1})
    return spec


# ---------------------------------------------------------------------------------------- Lite post

LITE_AGENCIES = [
    Agency(STATE, "Department of State - Diplomatic Programs", 14, 10, 10, False, 92, 24, "State"),
    Agency(ICASS, "ICASS Service Provider (State Management Section)", 0, 4, 0, False, 64, 31, "State"),
    Agency(MSG, "State - Marine Security Guard Support", 7, 0, 0, False, 4, 2, "State"),
    Agency(DS, "State - Diplomatic Security (Regional Security Office)", 2, 2, 3, False, 14, 5, "State"),
    Agency(PD, "State - Public Diplomacy", 2, 1, 3, False, 12, 5, "State"),
    Agency(USAID, "U.S. Agency for International Development - Mission", 6, 6, 12, True, 6, 12, "USAID"),
    Agency(DAO, "Defense - Defense Attache Office", 4, 4, 1, True, 3, 5, "Defense"),
    Agency(PC, "Peace Corps", 3, 2, 8, True, 2, 5, "Peace Corps", own_medical_program=True),
    Agency(CDC, "HHS - Centers for Disease Control and Prevention", 3, 3, 12, True, 8, 14, "HHS"),
    Agency(FAS, "Agriculture - Foreign Agricultural Service", 1, 1, 2, False, 5, 3, "Agriculture"),
    Agency(FCS, "Commerce - U.S. and Foreign Commercial Service", 1, 1, 1, True, 2, 2, "Commerce"),
]

LITE_POSITIONS = [
    usdh(
        "M-001",
        "FS-01",
        "Management Officer",
        {"6150": 30, "6225": 20, "6445": 20, "6145": 15, "7850": 10, "6443": 5},
        "GO",
    ),
    usdh("G-001", "FS-04", "General Services Officer", {"6145": 60, "6144": 15, "7850": 15, "7810": 10}, "OL"),
    usdh(
        "I-001",
        "FS-03",
        "Information Management Officer (dual: State program / ICASS)",
        {"0000": 35, "5458": 35, "6196": 30},
        "OL",
    ),
    usdh(
        "F-001",
        "FS-04",
        "Assistant General Services Officer for Facilities",
        {"7820": 40, "7810": 25, "7850": 35},
        "OL",
    ),
    usdh(
        "O-001",
        "FS-06",
        "Office Management Specialist (Management)",
        {"6150": 40, "6445": 40, "6196": 20},
        "OL",
    ),
    le("L-101", "FSN-08", "Management Assistant", {"6150": 40, "6445": 30, "6225": 30}),
    le("L-102", "FP-07 (EFM)", "Community Liaison Office Coordinator", {"6443": 90, "6150": 10}),
    le("L-201", "FSN-10", "Financial Specialist", {"6225": 100}),
    le("L-202", "FSN-08", "Voucher Examiner", {"6225": 100}),
    le("L-203", "FSN-07", "Cashier", {"6225": 100}),
    le("L-301", "FSN-09", "Human Resources Specialist", {"6445": 100}),
    le("L-302", "FSN-07", "Human Resources and Payroll Assistant", {"6445": 100}),
    le("L-303", "FSN-07", "Language Instructor", {"6445-X001": 70, "6445-X002": 30}),
    le("L-401", "FSN-09", "Procurement Agent", {"6145": 100}),
    le("L-402", "FSN-07", "Shipping and Travel Assistant", {"6145": 100}),
    le("L-403", "FSN-08", "Housing and Leasing Assistant", {"6145": 50, "7850": 30, "7850-X899": 20}),
    le("L-404", "FSN-06", "Warehouse and Property Clerk", {"6145": 40, "6144": 60}),
    le("L-405", "FSN-06", "Motor Pool Dispatcher", {"6145": 90, "6145-X132": 10}),
    le("L-406", "FSN-04", "Chauffeur", {"6145": 100}, overtime=2_600),
    le("L-407", "FSN-04", "Chauffeur", {"6145": 100}, overtime=2_600),
    le("L-408", "FSN-04", "Chauffeur", {"6145": 100}, overtime=2_200),
    le("L-409", "FSN-04", "Chauffeur", {"6145": 100}, overtime=2_200),
    le("L-410", "FSN-06", "Automotive Mechanic", {"6145": 100}),
    le("L-501", "FSN-08", "Maintenance Supervisor", {"7820": 40, "7810": 30, "7850": 30}),
    le("L-502", "FSN-06", "Electrician", {"7820": 50, "7810": 50}),
    le("L-503", "FSN-05", "Maintenance Worker", {"7850": 60, "7850-X799": 40}),
    le("L-601", "FSN-09", "Information Technology Specialist", {"5458": 100}),
    le("L-602", "FSN-06", "Telephone Operator and Mail Clerk", {"6196": 100}),
    le("L-603", "FSN-07", "Radio Technician (E&E radio program in 0000)", {"6196": 75, "0000": 25}),
    le("L-701", "FSN-10", "Registered Nurse", {"5624": 100}),
    le("L-801", "FSN-08", "Security Investigator", {"5880": 100}),
    le("L-802", "FSN-07", "Local Guard Coordinator", {"5821": 100}, funding="LGP"),
    le("L-803", "FSN-06", "Residential Security Coordinator", {"5823-X023": 100}, funding="LGP"),
]

LITE_BUDGET = [
    BudgetLine("5458", "RB", "3100", 78_000, "IT equipment and peripherals not covered by GITM"),
    BudgetLine("5458", "RB", "2570", 54_000, "Software licences and IT maintenance contracts"),
    BudgetLine("5458", "RB", "2330", 96_000, "Internet service and dedicated data circuits"),
    BudgetLine("5624", "RB", "2520", 164_000, "Contract physician and laboratory services"),
    BudgetLine("5624", "RB", "2600", 58_000, "Medical supplies and pharmaceuticals"),
    BudgetLine("5821", "LGP", "2521", 1_410_000, "Residential local guard services contract: standard services"),
    BudgetLine(
        "5821", "LGP", "2521", 50_000, "Residential local guard services contract: additional and emergency services"
    ),
    BudgetLine("5821", "LGP", "2600", 28_000, "Guard uniforms, radios and equipment (residential)"),
    BudgetLine("5821-X999", "LGP", "2521", 16_500, "Special-event guard hours (A&E contract)"),
    BudgetLine("5823", "LGP", "2521", 206_000, "Mobile patrol contract: standard services"),
    BudgetLine("5823", "LGP", "2521", 8_000, "Mobile patrol contract: additional and emergency services"),
    BudgetLine("5823-X023", "LGP", "2570", 31_000, "Central alarm monitoring system maintenance"),
    BudgetLine("5823-X023", "LGP", "3100", 18_500, "Residential security equipment"),
    BudgetLine("5826", "LGP", "2521", 1_080_000, "Chancery compound and warehouse guard contract: standard services"),
    BudgetLine(
        "5826",
        "LGP",
        "2521",
        40_000,
        "Chancery compound and warehouse guard contract: additional and emergency services",
    ),
    BudgetLine("5826", "LGP", "3100", 24_000, "Guard booths and screening equipment"),
    BudgetLine("5880", "RB", "2520", 18_500, "Background investigations and police checks"),
    BudgetLine("5880", "RB", "3100", 9_600, "Security equipment for ICASS offices"),
    BudgetLine("6144", "RB", "3100", 112_000, "Residential furniture and appliances"),
    BudgetLine("6144", "RB", "2200", 14_500, "Furniture delivery and transport"),
    BudgetLine("6144-X144", "RB", "3123", 168_000, "FAP annual assessment: fenced replacement purchases"),
    BudgetLine("6145", "RB", "2600", 186_000, "Motor pool fuel, vehicle parts and tires"),
    BudgetLine("6145", "RB", "3100", 124_000, "Replacement motor pool vehicle"),
    BudgetLine("6145", "RB", "2200", 92_000, "Freight, customs brokerage and port charges"),
    BudgetLine("6145", "RB", "2570", 48_000, "Copier leases, garage and warehouse equipment maintenance"),
    BudgetLine("6145", "RB", "2520", 41_000, "Vehicle insurance, lease appraisals, travel management fees"),
    BudgetLine("6145-X132", "RB", "2520", 7_400, "DriveCam event recorder subscription and data service"),
    BudgetLine("6145-X133", "RB", "2600", 96_000, "Administrative supplies stock"),
    BudgetLine("6150", "RB", "2520", 64_000, "Orientation materials, building passes and COLA survey contract"),
    BudgetLine("6150", "RB", "2600", 18_000, "Management section supplies"),
    BudgetLine("6196", "RB", "2330", 138_000, "Telephone, cell phone and data lines"),
    BudgetLine("6196", "RB", "2200", 46_000, "Pouch and mail transport"),
    BudgetLine("6196", "RB", "2570", 21_000, "Switchboard (PBX) and radio network maintenance"),
    BudgetLine("6225", "RB", "2529", 52_000, "Post Support Unit (PSU) accounting and voucher processing"),
    BudgetLine("6225", "RB", "2520", 16_500, "Bank fees and cash transport"),
    BudgetLine("6443", "RB", "2520", 21_000, "CLO programs and events"),
    BudgetLine("6445", "RB", "2520", 42_000, "LE staff recruitment testing and local compensation plan surveys"),
    BudgetLine("6445-X001", "RB", "2520", 18_000, "Post language program: course materials and testing"),
    BudgetLine("6445-X002", "RB", "2600", 4_200, "English program course materials"),
    BudgetLine("7810", "RB", "2340", 112_000, "Utilities, GO/CL residences"),
    BudgetLine("7810", "RB", "2540", 238_000, "Minor repairs and appliance servicing (BOE), GO/CL residences"),
    BudgetLine("7820", "RB", "2340", 396_000, "Utilities, chancery compound"),
    BudgetLine("7820", "RB", "2540", 174_000, "Janitorial and landscaping contracts, chancery compound"),
    BudgetLine(
        "7820",
        "RB",
        "2540",
        286_000,
        "Pest control, trash collection and minor system repairs (BOE), chancery compound",
    ),
    BudgetLine("7820-X821", "RB", "2540", 9_800, "Parking lot No. 1 maintenance and lighting"),
    BudgetLine("7850", "OBO", "2320", 2_520_000, "Residential operating leases (shared housing pool)"),
    BudgetLine("7850", "RB", "2540", 128_000, "Maintenance and repair, OL residences"),
    BudgetLine("7850-X799", "RB", "2510", 54_000, "Make-ready: painting, cleaning and garden clean-up"),
    BudgetLine("7850-X899", "RB", "2520", 31_000, "Commissioning and decommissioning: inspections, upgrades"),
    BudgetLine("7860", "OBO", "2320", 264_000, "Warehouse operating lease"),
    BudgetLine("7860", "RB", "2340", 38_000, "Utilities, warehouse"),
    BudgetLine("7860-X099", "OBO", "2320", 36_000, "Leased warehouse: dedicated agency storage"),
    BudgetLine("8790", "RB", "1150", 14_000, "Awards for ICASS personnel"),
    BudgetLine("8790", "RB", "2100", 58_000, "Training and in-country travel of ICASS USDH and LE staff"),
    BudgetLine("8790", "RB", "2330", 17_500, "Telephone and cell phone charges of ICASS sections"),
    BudgetLine("8790", "RB", "2400", 2_600, "Advertising vacant ICASS positions"),
    BudgetLine("8790", "RB", "2520", 36_000, "Training courses, workshops and conferences for ICASS staff"),
    BudgetLine("8790", "RB", "2530", 7_500, "Pre-employment and in-service medical exams for LE staff"),
]

LITE_HOUSING = {
    # COM residence (880 m2) is government-owned, and a GO compound of 6 houses of 210 m2 (State 4, ICASS 2).
    STATE: Housing(go_units=5, ol_units=9, ol_m2=230, furnished=13),
    ICASS: Housing(go_units=2, ol_units=3, ol_m2=220, furnished=5),
    MSG: Housing(go_units=1, furnished=1),
    DS: Housing(ol_units=2, ol_m2=230, furnished=2),
    PD: Housing(ol_units=2, ol_m2=220, furnished=2),
    USAID: Housing(ol_units=6, ol_m2=235, furnished=6),
    DAO: Housing(ol_units=4, ol_m2=240, furnished=4),
    PC: Housing(ol_units=1, ol_m2=240, lqa_leases=2, furnished=1),
    CDC: Housing(ol_units=3, ol_m2=225, furnished=3),
    FAS: Housing(ol_units=1, ol_m2=220, furnished=1),
    FCS: Housing(ol_units=1, ol_m2=210, furnished=1),
}


def lite_post() -> PostSpec:
    icass_usdh = sum(1 for p in LITE_POSITIONS if p.category == "USDH")
    icass_le = sum(1 for p in LITE_POSITIONS if p.category == "LE")
    agencies = [dataclasses.replace(a, usdh=icass_usdh, le=icass_le) if a.code == ICASS else a for a in LITE_AGENCIES]
    spec = PostSpec(
        "PSL",
        "U.S. Embassy Port Solace",
        "Federation of San Lucerna",
        "WHA",
        "lite",
        agencies,
        LITE_POSITIONS,
        LITE_BUDGET,
    )
    housing = LITE_HOUSING

    # People (6150, 6443, 5624, 5880, 6196, 6445, 6145): staff and family, local guards (PSA and SD guards
    # count 0.06 in 6145, H-342.5 f NOTE 1-2), and the cases the counting rules single out.
    people(
        spec,
        guards=8,
        extra=[
            ["1900-X01", STATE, "USDH", "", "", "", "2023-09-01", "2026-02-27", "", ""],  # left before May 1
            ["1900-X02", "", "EFM", "1900-B01", "", "", "2024-08-20", "", "", "yes"],  # on SMA
            ["1900-X03", "", "EFM", "1900-B02", CDC, "", "2024-08-20", "", "", ""],  # employed by CDC
            ["LGP-S01", STATE, "LE_STAFF", "", "", "LGP_SUPPORT", "2016-01-10", "", "", ""],
            ["LGP-D01", STATE, "LE_STAFF", "", "", "SD_GUARD", "2020-02-01", "", "", ""],
            ["LGP-D02", STATE, "LE_STAFF", "", "", "SD_GUARD", "2020-02-01", "", "", ""],
        ],
    )
    customers = [a.code for a in agencies]
    spec.modify("5624", "Peace Corps medical officer next door: emergency access only (H-342.3-4 c)", {PC: "0.3"})

    # Information management
    it_inventory(spec)
    spec.subscribe("6196", customers)
    spec.modify("6196", "DAO receives its mail through the military post office", {DAO: "0.6"})

    # General services (the nine Standard GS cost centers bundled per capita, H-342.7)
    spec.subscribe("6145", customers)
    spec.modify("6145", "Own motor pool and procurement; incidental services only", {PC: "0.3", CDC: "0.6"})
    spec.count("6145-X132", {ICASS: 6, STATE: 3, DS: 2})  # vehicles with DriveCams
    spec.activity(
        "6145-X133",
        {STATE: 31_400, ICASS: 22_650, MSG: 1_480, DS: 3_920, PD: 4_310, USAID: 6_820, DAO: 1_760}
        | {PC: 690, CDC: 5_240, FAS: 940, FCS: 610},
    )  # dollars of administrative supplies issued
    spec.count("6144", {code: h.furnished for code, h in housing.items()})
    spec.count("6144-X144", {code: h.furnished for code, h in housing.items()} | {STATE: 12})

    # Financial management (the bundle 6225, not the four separate codes)
    spec.activity(
        "6225",
        {STATE: 3_120, ICASS: 3_860, MSG: 310, DS: 402, PD: 695, USAID: 1_240, DAO: 318, PC: 1_160}
        | {CDC: 1_410, FAS: 164, FCS: 121},
    )  # strip codes (vouchering and cashiering) plus accommodation exchanges
    spec.modify("6225", "USAID certifies its own vouchers", {USAID: "0.6"})

    # Human resources (H-342.11-4)
    spec.subscribe("6445", customers)
    own_hr = "Own HR office: recruitment and LE staff records handled by the agency"
    spec.modify("6445", own_hr, {USAID: "0.6", CDC: "0.6", PC: "0.3"})  # 0.3: the floor
    spec.activity("6445-X001", {STATE: 14, ICASS: 4, DS: 2, PD: 3, USAID: 6, DAO: 3, CDC: 2})
    spec.activity("6445-X002", {STATE: 8, ICASS: 12, DS: 3, PD: 2, USAID: 4})

    # Housing and the residential local guard program
    housing_records(
        spec,
        housing,
        [
            ("CMR", 3, [(STATE, 880)]),  # chief of mission residence
            ("COMPOUND", 2, [(STATE, 210)] * 4 + [(ICASS, 210)] * 2),  # GO compound of six houses
            ("MSGQ", 1, [(MSG, 640)]),
        ],
    )
    spec.activity("5821-X999", {STATE: 310, PD: 64, ICASS: 24, USAID: 40})

    # Building operations
    chancery = {STATE: 1_480, ICASS: 760, MSG: 140, DS: 190, PD: 240, USAID: 820, DAO: 180, CDC: 310}
    chancery |= {FAS: 70, FCS: 60}
    vacant_chancery = 120
    office_space(spec, "GOCL", "CHANCERY", chancery)
    vacant_office_space(spec, "CHANCERY", vacant_chancery)
    spec.count("7820-X821", {STATE: 18, ICASS: 10, DS: 3, PD: 3, USAID: 9, DAO: 4, CDC: 4, MSG: 1})
    office_space(spec, "OL", "WAREHOUSE", {ICASS: 640})
    storage = {USAID: 110, CDC: 90}
    spec.count("7860-X099", storage)
    spec.count("5826", chancery)
    spec.count("5826", {STATE: vacant_chancery})
    spec.count("5826", {ICASS: 640})
    spec.count("5826", storage)
    spec.activity("7850-X799", {STATE: 690, ICASS: 220, USAID: 470, DAO: 240, CDC: 225})
    spec.activity("7850-X899", {STATE: 2, USAID: 1, CDC: 1})
    return spec


# ------------------------------------------------------------------------------------------- Consulate

CBP = "9400.0"
CONSULATE_AGENCIES = [
    Agency(STATE, "Department of State - Diplomatic Programs (Consular Section)", 6, 7, 14, False, 48, 22, "State"),
    Agency(ICASS, "ICASS Service Provider (Management Section)", 0, 1, 0, False, 21, 11, "State"),
    Agency(DS, "State - Diplomatic Security (Regional Security Office)", 1, 2, 3, False, 6, 4, "State"),
    Agency(FCS, "Commerce - U.S. and Foreign Commercial Service", 1, 2, 3, True, 4, 5, "Commerce"),
    Agency(CBP, "Homeland Security - Customs and Border Protection", 2, 3, 1, True, 3, 4, "Homeland Security"),
]

CONSULATE_POSITIONS = [
    usdh(
        "M-001",
        "FS-02",
        "Management Officer",
        {"6150": 30, "6211": 10, "6441": 10, "6451": 15, "6134": 10, "7850": 10, "6443": 5, "7860": 10},
        "OL",
    ),
    le("L-101", "FSN-09", "Financial Specialist", {"6211": 20, "6221": 30, "6223": 40, "6224": 10}),
    le("L-102", "FSN-07", "Cashier and Payroll Assistant", {"6224": 40, "6222": 40, "6451": 20}),
    le("L-103", "FSN-08", "Human Resources Assistant", {"6451": 60, "6441": 20, "6150": 20}),
    le("L-201", "FSN-08", "General Services Assistant", {"6134": 40, "6136": 20, "7850": 40}),
    le("L-202", "FSN-04", "Chauffeur", {"6139": 100}, overtime=1_900),
    le("L-203", "FSN-04", "Chauffeur", {"6139": 100}, overtime=1_600),
    le("L-301", "FSN-08", "Information Technology Specialist", {"5458": 100}),
    le("L-401", "FSN-06", "Maintenance Technician", {"7860": 50, "7850": 30, "7810": 20}),
    le("L-501", "FP-07 (EFM)", "Community Liaison Office Coordinator (part time)", {"6443": 100}),
    le("L-601", "FSN-07", "Local Guard Coordinator", {"5821": 100}, funding="LGP"),
]

CONSULATE_BUDGET = [
    BudgetLine("5458", "RB", "3100", 38_000, "IT equipment and peripherals"),
    BudgetLine("5458", "RB", "2330", 41_000, "Internet service and data circuits"),
    BudgetLine("5624", "RB", "2520", 36_000, "Contract physician (retainer) and clinic visits"),
    BudgetLine("5821", "LGP", "2521", 276_000, "Residential local guard services contract: standard services"),
    BudgetLine(
        "5821", "LGP", "2521", 10_000, "Residential local guard services contract: additional and emergency services"
    ),
    BudgetLine("5826", "LGP", "2521", 330_000, "Consulate building guard contract: standard services"),
    BudgetLine("5826", "LGP", "2521", 12_000, "Consulate building guard contract: additional and emergency services"),
    BudgetLine("5880", "RB", "2520", 6_400, "Background investigations"),
    BudgetLine("6134", "RB", "2520", 4_800, "Procurement system fees"),
    BudgetLine("6136", "RB", "2200", 18_500, "Freight and customs brokerage"),
    BudgetLine("6139", "RB", "2600", 31_000, "Motor pool fuel and parts"),
    BudgetLine("6139", "RB", "2570", 9_200, "Vehicle maintenance and insurance"),
    BudgetLine("6150", "RB", "2520", 14_000, "Orientation materials and building passes"),
    BudgetLine("6221", "RB", "2520", 21_000, "Accounting support services contract"),
    BudgetLine("6223", "RB", "2529", 17_500, "Post Support Unit voucher processing"),
    BudgetLine("6224", "RB", "2520", 4_600, "Bank fees and cash transport"),
    BudgetLine("6443", "RB", "2520", 5_200, "CLO programs and events"),
    BudgetLine("6451", "RB", "2520", 9_800, "LE staff recruitment testing"),
    BudgetLine("7810", "RB", "2540", 48_000, "Minor repairs and appliance servicing (BOE), consul general's residence"),
    BudgetLine("7810", "RB", "2340", 22_000, "Utilities, consul general's residence"),
    BudgetLine("7850", "OBO", "2320", 612_000, "Residential operating leases"),
    BudgetLine("7850", "RB", "2540", 36_000, "Maintenance and repair, leased residences"),
    BudgetLine("7860", "OBO", "2320", 410_000, "Consulate office building lease"),
    BudgetLine("7860", "RB", "2340", 64_000, "Utilities and janitorial services, consulate building"),
    BudgetLine("8790", "RB", "2100", 14_000, "Training and in-country travel of ICASS staff"),
    BudgetLine("8790", "RB", "2330", 5_600, "Telephone charges of the management section"),
]

CONSULATE_HOUSING = {
    STATE: Housing(go_units=1, ol_units=5, ol_m2=205),  # the consul general's residence is GO
    ICASS: Housing(ol_units=1, ol_m2=190),
    DS: Housing(ol_units=1, ol_m2=200),
    FCS: Housing(ol_units=1, ol_m2=205),
    CBP: Housing(ol_units=2, ol_m2=210),
}


def consulate() -> PostSpec:
    icass_usdh = sum(1 for p in CONSULATE_POSITIONS if p.category == "USDH")
    icass_le = sum(1 for p in CONSULATE_POSITIONS if p.category == "LE")
    agencies = [
        dataclasses.replace(a, usdh=icass_usdh, le=icass_le) if a.code == ICASS else a for a in CONSULATE_AGENCIES
    ]
    spec = PostSpec(
        "ALD",
        "U.S. Consulate General Aldmere",
        "Kingdom of Varnholt",
        "EUR",
        "standard",
        agencies,
        CONSULATE_POSITIONS,
        CONSULATE_BUDGET,
        guard_force="contract",
        furniture_pool=False,  # no furniture and appliance pool: the consulate budgets nothing in 6144
    )
    customers = [a.code for a in agencies]
    people(
        spec,
        guards=4,
        extra=[
            ["1900-X01", STATE, "USDH", "", "", "", "2024-08-01", "2026-04-02", "", ""],  # left in April
            ["9400-X02", "", "EFM", "9400-B01", "", "", "2025-08-20", "", "no", ""],  # not MED eligible
        ],
    )
    it_inventory(spec)
    spec.subscribe("6441", (STATE, ICASS))
    spec.subscribe("6222", customers)
    spec.subscribe("6451", customers)
    spec.modify("6451", "FCS LE staff are recruited through Commerce's regional HR office", {FCS: "0.6"})
    procurement(spec, {STATE: 22, ICASS: 31, DS: 4, FCS: 3, CBP: 5}, [])
    spec.activity("6136", {STATE: 18, ICASS: 24, DS: 3, FCS: 4, CBP: 6})  # shipments cleared
    spec.activity("6139", {STATE: 21_400, ICASS: 8_200, DS: 2_600, FCS: 3_900, CBP: 4_100})  # kilometers
    spec.activity("6211", {ICASS: 120, STATE: 40, DS: 8, FCS: 8, CBP: 10})  # hours
    spec.activity("6221", {STATE: 540, ICASS: 620, DS: 64, FCS: 58, CBP: 71})  # obligation lines
    spec.activity("6223", {STATE: 910, ICASS: 1_040, DS: 88, FCS: 97, CBP: 126})  # strip codes
    spec.activity("6224", {STATE: 310, ICASS: 140, DS: 22, FCS: 35, CBP: 41})  # cashier transactions
    housing_records(spec, CONSULATE_HOUSING, [("CGR", 2, [(STATE, 540)])])  # consul general's residence
    building = {STATE: 620, ICASS: 280, DS: 90, FCS: 110, CBP: 140}
    office_space(spec, "OL", "CONSULATE", building)
    spec.count("5826", building)
    return spec


# ------------------------------------------------------------------------------- checks and writing


def money(amount: int | Decimal) -> str:
    return f"{D(amount).quantize(CENT)}"


def number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


MODIFICATIONS_HEADER = ["cost_center", "agency", "factor", "modification", "justification"]
MODIFICATIONS_HEADER += ["bc_approved_on", "med_approved_on"]
RECORD_HEADERS = {
    "people": [
        "person_id",
        "agency",
        "category",
        "sponsor_id",
        "employed_by",
        "role",
        "start_date",
        "end_date",
        "med_eligible",
        "sma",
        "position_id",
    ],
    "subscriptions": ["cost_center", "agency"],
    "it_inventory": ["agency", "devices", "opennet_accounts"],
    "procurement": ["action_id", "date", "agency", "amount"],
    "housing": [
        "unit_id",
        "building_id",
        "tenure",
        "agency",
        "net_square_meters",
        "vacant_since",
        "compound",
        "official_residence",
    ],
    "guard_hours": ["building_id", "annual_hours"],
    "office_space": ["building_id", "tenure", "agency", "net_square_meters", "common", "vacant_since", "compound"],
    "activity": ["cost_center", "agency", "date", "quantity", "description"],
}


# The chief of mission's and the principal officer's residences, whose guards stay when they are vacant
# (H-341.5-1(B) NOTE 6): the embassies' CMR, the consulate general's residence.
OFFICIAL_RESIDENCES = ("CMR", "CGR")


def completed(name: str) -> Callable[[list[str]], list[str]]:
    """A record of file `name` with the optional columns some budget rules read, where its builder above left
    them out: each employee holds a position of its own (no two incumbents overlap, H-341.15-2(D) NOTE 2),
    each residential building is its own compound (none holds offices, H-341.5-4(D) c), and the official
    residences are marked."""

    def complete(row: list[str]) -> list[str]:
        if name == "people" and len(row) < len(RECORD_HEADERS[name]):
            return [*row, "" if row[2] in ("EFM", "MOH") else f"POS-{row[0]}"]
        if name == "housing" and len(row) < len(RECORD_HEADERS[name]):
            return [*row, row[1], yes_no(row[1] in OFFICIAL_RESIDENCES)]
        return row

    return complete


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_bundle(spec: PostSpec, folder: Path, fiscal_year: int = FISCAL_YEAR, tdy: Tdy | None = None) -> None:
    """A post bundle; with `tdy`, its tdy/ folder too, and post.toml says it is the final budget (the one that
    sets the next fiscal year's TDY rates)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "post.toml").write_text(
        "[post]\n"
        f'code = "{spec.code}"\n'
        f'name = "{spec.name}"\n'
        f'country = "{spec.country}"\n'
        f'region = "{spec.region}"\n'
        f'methodology = "{spec.methodology}"\n'
        f"fiscal_year = {fiscal_year}\n"
        + ('stage = "final"\n' if tdy is not None else "")
        + f'guard_force = "{spec.guard_force}"\n'
        + f'furniture_pool = "{yes_no(spec.furniture_pool)}"\n'
        # H-341.4-3 NOTES 1-2: the State Program's IM officer, where there is one, is a dual position on the list.
        + 'state_program_im = "no"\n'
        + f'cell_phone_program = "{yes_no(spec.cell_phone_program)}"\n'
        + f'radio_repeater_site = "{yes_no(spec.radio_repeater_site)}"\n'
        + f'new_facilities = "{yes_no(spec.new_facilities)}"\n',
        encoding="utf-8",
    )
    if tdy is not None:
        (folder / "tdy").mkdir()
        (folder / "tdy" / "policy.toml").write_text(tdy.policy, encoding="utf-8")
        write_csv(folder / "tdy" / "visits.csv", VISIT_HEADER, tdy.visits)
        write_csv(folder / "tdy" / "services.csv", SERVICE_HEADER, tdy.services)
    # Co-located: office space in the embassy's or consulate's own building (H-341 b(1), rule R56).
    co_located = {row[2] for row in spec.records["office_space"] if row[0] in ("CHANCERY", "CONSULATE")}
    # Government housing: a unit the post provides, leased or government-owned, occupied (H-341 b(2), rule R57);
    # LQA/OHA housing is the employee's own lease.
    housed = {row[3] for row in spec.records["housing"] if not row[5]}
    write_csv(
        folder / "agencies.csv",
        [
            "code",
            "name",
            "separate_network",
            "under_com",
            "physically_present",
            "co_located",
            "government_housing",
            "own_medical_program",
            "bureau",
        ],
        (
            [
                a.code,
                a.name,
                *map(yes_no, (a.own_network, present(a), present(a), a.code in co_located)),
                *map(yes_no, (a.code in housed, a.own_medical_program)),
                a.bureau,
            ]
            for a in spec.agencies
        ),
    )
    write_csv(
        folder / "cost_factors.csv",
        ["grade", "amsal", "pat"],
        ([grade, money(amsal), money(pat)] for grade, (amsal, pat) in COST_FACTORS.items()),
    )
    write_csv(
        folder / "positions.csv",
        [
            "position_id",
            "category",
            "grade",
            "title",
            "dual_function",
            "dual_approved_on",
            "ds_approved_on",
            "council_approved_on",
        ],
        ([p.position_id, p.category, p.grade, p.title, *position_facts(p)] for p in spec.positions),
    )
    write_csv(
        folder / "position_costs.csv",
        ["position_id", "funding", "soc", "amount"],
        (
            [p.position_id, funding, soc, money(amount)]
            for p in spec.positions
            for funding, soc, amount in pool_lines(p)
        ),
    )
    write_csv(
        folder / "time_allocation.csv",
        ["position_id", "cost_center", "percent"],
        ([p.position_id, cc, str(percent)] for p in spec.positions for cc, percent in p.allocation.items()),
    )
    write_csv(
        folder / "budget.csv",
        ["cost_center", "funding", "soc", "amount", "description", "lease"],
        (
            [b.cost_center, b.funding, b.soc, money(b.amount), b.description, "yes" if b.soc == LEASE_SOC else "no"]
            for b in sorted(spec.budget, key=lambda b: (b.cost_center, b.funding, b.soc))
        ),
    )
    rows = [
        [cost_center, agency, number(count), ""]
        for cost_center in sorted(spec.workload)
        for agency, count in sorted(spec.workload[cost_center].items())
    ]
    write_csv(folder / "workload.csv", ["cost_center", "agency", "count", "modification"], rows)
    write_csv(folder / "modifications.csv", MODIFICATIONS_HEADER, sorted(spec.modifications))
    write_csv(folder / "targets.csv", ["fiscal_year", "funding", "kind", "amount"], targets(spec, fiscal_year))
    write_csv(folder / "terminations.csv", ["agency", "cost_center", "notice_on", "ends_on"], spec.terminations)
    for name, header in RECORD_HEADERS.items():
        if spec.records.get(name):
            write_csv(folder / f"{name}.csv", header, map(completed(name), spec.records[name]))


TARGET_FUNDING = ("RB", "OBO", "LGP")  # the three targets a post receives (H-422)


def budgeted(spec: PostSpec) -> dict[str, Decimal]:
    """What the post budgets of each target's funding source: its budget lines and its positions' pool lines."""
    found = dict.fromkeys(TARGET_FUNDING, D(0))
    for b in spec.budget:
        if b.funding in found:
            found[b.funding] += D(b.amount)
    for p in spec.positions:
        for funding, _, amount in pool_lines(p):
            if funding in found:
                found[funding] += D(amount)
    return found


def targets(spec: PostSpec, fiscal_year: int) -> list[list[str]]:
    """The ISC's targets for the sample (H-422): an initial target of each funding source a little above what the
    post budgets, and a final one closer to it, so that the samples are within their targets."""
    rows = []
    for funding, amount in budgeted(spec).items():
        for kind, step in (("initial", 50_000), ("final", 10_000)):
            rows.append([str(fiscal_year), funding, kind, money((amount // step + 1) * step)])
    return rows


def summary(run: PostRun) -> str:
    """One line on the sample, in the product's own figures."""
    assert run.bundle is not None
    assert run.distribution is not None
    assert run.derivation is not None
    post, cost = run.bundle.post, run.distribution.cost[0]
    by_funding = ", ".join(
        f"{f} ${int(c) / 100:,.0f}" for f, c in zip(FUNDING_SOURCES, cost.sum(axis=0).tolist(), strict=True)
    )
    people = run.records.sources.people.height if run.records and run.records.sources.people is not None else 0
    return (
        f"{post.name} ({post.methodology}): {len(run.bundle.agencies)} agencies, {len(run.bundle.positions)} "
        f"positions, {people} people, {len(run.derivation.lines)} derived and "
        f"{sum(w.origin == 'entered' for w in run.bundle.workload)} entered count lines, "
        f"total ${int(cost.sum()) / 100:,.2f} ({by_funding})"
    )


# ------------------------------------------------------------------------------------------------ TDY

LEASE_SOC = "2320"  # rent of residential and nonresidential operating leases: left out of TDY rates
VISIT_HEADER = [
    "visit_id",
    "traveler",
    "agency",
    "category",
    "arrive",
    "depart",
    "ecc",
    "approved_on",
    "group_id",
    "related_to",
]
SERVICE_HEADER = ["visit_id", "cost_center", "quantity", "modification", "comment"]
DIRECT_COSTS = """
[policy.direct_costs]
overtime = "$45 an hour"
field_travel = "$150 a day"
vehicle_without_driver = "$60 to $90"
vehicle_with_driver = "$140 to $190"
communication_devices = "$6"
computer_fees = "$35"
expediter = "$40"
"""


@dataclass(frozen=True)
class Tdy:
    policy: str
    visits: list[list[str]]
    services: list[list[str]]


def tdy_visits(year: int) -> Tdy:
    """A Standard post's visitors for the visits that end in fiscal year `year` (the handbook's cases among
    them): a group of four for a conference, a Cabinet secretary whose agency is not at post, a visit across
    September 30, an OIG inspection, a CODEL, a gap filler, a related later visit, and one short visit."""
    y0, y1 = str(year - 1), str(year)
    visits = [
        ["T01", "Ana Ruiz", FCS, "ROUTINE", f"{y0}-11-02", f"{y0}-11-11", "ECC-4471", f"{y0}-11-12", "TRADE", ""],
        ["T02", "Ben Okafor", FCS, "ROUTINE", f"{y0}-11-02", f"{y0}-11-11", "ECC-4472", f"{y0}-11-12", "TRADE", ""],
        ["T03", "Carla Mendes", FCS, "ROUTINE", f"{y0}-11-02", f"{y0}-11-11", "ECC-4473", f"{y0}-11-12", "TRADE", ""],
        ["T04", "Dev Patel", FCS, "ROUTINE", f"{y0}-11-02", f"{y0}-11-11", "ECC-4474", f"{y0}-11-12", "TRADE", ""],
        [
            "T05",
            "Secretary of Energy",
            "8900.0",
            "CABINET",
            f"{y1}-02-10",
            f"{y1}-02-12",
            "ECC-5120",
            f"{y1}-02-13",
            "",
            "",
        ],
        ["T06", "Erin Walsh", "1600.0", "ROUTINE", f"{y0}-09-20", f"{y0}-10-12", "ECC-3301", f"{y0}-10-13", "", ""],
        ["T07", "Farid Haddad", STATE, "OIG", f"{y1}-01-08", f"{y1}-02-16", "TO-88123", f"{y1}-02-17", "", ""],
        ["T08", "CODEL Marsh", ICASS, "VIP", f"{y1}-04-03", f"{y1}-04-05", "CODEL-27", "", "", ""],
        ["T09", "Gina Torres", USAID, "GAP_FILLER", f"{y1}-03-01", f"{y1}-05-29", "ECC-6610", "", "", ""],
        ["T10", "Erin Walsh", "1600.0", "ROUTINE", f"{y1}-03-02", f"{y1}-03-20", "ECC-3390", f"{y1}-03-21", "", "T06"],
        ["T11", "Hal Brooks", "1600.0", "ROUTINE", f"{y1}-06-01", f"{y1}-06-05", "ECC-3420", f"{y1}-06-06", "", ""],
    ]
    services = [
        ["T01", "6194", "", "", ""],
        ["T05", "6134", "14", "", ""],
        ["T05", "6139", "520", "", ""],
        ["T06", "6139", "380", "", ""],
        ["T06", "6223", "6", "", ""],
        ["T06", "5624", "", "0.5", "Medical clearance from post of assignment; MED consultations only"],
        ["T07", "6223", "9", "", ""],
        ["T08", "6139", "1400", "", ""],
        ["T09", "6134", "3", "", ""],
        ["T11", "6223", "2", "", ""],
    ]
    policy = f'[policy]\nthreshold = "500.00"\ninvoices = "yes"\n{council_approved(year)}' + DIRECT_COSTS
    return Tdy(policy, visits, services)


def council_approved(year: int) -> str:
    """The policy's line saying the ICASS Council approved it early in fiscal year `year`, the year its visits
    end (H-362 a): without it no TDY invoice of the year is approved."""
    return f"council_approved_on = {year - 1}-10-05\n"


def lite_tdy(year: int) -> Tdy:
    """A Lite post's visitors: General Services billed through the post's baskets (H-363.1-5 e)."""
    y1 = str(year)
    policy = (
        f'[policy]\nthreshold = "600.00"\ninvoices = "yes"\n{council_approved(year)}'
        '\n[[policy.basket]]\nname = "GSO_BASKET_1"\nmodification = "0.3"\nservices = ["6145"]\n'
        '\n[[policy.basket]]\nname = "GSO_BASKET_2"\nmodification = "0.6"\nservices = ["6145"]\n'
        '\n[[policy.basket]]\nname = "GSO_FULL"\nmodification = "1"\nservices = ["6145"]\n' + DIRECT_COSTS
    )
    visits = [
        ["L01", "Ivan Petrov", "8900.0", "ROUTINE", f"{y1}-01-12", f"{y1}-03-02", "ECC-7701", f"{y1}-03-03", "", ""],
        ["L02", "Jo Kim", USAID, "ROUTINE", f"{y1}-04-06", f"{y1}-05-15", "ECC-7702", f"{y1}-05-16", "", ""],
        ["L03", "Kemal Aydin", USAID, "ICASS_SUPPORT", f"{y1}-02-02", f"{y1}-02-20", "ECC-7703", "", "", ""],
    ]
    services = [
        ["L01", "GSO_BASKET_2", "", "", ""],
        ["L01", "6225", "5", "", ""],
        ["L02", "GSO_BASKET_1", "", "", ""],
        ["L02", "6225", "3", "", ""],
        ["L03", "6225", "2", "", ""],
    ]
    return Tdy(policy, visits, services)


def frozen_counts(folder: Path, counted: Path) -> None:
    """Turn a bundle into a final budget's archive: the counts of the bundle `counted` (derived or entered)
    typed into workload.csv with the budget committee's modifications, and the source records dropped."""
    run = run_post(counted, through=Through.COUNTS)
    assert run.bundle is not None, [str(d) for d in run.diagnostics]
    rows = [[w.cost_center, w.agency, number(w.count), number(w.modification), w.factor] for w in run.bundle.workload]
    write_csv(folder / "workload.csv", ["cost_center", "agency", "count", "modification", "factor"], rows)
    for name in (*RECORD_HEADERS, "modifications"):
        (folder / f"{name}.csv").unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ World

# The world's posts: the three samples, and three more of their kind under other names (H-424 bases differ
# by where mail comes from and which central programs a post has).
WORLD_POSTS = (
    ("kivara", standard_post, ("KVR", "U.S. Embassy Kivara", "Republic of Makena", "AF"), ("APO", True, True, True)),
    (
        "port-solace",
        lite_post,
        ("PSL", "U.S. Embassy Port Solace", "Federation of San Lucerna", "WHA"),
        ("POUCH", False, True, False),
    ),
    (
        "aldmere",
        consulate,
        ("ALD", "U.S. Consulate General Aldmere", "Kingdom of Varnholt", "EUR"),
        ("BORDER", False, False, False),
    ),
    (
        "tessaly",
        standard_post,
        ("TSY", "U.S. Embassy Tessaly", "Commonwealth of Oriel", "EAP"),
        ("APO", True, False, False),
    ),
    ("marbeck", lite_post, ("MBK", "U.S. Embassy Marbeck", "Republic of Ostrava", "NEA"), ("POUCH", True, True, True)),
    (
        "quillon",
        consulate,
        ("QLN", "U.S. Consulate General Quillon", "Union of Sereth", "SCA"),
        ("APO", False, True, False),
    ),
)
WORLD_TOML = """[world]
fiscal_year = 2027
stage = "final"
amsal_target = "9650000.00"
pat_target = "2150000.00"
dpm_pouch_percent = "38.5"
fob_rsa_fee = "125.00"
tdy_as_of = 2027-07-15
"""
WORLD_ITEMS = [
    ["GFS", "210000.00", "", "AMSAL", "", "6221", "CGFS accounting staff salaries"],
    ["GFS", "95000.00", "", "", "", "6223", "CGFS voucher processing"],
    ["SDT", "64000.00", "", "", "", "", "Second destination transportation, APO/FPO/DPO posts"],
    ["DPM", "118000.00", "", "", "", "", "Diplomatic pouch and mail operations"],
    ["DPM_SALARY", "41000.00", "", "", "", "", "Diplomatic pouch and mail salaries"],
    [
        "CF_REPLENISHMENT",
        "18500.00",
        "KVR",
        "RB",
        "",
        "",
        "Contingency fund replenishment: emergency needs after the final targets",
    ],
    ["FLO", "52000.00", "", "", "", "", "Family Liaison Office"],
    ["MED", "88000.00", "", "", "", "", "Office of Medical Services, Washington"],
    ["MEDEVAC", "36000.00", "", "", "", "", "Regional MEDEVAC support"],
    ["FSN_SEPARATION", "47000.00", "", "", "", "", "FSN separation liability trust fund"],
    ["LGP_VEHICLES", "29000.00", "", "", "", "", "Local guard program vehicles"],
    ["GITM", "102000.00", "", "", "", "", "Global IT modernization"],
    ["ISC_NONSALARY", "31000.00", "", "", "", "", "ICASS Service Center operations"],
    ["ISC_SALARY", "58000.00", "", "", "", "", "ICASS Service Center salaries"],
    ["IWG_CHAIR", "6500.00", "", "", "", "", "ICASS Working Group chair"],
    ["OVERSEAS_SCHOOLS", "74000.00", "", "", "", "", "Office of Overseas Schools"],
    ["OTHER", "-2500.00", "", "", USAID, "", "Credit: FY 2026 LGP vehicle charge billed twice"],
]


def write_world(out: Path) -> None:
    """examples/world: the six posts, their profiles, every below-the-line item, dependents and tokens."""
    folder = out / "world"
    if folder.exists():
        shutil.rmtree(folder)
    profiles = []
    world_targets = []
    for name, build, (code, title, country, region), (mail, separation, guards, medevac) in WORLD_POSTS:
        spec = build()
        spec.code, spec.name, spec.country, spec.region = code, title, country, region
        spec.guard_force = "psa" if guards else "contract"
        write_bundle(spec, folder / "posts" / name)
        world_targets += [[code, *row] for row in targets(spec, FISCAL_YEAR)]
        profiles.append([code, mail] + ["yes" if flag else "no" for flag in (separation, guards, medevac)])
    (folder / "world.toml").write_text(WORLD_TOML, encoding="utf-8")
    # The TDY item: Kivara's FY 2026 final budget (the FY 2027 sample with its counts frozen) bills its visits
    # that end in FY 2027.
    kivara = standard_post()
    kivara.code, kivara.name, kivara.country, kivara.region = WORLD_POSTS[0][2]
    write_bundle(kivara, folder / "tdy" / "kivara-fy2026", FISCAL_YEAR - 1, tdy_visits(FISCAL_YEAR))
    frozen_counts(folder / "tdy" / "kivara-fy2026", folder / "posts" / "kivara")
    write_csv(folder / "posts.csv", ["post", "mail", "separation_pay", "psa_guards", "medevac"], profiles)
    write_csv(folder / "targets.csv", ["post", "fiscal_year", "funding", "kind", "amount"], sorted(world_targets))
    write_csv(folder / "items.csv", ["item", "amount", "post", "funding", "agency", "cost_center", "note"], WORLD_ITEMS)
    write_csv(
        folder / "dependents.csv", ["agency", "dependents"], [[STATE, "148"], [USAID, "64"], [DAO, "21"], [CDC, "18"]]
    )
    write_csv(folder / "tokens.csv", ["agency", "tokens"], [[STATE, "24"], [USAID, "9"], [DAO, "5"]])
    write_csv(
        folder / "gfs_workload.csv", ["cost_center", "agency", "count"], [["6221", USAID, "412"], ["6223", CDC, "275"]]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the sample post bundles and the sample world.")
    parser.add_argument("--out", type=Path, default=HERE, help="the folder to write them in (default: examples/)")
    out = parser.parse_args().out
    samples = (
        (standard_post(), "standard-post", tdy_visits(FISCAL_YEAR + 1)),
        (lite_post(), "lite-post", lite_tdy(FISCAL_YEAR + 1)),
        (consulate(), "consulate", None),
    )
    for spec, folder, tdy in samples:
        write_bundle(spec, out / folder, tdy=tdy)
        run = run_post(out / folder)
        if not run.ok or run.diagnostics:
            problems = "\n".join(str(d) for d in run.diagnostics)
            raise SystemExit(f"{out / folder} does not distribute cleanly:\n{problems}")
        print(summary(run))
        if tdy is not None:
            billed = run_tdy(out / folder, dt.date(FISCAL_YEAR + 1, 7, 15))
            if not billed.ok or billed.diagnostics or billed.billing is None:
                problems = "\n".join(str(d) for d in billed.diagnostics)
                raise SystemExit(f"{out / folder}/tdy does not bill cleanly:\n{problems}")
            print(f"  TDY: {len(billed.billing.invoices)} invoices, {len(billed.billing.issued())} issued")
    write_world(out)
    world = run_world(out / "world")
    consolidation, more = consolidate_world(world)
    if consolidation is None or world.diagnostics or more:
        problems = "\n".join(str(d) for d in (*world.diagnostics, *more))
        raise SystemExit(f"{out / 'world'} does not consolidate cleanly:\n{problems}")
    total = sum(consolidation.post_totals.values()) + sum(consolidation.item_totals().values())
    print(
        f"World FY 2027: {len(world.posts)} posts, {len(consolidation.shares)} item shares, total ${total / 100:,.2f}"
    )


if __name__ == "__main__":
    main()
