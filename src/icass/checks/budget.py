"""Rules on the post's budget and each cost center's cost: the sums stay within what 64 bits hold, a Lite
post budgets financial management one way, every cost has something to share it by, and the ceilings of
Miscellaneous and the Basic Package. The rules on cost judge it as the distribution's own first step computed
it (Context.costs)."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from icass.checks.broken import broken
from icass.checks.context import Context, Costs
from icass.diagnostics import Diagnostic, error
from icass.model import (
    BASIC_PACKAGE,
    ICASS_AGENCY,
    MISCELLANEOUS,
    STATE_AGENCY,
    PositionCategory,
    PostBundle,
    Source,
    Workload,
)
from icass.model.columnar import column, source_of
from icass.money import percent_of

Where = tuple[Sequence[Any], int]  # a table of records and the index of one: its Source made only for a message
# No sum of cents may pass this: a cost center, a position's cost pool, the post's whole budget. With every
# sum below it, no total the engine forms can wrap int64 (which it would do silently).
MAX_TOTAL_CENTS = 100_000_000_000_000
LITE_FINANCIAL_MANAGEMENT = "6225"
LITE_SEPARATE_FINANCIAL_MANAGEMENT = ("6211", "6221", "6223", "6224")
MISCELLANEOUS_CEILING = Decimal("0.05")  # H-341.13-1: "generally should not exceed five percent"
BASIC_PACKAGE_CEILING = Decimal("0.06")  # H-341.1-2 NOTE 3: "should not exceed six percent"


def sums(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Each line is bounded, but many lines could still add up past what 64 bits hold: bound the sums."""
    budget = column(bundle.budget, "amount")
    pooled = column(bundle.position_costs, "amount")
    factors = [f.amsal + f.pat for f in bundle.cost_factors]
    lowest = min((min(f.amsal, f.pat) for f in bundle.cost_factors), default=0)
    if min(budget, default=0) >= 0 and min(pooled, default=0) >= 0 and lowest >= 0:
        # No amount is negative (the files' amounts cannot be), so no sum of some of them passes the whole
        # post's: when even that stays within the bound (a large post's does, by far), every sum does.
        usdh = column(bundle.positions, "category").count(PositionCategory.USDH)
        most = max(factors, default=0) * usdh
        if sum(budget) + sum(pooled) + most <= MAX_TOTAL_CENTS:
            return []
    by_cost_center: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for k, (code, amount) in enumerate(
        zip(column(bundle.budget, "cost_center"), column(bundle.budget, "amount"), strict=True)
    ):
        by_cost_center[code] += amount
        first.setdefault(code, k)
    by_position: dict[str, int] = defaultdict(int)
    for position_id, _, amount in zip(*bundle.cost_pool_columns(), strict=True):
        by_position[position_id] += amount
    found = [
        error(
            source_of(bundle.budget, first[code]),
            f"the budget lines of cost center {code} add up to {_dollars(total)}, more than the "
            f"{_dollars(MAX_TOTAL_CENTS)} a cost center may hold",
            field="amount",
            spans_rows=True,
        )
        for code, total in sorted(by_cost_center.items())
        if total > MAX_TOTAL_CENTS
    ]
    where = {position_id: k for k, position_id in enumerate(column(bundle.positions, "position_id"))}
    found += [
        error(
            source_of(bundle.positions, where[position]),
            f"the cost pool of position {position} adds up to {_dollars(total)}, more than {_dollars(MAX_TOTAL_CENTS)}",
            field="position_id",
            spans_rows=True,
        )
        for position, total in sorted(by_position.items())
        if total > MAX_TOTAL_CENTS
    ]
    post_total = sum(by_cost_center.values()) + sum(by_position.values())
    if not found and post_total > MAX_TOTAL_CENTS:
        found.append(
            error(
                Source("budget.csv"),
                f"the post's budget adds up to {_dollars(post_total)}, more than {_dollars(MAX_TOTAL_CENTS)}",
                spans_rows=True,
            )
        )
    return found


