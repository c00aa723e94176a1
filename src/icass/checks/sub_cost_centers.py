"""The handbook's budget rules on sub-cost centers: which may exist, what they hold, and their counts (group e),
each a check (icass.catalog.budget_rules holds its section, severity and advice); and R137, the warehouse cost
pool, judged with R87's warehouse lines.

A sub-cost center's code is PARENT-XXXX; its counts are read as the post distributes by them (derived,
replaced by typed counts, modified), summed per agency where a rule compares two cost centers. The bundle names
no sub-cost center and marks no line as a warehouse's or a service's: R87, R89, R91 and R137 guess from a
line's description, so each is a warning; their keyword lists are data below, one tuple each, with the section
it reads.

R81, R82 and R94 read post.toml's cell_phone_program, radio_repeater_site and new_facilities: whether ICASS
manages the official cell phone program, leases a site for its radio repeaters, and whether the post moves into
new facilities next year. A repeater site's or new building's sub-cost center is a post-defined one (the
catalog's standardized sub-cost centers have other purposes).

R93 reads each bundle as one location's budget: a location with a guard force has its own guard program cost
centers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from icass.checks.broken import broken
from icass.checks.context import Check, Context, per_columns, rows_by
from icass.checks.funding import family, says
from icass.diagnostics import Diagnostic
from icass.model import LOCAL_GUARD_PROGRAM, PostBundle
from icass.model.columnar import column, source_of

BASIC_PACKAGE = "6150"
HEALTH = "5624"
REGIONAL_MEDEVAC = "5624-0001"  # H-341.3-2 NOTE 6
MEDEVAC_AGENCY = "9913.0"
ICASS = "1901.0"
MARINE_SECURITY_GUARDS = "1931.0"
LGP_VEHICLES = "6132-X001"  # H-341.15-3
ADMIN_SUPPLIES = frozenset({"6133-X133", "6145-X133"})  # H-341.15-5, Standard and Lite
SUPPLIES_STANDARD = ("6133", "6133-X133")  # H-341.7-2(D) b: the parent's count includes the sub-cost center's
FENCED_POOLS = ("6144-X144", "6144-X244")  # H-341.15-6, H-341.15-7: furniture and appliances, appliances only
FENCED_FURNITURE = frozenset(FENCED_POOLS)
MOBILE_PATROL = ("5823", "5823-X023")  # H-341.15-2(D) a
GUARD_EVENTS = "5821-X999"  # H-341.15-1
MAIL = "6194"  # H-341.9-2(D) NOTE 1: its sub-cost centers carry one agency's programmatic mail
# Parents whose post-made sub-cost centers count by a factor of their own (R92's exceptions): programmatic mail,
# one (H-341.9-2(D) NOTE 1); the cell phone program, phones serviced, and the radio repeater, ICASS alone
# (H-341.9-3(B) NOTE 6, (D) NOTE 2; Lite 6196, H-342.9-1 NOTE 2, H-342.9-2 NOTE 9).
OWN_FACTOR_PARENTS = frozenset({MAIL, "6195", "6196"})
MAKE_READY = "7850-X799"  # H-341.15-11
RESIDENTIAL_SPACE = ("7810", "7850")
OTHER_AUTHORIZED_USE = "6139"  # H-341.7-6(D) NOTE 4: its sub-cost centers
# H-341.15-10: parking lots, GO/CL 7820-X821, X822 ... and OL 7860-X861, X862 ...
PARKING_LOT = re.compile(r"^(7820-X82|7860-X86)(\d)$")
TELECOMMUNICATIONS = "6195"  # H-341.9-3(A) NOTE 2: the cell phone program's sub-cost center is one of its
OFFICE_LEASES = "7860"  # H-341.9-3(B) NOTE 6: "7860-XXXX BO Radio Repeater", a post-defined sub-cost center
# H-341.12-1 - H-341.12-4: building operations, whose NOTE 2 asks a post-defined sub-cost center of the new
# facilities in the transition year.
BUILDING_OPERATIONS = ("7810", "7820", "7850", "7860")
# SOCs of personnel compensation and benefits (11xx, 12xx): salaries, which R75 keeps off the supplies pools.
SALARY_SOC = ("11", "12")


# H-341.5-2(A) NOTE, H-342.5-2(A) NOTE: the guards of single-agency stand-alone buildings, one sub-cost center a
# property; H-341.5-2(B) NOTE 7: an ICASS-only building's guards go on a 5826 sub-cost center instead.
SINGLE_AGENCY_BUILDINGS = "5822"
# Parents whose sub-cost centers each hold one property's guards, apart from the parent's (H-341.5-2(A) NOTE,
# (B) NOTE 7; H-341.15-10(A) NOTE): an agency's count there is no part of its count in the parent.
PER_PROPERTY_PARENTS = frozenset({SINGLE_AGENCY_BUILDINGS, "5826"})
# H-341.15-8: the post language programs, host language X001 (6441, Lite 6445) and English X002 (6451, Lite
# 6445), further programs X003, X004 ... in one sequence.
LANGUAGE_PROGRAM = re.compile(r"^(6441|6451|6445)-X(\d{3})$")
HOST_LANGUAGE, ENGLISH = "6441", "6451"
# H-341.15-9(B) NOTE, H-341.12-2(A) NOTE 3: dedicated storage goes on its standardized sub-cost center.
DEDICATED_STORAGE = frozenset({"7820-X099", "7860-X099"})
DEDICATED_STORAGE_DESCRIPTIONS = ("dedicated storage", "agency storage")
# H-341.15-12 intro, (A) NOTE 3: ICASS-budgeted residential commissioning and decommissioning.
COMMISSIONING = "7850-X899"
COMMISSIONING_DESCRIPTIONS = (" commissioning", "decommissioning")
# H-341.12-2(B) NOTE 4, H-341.12-4(B) NOTE 5, H-341.15-9(B) NOTE: a warehouse's rent and building operating
# costs, and the cost centers a warehouse serves (dedicated storage, FAP storage, warehouse services).
WAREHOUSE_DESCRIPTIONS = (" warehouse", " warehouses")
WAREHOUSE_COST_DESCRIPTIONS = (
    " rent",
    " lease",
    " utilities",
    " utility",
    " electricity",
    " water",
    " custodial",
    " janitorial",
    " cleaning",
    " trash",
    " grounds",
)
WAREHOUSE_SERVICES = ("6143", "6144", "6145", "7820-X099", "7860-X099")
# H-341.15 a: the services of the standardized sub-cost centers (Standard code, Lite code), as a line names them.
STANDARDIZED_SERVICES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    ((" special event", " special events", " representational event"), "5821-X999", "5821-X999"),
    ((" rsc", " rset", "residential security coordinator", "central alarm monitoring"), "5823-X023", "5823-X023"),
    ((" lgp vehicle", " guard vehicle maintenance"), "6132-X001", "6132-X001"),
    ((" drivecam", " drive camera"), "6132-X132", "6145-X132"),
    ((" supplies issued",), "6133-X133", "6145-X133"),
    ((" fap assessment", " fap annual assessment", " furniture pool assessment"), "6144-X144", "6144-X144"),
    ((" appliance pool",), "6144-X244", "6144-X244"),
    ((" plp", " language program", " language class", " language training"), "6441-X001", "6445-X001"),
    (DEDICATED_STORAGE_DESCRIPTIONS, "7820-X099", "7820-X099"),
    ((" parking lot", " parking space"), "7820-X821", "7820-X821"),
    ((" make-ready", " make ready"), "7850-X799", "7850-X799"),
    (COMMISSIONING_DESCRIPTIONS, COMMISSIONING, COMMISSIONING),
)


def _codes(bundle: PostBundle, wanted: Callable[[str], bool]) -> Iterator[tuple[str, Sequence[Any], int, str]]:
    """Each row that names a cost center `wanted` says yes to, with its table, row and field: budget, time
    allocation and counts, in that order and each table's; each code is asked of once."""
    for table in (bundle.budget, bundle.time_allocation, bundle.workload):
        rows = sorted((k, code) for code, at in rows_by(table, "cost_center").items() if wanted(code) for k in at)
        for k, code in rows:
            yield code, table, k, "cost_center"


