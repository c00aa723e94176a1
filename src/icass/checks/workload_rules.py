"""The handbook's budget rules on workload counts: who is counted where, and with what weight (group f),
each a check (icass.catalog.budget_rules holds its section, severity and advice).

The counts judged are those the post distributes by (derived from its records, replaced by typed counts). A
row of workload.csv is a subscription: the bundle keeps no list of subscribers apart from the counts.

Where counts are derived from the source records, the derivation applies the rules on who is counted where by
construction (the count date and window, role routing, regional staff, vacancies): what the checks of those
rules find is a record that contradicts the rule, or a typed count a record shows wrong, never a count the
derivation rightly leaves out (R96, R101, R103-R108, R110, R112, R113, R115). R105, R112 and R113 read what
a transaction's description says, so they are warnings.

Not checked: R114 (no record gives an agency's or a position's arrival date).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from icass.catalog.counting import BASIC_PACKAGE_KINDS
from icass.checks.broken import broken
from icass.checks.context import Check, Context
from icass.diagnostics import Diagnostic
from icass.model import QUANTITY_SCALE, Origin, PostBundle, Source
from icass.model.columnar import column, source_of

# The people a cost center never counts, by their factor, and the rule that says so: LE staff are not counted
# in the Basic Package, Community Services or Health Services (R97: H-341.1-4 b; H-341.2-4 b; H-341.3-4 d), nor
# are members of household in the family-member counts (R98: H-341.2-4 a NOTE 2; H-341.3-4 a NOTE 2), nor
# institutional contractors in the warehouse and Lite general services counts (R100: H-341.7-7(D) a;
# H-342.7-4 a).
NOT_COUNTED: dict[tuple[str, str], str] = {
    ("6150", "LE_STAFF"): "R97",
    ("6443", "LE_STAFF"): "R97",
    ("5624", "LE_STAFF"): "R97",
    ("6443", "MOH"): "R98",
    ("5624", "MOH"): "R98",
    ("6143", "INSTITUTIONAL_CONTRACTOR"): "R100",
    ("6145", "INSTITUTIONAL_CONTRACTOR"): "R100",
}
WHO = {"LE_STAFF": "LE staff", "MOH": "members of household", "INSTITUTIONAL_CONTRACTOR": "institutional contractors"}

# The step of a warehouse count of LE staff (or of a count not split by factor): 0.2 a head (H-341.7-7(D) a);
# in Lite general services 0.2, or 0.06 for a PSA or SD guard (H-342.5 f NOTES 1-2), so steps of 0.02.
WAREHOUSE_STEP = {"6143": Decimal("0.2"), "6145": Decimal("0.02")}

# How an agency's people counts compare, unmodified, each begun from another's people (R99): (cost center,
# the count it is compared with, whether it is at least that count (else at most)). Community Services adds
# the family members to the Basic Package (H-341.2-4 a); security, the LE staff (H-341.6-4 a); Health
# Services counts those of Community Services' people eligible for it (H-341.3-4 a); the language program,
# some of the Basic Package's Americans (H-341.11-1(D) a).
COMPARED = (("6443", "6150", True), ("5880", "6150", True), ("5624", "6443", False), ("6441", "6150", False))

# H-341.7-3(D) c: each procurement action weighs 1, 2 or 3 by the agency's dollars on it (R102), so the
# procurement count is a whole number.
PROCUREMENT = "6134"

# H-341.13-4; H-341.14-4: the cost centers shared without a count (R109).
NO_FACTOR = frozenset({"0000", "0009", "8790"})

# H-341.9-2(D) a; H-342.9-4 a: the radio program, whose every subscriber counts at least 1.
RADIO_PROGRAM = {"standard": "6194", "lite": "6196"}
RADIO_PROGRAM_FLOOR = Decimal(1)


def warehouse_americans(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R100, the parts a count shows: no institutional contractors in 6143 (Lite 6145), and a count those
    weights can give (whole heads, LE staff in steps of WAREHOUSE_STEP). Which guards are left out is decided
    where the counts are derived."""
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count", "factor")), strict=True)
    weighed = [
        broken(
            "R100",
            source_of(workload, k),
            f"agency {agency} counts {f'{count} {factor}'.strip()} in {code}",
            "count",
            alone=True,
        )
        for k, (code, agency, count, factor) in enumerate(lines)
        if code in WAREHOUSE_STEP
        and (code, factor) not in NOT_COUNTED
        and count % (WAREHOUSE_STEP[code] if factor in ("", "LE_STAFF") else 1) != 0
    ]
    return _not_counted(bundle, "R100") + weighed


