"""The handbook's budget rules on time allocation by position category, title and cost center (group c), each a check
(icass.catalog.budget_rules holds its section, severity and advice).

A position's time on a cost center is a row of time_allocation.csv with a percent above zero; a rule is told on
that row, or on the position's row where the rule is about all of its time. The sub-cost centers of a cost
center are written `PARENT-SUFFIX` (5823-X023, 6195-0001), so a code's cost center is what comes before the dash."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from icass.checks.broken import broken
from icass.checks.context import Check, Context, per_columns, rows_by
from icass.diagnostics import Diagnostic
from icass.model import BASIC_PACKAGE, LOCAL_GUARD_PROGRAM, MISCELLANEOUS, NON_ICASS, PositionCategory, PostBundle
from icass.model.columnar import column, source_of

# Sub-cost centers with their own rule on who may allocate time to them: LE staff only (EFMs are LE staff).
RESIDENTIAL_SECURITY = "5823-X023"  # H-341.15-2(C)
MAKE_READY = "7850-X799"  # H-341.15-11(C)
COMMISSIONING = "7850-X899"  # H-341.15-12(C)
SPECIAL_EVENT_GUARDS = "5821-X999"  # H-341.15-1(C) NOTE: no time at contract guard posts
# Sub-cost centers that hold no employee's time at all.
SUPPLIES_ISSUED = frozenset({"6133-X133", "6145-X133"})  # H-341.7-2(C) b; H-341.15-5(C)
POOL_ASSESSMENTS = frozenset({"6144-X144", "6144-X244"})  # H-341.15-6(C); H-341.15-7(C)
FURNITURE_POOL = "6144"  # H-341.7-7(C) b: at a pool post, employees allocate time to it
CONTRACT_GUARDS = "contract"  # post.toml guard_force
LE_ONLY = (PositionCategory.LE, PositionCategory.EFM)  # H-341.4-3: "LE staff, including EFMs"
NOT_USDH = tuple(category for category in PositionCategory if category != PositionCategory.USDH)


def _cost_center(code: str) -> str:
    return code.partition("-")[0]


def _time_on(bundle: PostBundle, wanted: Callable[[str], bool]) -> Iterator[tuple[int, str, str, Decimal]]:
    """Each row of time (percent above zero) on a code `wanted` says yes to: its index, position, code and
    percent."""
    allocation = bundle.time_allocation
    hits = sorted(k for code, at in rows_by(allocation, "cost_center").items() if wanted(code) for k in at)
    if not hits:
        return
    ids, codes, percents = (column(allocation, name) for name in ("position_id", "cost_center", "percent"))
    for k in hits:
        if percents[k] > 0:
            yield k, ids[k], codes[k], percents[k]


def _categories(bundle: PostBundle) -> dict[str, str]:
    return dict(zip(column(bundle.positions, "position_id"), column(bundle.positions, "category"), strict=True))


def _time_of_categories(
    bundle: PostBundle, rule: str, wanted: Callable[[str], bool], allowed: Collection[str]
) -> list[Diagnostic]:
    """Each row of time on a code `wanted` says yes to, of a position whose category is not `allowed` (a
    position the bundle does not have is another check's problem)."""
    found: list[Diagnostic] = []
    categories: dict[str, str] | None = None
    for k, position_id, code, percent in _time_on(bundle, wanted):
        categories = _categories(bundle) if categories is None else categories
        category = categories.get(position_id)
        if category is not None and category not in allowed:
            where = source_of(bundle.time_allocation, k)
            found.append(
                broken(rule, where, f"{category} position {position_id} has {percent} percent on {code}", "cost_center")
            )
    return found


def _any_time(bundle: PostBundle, rule: str, codes: Collection[str]) -> list[Diagnostic]:
    return [
        broken(
            rule,
            source_of(bundle.time_allocation, k),
            f"position {position_id} has {percent} percent on {code}",
            "cost_center",
        )
        for k, position_id, code, percent in _time_on(bundle, codes.__contains__)
    ]


def no_usdh_on_local_guards(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """No USDH time on 5821, 5822, 5823, 5826 or their sub-cost centers (R31); 5823-X023 has its own rule."""

    def wanted(code: str) -> bool:
        return _cost_center(code) in LOCAL_GUARD_PROGRAM and code != RESIDENTIAL_SECURITY

    return _time_of_categories(bundle, "R31", wanted, NOT_USDH)


def le_staff_on_residential_security(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Only LE staff (EFMs among them) allocate time to 5823-X023 (R45)."""
    return _time_of_categories(bundle, "R45", RESIDENTIAL_SECURITY.__eq__, LE_ONLY)


def le_staff_on_make_ready(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Only LE staff allocate time to 7850-X799 (R47)."""
    return _time_of_categories(bundle, "R47", MAKE_READY.__eq__, LE_ONLY)


def le_staff_on_commissioning(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Only LE staff allocate time to 7850-X899 (R48)."""
    return _time_of_categories(bundle, "R48", COMMISSIONING.__eq__, LE_ONLY)


def no_time_on_supplies_issued(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """No one's time on 6133-X133 or 6145-X133 (R36)."""
    return _any_time(bundle, "R36", SUPPLIES_ISSUED)


def no_time_on_pool_assessments(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """No one's time on 6144-X144 or 6144-X244 (R46)."""
    return _any_time(bundle, "R46", POOL_ASSESSMENTS)


def no_time_on_special_events_at_contract_posts(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """At a contract guard post, no time on 5821-X999 (R44): the special events' guards are A&E contract hours."""
    if bundle.post.guard_force != CONTRACT_GUARDS:
        return []
    return _any_time(bundle, "R44", (SPECIAL_EVENT_GUARDS,))


def time_on_furniture_pool(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """At a post with a furniture and appliance pool (post.toml furniture_pool), someone allocates time to 6144
    (R39). A 6144 subscription alone is not read as a pool: the post says whether it runs one."""
    if not bundle.post.furniture_pool:
        return []

    def on_pool(code: str) -> bool:
        return _cost_center(code) == FURNITURE_POOL and code not in POOL_ASSESSMENTS

    if next(_time_on(bundle, on_pool), None) is not None:
        return []
    found = "the post has a furniture and appliance pool, and no position has time on 6144"
    return [broken("R39", bundle.post.source, found, "furniture_pool")]


# ------------------------------------------------------------------------------------ roles guessed from titles
# A position's role is known only from its title, so every rule that reads one is a warning. Each tuple holds
# the words or phrases (matched as whole words, any case) that name a role in the section beside it.
BASIC_PACKAGE_TITLES = ("quality coordinator", "customer service")  # H-341.1-3 c: LE exceptions on 6150
CLO_TITLES = ("community liaison", "clo")  # H-341.2-3 a: CLO staff
CLO_OVERSEER_TITLES = (  # H-341.2-3 b: the management officer, HRO or other overseer of the CLO (e.g. of the GEI)
    "management officer",
    "management counselor",
    "management counsellor",
    "human resources officer",
    "hro",
    "global employment",
)
HEALTH_UNIT_TITLES = (  # H-341.3-3 a: medical and directly related support personnel
    "medical",
    "health",
    "nurse",
    "physician",
    "doctor",
    "psychiatrist",
    "laboratory",
    "lab technician",
    "pharmacist",
)
HEALTH_OVERSEER_TITLES = ("management officer", "management counselor", "management counsellor")  # H-341.3-3 b
LOCAL_GUARD_TITLES = ("guard", "supervisor", "coordinator", "clerk")  # H-341.5-1(C) to -4(C)
RESIDENTIAL_SECURITY_TITLES = (  # H-341.5-1(C) NOTE 2; H-341.5-3(C): RSC and RSET
    "residential security",
    "rsc",
    "rset",
)
LOCAL_GUARD_COORDINATOR_TITLES = ("guard coordinator", "guard clerk")  # H-341.5-1(C) NOTE 1
REGIONAL_SECURITY_OFFICER_TITLES = ("regional security officer", "rso", "arso")  # H-341.6-3 b
CUSTOMS_AND_SHIPPING_TITLES = ("customs", "shipping")  # H-341.7-5(C) b
SUPERVISOR_TITLES = ("supervisor", "supervisory", "officer", "manager")  # H-341.7-5(C) b: "non-supervisory"
DRIVER_TITLES = ("driver", "chauffeur")  # H-341.7-6(C) a
MISCELLANEOUS_TITLES = (  # H-341.13-3: rovers, temporary staff, ICASS coordinators, translators, ASP staff
    "rover",
    "roving",
    "summer",
    "temporary",
    "part-time",
    "part time",
    "intern",
    "icass coordinator",
    "translator",
    "alternate service provider",
)
LANGUAGE_PROGRAM_TITLES = ("language",)  # H-341.11-1(C) NOTE; H-341.11-2(C) NOTE; H-342.11-3 NOTE 1
ALTERNATE_SERVICE_PROVIDER_TITLES = ("usaid", "asp", "alternate service provider")  # H-341.14-3 b
RADIO_TECHNICIAN_TITLES = ("radio technician", "radio tech")  # H-341.9-3(C) NOTE 1
CELL_PHONE_DESCRIPTIONS = ("cell phone", "cellphone", "cell-phone", "mobile phone", "cellular")  # H-341.9-3(C) NOTE 2

CLO = "6443"  # H-341.2-3
HEALTH = frozenset({"5624", "5624-0001"})  # H-341.3-3: Health Services and its MEDEVAC sub-cost center
SECURITY = "5880"  # H-341.6-3
CUSTOMS_AND_SHIPPING = "6136"  # H-341.7-5(C)
MOTOR_POOL = "6139"  # H-341.7-6(C)
# The cost centers whose language sub-cost centers (6441-X001, 6451-X002; 6445-X001, 6445-X002) hold the
# language program's staff time instead of them.
LANGUAGE_PARENTS = frozenset({"6441", "6451", "6445"})  # H-341.15-8
NON_ASP = "0009"  # H-341.14-3 b: an alternate service provider's dual positions' program share
TELEPHONES = frozenset({"6195", "6196"})  # H-341.9-3; H-342.9-3
HALF = Decimal(50)
FULL = Decimal(100)


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


_CLO, _CLO_OVERSEER = _words(CLO_TITLES), _words(CLO_OVERSEER_TITLES)
_HEALTH_UNIT, _HEALTH_OVERSEER = _words(HEALTH_UNIT_TITLES), _words(HEALTH_OVERSEER_TITLES)
_LOCAL_GUARD, _RESIDENTIAL_SECURITY = _words(LOCAL_GUARD_TITLES), _words(RESIDENTIAL_SECURITY_TITLES)
_LOCAL_GUARD_COORDINATOR = _words(LOCAL_GUARD_COORDINATOR_TITLES)
_REGIONAL_SECURITY_OFFICER = _words(REGIONAL_SECURITY_OFFICER_TITLES)
_CUSTOMS_AND_SHIPPING, _SUPERVISOR = _words(CUSTOMS_AND_SHIPPING_TITLES), _words(SUPERVISOR_TITLES)
_DRIVER, _MISCELLANEOUS = _words(DRIVER_TITLES), _words(MISCELLANEOUS_TITLES)
_LANGUAGE_PROGRAM, _RADIO_TECHNICIAN = _words(LANGUAGE_PROGRAM_TITLES), _words(RADIO_TECHNICIAN_TITLES)
_CELL_PHONE = _words(CELL_PHONE_DESCRIPTIONS)
_BASIC_PACKAGE, _ALTERNATE_SERVICE_PROVIDER = _words(BASIC_PACKAGE_TITLES), _words(ALTERNATE_SERVICE_PROVIDER_TITLES)


class _Time(NamedTuple):
    """A row of a position's time: its index in time_allocation, its code and percent."""

    k: int
    code: str
    percent: Decimal


class _Position(NamedTuple):
    """A position with its rows of time (percent above zero)."""

    k: int
    position_id: str
    category: str
    title: str
    time: tuple[_Time, ...]

    def on(self, codes: Collection[str]) -> Decimal:
        return sum((t.percent for t in self.time if t.code in codes), Decimal(0))

    def named(self) -> str:
        return f"position {self.position_id} ({self.title})"


def _positions(
    bundle: PostBundle,
    chosen: Callable[[str, str], bool],
    on: Callable[[str], bool] | None = None,
    among: Collection[str] | None = None,
) -> list[_Position]:
    """The positions `chosen(category, title)` says yes to, each with its rows of time; given `on`, only those
    with time on a code it says yes to; given `among`, only those it names. The titles and codes are read
    first, so that a post with none of them costs a pass over its positions."""
    ids, categories, titles = (column(bundle.positions, name) for name in ("position_id", "category", "title"))
    holding = None if on is None else {position_id for _, position_id, _, _ in _time_on(bundle, on)}
    if among is not None:
        holding = set(among) if holding is None else holding & set(among)
    if holding == set():
        return []
    judged = _by_category_and_title(bundle.positions).items()
    picked = sorted(
        k
        for (category, title), at in judged
        if chosen(category, title)
        for k in at
        if holding is None or ids[k] in holding
    )
    if not picked:
        return []
    allocation = bundle.time_allocation
    codes, percents = column(allocation, "cost_center"), column(allocation, "percent")
    rows = rows_by(allocation, "position_id")
    return [
        _Position(
            k,
            ids[k],
            categories[k],
            titles[k],
            tuple(_Time(j, codes[j], percents[j]) for j in rows.get(ids[k], ()) if percents[j] > 0),
        )
        for k in picked
    ]


@per_columns("category", "title")
def _by_category_and_title(positions: Sequence[Any]) -> dict[tuple[str, str], list[int]]:
    """The positions by category and title: a post's titles repeat (every guard, every driver)."""
    found: dict[tuple[str, str], list[int]] = {}
    for k, pair in enumerate(zip(column(positions, "category"), column(positions, "title"), strict=True)):
        found.setdefault(pair, []).append(k)
    return found


def _titled(pattern: re.Pattern[str]) -> Callable[[str, str], bool]:
    return lambda category, title: pattern.search(title) is not None


def _of(*categories: PositionCategory) -> Callable[[str, str], bool]:
    return lambda of, title: of in categories


def _titled_time_on(
    bundle: PostBundle, rule: str, pattern: re.Pattern[str], wrong: Callable[[str], bool]
) -> list[Diagnostic]:
    """Each row of time on a code `wrong` says yes to, of a position whose title `pattern` finds."""
    return [
        _on_row(bundle, rule, position, time)
        for position in _positions(bundle, _titled(pattern))
        for time in position.time
        if wrong(time.code)
    ]


def _untitled_time_on(
    bundle: PostBundle, rule: str, patterns: tuple[re.Pattern[str], ...], on: Callable[[str], bool]
) -> list[Diagnostic]:
    """Each row of time on a code `on` says yes to, of a position whose title none of `patterns` finds."""

    def untitled(category: str, title: str) -> bool:
        return not any(pattern.search(title) for pattern in patterns)

    return [
        _on_row(bundle, rule, position, time)
        for position in _positions(bundle, untitled, on)
        for time in position.time
        if on(time.code)
    ]


def _on_row(bundle: PostBundle, rule: str, position: _Position, time: _Time) -> Diagnostic:
    found = f"{position.named()} has {time.percent} percent on {time.code}"
    return broken(rule, source_of(bundle.time_allocation, time.k), found, "cost_center")


def _on_position(bundle: PostBundle, rule: str, position: _Position, found: str) -> Diagnostic:
    return broken(rule, source_of(bundle.positions, position.k), f"{position.named()} {found}", "title")


def usdh_majority_on_basic_package(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """No USDH position puts the majority of its time on 6150 (R27)."""
    on_basic_package: dict[str, Decimal] = {}
    for _, position_id, _, percent in _time_on(bundle, BASIC_PACKAGE.__eq__):
        on_basic_package[position_id] = on_basic_package.get(position_id, Decimal(0)) + percent
    majority = [position_id for position_id, percent in on_basic_package.items() if percent > HALF]
    return [
        _on_row(bundle, "R27", position, time)
        for position in _positions(bundle, _of(PositionCategory.USDH), among=majority)
        for time in position.time
        if time.code == BASIC_PACKAGE
    ]


def le_staff_on_basic_package(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Most LE staff with time on 6150 put a small part of it there (R28): told once for the post, when most of
    them put more than half, quality coordinators and customer service staff left out."""
    on_basic_package = _positions(bundle, _of(*LE_ONLY), BASIC_PACKAGE.__eq__)
    most = [
        position
        for position in on_basic_package
        if position.on((BASIC_PACKAGE,)) > HALF and not _BASIC_PACKAGE.search(position.title)
    ]
    if 2 * len(most) <= len(on_basic_package):
        return []
    found = (
        f"{len(most)} of the {len(on_basic_package)} LE positions with time on {BASIC_PACKAGE} put more than half there"
    )
    return [_on_position(bundle, "R28", most[0], f"is one of them: {found}")]


def clo_time(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """CLO staff put the majority of their time on 6443; other positions put time there only when they oversee
    the CLO (R29)."""
    found = [
        _on_position(bundle, "R29", position, f"has {position.on((CLO,))} percent on {CLO}")
        for position in _positions(bundle, _titled(_CLO))
        if position.on((CLO,)) <= HALF
    ]
    return found + _untitled_time_on(bundle, "R29", (_CLO, _CLO_OVERSEER), CLO.__eq__)


def health_unit_time(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Only the health unit and the management officer put time on 5624 and 5624-0001; the health unit puts
    its time there, beside a small share of 6150 (R30)."""
    found = _titled_time_on(bundle, "R30", _HEALTH_UNIT, lambda code: code not in HEALTH and code != BASIC_PACKAGE)
    return found + _untitled_time_on(bundle, "R30", (_HEALTH_UNIT, _HEALTH_OVERSEER), HEALTH.__contains__)


def local_guard_roles(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """The LE staff on 5821, 5822, 5823 and 5826 are guards, their supervisors, and the local guard coordinators
    and clerks; on 5823 also the residential security coordinators and technicians (R32). USDH time there is
    R31's."""

    def is_local_guard(code: str) -> bool:
        return _cost_center(code) in LOCAL_GUARD_PROGRAM and code != RESIDENTIAL_SECURITY

    found: list[Diagnostic] = []
    for position in _positions(bundle, _of(*LE_ONLY), is_local_guard):
        if _LOCAL_GUARD.search(position.title):
            continue
        residential = _RESIDENTIAL_SECURITY.search(position.title) is not None
        found += [
            _on_row(bundle, "R32", position, time)
            for time in position.time
            if is_local_guard(time.code) and not (residential and _cost_center(time.code) == "5823")
        ]
    return found


def residential_security_on_mobile_patrol(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A residential security coordinator or technician puts all of their time on 5823 and 5823-X023 (R33)."""
    return _titled_time_on(bundle, "R33", _RESIDENTIAL_SECURITY, lambda code: _cost_center(code) != "5823")


def guard_coordinator_in_one_cost_center(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A local guard coordinator or clerk puts all of their time on one cost center (R34)."""
    found: list[Diagnostic] = []
    for position in _positions(bundle, _titled(_LOCAL_GUARD_COORDINATOR)):
        codes = sorted({time.code for time in position.time})
        if len(codes) > 1:
            found.append(_on_position(bundle, "R34", position, f"has time on {', '.join(codes)}"))
    return found


def no_regional_security_officer_on_security(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """The regional security office's USDH staff put no time on 5880 (R35)."""
    return _titled_time_on(bundle, "R35", _REGIONAL_SECURITY_OFFICER, SECURITY.__eq__)


def customs_and_shipping_only(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Customs and shipping staff who are not supervisors put their ICASS time on 6136 alone (R37)."""

    def chosen(category: str, title: str) -> bool:
        return _CUSTOMS_AND_SHIPPING.search(title) is not None and _SUPERVISOR.search(title) is None

    return [
        _on_row(bundle, "R37", position, time)
        for position in _positions(bundle, chosen)
        if position.on((CUSTOMS_AND_SHIPPING,))
        for time in position.time
        if time.code not in (CUSTOMS_AND_SHIPPING, NON_ICASS)
    ]


def drivers_on_motor_pool(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Drivers put all of their time on 6139 (R38)."""
    return [
        _on_position(bundle, "R38", position, f"has {position.on((MOTOR_POOL,))} percent on {MOTOR_POOL}")
        for position in _positions(bundle, _titled(_DRIVER))
        if position.on((MOTOR_POOL,)) != FULL
    ]


def time_on_miscellaneous(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Only rovers, temporary and part-time staff, ICASS coordinators, translators and alternate service provider
    staff put time on 8790 (R40)."""
    return _untitled_time_on(bundle, "R40", (_MISCELLANEOUS,), MISCELLANEOUS.__eq__)


def cell_phone_time(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A cell phone program's sub-cost center of 6195 (6196 at a Lite post) has someone's time (R49)."""
    descriptions = column(bundle.budget, "description")
    found: list[tuple[int, str]] = []
    for code, at in rows_by(bundle.budget, "cost_center").items():
        family = _cost_center(code)
        if code != family and family in TELEPHONES:
            k = next((k for k in at if _CELL_PHONE.search(descriptions[k])), None)
            if k is not None:
                found.append((k, code))
    programs = {code: k for k, code in sorted(found)}
    if not programs:
        return []
    staffed = {code for _, _, code, _ in _time_on(bundle, programs.__contains__)}
    return [
        broken(
            "R49",
            source_of(bundle.budget, k),
            f"{code} is a cell phone program and no position has time on it",
            "cost_center",
        )
        for code, k in programs.items()
        if code not in staffed
    ]


def language_program_time(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Language program staff put their time on the language sub-cost centers, not on their parents (R50)."""
    return _titled_time_on(bundle, "R50", _LANGUAGE_PROGRAM, LANGUAGE_PARENTS.__contains__)


def program_share_of_the_provider(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A dual position's program share goes to 0000 for State and to 0009 for a USAID alternate service provider
    (R42), the provider told by the title."""
    found: list[Diagnostic] = []
    for position in _positions(bundle, lambda category, title: True, (NON_ICASS, NON_ASP).__contains__):
        wrong = NON_ICASS if _ALTERNATE_SERVICE_PROVIDER.search(position.title) else NON_ASP
        found += [_on_row(bundle, "R42", position, time) for time in position.time if time.code == wrong]
    return found


def radio_technician_on_non_icass(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A radio technician puts part of their time, the E&E radio program's, on 0000 (R51)."""
    return [
        _on_position(bundle, "R51", position, f"has no time on {NON_ICASS}")
        for position in _positions(bundle, _titled(_RADIO_TECHNICIAN))
        if not position.on((NON_ICASS,))
    ]


def dual_function_designation(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A position with time on 0000 is designated dual-function (positions.csv `dual_function`), an LE one with
    the date the budget committee concurred (`dual_approved_on`) (R43); told once, on the position's row."""
    positions = bundle.positions
    on_non_icass = {position_id for _, position_id, _, _ in _time_on(bundle, NON_ICASS.__eq__)}
    if not on_non_icass:
        return []
    names = ("position_id", "category", "dual_function", "dual_approved_on")
    found: list[Diagnostic] = []
    for k, (position_id, category, dual, approved) in enumerate(
        zip(*(column(positions, name) for name in names), strict=True)
    ):
        if position_id not in on_non_icass:
            continue
        if not dual:
            what = f"position {position_id} has time on {NON_ICASS} and is not designated dual-function"
            found.append(broken("R43", source_of(positions, k), what, "dual_function"))
        elif category != PositionCategory.USDH and approved is None:
            what = f"{category} position {position_id} is dual-function with no date of the committee's concurrence"
            found.append(broken("R43", source_of(positions, k), what, "dual_approved_on"))
    return found


_TIME = frozenset({"positions", "time_allocation"})

CHECKS: tuple[Check, ...] = (
    Check(no_usdh_on_local_guards, reads=_TIME, budget_rule="R31"),
    Check(no_time_on_supplies_issued, reads=frozenset({"time_allocation"}), budget_rule="R36"),
    Check(time_on_furniture_pool, reads=frozenset({"post", "time_allocation"}), budget_rule="R39"),
    Check(
        no_time_on_special_events_at_contract_posts,
        reads=frozenset({"post", "time_allocation"}),
        budget_rule="R44",
    ),
    Check(le_staff_on_residential_security, reads=_TIME, budget_rule="R45"),
    Check(no_time_on_pool_assessments, reads=frozenset({"time_allocation"}), budget_rule="R46"),
    Check(le_staff_on_make_ready, reads=_TIME, budget_rule="R47"),
    Check(le_staff_on_commissioning, reads=_TIME, budget_rule="R48"),
    # The warnings that guess a role from a position's title.
    Check(usdh_majority_on_basic_package, reads=_TIME, budget_rule="R27"),
    Check(le_staff_on_basic_package, reads=_TIME, budget_rule="R28"),
    Check(clo_time, reads=_TIME, budget_rule="R29"),
    Check(health_unit_time, reads=_TIME, budget_rule="R30"),
    Check(local_guard_roles, reads=_TIME, budget_rule="R32"),
    Check(residential_security_on_mobile_patrol, reads=_TIME, budget_rule="R33"),
    Check(guard_coordinator_in_one_cost_center, reads=_TIME, budget_rule="R34"),
    Check(no_regional_security_officer_on_security, reads=_TIME, budget_rule="R35"),
    Check(customs_and_shipping_only, reads=_TIME, budget_rule="R37"),
    Check(drivers_on_motor_pool, reads=_TIME, budget_rule="R38"),
    Check(time_on_miscellaneous, reads=_TIME, budget_rule="R40"),
    Check(program_share_of_the_provider, reads=_TIME, budget_rule="R42"),
    Check(cell_phone_time, reads=frozenset({"budget", "time_allocation"}), budget_rule="R49"),
    Check(language_program_time, reads=_TIME, budget_rule="R50"),
    Check(radio_technician_on_non_icass, reads=_TIME, budget_rule="R51"),
    Check(dual_function_designation, reads=_TIME, budget_rule="R43"),
)