def _totals(bundle: PostBundle, codes: tuple[str, ...]) -> dict[str, dict[str, tuple[Decimal, int]]]:
    """For each of `codes`, each agency's total count and its first row."""
    totals: dict[str, dict[str, tuple[Decimal, int]]] = {code: {} for code in codes}
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    for k, (code, agency, count) in enumerate(lines):
        if code in totals:
            total, first = totals[code].get(agency, (Decimal(0), k))
            totals[code][agency] = (total + count, first)
    return totals


def basic_package_sub_cost_centers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R71: the Basic Package has no sub-cost centers."""
    return [
        broken("R71", source_of(table, k), f"{code} is a sub-cost center of {BASIC_PACKAGE}", field, alone=True)
        for code, table, k, field in _codes(bundle, lambda code: code.startswith(BASIC_PACKAGE + "-"))
    ]


def regional_medevac(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R72: the regional MEDEVAC sub-cost center counts medevacs for 9913.0 alone, and a designated MEDEVAC
    post has it."""
    workload = bundle.workload
    codes = column(workload, "cost_center")
    found = [
        broken("R72", source_of(workload, k), f"{agency} is counted in {REGIONAL_MEDEVAC}", "agency", alone=True)
        for k, (code, agency) in enumerate(zip(codes, column(workload, "agency"), strict=True))
        if code == REGIONAL_MEDEVAC and agency != MEDEVAC_AGENCY
    ]
    if bundle.post.medevac_post and REGIONAL_MEDEVAC not in codes:
        found.append(
            broken("R72", bundle.post.source, f"the post is a MEDEVAC post with no {REGIONAL_MEDEVAC}", "medevac_post")
        )
    return found


