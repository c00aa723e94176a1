"""The workload count rules judged on the source records (group f, icass.checks.workload_rules lists them): the
derivation applies these rules by construction where it derives counts, so what these find is a record that
contradicts a rule, or a typed count a record shows wrong. They read the records as the post's frames
(Context.records), so this module, with polars, is loaded only for a post that has source records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from icass.catalog.counting import BASIC_PACKAGE_KINDS
from icass.checks.broken import broken
from icass.checks.context import Context
from icass.diagnostics import Diagnostic
from icass.model import QUANTITY_SCALE, Origin, PostBundle, Source
from icass.model.columnar import column, source_of


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


def _by_agency(bundle: PostBundle, code: str, typed: bool = True) -> tuple[dict[str, Decimal], dict[str, int]]:
    """Each agency's count in `code` (its factors summed; typed lines only, or every line) and the row of its
    first line."""
    workload = bundle.workload
    names = ("cost_center", "agency", "count", "origin")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    first: dict[str, int] = {}
    for k, (cost_center, agency, count, origin) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if cost_center == code and (origin == Origin.ENTERED or not typed):
            totals[agency] += count
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
    typed, first = _by_agency(bundle, INFORMATION_TECHNOLOGY)
    if not typed:
        return []
    separate = {agency.code for agency in bundle.agencies if agency.separate_network}
    held = inventory.group_by("agency").agg(pl.col("devices").sum(), pl.col("opennet_accounts").sum())
    found: list[Diagnostic] = []
    for agency, devices_units, accounts_units in held.sort("agency").iter_rows():
        count = typed.get(agency)
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
    typed, first = _by_agency(bundle, BASIC_PACKAGE)
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
    for agency, count in sorted(typed.items()):
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


# The motor pool's kilometers (H-341.7-6(D)); a Lite post counts its motor pool in 6145 General Services.
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
LEASED_OFFICE_SPACE = "7860"  # H-341.12-4: whose tenant's notice keeps vacated space its own until it runs out


def vacant_office_space(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R106 for office space (the derivation routes vacant housing itself): a GO/CL space vacant on the count
    date counted for an agency other than 1900.0, or an OL space counted for its tenant more than six months
    after it was vacated (the notice may have begun earlier: this reading never alarms too soon), unless the
    tenant's 7860 notice in terminations.csv runs on into the fiscal year (it then bears the cost, R65)."""
    space = context.records.office_space
    day = context.count_date
    if space is None or "vacant_since" not in space.columns or day is None:
        return []
    vacant = pl.col("vacant_since").is_not_null() & (pl.col("vacant_since") <= day)
    government = (pl.col("tenure") == "GOCL") & (pl.col("agency") != SINGLE_REAL_PROPERTY_MANAGER)
    noticed = sorted(bundle.on_notice(LEASED_OFFICE_SPACE))
    leased = (
        (pl.col("tenure") == "OL")
        & (pl.col("vacant_since").dt.offset_by(NOTICE) < day)
        & ~pl.col("agency").is_in(noticed)
    )
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
    totals, first = _by_agency(bundle, NONRESIDENTIAL_GUARDS, typed=False)
    code = NONRESIDENTIAL_GUARDS
    found: list[Diagnostic] = []
    for agency, count in sorted(totals.items()):
        units = residential.get(agency, 0) + nonresidential.get(agency, 0)
        meters = Decimal(units) / QUANTITY_SCALE
        if count < meters:
            what = f"agency {agency} counts {count} in {code}, less than its {meters.normalize():f} m2 on compounds"
            found.append(broken("R108", source_of(bundle.workload, first[agency]), what, "count"))
    return found


# H-341.15-2(D) NOTE 2: "overlaps of three months or less" between a departing and an incoming incumbent.
SHORT_OVERLAP = "3mo"


def overlapping_incumbents(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R115: two people of one position (people.csv `position_id`) both at post on the count date, the first
    leaving three months or less after the second arrived: the records count both, the handbook only the
    incoming one. Longer overlaps follow another rule and are not judged."""
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


# H-341.5-3(D) NOTE 1; H-341.5-4(D) NOTE 1: the guard services a new agency is not charged for in its arrival
# year, whose counts come into the next fiscal year's budget. The fiscal year begins on October 1.
ARRIVAL_YEAR_COUNTS = ("5823", "5826")
FISCAL_YEAR_BEGINS = (10, 1)


def arrival_year_counts(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R114: an agency whose people (people.csv, family members aside) all arrive in the budget's fiscal year or
    later is new in that year, so it has no 5823 or 5826 count in this budget. Its first arrival is read from
    its own records; routed workload lands on special codes that arrive with no one."""
    people = context.records.people
    if people is None:
        return []
    year = bundle.post.fiscal_year
    begins = dt.date(year - 1, *FISCAL_YEAR_BEGINS)
    staff = people.filter(~pl.col("category").is_in(["EFM", "MOH"]) & pl.col("agency").is_not_null())
    first = staff.group_by("agency").agg(pl.col("start_date").min())
    arrived = {agency: start for agency, start in first.iter_rows() if start >= begins}
    found: list[Diagnostic] = []
    for code in ARRIVAL_YEAR_COUNTS if arrived else ():
        totals, rows = _by_agency(bundle, code, typed=False)
        for agency in sorted(a for a in set(totals) & set(arrived) if totals[a] > 0):
            what = (
                f"agency {agency}, whose first person arrives on {arrived[agency]} in fiscal year {year}, counts "
                f"{totals[agency]} in {code}"
            )
            found.append(broken("R114", source_of(bundle.workload, rows[agency]), what, "count"))
    return found


# H-341.5-1(B) NOTE 6: guards leave a residence vacant with no assigned occupant after 30 days.
VACANT_GUARDED_DAYS = 30


def guards_at_vacant_residences(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R138: a residential building whose every unit has been vacant more than 30 days on the count date, other
    than the Chief of Mission's or the Principal Officer's residence, has no guard hours (guard_hours.csv)."""
    housing, hours, day = context.records.housing, context.records.guard_hours, context.count_date
    if housing is None or hours is None or day is None or "official_residence" not in housing.columns:
        return []
    since = day - dt.timedelta(days=VACANT_GUARDED_DAYS)
    buildings = housing.group_by("building_id").agg(
        pl.col("vacant_since").max().alias("since"),
        (pl.col("vacant_since").is_null() | (pl.col("vacant_since") >= since)).any().alias("occupied"),
        pl.col("official_residence").any().alias("official"),
    )
    empty = buildings.filter(~pl.col("occupied") & ~pl.col("official"))
    guarded = hours.join(empty, on="building_id").filter(pl.col("annual_hours") > 0)
    return [
        broken(
            "R138",
            Source("guard_hours.csv", row),
            f"building {building} has {hours_held} guard hours and its residences are vacant since {vacant}",
            "annual_hours",
        )
        for row, building, hours_held, vacant in guarded.select("row", "building_id", "annual_hours", "since")
        .sort("row")
        .iter_rows()
    ]
