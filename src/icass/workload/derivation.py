"""What deriving a post's counts yields: the count period, the trail of every record's contribution, the
derived count lines, and the cost centers whose counts come from the records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from icass.diagnostics import Diagnostic
from icass.model import Workload
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
