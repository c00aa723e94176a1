"""What deriving a post's counts yields: the count period, the trail of every record's contribution, the
derived count lines, and the cost centers whose counts come from the records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from icass.diagnostics import Diagnostic
from icass.model import PostRecords, Workload
from icass.model.columnar import column
from icass.workload.dates import CountPeriod

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Derivation:
    """What deriving a post's counts yields."""

    period: CountPeriod
    trail: pl.DataFrame | None  # see icass.workload.trail; None when the bundle has no source records
    lines: tuple[Workload, ...] = ()  # the derived counts, modification 1, sorted
    derived: frozenset[str] = frozenset()  # the cost centers whose counts come from the records
    diagnostics: tuple[Diagnostic, ...] = ()

    @cached_property
    def totals(self) -> Mapping[tuple[str, str], Decimal]:
        """Each (cost center, agency)'s derived count, its factors summed: what a count typed for the pair
        replaces (icass.workload.modify)."""
        found: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            found[(line.cost_center, line.agency)] += line.count
        return dict(found)


# What deriving a post's counts reads of its budget side (icass.workload.derive), by the PostBundle field that
# holds it: the agencies' codes and separate networks, and the cost centers that cost or time allocation
# activate. A change to any other field or column leaves the derivation as it was.
READS: dict[str, tuple[str, ...]] = {
    "agencies": ("code", "separate_network"),
    "budget": ("cost_center",),
    "time_allocation": ("cost_center",),
}


def budget_side_read(records: PostRecords) -> Hashable:
    """What deriving the post's counts reads of its budget side (READS), with the post's settings: records
    equal in it, with the same source records, derive the same counts (a percent moved within cost centers
    already allocated, a line moved to a cost center already budgeted)."""
    bundle = records.entered
    return (
        bundle.post,
        tuple(zip(column(bundle.agencies, "code"), column(bundle.agencies, "separate_network"), strict=True)),
        frozenset(column(bundle.budget, "cost_center")) | frozenset(column(bundle.time_allocation, "cost_center")),
    )