Counted = dict[tuple[str, str], Decimal]


def _totals(bundle: PostBundle, codes: frozenset[str] | None = None) -> tuple[Counted, dict[tuple[str, str], int]]:
    """Each agency's count in each cost center (of `codes`, or every one), unmodified, added over its factors,
    with the first row of each; a line of people its cost center never counts is left to NOT_COUNTED's rules."""
    totals: Counted = defaultdict(Decimal)
    first: dict[tuple[str, str], int] = {}
    names = ("cost_center", "agency", "count", "factor")
    for k, (code, agency, count, factor) in enumerate(zip(*(column(bundle.workload, n) for n in names), strict=True)):
        if (codes is None or code in codes) and (code, factor) not in NOT_COUNTED:
            totals[code, agency] += count
            first.setdefault((code, agency), k)
    return totals, first


def people_counts_compared(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R99: an agency counted in both cost centers of a pair of COMPARED counts as the pair says. An agency
    missing from a mandatory cost center is R53's; a line of people the cost center never counts, R97's or
    R98's."""
    totals, first = _totals(bundle, frozenset(code for pair in COMPARED for code in pair[:2]))
    found: list[Diagnostic] = []
    for code, basis, at_least in COMPARED:
        for (counted, agency), total in sorted(totals.items()):
            other = totals.get((basis, agency))
            if counted != code or other is None or (total >= other if at_least else total <= other):
                continue
            what = (
                f"agency {agency} counts {total} in {code}, {'fewer' if at_least else 'more'} than {other} in {basis}"
            )
            found.append(broken("R99", source_of(bundle.workload, first[code, agency]), what, "count"))
    return found


def procurement_weights(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R102: a procurement count is a sum of the weights 1, 2 and 3, a whole number."""
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    return [
        broken("R102", source_of(workload, k), f"agency {agency} counts {count} in {code}", "count", alone=True)
        for k, (code, agency, count) in enumerate(lines)
        if code == PROCUREMENT and count != count.to_integral_value()
    ]


def radio_program_subscribers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R111: an agency counted in the radio program (a subscriber) counts at least 1 there, its people added
    over their factors, before any modification."""
    code = RADIO_PROGRAM[str(bundle.post.methodology)]
    totals, first = _totals(bundle, frozenset({code}))
    return [
        broken("R111", source_of(bundle.workload, first[key]), f"agency {key[1]} counts {total} in {code}", "count")
        for key, total in sorted(totals.items())
        if total < RADIO_PROGRAM_FLOOR
    ]


def _not_counted(bundle: PostBundle, rule: str) -> list[Diagnostic]:
    """`rule` broken by each count of a factor its cost center never counts (NOT_COUNTED)."""
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "factor")), strict=True)
    return [
        broken(rule, source_of(workload, k), f"{code} counts {WHO[factor]}", "factor", alone=True)
        for k, (code, factor) in enumerate(lines)
        if NOT_COUNTED.get((code, factor)) == rule
    ]


