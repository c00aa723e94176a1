"""The handbook's budget rules on funding sources allowed or forbidden on each cost center (group a), each a check
(icass.catalog.budget_rules holds its section, severity and advice).

A rule on a cost center holds for its sub-cost centers too (PARENT-XXXX): a sub-cost center captures part of
its parent's service (H-341.15), so the parent's funding follows it. AmSal and PAT are never typed: a typed
line of them is R01's (icass.checks.references.centrally_funded), and the rules here leave such lines to it.

R18: an alternate service provider follows its own agency's funding (H-421 NOTE), so the funding checks R03 to
R15 leave out the budget lines budget.csv's `provider` gives to one (R02's and R10's cost pools are State's
positions'), and R18 says so once. R16 and R17 are about what OBO funds outside the budget, whoever provides.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from icass.checks.broken import broken
from icass.checks.context import Check, Context, per_columns, per_table, per_tables, rows_by
from icass.diagnostics import Diagnostic
from icass.model import LOCAL_GUARD_PROGRAM, Funding, PositionCategory, PostBundle
from icass.model.columnar import column, source_of

# H-341.12 a: the four building operations cost centers: GO/CL residential and nonresidential, then OL.
BUILDING_OPERATIONS = frozenset({"7810", "7820", "7850", "7860"})
GOVERNMENT_OWNED = frozenset({"7810", "7820"})
NONRESIDENTIAL_LEASE = "7860"
# H-341.15-6, H-341.15-7: the fenced furniture and appliance pool sub-cost centers.
FENCED_FURNITURE = frozenset({"6144-X144", "6144-X244"})
# H-341.15-4: the vehicle safety (DriveCam) sub-cost center, Standard under 6132 and Lite under 6145.
VEHICLE_SAFETY = frozenset({"6132-X132", "6145-X132"})
# The cost centers (and sub-cost centers) whose funding a rule of its own names.
_FUNDING_NAMED = BUILDING_OPERATIONS | LOCAL_GUARD_PROGRAM | FENCED_FURNITURE | VEHICLE_SAFETY
SPECIALIZED_SECURITY_EQUIPMENT = "5826"  # H-341.5-4(B) NOTE 2: its routine maintenance is RB
SPECIAL_LEASED_PROPERTY = (
    NONRESIDENTIAL_LEASE  # H-341.5 o: the guards' leased rest and shift-change space, leased by LGP
)

# H-422.3(1) NOTE: object classes 11 (personnel compensation) and 12 (benefits, base allowances included).
COMPENSATION_AND_BENEFITS = ("11", "12")

# Words of a line's description, lowercase, that the warnings below guess by (a description is free text).
# H-341.5-4(B) NOTE 2: RB pays the daily routine maintenance of 5826's specialized security equipment.
EQUIPMENT_MAINTENANCE = ("maintenance", "repair", "servic")
# H-341.5 o: RB pays the building operating costs of LGP special leased property.
BUILDING_OPERATING_COSTS = ("utilit", "water", "electric", "custodial", "janitor", "cleaning")
# H-341.5 g: at a PSA guard post DS Washington buys the LGP's vehicles.
VEHICLES = ("vehicle", "truck", " car ", " cars ", " van ", " vans ", "motorcycle")
ACQUISITION = ("purchase", "acquisition", "acquire", " buy", " new ", "replacement", "replace")
# H-341.12 d(7): minor construction and improvement projects, named anywhere; and the works that make one, on
# the building operations cost centers (elsewhere "modernization" is as often an IT system's).
MINOR_CONSTRUCTION = (" mci ", " mci:", " mci,", "minor construction")
PROPERTY_WORKS = ("renovat", "moderniz", "modernis", "reconfigur")
# H-341.9-3(B) NOTES 10, 12: E&E radios and the E&E network.
EMERGENCY_RADIO = ("e&e", "emergency and evacuation", "emergency & evacuation")
# H-341.9-3(B) NOTE 11: the lease of an E&E repeater site is OBO's.
REPEATER = ("repeater",)
# H-341.15-4(B) NOTE: SHEM buys, installs and replaces the DriveCam recorders.
RECORDER_ACQUISITION = ("purchase", "install", "replace", "acquisition", "new recorder", "new camera")
# H-341.12 d(5), d(6): preventive maintenance OBO funds outside ICASS (PMSC, formerly BME; residential PM).
PREVENTIVE_MAINTENANCE = ("preventive maintenance", "preventative maintenance", "pmsc", " bme ", " bme,", " bme:")
# H-341.12 d(4)(iv): bulk M&R supplies and tools come from OBO's Maintenance Cost Sharing account.
BULK_MAINTENANCE_SUPPLIES = (
    "bulk m&r",
    "bulk maintenance",
    "bulk supplies",
    "bulk paint",
    "lumber",
    "nails",
    "paint supplies",
    "paint,",
    "brushes",
    "rollers",
    "drop cloth",
    "plumbing supplies",
    "electrical supplies",
)


def family(code: str) -> str:
    """The cost center a code belongs to: itself, or the parent of a sub-cost center."""
    return code.split("-", 1)[0]


@lru_cache(maxsize=4096)  # a post repeats its descriptions line after line
def says(description: str, words: tuple[str, ...]) -> bool:
    """The description holds one of the words (each lowercase; a leading or trailing space marks a word's edge)."""
    text = f" {description.lower()} "
    return any(word in text for word in words)


def _lines(bundle: PostBundle) -> list[tuple[int, str, str, str, str, bool]]:
    """Each budget line's index, cost center, funding, SOC, description and lease mark."""
    return _budget_lines(bundle.budget)


@per_table  # a dozen rules read the budget's lines so
def _budget_lines(budget: Sequence[Any]) -> list[tuple[int, str, str, str, str, bool]]:
    names = ("cost_center", "funding", "soc", "description", "lease")
    return [(k, *line) for k, line in enumerate(zip(*(column(budget, name) for name in names), strict=True))]


def _state_lines(bundle: PostBundle) -> list[tuple[int, str, str, str, str, bool]]:
    """_lines without an alternate service provider's, which follow their own agency's funding (R18)."""
    return _lines_of_state(bundle.budget)


@per_table
def _lines_of_state(budget: Sequence[Any]) -> list[tuple[int, str, str, str, str, bool]]:
    lines = _budget_lines(budget)
    providers = column(budget, "provider")
    if not any(providers):
        return lines
    return [line for line in lines if not providers[line[0]]]


def _budget_line(rule: str, bundle: PostBundle, k: int, found: str, field: str = "funding") -> Diagnostic:
    return broken(rule, source_of(bundle.budget, k), found, field)


def _pool_line(rule: str, pool: Sequence[Any], k: int, found: str, field: str = "funding") -> Diagnostic:
    return broken(rule, source_of(pool, k), found, field)


def _time_of(bundle: PostBundle) -> dict[str, set[str]]:
    """The cost centers (families) each position gives time to."""
    return _time_families(bundle.time_allocation)


@per_columns("position_id", "cost_center")
def _time_families(allocation: Sequence[Any]) -> dict[str, set[str]]:
    codes = column(allocation, "cost_center")
    families = {code: family(code) for code in set(codes)}  # a few dozen codes on thousands of rows
    time: dict[str, set[str]] = {}
    for position_id, code in zip(column(allocation, "position_id"), codes, strict=True):
        time.setdefault(position_id, set()).add(families[code])
    return time


@per_columns("funding")
def _lines_funded(pool: Sequence[Any]) -> dict[str, list[int]]:
    """The cost pools' lines by funding source."""
    found: dict[str, list[int]] = {}
    for k, funding in enumerate(column(pool, "funding")):
        found.setdefault(funding, []).append(k)
    return found


def _categories(bundle: PostBundle) -> dict[str, PositionCategory]:
    return _category_of(bundle.positions)


@per_columns("position_id", "category")
def _category_of(positions: Sequence[Any]) -> dict[str, PositionCategory]:
    return dict(zip(column(positions, "position_id"), column(positions, "category"), strict=True))


def residential_lease_pools(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R02: OBO money in a cost pool is a USDH position's residential lease or LQA; no other pool gets it."""
    categories = _categories(bundle)
    pool = bundle.position_costs
    return [
        _pool_line("R02", pool, k, f"position {position_id} is {categories[position_id]} and its pool has OBO money")
        for k, (position_id, funding) in enumerate(
            zip(column(pool, "position_id"), column(pool, "funding"), strict=True)
        )
        if funding == Funding.OBO and categories.get(position_id, PositionCategory.USDH) != PositionCategory.USDH
    ]


def regional_bureau_target(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R03: RB never pays AmSal (SOC 0006) or PAT (SOC 0005); those are funded centrally, by grade."""
    found = [
        _budget_line("R03", bundle, k, f"SOC {soc} ({CENTRALLY_FUNDED[soc]}) is funded RB", "soc")
        for k, _, funding, soc, _, _ in _state_lines(bundle)
        if funding == Funding.RB and soc in CENTRALLY_FUNDED
    ]
    return found + _centrally_funded_in_pools(bundle.position_costs)


CENTRALLY_FUNDED = {"0006": "AmSal", "0005": "PAT"}  # SOC -> what it pays


@per_columns("funding", "soc")  # a budget line changed leaves the cost pools' findings as they were
def _centrally_funded_in_pools(pool: Sequence[Any]) -> list[Diagnostic]:
    return [
        _pool_line("R03", pool, k, f"SOC {soc} ({CENTRALLY_FUNDED[soc]}) is funded RB", "soc")
        for k, (funding, soc) in enumerate(zip(column(pool, "funding"), column(pool, "soc"), strict=True))
        if funding == Funding.RB and soc in CENTRALLY_FUNDED
    ]


def operating_lease_money(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R04: OBO's target holds operating lease costs; outside building operations an OBO line on a cost center
    is not one (the cost centers whose funding another rule names are that rule's: R05, R07, R14, R15, R16)."""
    return [
        _budget_line("R04", bundle, k, f"{code} is funded OBO")
        for k, code, funding, _, _, _ in _state_lines(bundle)
        if funding == Funding.OBO and family(code) not in _FUNDING_NAMED and code not in _FUNDING_NAMED
    ]


def building_operating_expenses(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R05: on building operations, OBO pays only the lease; everything else there is a building operating
    expense (or OBO's own maintenance, funded outside the ICASS budget)."""
    return [
        _budget_line("R05", bundle, k, f"a line of {code} that is not a lease is funded OBO")
        for k, code, funding, _, _, lease in _state_lines(bundle)
        if funding == Funding.OBO and family(code) in BUILDING_OPERATIONS and not lease
    ]


def local_guard_money(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R06: LGP money reaches only the local guard program's cost centers: on a budget line, or through the
    time of the position whose pool holds it. The lease of LGP special leased property is DS ICASS's too, on
    the nonresidential operating lease cost center whose counts it charges to 1901.0 (H-341.5 o)."""
    found = [
        _budget_line("R06", bundle, k, f"{code} is funded LGP")
        for k, code, funding, _, _, lease in _state_lines(bundle)
        if funding == Funding.LGP
        and family(code) not in LOCAL_GUARD_PROGRAM
        and not (lease and family(code) == SPECIAL_LEASED_PROPERTY)
    ]
    return found + _local_guard_money_in_pools(bundle.position_costs, bundle.time_allocation)


@per_tables  # a budget line changed leaves the cost pools and the time as they were
def _local_guard_money_in_pools(pool: Sequence[Any], allocation: Sequence[Any]) -> list[Diagnostic]:
    lines = _lines_funded(pool).get(Funding.LGP, ())
    if not lines:
        return []
    time = _time_families(allocation)
    found = []
    positions = column(pool, "position_id")
    for k in lines:
        position_id = positions[k]
        outside = sorted(time.get(position_id, set()) - LOCAL_GUARD_PROGRAM)
        if outside:
            found.append(
                _pool_line("R06", pool, k, f"position {position_id}'s LGP money follows its time to {outside[0]}")
            )
    return found


def local_guard_funding(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R07: the local guard program's cost centers are LGP-funded; RB pays there only the routine maintenance
    of 5826's security equipment and the building operating costs of LGP special leased property."""
    found: list[Diagnostic] = []
    for k, code, funding, _, description, _ in _state_lines(bundle):
        if family(code) not in LOCAL_GUARD_PROGRAM or funding in (Funding.LGP, Funding.AMSAL, Funding.PAT):
            continue
        if funding == Funding.RB and (
            says(description, BUILDING_OPERATING_COSTS)
            or (family(code) == SPECIALIZED_SECURITY_EQUIPMENT and says(description, EQUIPMENT_MAINTENANCE))
        ):
            continue
        found.append(_budget_line("R07", bundle, k, f"{code} is funded {funding}"))
    return found


def guard_vehicles(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R09: at a post with PSA guards, DS Washington buys the LGP's vehicles (a guess from the description)."""
    if bundle.post.guard_force != "psa":
        return []
    return [
        _budget_line("R09", bundle, k, f"the LGP line of {code} reads as a vehicle purchase", "description")
        for k, code, funding, _, description, _ in _state_lines(bundle)
        if funding == Funding.LGP and says(description, VEHICLES) and says(description, ACQUISITION)
    ]


def local_guard_salaries(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R10: an LE position whose time is all in the local guard program is paid LGP; one whose time is partly
    there is paid from both targets, which a single pool line cannot be (R06 judges its LGP lines)."""
    categories = _categories(bundle)
    allocation = bundle.time_allocation
    ids = column(allocation, "position_id")
    # The LE positions with time in the guard program, and whether all of it is there: a few among thousands.
    in_program = {
        ids[k]
        for code, at in rows_by(allocation, "cost_center").items()
        if family(code) in LOCAL_GUARD_PROGRAM
        for k in at
    }
    time = _time_of(bundle)
    guarding = {
        position_id: "all" if time[position_id] <= LOCAL_GUARD_PROGRAM else "part"
        for position_id in in_program
        if categories.get(position_id) == PositionCategory.LE
    }
    pool = bundle.position_costs
    found: list[Diagnostic] = []
    positions, fundings, lines = column(pool, "position_id"), column(pool, "funding"), rows_by(pool, "position_id")
    for k in sorted(k for position_id in guarding for k in lines.get(position_id, ())):
        position_id, funding = positions[k], fundings[k]
        where = guarding[position_id]
        if funding == Funding.LGP:
            continue
        found.append(
            _pool_line(
                "R10",
                pool,
                k,
                f"position {position_id} gives {where} of its time to the local guard "
                f"program and its pool has {funding} money",
            )
        )
    return found


def minor_construction(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R11: ICASS funds no MCI project (a guess from the description)."""
    return [
        _budget_line("R11", bundle, k, f"the line of {code} reads as an MCI project", "description")
        for k, code, _, _, description, _ in _state_lines(bundle)
        if says(description, MINOR_CONSTRUCTION)
        or (family(code) in BUILDING_OPERATIONS and says(description, PROPERTY_WORKS))
    ]


def emergency_radios(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R12: E&E radios and network are State Program's (a guess from the description); a lease of an E&E
    repeater site is R13's."""
    return [
        _budget_line("R12", bundle, k, f"the line of {code} reads as E&E radios or network", "description")
        for k, code, _, _, description, lease in _state_lines(bundle)
        if says(description, EMERGENCY_RADIO) and not (lease and says(description, REPEATER))
    ]


def emergency_repeater_leases(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R13: the lease of an E&E repeater site is OBO's, outside ICASS (a guess from the description)."""
    return [
        _budget_line("R13", bundle, k, f"the lease line of {code} reads as an E&E repeater site", "description")
        for k, code, _, _, description, lease in _state_lines(bundle)
        if lease and says(description, EMERGENCY_RADIO) and says(description, REPEATER)
    ]


def fenced_furniture_funding(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R14: the fenced furniture pool sub-cost centers hold the regional bureau's fenced money only."""
    return [
        _budget_line("R14", bundle, k, f"{code} is funded {funding}")
        for k, code, funding, _, _, _ in _state_lines(bundle)
        if code in FENCED_FURNITURE and funding not in (Funding.RB, Funding.AMSAL, Funding.PAT)
    ]


def vehicle_safety(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R15: the vehicle safety sub-cost center's operating costs are RB; SHEM buys and installs the recorders
    (a guess from the description)."""
    found: list[Diagnostic] = []
    for k, code, funding, _, description, _ in _state_lines(bundle):
        if code not in VEHICLE_SAFETY:
            continue
        if funding not in (Funding.RB, Funding.AMSAL, Funding.PAT):
            found.append(_budget_line("R15", bundle, k, f"{code} is funded {funding}"))
        elif says(description, RECORDER_ACQUISITION):
            found.append(
                _budget_line(
                    "R15", bundle, k, f"the line of {code} reads as buying or installing recorders", "description"
                )
            )
    return found


def alternate_service_providers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R18: the lines of an alternate service provider are left out of the funding checks, said once."""
    providers = column(bundle.budget, "provider")
    given = [k for k, provider in enumerate(providers) if provider]
    if not given:
        return []
    named = ", ".join(sorted({providers[k] for k in given}))
    found = f"{len(given)} budget line(s) are of the alternate service provider(s) {named}"
    return [broken("R18", source_of(bundle.budget, given[0]), found, "provider")]


def efm_salaries(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R08: Washington funds the salary, benefits and base allowances of an eligible family member's position in
    the local guard program, outside the post's budget: its pool holds no SOC of object class 11 or 12."""
    categories = _categories(bundle)
    efm = {position_id for position_id, category in categories.items() if category == PositionCategory.EFM}
    if not efm:
        return []
    time = _time_of(bundle)
    guarding = {p for p in efm if time.get(p, set()) & LOCAL_GUARD_PROGRAM}
    pool = bundle.position_costs
    return [
        _pool_line("R08", pool, k, f"position {position_id} is an EFM's in the local guard program, SOC {soc}", "soc")
        for k, (position_id, soc) in enumerate(zip(column(pool, "position_id"), column(pool, "soc"), strict=True))
        if position_id in guarding and soc.startswith(COMPENSATION_AND_BENEFITS)
    ]


def government_owned_leases(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R16: OBO funds GO/CL leases, PMSC and residential preventive maintenance outside the post's budget."""
    found: list[Diagnostic] = []
    for k, code, _, _, description, lease in _lines(bundle):
        if family(code) not in GOVERNMENT_OWNED:
            continue
        if lease:
            found.append(_budget_line("R16", bundle, k, f"{code} has a lease line", "lease"))
        elif says(description, PREVENTIVE_MAINTENANCE):
            found.append(
                _budget_line("R16", bundle, k, f"the line of {code} reads as preventive maintenance", "description")
            )
    return found


def bulk_maintenance(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R17: OBO funds bulk M&R supplies and tools, and preventive maintenance of leased nonresidential property,
    outside the post's budget (a guess from the description; preventive maintenance of GO/CL property is R16's,
    and of leased residences the landlord's or, where the lease says so, the tenant's)."""
    found: list[Diagnostic] = []
    for k, code, _, _, description, _ in _lines(bundle):
        if family(code) not in BUILDING_OPERATIONS:
            continue
        if says(description, BULK_MAINTENANCE_SUPPLIES):
            found.append(
                _budget_line("R17", bundle, k, f"the line of {code} reads as bulk M&R supplies", "description")
            )
        elif family(code) == NONRESIDENTIAL_LEASE and says(description, PREVENTIVE_MAINTENANCE):
            found.append(
                _budget_line("R17", bundle, k, f"the line of {code} reads as preventive maintenance", "description")
            )
    return found


_BUDGET = frozenset({"budget"})
_POOLS = frozenset({"positions", "position_costs"})
_POOLS_AND_TIME = frozenset({"positions", "position_costs", "time_allocation"})

CHECKS: tuple[Check, ...] = (
    Check(residential_lease_pools, reads=_POOLS, budget_rule="R02"),
    Check(efm_salaries, reads=_POOLS_AND_TIME, budget_rule="R08"),
    Check(alternate_service_providers, reads=_BUDGET, budget_rule="R18"),
    Check(regional_bureau_target, reads=frozenset({"budget", "position_costs"}), budget_rule="R03", line_by_line=True),
    Check(operating_lease_money, reads=_BUDGET, budget_rule="R04", line_by_line=True),
    Check(building_operating_expenses, reads=_BUDGET, budget_rule="R05", line_by_line=True),
    Check(
        local_guard_money,
        reads=frozenset({"budget", "position_costs", "time_allocation"}),
        budget_rule="R06",
        line_by_line=True,
    ),
    Check(local_guard_funding, reads=_BUDGET, budget_rule="R07", line_by_line=True),
    Check(guard_vehicles, reads=frozenset({"post", "budget"}), budget_rule="R09", line_by_line=True),
    Check(local_guard_salaries, reads=_POOLS_AND_TIME, budget_rule="R10"),
    Check(minor_construction, reads=_BUDGET, budget_rule="R11", line_by_line=True),
    Check(emergency_radios, reads=_BUDGET, budget_rule="R12", line_by_line=True),
    Check(emergency_repeater_leases, reads=_BUDGET, budget_rule="R13", line_by_line=True),
    Check(fenced_furniture_funding, reads=_BUDGET, budget_rule="R14", line_by_line=True),
    Check(vehicle_safety, reads=_BUDGET, budget_rule="R15", line_by_line=True),
    Check(government_owned_leases, reads=_BUDGET, budget_rule="R16", line_by_line=True),
    Check(bulk_maintenance, reads=_BUDGET, budget_rule="R17", line_by_line=True),
)
