"""One agency's invoice at a post: per cost center its workload, modified workload, share of the total
workload and amount per funding source; subtotals per funding source; the grand total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from icass.distribution.modified_workload import modified_workload
from icass.distribution.steps import Distribution
from icass.model import FUNDING_SOURCES, PostBundle
from icass.money import percent_of


@dataclass(frozen=True)
class InvoiceLine:
    cost_center: str
    workload: Decimal | None  # None where the cost center has no distribution factor (0000, 8790)
    modified_workload: Decimal | None
    share_percent: Decimal  # the agency's part of the cost center's total modified workload (or of its cost)
    amounts: dict[str, int]  # per funding source, share plus redistribution, cents
    redistribution: int  # of which ICASS redistribution, cents

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass(frozen=True)
class Invoice:
    post: str
    fiscal_year: int
    agency: str
    agency_name: str
    lines: tuple[InvoiceLine, ...]

    def subtotal(self, funding: str) -> int:
        return sum(line.amounts.get(funding, 0) for line in self.lines)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def redistribution(self) -> int:
        return sum(line.redistribution for line in self.lines)


def invoice(bundle: PostBundle, distribution: Distribution, agency: str, kind_of: Callable[[str], str]) -> Invoice:
    """The invoice of `agency` (which must be in the bundle's agencies.csv)."""
    names = {a.code: a.name for a in bundle.agencies}
    if agency not in names:
        raise KeyError(agency)
    sums = modified_workload(bundle.workload)
    amounts: dict[str, dict[str, int]] = defaultdict(dict)
    redistribution: dict[str, int] = defaultdict(int)
    share_of: dict[str, int] = defaultdict(int)
    code = bundle.post.code
    for a, cc, funding, own, redistributed, total in distribution.lines(code):
        if a == agency:
            amounts[cc][funding] = total
            redistribution[cc] += redistributed
            share_of[cc] += own
    cost = dict(zip(distribution.columns.cost_centers, distribution.cost_of(code).sum(axis=1).tolist(), strict=True))
    lines = []
    for cc in sorted(set(amounts) | set(sums.cost_centers_of(agency))):
        factor = kind_of(cc) == "workload"
        modified = sums.modified.get((cc, agency), Decimal(0))
        share = percent_of(modified, sums.total_of(cc)) if factor else percent_of(share_of[cc], cost[cc])
        lines.append(
            InvoiceLine(
                cost_center=cc,
                workload=sums.counts.get((cc, agency), Decimal(0)) if factor else None,
                modified_workload=modified if factor else None,
                share_percent=share,
                amounts={f: amounts[cc][f] for f in FUNDING_SOURCES if f in amounts[cc]},
                redistribution=redistribution[cc],
            )
        )
    return Invoice(bundle.post.code, bundle.post.fiscal_year, agency, names[agency], tuple(lines))