def local_staff_not_counted(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R97: no count of LE staff in 6150, 6443 or 5624."""
    return _not_counted(bundle, "R97")


def household_not_counted(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R98: no count of members of household in 6443 or 5624 (family members on separate maintenance are left
    out where the counts are derived: a typed count does not say who it holds)."""
    return _not_counted(bundle, "R98")


def without_a_factor(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R109: no count on a cost center without a distribution factor (0000 goes to State, 8790 follows each
    agency's service costs); each code looked up once."""
    methodology = str(bundle.post.methodology)
    workload = bundle.workload
    codes = column(workload, "cost_center")
    specs = {code: context.catalog.find(code, methodology) for code in set(codes)}
    shared = {
        code: "is charged to 1900.0 State" if spec.distribution == "non_icass" else "follows service costs"
        for code, spec in specs.items()
        if spec is not None and spec.distribution != "workload"
    }
    return [
        broken("R109", source_of(workload, k), f"{code} takes no count: it {shared[code]}", "cost_center", alone=True)
        for k, code in enumerate(codes)
        if code in shared
    ]


def subscribers_without_a_count(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R116: an agency with count lines in a cost center (a subscriber) counts more than nothing there. The radio
    program, which sets its own floor, is R111's; a cost center without a distribution factor, R109's."""
    radio = RADIO_PROGRAM[str(bundle.post.methodology)]
    totals, first = _totals(bundle)
    return [
        broken("R116", source_of(bundle.workload, first[code, agency]), f"agency {agency} counts 0 in {code}", "count")
        for (code, agency), total in sorted(totals.items())
        if total == 0 and code != radio and code not in NO_FACTOR
    ]


def static_counts_from_transactions(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R96: activity.csv holds the dated transactions of cumulative counts; a row for a cost center whose
    count is static (as of the count date) feeds a count of the wrong type, so the derivation counts it
    nowhere. Each code looked up once."""
    activity = context.records.activity
    if activity is None:
        return []
    methodology = str(bundle.post.methodology)
    static = [
        code
        for code in activity.get_column("cost_center").drop_nulls().unique().to_list()
        if (spec := context.catalog.find(code, methodology)) is not None and spec.count_basis != "cumulative"
    ]
    rows = activity.filter(pl.col("cost_center").is_in(static)).select("row", "cost_center", "agency", "date")
    return [
        broken(
            "R96",
            Source("activity.csv", row),
            f"{code} is a static count, yet agency {agency} has a transaction dated {date} for it",
            "cost_center",
            alone=True,
        )
        for row, code, agency, date in rows.sort("row").iter_rows()
    ]


# H-341.4-4 a; H-342.4-4 a: the information technology count, from it_inventory.csv.
INFORMATION_TECHNOLOGY = "5458"


def _entered(bundle: PostBundle, code: str) -> tuple[Counted, dict[str, int]]:
    """Each agency's typed count in `code` (its factors summed) and the row of its first line."""
    workload = bundle.workload
    names = ("cost_center", "agency", "count", "origin")
    totals: Counted = defaultdict(Decimal)
    first: dict[str, int] = {}
    for k, (cost_center, agency, count, origin) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if cost_center == code and origin == Origin.ENTERED:
            totals[cost_center, agency] += count
            first.setdefault(agency, k)
    return totals, first


def it_counts_from_inventory(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R101: an agency's typed 5458 count is its devices plus its OpenNet accounts, weighted 0.3 where it keeps
    a separate IT network, as its rows of the IT inventory give them; the handbook's own example prints 2.9 as
    3, so the whole number nearest is kept too."""
    inventory = context.records.it_inventory
    rule = next((r for r in context.rules.it if r.cost_center == INFORMATION_TECHNOLOGY), None)
    if inventory is None or rule is None:
        return []
    typed, first = _entered(bundle, INFORMATION_TECHNOLOGY)
    if not typed:
        return []
    separate = {agency.code for agency in bundle.agencies if agency.separate_network}
    held = inventory.group_by("agency").agg(pl.col("devices").sum(), pl.col("opennet_accounts").sum())
    found: list[Diagnostic] = []
    for agency, devices_units, accounts_units in held.sort("agency").iter_rows():
        count = typed.get((INFORMATION_TECHNOLOGY, agency))
        if count is None:
            continue
        devices = Decimal(devices_units) / QUANTITY_SCALE
        accounts = Decimal(accounts_units) / QUANTITY_SCALE
        weight = rule.separate_network_account_weight if agency in separate else rule.account_weight
        given = devices * rule.device_weight + accounts * weight
        if count in (given, given.quantize(Decimal(1), ROUND_HALF_UP)):
            continue
        what = (
            f"agency {agency} counts {count} in {INFORMATION_TECHNOLOGY}, while its IT inventory gives {devices} "
            f"devices and {accounts} OpenNet accounts weighted {weight}: {given.normalize():f}"
        )
        found.append(broken("R101", source_of(bundle.workload, first[agency]), what, "count"))
    return found


# H-341.5 b, d, f, m-o; H-341.12 d(1), H-341.14-4: the special agency codes counts are routed to (beside
# 1900.0 State, which employs most people in the routed roles): ICASS, DS, MSG support, OBO construction, OBO
# regional facility managers. A person recorded under one of them whose role routes it to another contradicts
# the routing rules (R103; R104 for facility managers).
SPECIAL_AGENCIES = frozenset({"1901.0", "1942.0", "1931.0", "1920.0", "1920.2"})
FACILITY_MANAGERS = "1900.0"


def _routed_elsewhere(context: Context, rule: str) -> list[Diagnostic]:
    people = context.records.people
    if people is None:
        return []
    routes = {role: r.agency for role, r in context.rules.roles.items()}
    wanted = [role for role, agency in routes.items() if (agency == FACILITY_MANAGERS) == (rule == "R104")]
    frame = people.filter(pl.col("role").is_in(wanted) & pl.col("agency").is_in(sorted(SPECIAL_AGENCIES)))
    return [
        broken(
            rule,
            Source("people.csv", row),
            f"person {person} is recorded under {agency}, while the role {role} routes its workload to {routes[role]}",
            "agency",
            alone=True,
        )
        for row, person, agency, role in frame.select("row", "person_id", "agency", "role").sort("row").iter_rows()
        if agency != routes[role]
    ]


def roles_routed(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R103: a person in a routed role (guards, security staff, MSG) is not recorded under another special
    agency code than the one its role routes to."""
    return _routed_elsewhere(context, "R103")


def facility_managers_routed(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R104: a facility manager (routed to 1900.0) is not recorded under a special agency code: an OBO regional
    facility manager, charged to 1920.2, takes no facility manager role."""
    return _routed_elsewhere(context, "R104")


BASIC_PACKAGE = "6150"


def regional_staff_at_home_post(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R110: where people.csv leaves regional staff based at other posts out of an agency's 6150 count, a typed
    count above the derived one likely counts them here (a guess: the typed count may mend the records)."""
    people = context.records.people
    day = context.count_date
    if people is None or "home_post" not in people.columns or day is None or BASIC_PACKAGE not in context.derived:
        return []
    typed, first = _entered(bundle, BASIC_PACKAGE)
    routes = {role: r.agency for role, r in context.rules.roles.items()}
    at_post = (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") >= day))
    elsewhere = people.filter(
        pl.col("home_post").is_not_null()
        & (pl.col("home_post") != bundle.post.code)
        & pl.col("category").is_in([str(kind) for kind in BASIC_PACKAGE_KINDS])
        & at_post
    )
    regional = Counter(
        routes.get(role, agency) if role else agency for agency, role in elsewhere.select("agency", "role").iter_rows()
    )
    found: list[Diagnostic] = []
    for (_, agency), count in sorted(typed.items()):
        derived = context.derived_totals.get((BASIC_PACKAGE, agency), Decimal(0))
        if regional[agency] and count > derived:
            what = (
                f"agency {agency} counts {count} in {BASIC_PACKAGE} where its people records give {derived}, "
                f"leaving out {regional[agency]} regional staff based at other posts"
            )
            found.append(broken("R110", source_of(bundle.workload, first[agency]), what, "count"))
    return found


def common_areas_not_counted(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R107: an office space record marked a common area of its building (office_space.csv `common`) is not
    counted, yet every office space record is some agency's footprint: the row contradicts the rule."""
    space = context.records.office_space
    if space is None or "common" not in space.columns:
        return []
    common = space.filter(pl.col("common")).select("row", "building_id", "agency").sort("row")
    return [
        broken(
            "R107",
            Source("office_space.csv", row),
            f"building {building}'s common area is counted for {agency}",
            "common",
            alone=True,
        )
        for row, building, agency in common.iter_rows()
    ]


# The motor pool's kilometers (H-341.7-6(D); Lite H-342.7-6(D)).
MOTOR_POOL = "6139"
ICASS = "1901.0"
# What an activity.csv row's description may tell, as words matched whole and in any case. H-341.7-6(D) NOTE 3:
# the kilometers driven for these visitors are 1901.0's.
ICASS_VISITORS = ("potus", "flotus", "vpotus", "codel", "codels", "staffdel", "staffdels")
# H-341.7-2(D) d, H-341.7-3(D) NOTE 4, H-341.7-4(D) c, H-341.7-5(D) b, H-341.10-1(D) b: what ICASS sections ask for
# (supplies, procurement, shipments, copies, budget preparation) is counted for 1901.0.
ICASS_REQUESTERS = ("icass section", "icass sections", "icass office", "icass offices", "icass budget")
# H-341.7-6(D) NOTE 2: kilometers of vehicles used only as utility vehicles are not counted.
UTILITY_VEHICLES = ("utility vehicle", "utility vehicles")


def _pattern(words: tuple[str, ...]) -> str:
    return r"(?i)\b(?:" + "|".join(re.escape(word) for word in words) + r")\b"


def _activity_described(context: Context, words: tuple[str, ...], where: pl.Expr) -> list[tuple[int, str, str, str]]:
    """(row, cost center, agency, description) of the activity rows `where` holds whose description names one of
    `words`; none without descriptions."""
    activity = context.records.activity
    if activity is None or "description" not in activity.columns:
        return []
    named = activity.filter(pl.col("description").str.contains(_pattern(words)) & where)
    return list(named.select("row", "cost_center", "agency", "description").sort("row").iter_rows())


def icass_activity(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R105, as far as a transaction's description tells (a guess, so a warning): the motor pool's kilometers
    for POTUS, FLOTUS, VPOTUS and CODELs, and what ICASS sections ask for, are counted for 1901.0."""
    not_icass = pl.col("agency") != ICASS
    visitors = _activity_described(context, ICASS_VISITORS, (pl.col("cost_center") == MOTOR_POOL) & not_icass)
    requested = _activity_described(context, ICASS_REQUESTERS, not_icass)
    return [
        broken("R105", Source("activity.csv", row), f"{code} counts '{what}' for {agency}", "agency")
        for row, code, agency, what in sorted(set(visitors) | set(requested))
    ]


def utility_vehicles_not_counted(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R112, the part a transaction's description tells (a guess, so a warning): no motor pool kilometers of
    utility vehicles. Radio sets in 6195, UPS units in 5458 and DS guard program vehicles in 6132 are counted
    in counts no record itemizes."""
    found = _activity_described(context, UTILITY_VEHICLES, pl.col("cost_center") == MOTOR_POOL)
    return [
        broken("R112", Source("activity.csv", row), f"{code} counts '{what}' for {agency}", "description")
        for row, code, agency, what in found
    ]


# H-363.2 b, c; H-364 d: a TDY visitor's transactions count for its sponsor at post, or for nobody, never for
# 1901.0 unless the visitor is one of ICASS_VISITORS; the Secretary's and OIG's visits count for 1900.0.
TDY_VISITORS = ("tdy", "tdy visitor", "tdy visitors")
STATE_VISITORS = ("secstate", "secretary of state", "oig", "inspector general")
STATE = "1900.0"


def tdy_visitors_activity(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R113, as far as a transaction's description tells (a guess, so a warning): a TDY visitor's transactions
    under 1901.0 when no POTUS, FLOTUS, VPOTUS or CODEL is named, and the Secretary's or OIG's under another
    agency than 1900.0."""
    activity = context.records.activity
    if activity is None or "description" not in activity.columns:
        return []
    icass_visitor = pl.col("description").str.contains(_pattern(ICASS_VISITORS))
    routine = _activity_described(context, TDY_VISITORS, (pl.col("agency") == ICASS) & ~icass_visitor)
    state = _activity_described(context, STATE_VISITORS, pl.col("agency") != STATE)
    return [
        broken("R113", Source("activity.csv", row), f"{code} counts '{what}' for {agency}", "agency")
        for row, code, agency, what in sorted(set(routine) | set(state))
    ]


# H-341.12-2(D) c: "Unassigned or vacant nonresidential space is charged to 1900.0-State-DP"; H-341.12-4(D) c:
# vacated OL space stays its tenant's for the six months of notice, then is counted for nobody.
SINGLE_REAL_PROPERTY_MANAGER = "1900.0"
NOTICE = "6mo"


def vacant_office_space(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R106 for office space (the derivation routes vacant housing itself): a GO/CL space vacant on the count
    date counted for an agency other than 1900.0, or an OL space counted for its tenant more than six months
    after it was vacated (the notice may have begun earlier: this reading never alarms too soon)."""
    space = context.records.office_space
    day = context.count_date
    if space is None or "vacant_since" not in space.columns or day is None:
        return []
    vacant = pl.col("vacant_since").is_not_null() & (pl.col("vacant_since") <= day)
    government = (pl.col("tenure") == "GOCL") & (pl.col("agency") != SINGLE_REAL_PROPERTY_MANAGER)
    leased = (pl.col("tenure") == "OL") & (pl.col("vacant_since").dt.offset_by(NOTICE) < day)
    found = space.filter(vacant & (government | leased)).select(
        "row", "building_id", "tenure", "agency", "vacant_since"
    )
    return [
        broken(
            "R106",
            Source("office_space.csv", row),
            f"{tenure} space of building {building} vacant since {since} is counted for {agency}",
            "agency",
            alone=True,
        )
        for row, building, tenure, agency, since in found.sort("row").iter_rows()
    ]


# H-341.5-4(D) c: the nonresidential local guard program, whose count on a compound with residences adds each
# agency's residential and nonresidential square meters there.
NONRESIDENTIAL_GUARDS = "5826"


def _on_compounds(frame: pl.DataFrame, compounds: list[str], counted: pl.Expr) -> dict[str, int]:
    on = frame.filter(pl.col("compound").is_in(compounds) & pl.col("vacant_since").is_null() & counted)
    return dict(on.group_by("agency").agg(pl.col("net_square_meters").sum()).iter_rows())


def compound_square_meters(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R108: on a compound with both residential and nonresidential buildings (housing.csv and office_space.csv
    `compound`), an agency's 5826 count is at least its occupied square meters there, residential and
    nonresidential (common areas left out); vacant space, which the rules route elsewhere, is left out too."""
    housing, space = context.records.housing, context.records.office_space
    if housing is None or space is None or "compound" not in housing.columns or "compound" not in space.columns:
        return []
    compounds = sorted(
        set(housing.get_column("compound").drop_nulls()) & set(space.get_column("compound").drop_nulls())
    )
    if not compounds:
        return []
    residential = _on_compounds(housing, compounds, pl.lit(True))
    nonresidential = _on_compounds(space, compounds, ~pl.col("common"))
    totals, first = _totals(bundle, frozenset({NONRESIDENTIAL_GUARDS}))
    found: list[Diagnostic] = []
    for (code, agency), count in sorted(totals.items()):
        units = residential.get(agency, 0) + nonresidential.get(agency, 0)
        meters = Decimal(units) / QUANTITY_SCALE
        if count < meters:
            what = f"agency {agency} counts {count} in {code}, less than its {meters.normalize():f} m2 on compounds"
            found.append(broken("R108", source_of(bundle.workload, first[code, agency]), what, "count"))
    return found


# H-341.15-2(D) NOTE 2: "overlaps of three months or less" between a departing and an incoming incumbent.
SHORT_OVERLAP = "3mo"


def overlapping_incumbents(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R115: two people of one position (people.csv `position_id`) both at post on the count date, the first
    leaving three months or less after the second arrived: the records count both, the handbook only the
    incoming one. Longer overlaps follow H-333.2 and are not judged."""
    people = context.records.people
    day = context.count_date
    if people is None or "position_id" not in people.columns or day is None:
        return []
    at_post = (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") >= day))
    incumbents = people.filter(pl.col("position_id").is_not_null() & at_post).select(
        "row", "person_id", "position_id", "start_date", "end_date"
    )
    pairs = incumbents.join(incumbents, on="position_id", suffix="_in").filter(
        (pl.col("start_date") < pl.col("start_date_in"))
        & pl.col("end_date").is_not_null()
        & (pl.col("end_date") <= pl.col("start_date_in").dt.offset_by(SHORT_OVERLAP))
    )
    found: list[Diagnostic] = []
    for row, person, position, end, incoming in (
        pairs.select("row", "person_id", "position_id", "end_date", "person_id_in")
        .sort("row", "person_id_in")
        .iter_rows()
    ):
        what = (
            f"person {person} leaves position {position} on {end}, overlapping the incoming {incoming} on the count "
            "date by three months or less"
        )
        found.append(broken("R115", Source("people.csv", row), what, "position_id"))
    return found


_COUNTS = frozenset({"post", "workload"})

CHECKS: tuple[Check, ...] = (
    Check(static_counts_from_transactions, reads=frozenset({"post"}), budget_rule="R96"),
    Check(local_staff_not_counted, reads=frozenset({"workload"}), budget_rule="R97"),
    Check(household_not_counted, reads=frozenset({"workload"}), budget_rule="R98"),
    Check(people_counts_compared, reads=frozenset({"workload"}), budget_rule="R99"),
    Check(warehouse_americans, reads=frozenset({"workload"}), budget_rule="R100"),
    Check(it_counts_from_inventory, reads=frozenset({"agencies", "workload"}), budget_rule="R101"),
    Check(procurement_weights, reads=frozenset({"workload"}), budget_rule="R102"),
    Check(roles_routed, reads=frozenset(), budget_rule="R103"),
    Check(facility_managers_routed, reads=frozenset(), budget_rule="R104"),
    Check(icass_activity, reads=frozenset(), budget_rule="R105"),
    Check(without_a_factor, reads=_COUNTS, budget_rule="R109"),
    Check(regional_staff_at_home_post, reads=_COUNTS, budget_rule="R110"),
    Check(utility_vehicles_not_counted, reads=frozenset(), budget_rule="R112"),
    Check(tdy_visitors_activity, reads=frozenset(), budget_rule="R113"),
    Check(radio_program_subscribers, reads=_COUNTS, budget_rule="R111"),
    Check(vacant_office_space, reads=frozenset(), budget_rule="R106"),
    Check(common_areas_not_counted, reads=frozenset(), budget_rule="R107"),
    Check(compound_square_meters, reads=frozenset({"workload"}), budget_rule="R108"),
    Check(overlapping_incumbents, reads=frozenset(), budget_rule="R115"),
    Check(subscribers_without_a_count, reads=_COUNTS, budget_rule="R116"),
)