def medevac_support(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R73: 9913.0 is counted for the support other cost centers give the regional MEDEVAC office, at a post
    that has one; its medevacs count in 5624-0001, not in Health Services itself."""
    workload = bundle.workload
    codes = column(workload, "cost_center")
    has_office = REGIONAL_MEDEVAC in codes
    found: list[Diagnostic] = []
    for k, (code, agency) in enumerate(zip(codes, column(workload, "agency"), strict=True)):
        if agency != MEDEVAC_AGENCY or code == REGIONAL_MEDEVAC:
            continue
        if code == HEALTH:
            found.append(broken("R73", source_of(workload, k), f"{MEDEVAC_AGENCY} is counted in {HEALTH}", "agency"))
        elif not has_office:
            found.append(
                broken(
                    "R73",
                    source_of(workload, k),
                    f"{MEDEVAC_AGENCY} is counted in {code} at a post without {REGIONAL_MEDEVAC}",
                    "agency",
                )
            )
            break  # once for the post
    return found


def lgp_vehicle_maintenance(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R74: the DS LGP vehicles' maintenance sub-cost center takes time alone, no budget line, and counts the
    vehicles for 1901.0 alone."""
    found = [
        broken("R74", source_of(bundle.budget, k), f"a budget line on {LGP_VEHICLES}", "cost_center", alone=True)
        for k, code in enumerate(column(bundle.budget, "cost_center"))
        if code == LGP_VEHICLES
    ]
    workload = bundle.workload
    found += [
        broken("R74", source_of(workload, k), f"{agency} is counted in {LGP_VEHICLES}", "agency", alone=True)
        for k, (code, agency) in enumerate(
            zip(column(workload, "cost_center"), column(workload, "agency"), strict=True)
        )
        if code == LGP_VEHICLES and agency != ICASS
    ]
    return found


def administrative_supplies(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R75: the administrative supplies sub-cost center holds supplies alone, no salaries (staff time there is
    R36's)."""
    budget = bundle.budget
    return [
        broken("R75", source_of(budget, k), f"SOC {soc} on {code} is personnel compensation", "soc", alone=True)
        for k, (code, soc) in enumerate(zip(column(budget, "cost_center"), column(budget, "soc"), strict=True))
        if code in ADMIN_SUPPLIES and soc.startswith(SALARY_SOC)
    ]


def supplies_within_parent(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R76: 6133's count of an agency includes the supplies it had through 6133-X133, so it is never less."""
    parent, sub = _totals(bundle, SUPPLIES_STANDARD).values()
    if not parent:
        return []  # the post counts no supplies in 6133: nothing to compare with
    return [
        broken(
            "R76", source_of(bundle.workload, k), f"{agency} counts {count} in 6133-X133 and {whole} in 6133", "count"
        )
        for agency, (count, k) in sorted(sub.items())
        if count > (whole := parent.get(agency, (Decimal(0), 0))[0])
    ]


def fenced_furniture_counts(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R77: the fenced furniture pools count whole subscriber positions, never pro-rated (a modification there
    is R67's)."""
    workload = bundle.workload
    return [
        broken("R77", source_of(workload, k), f"{code} counts {count} positions", "count", alone=True)
        for k, (code, count) in enumerate(zip(column(workload, "cost_center"), column(workload, "count"), strict=True))
        if code in FENCED_FURNITURE and count != count.to_integral_value()
    ]


def separate_appliance_pool(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R78: the appliance pool counts no furniture pool subscriber: an agency is in 6144-X144 or 6144-X244,
    not both (the counts are per agency, so a position counted twice shows as its agency)."""
    furniture, appliances = _totals(bundle, FENCED_POOLS).values()
    return [
        broken("R78", source_of(bundle.workload, k), f"{agency} counts in 6144-X144 and in 6144-X244", "agency")
        for agency, (count, k) in sorted(appliances.items())
        if count > 0 and furniture.get(agency, (Decimal(0), 0))[0] > 0
    ]


def mobile_patrol_residences(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R79: the residential mobile patrol sub-cost center counts exactly what 5823 counts, agency by agency (where
    the post counts in both)."""
    parent, sub = _totals(bundle, MOBILE_PATROL).values()
    if not sub or not parent:
        return []  # the post runs one of them without the other: that is the cost center's own problem
    found: list[Diagnostic] = []
    for agency in sorted(parent.keys() | sub.keys()):
        whole, k = parent.get(agency, (Decimal(0), -1))
        count, j = sub.get(agency, (Decimal(0), k))
        if count != whole:
            found.append(
                broken(
                    "R79", source_of(bundle.workload, j), f"{agency} counts {count} in 5823-X023 and {whole} in 5823"
                )
            )
    return found


def guard_events(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R80: the additional guard hours of events are charged to their host; the Marine Corps Ball's are funded
    by WSP and never counted here."""
    workload = bundle.workload
    return [
        broken("R80", source_of(workload, k), f"{agency} is counted in {GUARD_EVENTS}", "agency", alone=True)
        for k, (code, agency, count) in enumerate(
            zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
        )
        if code == GUARD_EVENTS and agency == MARINE_SECURITY_GUARDS and count > 0
    ]


def parking_lot_sequence(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R86: parking lots take the standardized sub-cost centers in their sequence (X821, X822 ...; X861 ...),
    so a lot's number follows one in use."""
    used: dict[str, set[int]] = defaultdict(set)
    first: dict[str, tuple[Sequence[Any], int, str]] = {}
    for code, table, k, field in _codes(bundle, lambda code: PARKING_LOT.match(code) is not None):
        lot = PARKING_LOT.match(code)
        if lot:
            used[lot.group(1)].add(int(lot.group(2)))
            first.setdefault(code, (table, k, field))
    found: list[Diagnostic] = []
    for prefix, numbers in sorted(used.items()):
        for number in sorted(numbers):
            if number > 1 and number - 1 not in numbers:
                table, k, field = first[f"{prefix}{number}"]
                found.append(
                    broken(
                        "R86", source_of(table, k), f"{prefix}{number} is used and {prefix}{number - 1} is not", field
                    )
                )
    return found


def programmatic_mail(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R83: a 6194 sub-cost center is one agency's programmatic mail: that agency alone, counted one, and still
    counted in 6194 for its routine mail."""
    workload = bundle.workload
    names = ("cost_center", "agency", "count")
    routine: set[str] = set()
    subscribers: dict[str, list[tuple[str, Decimal, int]]] = defaultdict(list)
    for k, (code, agency, count) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if code == MAIL and count > 0:
            routine.add(agency)
        elif code.startswith(MAIL + "-") and count > 0:
            subscribers[code].append((agency, count, k))
    found: list[Diagnostic] = []
    for code, lines in sorted(subscribers.items()):
        if len({agency for agency, _, _ in lines}) > 1:
            found.append(
                broken("R83", source_of(workload, lines[1][2]), f"{code} has more than one subscriber", "agency")
            )
            continue
        agency, count, k = lines[0]
        if count != 1 or len(lines) > 1:
            found.append(broken("R83", source_of(workload, k), f"{agency} counts {count} in {code}, not 1", "count"))
        elif agency not in routine:
            found.append(
                broken("R83", source_of(workload, k), f"{agency} counts in {code} and not in {MAIL}", "agency")
            )
    return found


def make_ready_tenants(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R88: make-ready space is counted for an agency that also counts the residential space in 7810 or 7850."""
    make_ready, *residential = _totals(bundle, (MAKE_READY, *RESIDENTIAL_SPACE)).values()
    if not any(residential):
        return []  # the post counts no residential space: nothing to compare with
    return [
        broken(
            "R88", source_of(bundle.workload, k), f"{agency} counts {count} in {MAKE_READY} and none in 7810 or 7850"
        )
        for agency, (count, k) in sorted(make_ready.items())
        if count > 0 and not any(space.get(agency, (Decimal(0), 0))[0] > 0 for space in residential)
    ]


def other_authorized_use(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R95: a 6139 sub-cost center for other authorized use carries staff time or costs of its own."""
    funded = rows_by(bundle.budget, "cost_center").keys() | rows_by(bundle.time_allocation, "cost_center").keys()
    workload = bundle.workload
    first = {
        code: at[0]
        for code, at in rows_by(workload, "cost_center").items()
        if code.startswith(OTHER_AUTHORIZED_USE + "-")
    }
    return [
        broken("R95", source_of(workload, k), f"{code} has counts and neither time nor a budget line", "cost_center")
        for code, k in sorted(first.items())
        if code not in funded
    ]


def _counted(workload: Sequence[Any]) -> Iterator[tuple[int, str, str, Decimal]]:
    """Each count line's row, cost center, agency and count."""
    names = ("cost_center", "agency", "count")
    for k, line in enumerate(zip(*(column(workload, name) for name in names), strict=True)):
        yield (k, *line)


def _in_family(code: str, parent: str) -> bool:
    return code == parent or code.startswith(parent + "-")


def single_agency_buildings(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R84: each single-agency stand-alone building has its own 5822 sub-cost center once there is more than one,
    so 5822, and each of its sub-cost centers, counts one agency (ICASS's building is R85's)."""
    agencies: dict[str, dict[str, int]] = defaultdict(dict)
    for k, code, agency, count in _counted(bundle.workload):
        if _in_family(code, SINGLE_AGENCY_BUILDINGS) and agency != ICASS and count > 0:
            agencies[code].setdefault(agency, k)
    found: list[Diagnostic] = []
    for code, rows in sorted(agencies.items()):
        if len(rows) > 1:
            first, second = sorted(rows, key=rows.__getitem__)[:2]
            found.append(
                broken("R84", source_of(bundle.workload, rows[second]), f"{code} counts {first} and {second}", "agency")
            )
    return found


def icass_building_guards(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R85: the guards of a stand-alone building ICASS alone occupies go on a 5826 sub-cost center, never on the
    single-agency building cost center 5822."""
    workload = bundle.workload
    return [
        broken("R85", source_of(workload, k), f"{ICASS} is counted in {code}", "agency", alone=True)
        for k, code, agency, count in _counted(workload)
        if agency == ICASS and count > 0 and _in_family(code, SINGLE_AGENCY_BUILDINGS)
    ]


def language_programs(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R90: the language programs take host language 6441-X001 and English 6451-X002 (Lite 6445-X001, X002),
    further programs X003, X004 ... in sequence, and count whole registrations."""
    standard = bundle.post.methodology == "standard"
    found: list[Diagnostic] = []
    numbers: set[int] = set()
    first: dict[int, tuple[Sequence[Any], int, str, str]] = {}
    for code, table, k, field in _codes(bundle, lambda code: LANGUAGE_PROGRAM.match(code) is not None):
        program = LANGUAGE_PROGRAM.match(code)
        assert program is not None
        parent, number = program.group(1), int(program.group(2))
        if standard and (parent, number) in ((HOST_LANGUAGE, 2), (ENGLISH, 1)):
            right = f"{HOST_LANGUAGE}-X001" if number == 1 else f"{ENGLISH}-X002"
            found.append(broken("R90", source_of(table, k), f"{code} is used where the program is {right}", field))
        elif number > 2:
            numbers.add(number)
            first.setdefault(number, (table, k, field, code))
    for number in sorted(numbers):
        if number > 3 and number - 1 not in numbers:
            table, k, field, code = first[number]
            found.append(broken("R90", source_of(table, k), f"{code} is used and X{number - 1:03d} is not", field))
    workload = bundle.workload
    codes, counts = column(workload, "cost_center"), column(workload, "count")
    programs = (at for code, at in rows_by(workload, "cost_center").items() if LANGUAGE_PROGRAM.match(code))
    found += [
        broken("R90", source_of(workload, k), f"{codes[k]} counts {counts[k]} registrations", "count", alone=True)
        for k in sorted(k for at in programs for k in at)
        if counts[k] != counts[k].to_integral_value()
    ]
    return found


def _described(
    bundle: PostBundle, rule: str, code_wanted: Callable[[str], bool], words: tuple[str, ...], what: str
) -> list[Diagnostic]:
    """Each budget line on a cost center `code_wanted` says yes to whose description says one of `words`, read
    as `what`; each cost center is asked of once."""
    budget = bundle.budget
    descriptions = column(budget, "description")
    rows = sorted(
        k
        for code, at in rows_by(budget, "cost_center").items()
        if code_wanted(code)
        for k in at
        if says(descriptions[k], words)
    )
    codes = column(budget, "cost_center")
    return [broken(rule, source_of(budget, k), f"the line of {codes[k]} reads as {what}", "description") for k in rows]


def _home_made(context: Context, methodology: str) -> Callable[[str], bool]:
    """Whether a code is a sub-cost center the post created (not standardized); what it holds is R91's. The Basic
    Package's are R71's, which refuses them."""

    def made(code: str) -> bool:
        if family(code) == BASIC_PACKAGE:
            return False
        spec = context.catalog.find(code, methodology)
        return spec is not None and spec.is_sub_cost_center and not spec.standardized

    return made


def dedicated_storage(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R87: dedicated storage assigned to agencies is budgeted on 7820-X099 or 7860-X099."""
    made = _home_made(context, str(bundle.post.methodology))
    return _described(
        bundle,
        "R87",
        lambda code: code not in DEDICATED_STORAGE and not made(code),
        DEDICATED_STORAGE_DESCRIPTIONS,
        "dedicated storage",
    )


def commissioning(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R89: ICASS-budgeted residential commissioning and decommissioning go on 7850-X899 alone (OBO funds them
    for GO/CL properties)."""
    made = _home_made(context, str(bundle.post.methodology))
    return _described(
        bundle,
        "R89",
        lambda code: code != COMMISSIONING and not made(code),
        COMMISSIONING_DESCRIPTIONS,
        "commissioning or decommissioning",
    )


def standardized_services(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R91: a service that has a standardized sub-cost center is budgeted there, not on one the post made."""
    methodology = str(bundle.post.methodology)
    made = _home_made(context, methodology)
    standard = methodology == "standard"
    found: list[Diagnostic] = []
    budget = bundle.budget
    descriptions = column(budget, "description")
    for code, at in sorted(rows_by(budget, "cost_center").items()):
        if not made(code):
            continue
        for k in at:
            service = next((s for s in STANDARDIZED_SERVICES if says(descriptions[k], s[0])), None)
            if service is not None:
                right = service[1] if standard else service[2]
                spec = context.catalog.find(right, methodology)
                name = spec.name if spec is not None else right
                found.append(
                    broken("R91", source_of(budget, k), f"the line of {code} reads as {name} ({right})", "description")
                )
    return sorted(found, key=lambda d: d.source.row or 0)


def post_created_factors(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R92: a sub-cost center the post created counts by its parent's factor, so an agency counts no more in
    it than in the parent (save the named exceptions, OWN_FACTOR_PARENTS, and one property's guards)."""
    made = _home_made(context, str(bundle.post.methodology))
    subs = sorted(
        {
            code
            for code in rows_by(bundle.workload, "cost_center")
            if family(code) not in OWN_FACTOR_PARENTS | PER_PROPERTY_PARENTS and made(code)
        }
    )
    if not subs:
        return []
    totals = _totals(bundle, tuple(sorted({family(code) for code in subs} | set(subs))))
    found: list[Diagnostic] = []
    for code in subs:
        parent = totals[family(code)]
        for agency, (count, k) in sorted(totals[code].items()):
            if agency in parent and count > parent[agency][0]:
                found.append(
                    broken(
                        "R92",
                        source_of(bundle.workload, k),
                        f"{agency} counts {count} in {code} and {parent[agency][0]} in {family(code)}",
                        "count",
                    )
                )
    return sorted(found, key=lambda d: d.source.row or 0)


def warehouse_cost_pool(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R137: the rent and building operating costs of a warehouse that serves several cost centers are shared
    among them (the warehouse cost pool 9664), not budgeted on one cost center."""
    served = {code for code in WAREHOUSE_SERVICES if code in rows_by(bundle.workload, "cost_center")}
    if len(served) < 2:
        return []

    budget = bundle.budget
    held = _warehouse_cost_lines(budget)
    if len(held) != 1:
        return []  # no warehouse cost, or already shared among cost centers
    ((code, rows),) = held.items()
    return [
        broken("R137", source_of(budget, k), f"the warehouse's cost is budgeted on {code} alone", "cost_center")
        for k in rows
    ]


@per_columns("cost_center", "description")  # an edit of the counts leaves the budget's lines as they were
def _warehouse_cost_lines(budget: Sequence[Any]) -> dict[str, list[int]]:
    """The budget's lines of a warehouse's rent or operating costs, by cost center."""
    descriptions = column(budget, "description")
    lines = {
        code: [k for k in at if says(descriptions[k], WAREHOUSE_DESCRIPTIONS)]
        for code, at in rows_by(budget, "cost_center").items()
    }
    return {
        code: found
        for code, rows in lines.items()
        if (found := [k for k in rows if says(descriptions[k], WAREHOUSE_COST_DESCRIPTIONS)])
    }


def _post_defined(bundle: PostBundle, context: Context, table: Sequence[Any], parents: tuple[str, ...]) -> set[str]:
    """The post-defined sub-cost centers of `parents` that `table` names (the standardized ones, such as
    dedicated storage or parking lots, have their own purposes)."""
    methodology = str(bundle.post.methodology)
    codes = (code for code in rows_by(table, "cost_center") if code.partition("-")[0] in parents and "-" in code)
    return {code for code in codes if (spec := context.catalog.find(code, methodology)) and not spec.standardized}


def location_guard_budget(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R93: a bundle is one location's budget, a constituent post's apart from its mission's; a location with a
    guard force (post.toml `guard_force`) activates its own local guard program cost centers, budgeting or
    allocating staff time to at least one of 5821, 5822, 5823 and 5826 (or their sub-cost centers)."""
    if bundle.post.guard_force is None:
        return []
    active = (rows_by(bundle.budget, "cost_center"), rows_by(bundle.time_allocation, "cost_center"))
    if any(family(code) in LOCAL_GUARD_PROGRAM for codes in active for code in codes):
        return []
    found = f"the post has a {bundle.post.guard_force} guard force and no local guard program cost center"
    return [broken("R93", bundle.post.source, found, "guard_force")]


def cell_phone_program(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R81: at a Standard post whose official cell phone program ICASS manages, a 6195 sub-cost center counts the
    phones serviced and takes the staff time of the program."""
    if not bundle.post.cell_phone_program:
        return []
    prefix = TELECOMMUNICATIONS + "-"
    workload = bundle.workload
    counted = {
        code
        for code, count in zip(column(workload, "cost_center"), column(workload, "count"), strict=True)
        if code.startswith(prefix) and count > 0
    }
    timed = {code for code in rows_by(bundle.time_allocation, "cost_center") if code.startswith(prefix)}
    if counted & timed:
        return []
    found = f"ICASS manages the cell phone program and no {TELECOMMUNICATIONS} sub-cost center has counts and time"
    return [broken("R81", bundle.post.source, found, "cell_phone_program")]


def radio_repeater_site(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R82: the lease of the ICASS radio network's repeater site is on a 7860 sub-cost center whose only
    subscriber is 1901.0, counted 1: at a post that leases one, some post-defined 7860 sub-cost center with a
    budget is so counted."""
    if not bundle.post.radio_repeater_site:
        return []
    budgeted = _post_defined(bundle, context, bundle.budget, (OFFICE_LEASES,))
    workload = bundle.workload
    subscribers: dict[str, dict[str, Decimal]] = defaultdict(dict)
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    for code, agency, count in lines:
        if code in budgeted and count > 0:
            subscribers[code][agency] = subscribers[code].get(agency, Decimal(0)) + count
    if any(counts == {ICASS: 1} for counts in subscribers.values()):
        return []
    found = f"the post leases a radio repeater site and no {OFFICE_LEASES} sub-cost center with a budget counts {ICASS}"
    return [broken("R82", bundle.post.source, found + " alone, at 1", "radio_repeater_site")]


def transition_sub_cost_center(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R94: a post moving into new facilities in the next fiscal year budgets their costs, in this transition
    year, on a post-defined sub-cost center of building operations (charged to 1901.0 until the space is
    assigned, then to its tenants: which of the two the counts say is the post's stage, not judged)."""
    if not bundle.post.new_facilities or _post_defined(bundle, context, bundle.budget, BUILDING_OPERATIONS):
        return []
    found = "the post moves into new facilities next year and no building operations sub-cost center of its own"
    found += " has a budget"
    return [broken("R94", bundle.post.source, found, "new_facilities")]


_COUNTS = frozenset({"workload"})
_EVERY_CODE = frozenset({"budget", "time_allocation", "workload"})
_POST_BUDGET = frozenset({"post", "budget"})

CHECKS: tuple[Check, ...] = (
    Check(basic_package_sub_cost_centers, reads=_EVERY_CODE, budget_rule="R71"),
    Check(regional_medevac, reads=frozenset({"post", "workload"}), budget_rule="R72"),
    Check(medevac_support, reads=_COUNTS, budget_rule="R73"),
    Check(lgp_vehicle_maintenance, reads=frozenset({"budget", "workload"}), budget_rule="R74", line_by_line=True),
    Check(administrative_supplies, reads=frozenset({"budget"}), budget_rule="R75", line_by_line=True),
    Check(supplies_within_parent, reads=_COUNTS, budget_rule="R76"),
    Check(fenced_furniture_counts, reads=_COUNTS, budget_rule="R77"),
    Check(separate_appliance_pool, reads=_COUNTS, budget_rule="R78"),
    Check(mobile_patrol_residences, reads=_COUNTS, budget_rule="R79"),
    Check(guard_events, reads=_COUNTS, budget_rule="R80"),
    Check(parking_lot_sequence, reads=_EVERY_CODE, budget_rule="R86"),
    Check(programmatic_mail, reads=_COUNTS, budget_rule="R83"),
    Check(make_ready_tenants, reads=_COUNTS, budget_rule="R88"),
    Check(other_authorized_use, reads=_EVERY_CODE, budget_rule="R95"),
    Check(single_agency_buildings, reads=_COUNTS, budget_rule="R84"),
    Check(icass_building_guards, reads=_COUNTS, budget_rule="R85"),
    Check(dedicated_storage, reads=_POST_BUDGET, budget_rule="R87", line_by_line=True),
    Check(commissioning, reads=_POST_BUDGET, budget_rule="R89", line_by_line=True),
    Check(language_programs, reads=frozenset({"post", *_EVERY_CODE}), budget_rule="R90"),
    Check(standardized_services, reads=_POST_BUDGET, budget_rule="R91", line_by_line=True),
    Check(post_created_factors, reads=frozenset({"post", "workload"}), budget_rule="R92"),
    Check(warehouse_cost_pool, reads=frozenset({"budget", "workload"}), budget_rule="R137"),
    Check(location_guard_budget, reads=frozenset({"post", "budget", "time_allocation"}), budget_rule="R93"),
    Check(cell_phone_program, reads=frozenset({"post", "time_allocation", "workload"}), budget_rule="R81"),
    Check(radio_repeater_site, reads=frozenset({"post", "budget", "workload"}), budget_rule="R82"),
    Check(transition_sub_cost_center, reads=frozenset({"post", "budget"}), budget_rule="R94"),
)
