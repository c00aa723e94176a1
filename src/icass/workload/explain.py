"""Views of the counts a post distributes by: the list (`icass workload`) and, for one cost center, how each
count was made (`icass workload --explain`): the records it came from, the weights, routing and exclusions
applied, the sections cited; or the workload.csv row that replaced them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from icass.model import Origin, Workload
from icass.workload import trail as trails
from icass.workload.derivation import Derivation


@dataclass(frozen=True)
class Contribution:
    """One trail row: records of a file and how they counted."""

    file: str
    rows: tuple[int, ...]
    what: str
    quantity: str
    weight: str
    count: str  # the exact contribution, before the one rounding of the line
    note: str
    section: str

    @property
    def where(self) -> str:
        shown = ", ".join(str(r) for r in self.rows[:6]) + (", ..." if len(self.rows) > 6 else "")
        return f"{self.file}, row{'s' if len(self.rows) > 1 else ''} {shown}"


@dataclass(frozen=True)
class CountExplanation:
    line: Workload
    derived: Decimal | None  # what the records derive for this agency and factor (None: not derived)
    counted: tuple[Contribution, ...]
    not_counted: tuple[Contribution, ...]


def _contributions(frame: pl.DataFrame) -> tuple[Contribution, ...]:
    found = []
    for r in frame.iter_rows(named=True):
        exact = trails.rounded(r["units"], r["denominator"]) if r["denominator"] == 1 else None
        count = format(exact, "f") if exact is not None else f"{r['quantity']} x {r['weight']}"
        found.append(
            Contribution(
                r["file"], tuple(r["rows"]), r["what"], r["quantity"], r["weight"], count, r["note"], r["section"]
            )
        )
    return tuple(found)


def explain_counts(
    workload: Sequence[Workload], derivation: Derivation, cost_center: str, agency: str | None = None
) -> tuple[CountExplanation, ...]:
    """Every count line of `cost_center` (of `agency` only, if given), each with the trail that made it.
    Rows of agencies with no count line (everyone excluded) come under a line of count 0."""
    full = trails.empty() if derivation.trail is None else derivation.trail
    here = full.filter(pl.col("cost_center") == cost_center)
    if agency is not None:
        here = here.filter(pl.col("agency") == agency)
    derived = {(w.agency, w.factor): w.count for w in derivation.lines if w.cost_center == cost_center}
    lines = [w for w in workload if w.cost_center == cost_center and (agency is None or w.agency == agency)]
    shown = {(w.agency, w.factor) for w in lines}
    for key in here.select("agency", "factor").unique().sort("agency", "factor").iter_rows():
        if key not in shown and not any(w.agency == key[0] and w.origin == Origin.ENTERED for w in lines):
            lines.append(Workload(cost_center, key[0], Decimal(0), factor=key[1], origin=Origin.DERIVED))
    found = []
    for line in sorted(lines, key=lambda w: (w.agency, w.factor)):
        mine = here.filter((pl.col("agency") == line.agency) & (pl.col("factor") == line.factor))
        counted = mine.filter(pl.col("counted")) if line.origin == Origin.DERIVED else mine.clear()
        found.append(
            CountExplanation(
                line,
                derived.get((line.agency, line.factor)) if cost_center in derivation.derived else None,
                _contributions(counted),
                _contributions(mine.filter(~pl.col("counted"))),
            )
        )
    return tuple(found)
