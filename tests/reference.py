"""An exact, plainly written reference of the engine rules (docs/distribution.md), in Fractions and dicts.

It shares no code with icass.distribution: the property tests hold the vectorized engine to it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from fractions import Fraction
from typing import TypeVar

from icass.model import ICASS_AGENCY, STATE_AGENCY, PostBundle

K = TypeVar("K", bound=Hashable)


def apportion(amount: int, weights: Mapping[K, Fraction | int], key: Callable[[K], str] = str) -> dict[K, int]:
    total = sum(Fraction(w) for w in weights.values())
    if total == 0:
        assert amount == 0, "an amount with no weights"
        return dict.fromkeys(weights, 0)
    exact = {k: Fraction(amount) * Fraction(w) / total for k, w in weights.items()}
    shares = {k: math.floor(v) for k, v in exact.items()}
    left = amount - sum(shares.values())
    for k in sorted(weights, key=lambda k: (-(exact[k] - shares[k]), key(k)))[:left]:
        shares[k] += 1
    return shares


Line = tuple[str, str, str]  # agency, cost center, funding


def reference(bundle: PostBundle, kind_of: Callable[[str], str]) -> dict[Line, tuple[int, int]]:
    """{(agency, cost center, funding): (share, redistribution)} for every line with a non-zero amount."""
    cost: dict[tuple[str, str], int] = defaultdict(int)
    allocation: dict[str, dict[str, Fraction]] = defaultdict(dict)
    for t in bundle.time_allocation:
        allocation[t.position_id][t.cost_center] = Fraction(t.percent)
    for pool_line in bundle.cost_pool():
        for cc, cents in apportion(pool_line.amount, allocation[pool_line.position_id]).items():
            cost[cc, pool_line.funding] += cents
    for budget_line in bundle.budget:
        cost[budget_line.cost_center, budget_line.funding] += budget_line.amount

    workload: dict[str, dict[str, Fraction]] = defaultdict(dict)
    for w in bundle.workload:
        # An agency's factor lines (H-341.1-4 NOTE 2) add up to its workload in the cost center.
        workload[w.cost_center][w.agency] = workload[w.cost_center].get(w.agency, Fraction(0)) + Fraction(
            w.count
        ) * Fraction(w.modification)

    share: dict[Line, int] = defaultdict(int)
    for (cc, funding), amount in cost.items():
        if kind_of(cc) == "non_icass":
            share[STATE_AGENCY, cc, funding] += amount
        elif kind_of(cc) == "workload":
            for agency, cents in apportion(amount, workload[cc]).items():
                share[agency, cc, funding] += cents
    step4: dict[str, int] = defaultdict(int)
    for (agency, cc, _), cents in share.items():
        if kind_of(cc) == "workload":
            step4[agency] += cents
    for (cc, funding), amount in cost.items():
        if kind_of(cc) == "miscellaneous":
            for agency, cents in apportion(amount, step4).items():
                share[agency, cc, funding] += cents

    service: dict[str, int] = defaultdict(int)
    for (agency, cc, _), cents in share.items():
        if kind_of(cc) != "non_icass" and agency != ICASS_AGENCY:
            service[agency] += cents
    redistribution: dict[Line, int] = defaultdict(int)
    for (agency, cc, funding), held in list(share.items()):
        if agency != ICASS_AGENCY or held == 0:
            continue
        for other, cents in apportion(held, service).items():
            redistribution[other, cc, funding] += cents
        redistribution[ICASS_AGENCY, cc, funding] -= held

    lines = set(share) | set(redistribution)
    result = {line: (share.get(line, 0), redistribution.get(line, 0)) for line in lines}
    return {line: v for line, v in result.items() if v != (0, 0)}
