"""The handbook's budget rules on subscriptions, mandatory cost centers and modifications (group d),
each a check (icass.catalog.budget_rules holds its section, severity and advice).

A subscription is an agency's count in a cost center: the counts judged are those the post distributes by
(derived from its records, replaced by typed counts, modified by modifications.csv), so that a rule reads
what the invoices will. Who has LE staff is read from the same counts: an agency counted under the factor
LE_STAFF anywhere. R53 is icass.checks.counts.mandatory, R67 and R59's floor on typed counts are judged in
icass.checks.counts, and on modifications.csv's rows where they are applied (icass.workload.modify).

R68 (the approvals a modification needs) is judged on modifications.csv's rows where they are applied, which
no check sees (icass.checks.counts.JUDGED_WHERE_APPLIED); R70 (a modification in (0, 1]) there and on typed
counts (icass.checks.counts.beyond_full_service).

R57 reads government-provided housing as housing the post provides (a leased or government-owned unit), not
LQA/OHA, and the handbook's "must also subscribe to the furniture pool" as binding every such agency where the
post runs a pool, the cost center's "voluntary" participation being the agency's choice to live there.

R65 reads terminations.csv (judged only where the post gives it): a notice runs out on the first April 1 or
October 1 six months or more after it is given, or on a later one, and an agency whose notice has not run out
when the fiscal year begins keeps its count there (in 7860, its square meters). A notice that ran out before
the fiscal year is no alarm either way: the agency may still subscribe. Derived counts keep such an agency by
themselves (icass.workload.people counts it as a subscriber still), so R65 fires on typed counts in practice.

Not checked: R66 (TDY invoices are judged apart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from icass.checks.broken import broken
from icass.checks.context import Check, Context, per_table
from icass.checks.counts import below_the_floor, beyond_full_service, unmodifiable
from icass.diagnostics import Diagnostic
from icass.model import LOCAL_GUARD_PROGRAM, Agency, PostBundle
from icass.model.columnar import column, source_of

BASIC_PACKAGE = "6150"
LE_STAFF = "LE_STAFF"  # the people factor of locally employed staff (counting/rules.toml)
SECURITY = "5880"  # H-341.6-4 a: counts LE staff as well as Americans
HEALTH = "5624"
WAREHOUSE = "6143"
GENERAL_SERVICES_LITE = "6145"
# H-341 b(1); H-342 c(1): what an agency co-located in the embassy's buildings subscribes to, beside them.
OFFICE_BUILDINGS = ("7820", "7860")
CO_LOCATED = {"standard": ("5826", "6195", "6194"), "lite": ("5826", "6196")}
# H-341 b(2); H-342 c(2): furnished housing. Residential building operations, GO/CL and OL (78XX).
RESIDENTIAL_BUILDINGS = ("7810", "7850")
FURNITURE_POOL = "6144"
LEASED_RESIDENCES = "7850"
# Leasing services, by methodology: Standard 6148, whose count is the leases maintained (H-341.7-8(D) a), so
# an agency housed in government-owned units alone has none; Lite's leasing services are part of 6145.
LEASING = {"standard": "6148", "lite": GENERAL_SERVICES_LITE}
# H-341 b(3); H-342 c(3): the services "provided to all agencies by virtue of their presence in country".
ESSENTIAL = {"standard": ("6136", "6139", "6194", "6143"), "lite": ("6145", "6196")}
# H-341.11-2(D) b; H-342.11-4 b: HR services for LE staff, by methodology.
HUMAN_RESOURCES = {"standard": "6451", "lite": "6445"}
# H-341.11-1(D) NOTE 3: State's language program (Standard only: Lite's 6445 is HR services for every agency's
# Americans and LE staff, H-342.11-4 a, though its NOTE 5 copies 6441's words).
LANGUAGE = "6441"
STATE_PREFIX = "19"  # State's agency codes (1900.0 DP, 1901.0 ICASS, 1942.0 DS, 1967.0 PD ...)
MARINE_SECURITY_GUARDS = "1931.0"
# H-341.15-9(A) NOTE: dedicated storage, GO/CL and OL.
DEDICATED_STORAGE = frozenset({"7820-X099", "7860-X099"})
DEDICATED_STORAGE_LEVEL = Decimal("0.6")
HEALTH_UNIT_FLOOR = Decimal("0.3")  # H-341.3-4 c

# Words of an agency's name, lowercase, that read as an employee or recreation association (H-341.12-2(D) f):
# agencies.csv names an agency, it does not say what kind of body it is.
EMPLOYEE_ASSOCIATION = (
    "employee association",
    "employees association",
    "employees' association",
    "recreation association",
    "commissary",
    " era ",
)


def _counted(bundle: PostBundle) -> dict[tuple[str, str], int]:
    """The first row of each (cost center, agency) counted above zero."""
    return _counted_rows(bundle.workload)


@per_table  # half the subscription rules ask it of the same counts
def _counted_rows(workload: Sequence[Any]) -> dict[tuple[str, str], int]:
    first: dict[tuple[str, str], int] = {}
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    for k, (code, agency, count) in enumerate(lines):
        if count > 0:
            first.setdefault((code, agency), k)
    return first


def _local_staff(bundle: PostBundle) -> dict[str, int]:
    """Each agency counted with LE staff, with the first row that counts them."""
    return _local_staff_rows(bundle.workload)


@per_table
def _local_staff_rows(workload: Sequence[Any]) -> dict[str, int]:
    first: dict[str, int] = {}
    lines = zip(*(column(workload, name) for name in ("agency", "factor", "count")), strict=True)
    for k, (agency, factor, count) in enumerate(lines):
        if factor == LE_STAFF and count > 0:
            first.setdefault(agency, k)
    return first


def _without(bundle: PostBundle, rule: str, code: str) -> list[Diagnostic]:
    """`rule` broken by each agency counted with LE staff and not in `code`, at a post that runs `code`."""
    counted = _counted(bundle)
    if not any(cc == code for cc, _ in counted):
        return []  # the service is not offered at this post
    return [
        broken(rule, source_of(bundle.workload, k), f"agency {agency} has LE staff and no count in {code}", "agency")
        for agency, k in sorted(_local_staff(bundle).items())
        if (code, agency) not in counted
    ]


def _present(bundle: PostBundle) -> dict[str, int]:
    """Each agency with Americans at post (the Basic Package's count), with its first row there, unless
    agencies.csv says it is not under chief-of-mission authority or not physically present."""
    outside = {a.code for a in bundle.agencies if a.under_com is False or a.physically_present is False}
    return {
        agency: k for (code, agency), k in _counted(bundle).items() if code == BASIC_PACKAGE and agency not in outside
    }


def _missing(agency: str, wanted: tuple[str, ...], counted: dict[tuple[str, str], int], run: set[str]) -> list[str]:
    """The cost centers of `wanted` the post runs (`run`: some agency counts there) in which `agency` has no
    count."""
    return [code for code in wanted if code in run and (code, agency) not in counted]


def local_guard_program(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R55: an agency under chief-of-mission authority with Americans at post is in some local guard program
    cost center, where the post runs one (which one turns on its property, so only none at all is found)."""
    counted = _counted(bundle)
    guarded = {agency for code, agency in counted if code in LOCAL_GUARD_PROGRAM}
    if not guarded:
        return []  # the post runs no local guard program
    under_com = {a.code for a in bundle.agencies if a.under_com}
    return [
        broken(
            "R55", source_of(bundle.workload, k), f"agency {agency} has no count in 5821, 5822, 5823 or 5826", "agency"
        )
        for agency, k in sorted(_present(bundle).items())
        if agency in under_com and agency not in guarded
    ]


def _without_services(
    rule: str, field: str, what: str, missing: Iterable[tuple[Agency, list[str]]]
) -> list[Diagnostic]:
    """`rule` broken on the agencies.csv row of each agency (whose `field` says `what`) with cost centers
    missing."""
    return [
        broken(rule, agency.source, f"agency {agency.code} {what} and has no count in {', '.join(codes)}", field)
        for agency, codes in missing
        if codes
    ]


def co_located_services(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R56: an agency in the embassy's buildings subscribes to their building operations, nonresidential guards
    and the services of being there (mail and switchboard; Lite: information management), each where the post
    runs it. 6143 and 6145, needed "in many cases", are not required."""
    counted = _counted(bundle)
    run = {code for code, _ in counted}
    buildings = [code for code in OFFICE_BUILDINGS if code in run]
    wanted = CO_LOCATED[str(bundle.post.methodology)]

    def building(agency: str) -> list[str]:
        housed = not buildings or any((code, agency) in counted for code in buildings)
        return [] if housed else [" or ".join(buildings)]

    missing = (
        (agency, building(agency.code) + _missing(agency.code, wanted, counted, run))
        for agency in bundle.agencies
        if agency.co_located
    )
    return _without_services("R56", "co_located", "is co-located", missing)


def furnished_housing(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R57: an agency whose people live in government-provided housing subscribes to residential building
    operations, to the furniture pool where the post runs one, and to leasing services (Standard: for its leased
    units; Lite: 6145), each where the post runs it. Residential guards and mobile patrol, "where applicable",
    turn on which residences are guarded, which the counts do not say."""
    counted = _counted(bundle)
    run = {code for code, _ in counted}
    buildings = [code for code in RESIDENTIAL_BUILDINGS if code in run]
    pool = bundle.post.furniture_pool
    if pool is None:
        pool = FURNITURE_POOL in run
    methodology = str(bundle.post.methodology)
    leasing = LEASING[methodology]

    def missing(agency: str) -> list[str]:
        housed = not buildings or any((code, agency) in counted for code in buildings)
        leased = methodology == "lite" or (LEASED_RESIDENCES, agency) in counted
        wanted = ((FURNITURE_POOL,) if pool else ()) + ((leasing,) if leased else ())
        return ([] if housed else [" or ".join(buildings)]) + _missing(agency, wanted, counted, run)

    return _without_services(
        "R57",
        "government_housing",
        "lives in government housing",
        ((agency, missing(agency.code)) for agency in bundle.agencies if agency.government_housing),
    )


def essential_services(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R58: an agency physically present takes the services it has no other way to get, where the post runs
    them (HR services for LE staff are R59's)."""
    counted = _counted(bundle)
    run = {code for code, _ in counted}
    wanted = ESSENTIAL[str(bundle.post.methodology)]
    missing = (
        (agency, _missing(agency.code, wanted, counted, run)) for agency in bundle.agencies if agency.physically_present
    )
    return _without_services("R58", "physically_present", "is present", missing)


def security_for_local_staff(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R54: an agency with LE staff is counted in security services, whose count includes them."""
    return _without(bundle, "R54", SECURITY)


def human_resources_for_local_staff(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R59: an agency with LE staff subscribes to HR services, at 0.3 or more (the floor of a typed count;
    modifications.csv's are judged where applied)."""
    code = HUMAN_RESOURCES[str(bundle.post.methodology)]
    return _without(bundle, "R59", code) + below_the_floor(bundle, context)


def health_unit_first_responder(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R60: an agency with its own medical program keeps Health Services at 0.3 or more, since the health unit
    is the first responder on the job."""
    own = {a.code: a for a in bundle.agencies if a.own_medical_program}
    if not own:
        return []
    workload = bundle.workload
    counted: set[str] = set()
    found: list[Diagnostic] = []
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count", "modification")), strict=True)
    for k, (code, agency, count, modification) in enumerate(lines):
        if code != HEALTH or agency not in own or count <= 0:
            continue
        counted.add(agency)
        if modification < HEALTH_UNIT_FLOOR:
            found.append(
                broken(
                    "R60", source_of(workload, k), f"{agency} is modified {modification} in {HEALTH}", "modification"
                )
            )
    found += [
        broken("R60", agency.source, f"agency {code} has its own medical program and no count in {HEALTH}", "code")
        for code, agency in own.items()
        if code not in counted
    ]
    return found


def dedicated_storage(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R61: an agency with dedicated storage subscribes to warehouse operations at 0.6 (or more: a full
    subscription covers what 0.6 does), where the post runs one."""
    workload = bundle.workload
    names = ("cost_center", "agency", "count", "modification")
    storing: dict[str, int] = {}
    warehouse: dict[str, Decimal] = {}
    for k, (code, agency, count, modification) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if code in DEDICATED_STORAGE and count > 0:
            storing.setdefault(agency, k)
        elif code == WAREHOUSE and count > 0:
            warehouse[agency] = min(modification, warehouse.get(agency, modification))
    if not warehouse:
        return []  # the post runs no warehouse (at a Lite post an optional cost center)
    found: list[Diagnostic] = []
    for agency, k in sorted(storing.items()):
        level = warehouse.get(agency)
        if level is None or level < DEDICATED_STORAGE_LEVEL:
            held = "no count" if level is None else f"a modification of {level}"
            found.append(
                broken("R61", source_of(workload, k), f"agency {agency} has dedicated storage and {held} in 6143")
            )
    return found


def warehouse_levels(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R62: of 6143's named levels, 0.6 goes with dedicated storage (R61); an agency modified to 0.6 without
    any is more likely one that takes only receiving, pickup/delivery and disposal, at 0.3."""
    workload = bundle.workload
    names = ("cost_center", "agency", "count", "modification")
    storing: set[str] = set()
    at_storage_level: dict[str, int] = {}
    for k, (code, agency, count, modification) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if code in DEDICATED_STORAGE and count > 0:
            storing.add(agency)
        elif code == WAREHOUSE and modification == DEDICATED_STORAGE_LEVEL:
            at_storage_level.setdefault(agency, k)
    return [
        broken(
            "R62", source_of(workload, k), f"{agency} is modified 0.6 in 6143 with no dedicated storage", "modification"
        )
        for agency, k in sorted(at_storage_level.items())
        if agency not in storing
    ]


def language_program_users(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R63: the language program's Americans are State's; another agency's count, or MSG's, needs a reason."""
    workload = bundle.workload
    names = ("cost_center", "agency", "count")
    return [
        broken("R63", source_of(workload, k), f"{agency} is counted in {LANGUAGE}", "agency")
        for k, (code, agency, count) in enumerate(zip(*(column(workload, n) for n in names), strict=True))
        if code == LANGUAGE and count > 0 and (not agency.startswith(STATE_PREFIX) or agency == MARINE_SECURITY_GUARDS)
    ]


def employee_associations(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R64: an employee or recreation association is no ICASS customer (a guess from the agency's name)."""
    return [
        broken("R64", agency.source, f"agency {agency.code} ({agency.name}) reads as an employee association", "name")
        for agency in bundle.agencies
        if any(word in f" {agency.name.lower()} " for word in EMPLOYEE_ASSOCIATION)
    ]


def one_general_services_modification(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R69: at a Lite post an agency's 6145 modification applies to its whole count (Americans and 0.2 of its
    LE staff), so every 6145 line of the agency carries the same one."""
    workload = bundle.workload
    names = ("cost_center", "agency", "modification")
    seen: dict[str, Decimal] = {}
    found: list[Diagnostic] = []
    for k, (code, agency, modification) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if code != GENERAL_SERVICES_LITE:
            continue
        first = seen.setdefault(agency, modification)
        if modification != first:
            found.append(
                broken(
                    "R69",
                    source_of(workload, k),
                    f"{agency} is modified {modification} here and {first} on another 6145 line",
                    "modification",
                )
            )
    return found


# H-341.12-4(D) c: notice is given on or before April 1 or October 1, six months before the service ends; the
# days a notice may run out on (month, day).
NOTICE_ENDS = ((4, 1), (10, 1))
NOTICE_MONTHS = 6
LEASED_OFFICE_SPACE = "7860"  # H-341.12-4: where the vacating tenant keeps its square meters


def _months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it has none (August 31 -> February 28)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def termination_notices(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R65: a notice runs out on an April 1 or October 1 six months or more after it was given; and an agency
    whose notice runs out after the fiscal year begins (October 1 of the year before) keeps its count in the
    cost center until then, in 7860 its square meters (unless another tenant was assigned the space before),
    so the budget still counts it there where the post still offers the service."""
    notices = bundle.terminations
    if not notices:
        return []
    begins = dt.date(bundle.post.fiscal_year - 1, 10, 1)
    counted = _counted(bundle)
    offered = {code for code, _ in counted}  # a service nobody is counted in is not offered: no count is kept
    found: list[Diagnostic] = []
    for notice in notices:
        agency, code, given, ends = notice.agency, notice.cost_center, notice.notice_on, notice.ends_on
        if (ends.month, ends.day) not in NOTICE_ENDS or ends < _months_after(given, NOTICE_MONTHS):
            said = f"agency {agency}'s notice for {code} given on {given} runs out on {ends}"
            found.append(broken("R65", notice.source, said, "ends_on", alone=True))
        elif (until := notice.counted_until) > begins and code in offered and (code, agency) not in counted:
            kept = "its square meters are" if code == LEASED_OFFICE_SPACE else "it is"
            said = f"agency {agency} keeps {code} until {until}, after {begins}, yet {kept} not counted there"
            found.append(broken("R65", notice.source, said, "agency"))
    return found


_COUNTS = frozenset({"post", "workload"})

CHECKS: tuple[Check, ...] = (
    Check(local_guard_program, reads=frozenset({"agencies", "workload"}), budget_rule="R55"),
    Check(co_located_services, reads=frozenset({"post", "agencies", "workload"}), budget_rule="R56"),
    Check(furnished_housing, reads=frozenset({"post", "agencies", "workload"}), budget_rule="R57"),
    Check(essential_services, reads=frozenset({"post", "agencies", "workload"}), budget_rule="R58"),
    Check(security_for_local_staff, reads=_COUNTS, budget_rule="R54"),
    Check(human_resources_for_local_staff, reads=_COUNTS, budget_rule="R59"),
    Check(health_unit_first_responder, reads=frozenset({"agencies", "workload"}), budget_rule="R60"),
    Check(dedicated_storage, reads=_COUNTS, budget_rule="R61"),
    Check(warehouse_levels, reads=frozenset({"workload"}), budget_rule="R62"),
    Check(language_program_users, reads=frozenset({"workload"}), budget_rule="R63"),
    Check(employee_associations, reads=frozenset({"agencies"}), budget_rule="R64"),
    Check(unmodifiable, reads=_COUNTS, budget_rule="R67"),
    Check(one_general_services_modification, reads=_COUNTS, budget_rule="R69"),
    Check(beyond_full_service, reads=frozenset({"workload"}), budget_rule="R70"),
    Check(termination_notices, reads=frozenset({"post", "workload", "terminations"}), budget_rule="R65"),
)
