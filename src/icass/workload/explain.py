"""Views of the counts a post distributes by: the list (`icass workload`) and, for one cost center, how each
count was made (`icass workload --explain`): the records it came from, the weights, routing and exclusions
applied, the sections cited; or the workload.csv row that replaced them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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


def _contributions(rows: Iterable[Mapping[str, Any]]) -> tuple[Contribution, ...]:
    found = []
    for r in rows:
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
    here = _trail(derivation).filter(pl.col("cost_center") == cost_center)
    if agency is not None:
        here = here.filter(pl.col("agency") == agency)
    lines = [w for w in workload if w.cost_center == cost_center and (agency is None or w.agency == agency)]
    return _explained(lines, derivation, cost_center, list(here.iter_rows(named=True)))


def explain_agency(
    workload: Sequence[Workload], derivation: Derivation, agency: str
) -> Callable[[str], tuple[CountExplanation, ...]]:
    """explain_counts of `agency` in any cost center, its trail read once: an invoice explains every line of
    one agency, and filtering the whole trail again for each line was most of an invoice page's time."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _trail(derivation).filter(pl.col("agency") == agency).iter_rows(named=True):
        rows[r["cost_center"]].append(r)
    lines: dict[str, list[Workload]] = defaultdict(list)
    for w in workload:
        if w.agency == agency:
            lines[w.cost_center].append(w)
    return lambda cost_center: _explained(list(lines[cost_center]), derivation, cost_center, rows[cost_center])


def _trail(derivation: Derivation) -> pl.DataFrame:
    return trails.empty() if derivation.trail is None else derivation.trail


def _explained(
    lines: list[Workload], derivation: Derivation, cost_center: str, here: list[dict[str, Any]]
) -> tuple[CountExplanation, ...]:
    """The count lines of one cost center, each with its rows of `here` (the trail's rows of that cost center,
    in the trail's order)."""
    derived = {(w.agency, w.factor): w.count for w in derivation.lines if w.cost_center == cost_center}
    shown = {(w.agency, w.factor) for w in lines}
    for key in sorted({(r["agency"], r["factor"]) for r in here}):
        if key not in shown and not any(w.agency == key[0] and w.origin == Origin.ENTERED for w in lines):
            lines.append(Workload(cost_center, key[0], Decimal(0), factor=key[1], origin=Origin.DERIVED))
    found = []
    for line in sorted(lines, key=lambda w: (w.agency, w.factor)):
        mine = [r for r in here if r["agency"] == line.agency and r["factor"] == line.factor]
        counted = [r for r in mine if r["counted"]] if line.origin == Origin.DERIVED else []
        found.append(
            CountExplanation(
                line,
                derived.get((line.agency, line.factor)) if cost_center in derivation.derived else None,
                _contributions(counted),
                _contributions(r for r in mine if not r["counted"]),
            )
        )
    return tuple(found)
