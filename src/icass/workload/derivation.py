"""What deriving a post's counts yields: the count period, the trail of every record's contribution, the
derived count lines, and the cost centers whose counts come from the records."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
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


def budget_side_read(records: PostRecords) -> Hashable:
    """What deriving a post's counts reads of its budget side (icass.workload.derive): the post's settings,
    its agencies (their codes and separate networks) and the cost centers activated by cost or time
    allocation. Records equal in it, with the same source records, derive the same counts: an edit that
    leaves it as it was (an amount, a count entered by hand, a percent within cost centers already
    allocated) keeps the derivation."""
    bundle = records.entered
    return (
        bundle.post,
        tuple((a.code, a.separate_network) for a in bundle.agencies),
        frozenset(column(bundle.budget, "cost_center")) | frozenset(column(bundle.time_allocation, "cost_center")),
    )
