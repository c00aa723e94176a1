"""Why a cost center costs what it does and how it was shared: every budget line and every position's pool
line that feeds it, with its file and row, then each agency's count, modification and amounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from icass.distribution.apportion import apportion
from icass.distribution.modified_workload import modified_workload, one_modification
from icass.distribution.steps import Distribution
from icass.model import PostBundle, Source, Workload
from icass.money import format_grouped


@dataclass(frozen=True)
class Contribution:
    """One part of a cost center's cost: a budget line, or what one pool line of a position brings to it."""

    funding: str
    soc: str
    what: str
    cents: int
    source: Source


@dataclass(frozen=True)
class AgencyPart:
    agency: str
    count: Decimal | None  # None where the agency has no workload row; else the sum over its factor lines
    modification: Decimal | None  # None where its factor lines carry different modifications
    modified: Decimal | None  # the sum of count x modification over its factor lines
    share: dict[str, int]
    redistribution: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.share.values()) + sum(self.redistribution.values())


@dataclass(frozen=True)
class Explanation:
    cost_center: str
    contributions: tuple[Contribution, ...]
    cost: dict[str, int]  # per funding source, as the engine computed it
    parts: tuple[AgencyPart, ...]
    total_modified: Decimal  # the cost center's modified workload, every agency's


def split_line(amount: int, percents: Sequence[Decimal]) -> list[int]:
    """A pool line's cents over its position's time allocation (percents of its cost centers in code order),
    by the engine's own kernel: the cents the engine distributes, the largest remainders getting the cents
    left over. The position page shows where a position's time goes with it too (icass.views.positions)."""
    exponent = max(-int(p.as_tuple().exponent) for p in percents)
    weights = np.array([int(p.scaleb(exponent)) for p in percents], dtype=np.int64)
    cents = apportion(
        np.array([amount], dtype=np.int64),
        np.zeros(len(percents), dtype=np.int64),
        weights,
        np.arange(len(percents), dtype=np.int64),  # codes are sorted: index order is code order
    )
    return [int(c) for c in cents]


def _pool_contributions(bundle: PostBundle, cost_center: str) -> list[Contribution]:
    """Each pool line apportioned over its position's time allocation with the engine's own kernel, so the
    cents shown are exactly the cents distributed (H-423.1 brings the AmSal and PAT lines)."""
    allocation: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for share in bundle.time_allocation:
        allocation[share.position_id].append((share.cost_center, share.percent))
    titles = {p.position_id: p.title for p in bundle.positions}
    found: list[Contribution] = []
    for line in bundle.cost_pool():
        split = sorted(allocation[line.position_id])
        codes = [code for code, _ in split]
        if cost_center not in codes:
            continue
        cents = split_line(line.amount, [p for _, p in split])
        here = codes.index(cost_center)
        what = f"position {line.position_id} {titles.get(line.position_id, '')}".rstrip()
        percent = split[here][1]
        found.append(
            Contribution(
                line.funding,
                line.soc,
                f"{what}: {percent}% of {format_grouped(line.amount)}",
                int(cents[here]),
                line.source,
            )
        )
    return found


def explain(bundle: PostBundle, distribution: Distribution, cost_center: str) -> Explanation:
    cols = distribution.columns
    contributions = [
        Contribution(b.funding, b.soc, b.description or "budget line", b.amount, b.source)
        for b in bundle.budget
        if b.cost_center == cost_center
    ]
    contributions += _pool_contributions(bundle, cost_center)
    cost: dict[str, int] = {}
    if cost_center in cols.cost_centers:
        c = cols.cost_centers.index(cost_center)
        here = distribution.cost_of(bundle.post.code)[c]
        cost = {f: int(v) for f, v in zip(cols.funding_sources, here.tolist(), strict=True) if v}
    sums = modified_workload(bundle.workload)
    lines: dict[str, list[Workload]] = defaultdict(list)
    for w in bundle.workload:
        if w.cost_center == cost_center:
            lines[w.agency].append(w)
    share: dict[str, dict[str, int]] = defaultdict(dict)
    redistribution: dict[str, dict[str, int]] = defaultdict(dict)
    for agency, cc, funding, own, redistributed, _ in distribution.lines(bundle.post.code):
        if cc == cost_center:
            if own:
                share[agency][funding] = own
            if redistributed:
                redistribution[agency][funding] = redistributed
    parts = tuple(
        AgencyPart(
            agency,
            sums.counts.get((cost_center, agency)),
            one_modification(lines.get(agency, [])),
            sums.modified.get((cost_center, agency)),
            share[agency],
            redistribution[agency],
        )
        for agency in sorted(set(lines) | set(share) | set(redistribution))
    )
    return Explanation(cost_center, tuple(contributions), cost, parts, sums.total_of(cost_center))