def lite_financial_management(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A Lite post runs financial management either as one 6225 (H-342.10) or as the Standard codes that
    Exhibit H-341 lists in its Lite column, never both (the catalog's 6225 note gives the reasons)."""
    if bundle.post.methodology != "lite":
        return []
    used: dict[str, Where] = {}
    for table in (bundle.budget, bundle.time_allocation, bundle.workload):
        for k, code in enumerate(column(table, "cost_center")):
            used.setdefault(code.split("-")[0], (table, k))
    separate = [code for code in LITE_SEPARATE_FINANCIAL_MANAGEMENT if code in used]
    if LITE_FINANCIAL_MANAGEMENT not in used or not separate:
        return []
    return [
        error(
            source_of(*used[separate[0]]),
            f"{', '.join(separate)} and {LITE_FINANCIAL_MANAGEMENT} are both used: a Lite post budgets financial "
            f"management either in {LITE_FINANCIAL_MANAGEMENT} or in the separate cost centers, not both",
            field="cost_center",
            section="H-342.10",
            spans_rows=True,
        )
    ]


def _modified_counts(workload: Sequence[Workload]) -> list[Decimal]:
    """Each line's count times its modification (Workload.modified_count), column by column."""
    return list(map(operator.mul, column(workload, "count"), column(workload, "modification")))


def _cost_of(costs: Costs) -> dict[str, int]:
    """Each cost center's cost, summed over its funding sources."""
    cost = costs.flat.reshape(len(costs.columns.cost_centers), -1).sum(axis=1)
    return {code: int(c) for code, c in zip(costs.columns.cost_centers, cost.tolist(), strict=True)}


def cost_without_workload(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A cost center with cost has something to share it by: workload, or State (1900.0) for 0000."""
    catalog, derived = context.catalog, context.derived
    methodology = bundle.post.methodology
    cost_of = _cost_of(context.cost())
    weight: dict[str, Decimal] = defaultdict(Decimal)
    for code, modified in zip(column(bundle.workload, "cost_center"), _modified_counts(bundle.workload), strict=True):
        weight[code] += modified
    first_line = _first_rows(bundle)
    agencies = {a.code for a in bundle.agencies}

    found: list[Diagnostic] = []
    for code, amount in cost_of.items():
        if amount == 0:
            continue
        spec = catalog.find(code, methodology)
        assert spec is not None  # checked by references (icass.checks.references)
        source = _where(first_line[code])
        if spec.distribution == "workload" and weight[code] == 0:
            found.append(
                error(
                    source,
                    f"{code} {spec.name} has cost ({_dollars(amount)}) but no workload to share it by: "
                    + (
                        "the post's records count nothing in it on the count date or in the window "
                        "(icass workload --explain shows what was left out)"
                        if code in derived
                        else f"add its counts ({spec.factor.rstrip('.')}) to workload.csv"
                    ),
                    field="cost_center",
                    section=spec.count_section,
                    spans_rows=True,
                )
            )
        elif spec.distribution == "non_icass" and STATE_AGENCY not in agencies:
            found.append(
                error(
                    source,
                    f"{code} has cost, which is charged to {STATE_AGENCY} (State), "
                    f"but agencies.csv lacks {STATE_AGENCY}",
                    field="cost_center",
                    section=spec.count_section,
                    spans_rows=True,
                )
            )
    return found


def service_rules(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """8790 and ICASS redistribution share by agency totals; there must be agencies to share with."""
    cost_of = _cost_of(context.cost())
    found: list[Diagnostic] = []
    by_agency: dict[str, Decimal] = defaultdict(Decimal)
    workload = bundle.workload
    lines = zip(column(workload, "cost_center"), column(workload, "agency"), _modified_counts(workload), strict=True)
    for code, agency, modified in lines:
        if cost_of.get(code, 0):
            by_agency[agency] += modified
    payers = {a for a, w in by_agency.items() if w > 0}
    misc = context.catalog.find(MISCELLANEOUS, bundle.post.methodology)
    if cost_of.get(MISCELLANEOUS, 0) and not payers and misc is not None:
        found.append(
            error(
                _where(_first_rows(bundle)[MISCELLANEOUS]),
                "8790 has cost but no agency has service costs to share it by",
                section=misc.count_section,
                spans_rows=True,
            )
        )
    if ICASS_AGENCY in payers and not payers - {ICASS_AGENCY}:
        found.append(
            error(
                Source("workload", key=ICASS_AGENCY),
                f"only {ICASS_AGENCY} (ICASS) has workload: ICASS redistribution needs customer agencies",
                spans_rows=True,
            )
        )
    return found


def miscellaneous_share(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Miscellaneous (8790) stays within its share of the post's budget (R118)."""
    return _share(bundle, context, MISCELLANEOUS, MISCELLANEOUS_CEILING, "R118")


def basic_package_share(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """The Basic Package (6150) stays within its share of the post's budget (R117)."""
    return _share(bundle, context, BASIC_PACKAGE, BASIC_PACKAGE_CEILING, "R117")


def _share(bundle: PostBundle, context: Context, code: str, ceiling: Decimal, rule: str) -> list[Diagnostic]:
    """The handbook leaves "the total ICASS budget" undefined: it is read as every cost center's cost as
    distributed, AmSal and PAT included (a post budget includes centrally funded costs, H-423), and the cost
    center's own as its full cost, the time allocated to it included."""
    cost_of = _cost_of(context.cost())
    post_total = sum(cost_of.values())
    spec = context.catalog.find(code, bundle.post.methodology)
    amount = cost_of.get(code, 0)
    if post_total <= 0 or spec is None or Decimal(amount) <= ceiling * post_total:
        return []
    share = percent_of(amount, post_total, 1)
    found = f"{code} {spec.name} is {share}% of the post budget, above {ceiling * 100:.0f}%"
    return [broken(rule, _where(_first_rows(bundle)[code]), found)]


def _first_rows(bundle: PostBundle) -> dict[str, Where]:
    """Where each cost center first appears (budget line, else time allocation), to point messages at: the
    table and the index in it (_where makes its Source, for a message only)."""
    first: dict[str, Where] = {}
    for table in (bundle.time_allocation, bundle.budget):  # the budget's, where it has the code, replace
        codes = column(table, "cost_center")
        # Each code's first index, at C speed: read backwards, a code's earlier index replaces its later ones.
        at = dict(zip(reversed(codes), range(len(codes) - 1, -1, -1), strict=True))
        first.update((code, (table, k)) for code, k in at.items())
    return first


def _where(found: Where) -> Source:
    return source_of(*found)


def _dollars(cents: int) -> str:
    return f"${Decimal(cents) / 100:,.2f}"
