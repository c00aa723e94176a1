"""Variance explained (issue 20 §3): the change in each agency's charge between two budgets of a post, split
into what the costs, the counts and the modifications did, by sequential substitution. Each step is a whole
distribution by the same engine, to the cent:

- D0: OLD as it is;
- Dc: NEW's costs (budget lines, positions, cost pool lines, time allocation, cost factors) with OLD's counts
  and modifications;
- Dn: NEW's costs and counts with OLD's modifications (1 where OLD has none for that count);
- D1: NEW as it is.

cost effect = Dc - D0, count effect = Dn - Dc, modification effect = D1 - Dn: their sum is D1 - D0 exactly,
whatever the rounding of each step. Both sides are distributed with the agencies of either, so that an agency
absent from one side has counts of 0 there. A cost center with cost but no count in a step (a service that is
new in NEW, judged with OLD's counts) keeps OLD's cost there, which is none: its whole change then appears at
the first step where it can be distributed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from icass.distribution.columns import WORKLOAD, columns_of
from icass.distribution.steps import Distribution, cost_centers, distribute_columns
from icass.model import PostBundle, Workload

ONE = Decimal(1)
Key = tuple[str, str, str]  # agency, cost center, funding source


class VarianceLine(NamedTuple):
    """One agency's charge in one cost center from one funding source, OLD and NEW, and the three effects that
    make the change; in cents, after ICASS redistribution."""

    agency: str
    cost_center: str
    funding: str
    old: int
    new: int
    cost_effect: int
    count_effect: int
    modification_effect: int


@dataclasses.dataclass(frozen=True)
class Variance:
    """The lines of the change, and each cost center's cost (all funding sources) on either side, in cents."""

    lines: tuple[VarianceLine, ...]
    old_cost: dict[str, int]
    new_cost: dict[str, int]


def variance(old: PostBundle, new: PostBundle, kind_of: Callable[[str], str]) -> Variance:
    """Every line whose charge or effects are not all zero, sorted by agency, cost center and funding source.
    Both bundles are distributable posts of one methodology (`kind_of` is its catalog's)."""
    agencies = {a.code: a for a in old.agencies} | {a.code: a for a in new.agencies}
    every = tuple(agencies[code] for code in sorted(agencies))
    before, after = dataclasses.replace(old, agencies=every), dataclasses.replace(new, agencies=every)
    old_modification = {_count_key(w): w.modification for w in old.workload}
    steps = (
        before,
        dataclasses.replace(after, workload=old.workload),
        dataclasses.replace(
            after,
            workload=tuple(
                dataclasses.replace(w, modification=old_modification.get(_count_key(w), ONE)) for w in new.workload
            ),
        ),
        after,
    )
    first, *middle, last = (_distributed(bundle, kind_of) for bundle in steps)
    d0, dc, dn, d1 = map(_charges, (first, *middle, last))
    lines = []
    for key in sorted(d0.keys() | dc.keys() | dn.keys() | d1.keys()):
        a, c, n, b = (d.get(key, 0) for d in (d0, dc, dn, d1))
        if a or b or c - a or n - c or b - n:
            lines.append(VarianceLine(*key, a, b, c - a, n - c, b - n))
    return Variance(tuple(lines), _costs(first), _costs(last))


def _costs(distribution: Distribution) -> dict[str, int]:
    cost = distribution.cost_of().sum(axis=1).tolist()
    return {code: int(cents) for code, cents in zip(distribution.columns.cost_centers, cost, strict=True) if cents}


def _count_key(count: Workload) -> tuple[str, str, str]:
    return count.cost_center, count.agency, count.factor


def _distributed(bundle: PostBundle, kind_of: Callable[[str], str]) -> Distribution:
    """The bundle's distribution, with the cost of a cost center distributed by counts that has none here left
    out: it has no count to follow in this step (see the module's docstring)."""
    cols = columns_of([bundle], kind_of)
    cost = cost_centers(cols).reshape(len(cols.cost_centers), len(cols.funding_sources))
    weight = np.zeros(len(cols.cost_centers), dtype=np.int64)
    np.add.at(weight, cols.workload_cost_center, cols.workload_weight)
    idle = (cols.cost_center_kind == WORKLOAD) & (weight == 0)
    cost[idle] = 0
    return distribute_columns(cols, cost.reshape(-1))


def _charges(distribution: Distribution) -> dict[Key, int]:
    return {(line.agency, line.cost_center, line.funding): line.total for line in distribution.lines()}


def totals_by(lines: Iterable[VarianceLine], field: str) -> dict[str, tuple[int, int, int, int, int]]:
    """The lines summed by agency or by cost center (`field`): old, new and the three effects."""
    found: dict[str, list[int]] = {}
    for line in lines:
        sums = found.setdefault(getattr(line, field), [0, 0, 0, 0, 0])
        for k, value in enumerate(line[3:]):
            sums[k] += value
    return {code: (s[0], s[1], s[2], s[3], s[4]) for code, s in sorted(found.items())}
