"""The handbook's budget rules on time allocation by position category, title and cost center (group c), each a check
(icass.catalog.budget_rules holds its section, severity and advice).

A position's time on a cost center is a row of time_allocation.csv with a percent above zero; a rule is told on
that row, or on the position's row where the rule is about all of its time. The sub-cost centers of a cost
center are written `PARENT-XNNN`, so a code's cost center is what comes before the dash."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from decimal import Decimal

from icass.checks.broken import broken
from icass.checks.context import Check, Context
from icass.diagnostics import Diagnostic
from icass.model import PositionCategory, PostBundle
from icass.model.columnar import column, source_of

# The cost centers of the Local Guard Program, where no USDH time is allocated (H-341.5-1(C) to -4(C); H-342.5).
LOCAL_GUARD_PROGRAM = frozenset({"5821", "5822", "5823", "5826"})
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


def _cost_center(code: str) -> str:
    return code.partition("-")[0]


def _time_on(bundle: PostBundle, wanted: Callable[[str], bool]) -> Iterator[tuple[int, str, str, Decimal]]:
    """Each row of time (percent above zero) on a code `wanted` says yes to: its index, position, code and
    percent."""
    allocation = bundle.time_allocation
    codes = column(allocation, "cost_center")
    hits = [k for k, code in enumerate(codes) if wanted(code)]
    if not hits:
        return
    ids, percents = column(allocation, "position_id"), column(allocation, "percent")
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


LE_ONLY = (PositionCategory.LE,)


def no_usdh_on_local_guards(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """No USDH time on 5821, 5822, 5823, 5826 or their sub-cost centers (R31); 5823-X023 has its own rule."""

    def wanted(code: str) -> bool:
        return _cost_center(code) in LOCAL_GUARD_PROGRAM and code != RESIDENTIAL_SECURITY

    return _time_of_categories(bundle, "R31", wanted, [c for c in PositionCategory if c != PositionCategory.USDH])


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
    """At a post with a furniture and appliance pool, someone allocates time to 6144 (R39). The post has one
    when post.toml says so, or, when it does not say, when 6144 has a workload count or a budget line."""
    if bundle.post.furniture_pool is False:
        return []

    def on_pool(code: str) -> bool:
        return _cost_center(code) == FURNITURE_POOL and code not in POOL_ASSESSMENTS

    if next(_time_on(bundle, on_pool), None) is not None:
        return []
    if bundle.post.furniture_pool:
        found = "the post has a furniture and appliance pool, and no position has time on 6144"
        return [broken("R39", bundle.post.source, found, "furniture_pool")]
    for table, what in ((bundle.workload, "subscribers"), (bundle.budget, "a budget")):
        codes = column(table, "cost_center")
        if FURNITURE_POOL in codes:
            found = f"{FURNITURE_POOL} has {what}, and no position has time on it"
            return [broken("R39", source_of(table, codes.index(FURNITURE_POOL)), found, "cost_center")]
    return []


_TIME = frozenset({"positions", "time_allocation"})

CHECKS: tuple[Check, ...] = (
    Check(no_usdh_on_local_guards, reads=_TIME, budget_rule="R31"),
    Check(no_time_on_supplies_issued, reads=frozenset({"time_allocation"}), budget_rule="R36"),
    Check(
        time_on_furniture_pool, reads=frozenset({"post", "time_allocation", "workload", "budget"}), budget_rule="R39"
    ),
    Check(
        no_time_on_special_events_at_contract_posts,
        reads=frozenset({"post", "time_allocation"}),
        budget_rule="R44",
    ),
    Check(le_staff_on_residential_security, reads=_TIME, budget_rule="R45"),
    Check(no_time_on_pool_assessments, reads=frozenset({"time_allocation"}), budget_rule="R46"),
    Check(le_staff_on_make_ready, reads=_TIME, budget_rule="R47"),
    Check(le_staff_on_commissioning, reads=_TIME, budget_rule="R48"),
)
