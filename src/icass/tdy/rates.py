"""TDY rates (H-363.1-3 a(3)-(4), H-363.1-4 b): each cost center's discounted cost in the prior year's final
budget over its total modified workload, per unit of a transaction cost center, per traveler-day of a
capitation or static one. Published rates are rounded once, from the exact figure, to the cent, half up;
invoices use the published rates."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from icass.catalog import Catalog
from icass.catalog.cost_centers import CountBasis
from icass.catalog.tdy import TdyRules
from icass.distribution import Distribution
from icass.distribution.columns import columns_of
from icass.distribution.modified_workload import modified_workload
from icass.distribution.steps import cost_centers
from icass.model import PositionCategory, Post, PostBundle
from icass.model.tdy import Basket

DAILY, UNIT = "daily", "unit"


def half_up(value: Fraction) -> int:
    """The nearest whole number, a half away from zero (every figure here is positive)."""
    return math.floor(value + Fraction(1, 2)) if value >= 0 else -half_up(-value)


@dataclass(frozen=True, slots=True)
class Rate:
    """One cost center's TDY rate and how it was found; money in cents."""

    cost_center: str
    name: str
    basis: str  # DAILY: per traveler per day; UNIT: per transaction
    unit: str  # what a unit of its workload is (the catalog's unit)
    cost: int  # its cost in the budget, every funding source
    usdh: int  # the pool lines of USDH positions time-allocated to it
    lease: int  # its budget lines marked lease
    excluded: int  # what is left of a cost center the rate leaves out whole (local guard program, 6144)
    workload: Decimal  # the total modified workload, every agency and special code
    exact: Fraction | None  # the exact rate in cents; None when there is no workload

    @property
    def discounted_cost(self) -> int:
        return self.cost - self.usdh - self.lease - self.excluded

    @property
    def rate(self) -> int | None:
        """The published rate in cents."""
        return None if self.exact is None else half_up(self.exact)


@dataclass(frozen=True)
class Rates:
    post: Post  # the prior-year final budget's post
    fiscal_year: int  # N: these rates bill the visits that end in fiscal year N
    days_per_year: int
    rates: tuple[Rate, ...]  # in cost center order; only cost centers with a distribution factor

    def of(self, cost_center: str) -> Rate | None:
        return next((r for r in self.rates if r.cost_center == cost_center), None)

    def published(self) -> tuple[Rate, ...]:
        """The rates a post publishes: every cost center with workload."""
        return tuple(r for r in self.rates if r.rate is not None)


def tdy_rates(bundle: PostBundle, distribution: Distribution, catalog: Catalog, rules: TdyRules) -> Rates:
    """The rates of fiscal year N from the distributed final budget of N-1."""
    post = bundle.post
    methodology = post.methodology
    cost = distribution.cost_of(post.code).sum(axis=1).tolist()
    full = _by_cost_center(distribution.columns.cost_centers, cost)
    usdh = _usdh_pools(bundle, catalog)
    lease: dict[str, int] = defaultdict(int)
    for line in bundle.budget:
        if line.lease:
            lease[line.cost_center] += line.amount
    workload = modified_workload(bundle.workload)
    found = []
    for code in sorted(set(full) | set(workload.total)):
        spec = catalog.find(code, methodology)
        if spec is None or spec.count_basis == CountBasis.NONE:
            continue  # 0000, 0009 and 8790 have no distribution factor, so no rate
        cost, less = full.get(code, 0), usdh.get(code, 0) + lease[code]
        excluded = cost - less if rules.excluded(code) else 0
        daily = spec.count_basis == CountBasis.STATIC
        total = workload.total_of(code)
        exact = None
        if total > 0:
            exact = Fraction(cost - less - excluded) / Fraction(total)
            if daily:
                exact /= rules.days_per_year
        found.append(
            Rate(
                code,
                spec.name,
                DAILY if daily else UNIT,
                spec.unit,
                cost,
                usdh.get(code, 0),
                lease[code],
                excluded,
                total,
                exact,
            )
        )
    return Rates(post, post.fiscal_year + 1, rules.days_per_year, tuple(found))


def _usdh_pools(bundle: PostBundle, catalog: Catalog) -> dict[str, int]:
    """Each cost center's part of the USDH positions' pool lines (AmSal, PAT and their other lines), apportioned
    by time allocation exactly as the distribution apportions them: each pool line is apportioned on its own."""
    usdh = {p.position_id for p in bundle.positions if p.category == PositionCategory.USDH}
    if not usdh:
        return {}
    only = dataclasses.replace(
        bundle,
        positions=tuple(p for p in bundle.positions if p.position_id in usdh),
        position_costs=tuple(line for line in bundle.position_costs if line.position_id in usdh),
        time_allocation=tuple(a for a in bundle.time_allocation if a.position_id in usdh),
        budget=(),
    )
    cols = columns_of([only], catalog.kind_of(bundle.post.methodology))
    cost = cost_centers(cols).reshape(len(cols.cost_centers), len(cols.funding_sources)).sum(axis=1).tolist()
    return _by_cost_center(cols.cost_centers, cost)


def _by_cost_center(codes: tuple[str, ...], cents: list[int]) -> dict[str, int]:
    return {code: amount for code, amount in zip(codes, cents, strict=True) if amount}


def days_to_threshold(rates: Rates, threshold: int, mandatory: tuple[str, ...]) -> int | None:
    """The smallest whole number of days at which one traveler's four mandatory daily rates reach the threshold
    (H-363.1-4 c); None when they add up to nothing."""
    daily = mandatory_daily(rates, mandatory)
    return None if daily <= 0 else -(-threshold // daily)


def mandatory_daily(rates: Rates, mandatory: tuple[str, ...]) -> int:
    """One traveler's mandatory charge for one day, in cents, at the published rates."""
    return sum((rate.rate or 0) for code in mandatory if (rate := rates.of(code)) is not None)


def basket_rate(rates: Rates, basket: Basket) -> int:
    """A Lite basket's daily rate in cents: its cost centers' published daily rates at its modification,
    rounded once, half up (H-363.1-5 e)."""
    daily = sum((rate.rate or 0) for code in basket.services if (rate := rates.of(code)) is not None)
    return half_up(daily * Fraction(basket.modification))
