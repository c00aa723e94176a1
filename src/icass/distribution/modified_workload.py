"""A post's modified workload summed by cost center (H-341: a cost center with a distribution factor is shared
by each agency's count x the budget committee's modification): the one sum that an agency's invoice, the
derivation of its lines, the explanation of a cost center and the TDY rates all read; and the one modification
an agency's lines carry, which the explanation and the invoice's derivation show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from icass.model import Workload


@dataclass(frozen=True)
class ModifiedWorkload:
    """Per cost center, every agency's modified workload (`total`); per (cost center, agency) with a workload
    line, the agency's count and modified workload over its factor lines."""

    total: Mapping[str, Decimal]
    counts: Mapping[tuple[str, str], Decimal]
    modified: Mapping[tuple[str, str], Decimal]

    def total_of(self, cost_center: str) -> Decimal:
        return self.total.get(cost_center, Decimal(0))

    def cost_centers_of(self, agency: str) -> list[str]:
        """The cost centers where `agency` has a workload line."""
        return [cost_center for cost_center, counted in self.counts if counted == agency]


def one_modification(lines: Iterable[Workload]) -> Decimal | None:
    """The one modification of an agency's workload lines in a cost center; None where there are none or they
    differ."""
    values = {w.modification for w in lines}
    return values.pop() if len(values) == 1 else None


def modified_workload(workload: Iterable[Workload]) -> ModifiedWorkload:
    total: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    modified: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for w in workload:
        modified_count = w.modified_count
        total[w.cost_center] += modified_count
        counts[w.cost_center, w.agency] += w.count
        modified[w.cost_center, w.agency] += modified_count
    return ModifiedWorkload(dict(total), dict(counts), dict(modified))
