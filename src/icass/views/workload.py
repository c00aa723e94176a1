"""A post's workload as the workload page shows it: its lines grouped by cost center, with the cost center's
and each agency's name, what the records derive beside a count typed by hand, and each factor's subtotal of
counts and modified counts; the cost centers a search keeps and one page of a cost center's lines; and the
records behind one line's count."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from icass.model import Origin, Workload
from icass.runs.post import PostRun
from icass.workload.explain import CountExplanation, explain_counts


class Line(Protocol):
    """A workload line as the API gives it (icass.api.schemas.WorkloadOut): numbers as decimal strings."""

    @property
    def id(self) -> str: ...
    @property
    def cost_center(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def factor(self) -> str: ...
    @property
    def count(self) -> str: ...
    @property
    def modification(self) -> str: ...
    @property
    def origin(self) -> str: ...


@dataclass(frozen=True)
class CountRow:
    line: Line
    agency_name: str
    derived: Decimal | None  # what the records derive for the line; None where its cost center is not derived
    modified: Decimal  # count x modification

    @property
    def entered(self) -> bool:
        return self.line.origin == Origin.ENTERED

    @property
    def differs(self) -> bool:
        """A count typed by hand that is not what the records derive."""
        return self.entered and self.derived is not None and self.derived != Decimal(self.line.count)


@dataclass(frozen=True)
class FactorSubtotal:
    factor: str  # "" for the cost center's own (single or main) factor
    count: Decimal
    modified: Decimal


@dataclass(frozen=True)
class CostCenterCounts:
    cost_center: str
    name: str  # the catalog's name; "" for a code it does not know
    factor: str  # the catalog's distribution factor, in words
    unit: str
    rows: tuple[CountRow, ...]
    subtotals: tuple[FactorSubtotal, ...]  # one a factor, in the order the lines have them

    @property
    def entered(self) -> int:
        return sum(r.entered for r in self.rows)

    @property
    def differing(self) -> int:
        return sum(r.differs for r in self.rows)


LINES_A_PAGE = 25  # a screen of lines, as the table editors show rows (icass.views.rows.PAGE_ROWS)


@dataclass(frozen=True)
class LinesPage:
    """One page of a cost center's lines, those of one agency when `agency` is given."""

    group: CostCenterCounts
    agency: str  # "" for every agency
    rows: tuple[CountRow, ...]
    page: int  # from 1
    pages: int
    found: int  # the lines the agency keeps, on every page

    @property
    def first(self) -> int:
        """The number of the page's first line among those found (1 for the first)."""
        return (self.page - 1) * LINES_A_PAGE + 1


def kept_groups(groups: Sequence[CostCenterCounts], cost_center: str, agency: str) -> tuple[CostCenterCounts, ...]:
    """The cost centers a search keeps: `cost_center`'s alone when it is given, those counting `agency` when
    it is given (each still with all its lines: its headings and subtotals are the cost center's)."""
    return tuple(
        g
        for g in groups
        if (not cost_center or g.cost_center == cost_center)
        and (not agency or any(r.line.agency == agency for r in g.rows))
    )


def lines_page(group: CostCenterCounts, agency: str, page: int) -> LinesPage:
    """The page `page` (kept within the pages there are) of the group's lines of `agency` (all when "")."""
    kept = [r for r in group.rows if not agency or r.line.agency == agency]
    pages = max(1, -(-len(kept) // LINES_A_PAGE))
    page = min(max(page, 1), pages)
    shown = tuple(kept[(page - 1) * LINES_A_PAGE : page * LINES_A_PAGE])
    return LinesPage(group, agency, shown, page, pages, len(kept))


def agencies_counted(groups: Sequence[CostCenterCounts]) -> tuple[tuple[str, str], ...]:
    """Each agency some line counts, with its name, in code order: the choices of the page's agency filter."""
    return tuple(sorted({(r.line.agency, r.agency_name) for g in groups for r in g.rows}))


def _workload(run: PostRun) -> Sequence[Workload]:
    if run.bundle is not None:
        return run.bundle.workload
    return run.steps.combined.lines if run.steps is not None else ()


def workload_groups(run: PostRun, lines: Sequence[Line]) -> tuple[CostCenterCounts, ...]:
    """`lines` (the post's, as the API lists them) by cost center in code order, each with its names, the
    derived count of each line and each factor's subtotals."""
    records = run.bundle or (run.records.entered if run.records else None)
    methodology = records.post.methodology if records else ""
    agencies = {a.code: a.name for a in records.agencies} if records else {}
    derivation = run.derivation
    derived = {(w.cost_center, w.agency, w.factor): w.count for w in derivation.lines} if derivation else {}
    from_records = derivation.derived if derivation else frozenset()
    grouped: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        grouped[line.cost_center].append(line)
    found = []
    for cost_center in sorted(grouped):
        spec = run.catalog.find(cost_center, methodology) if methodology else None
        rows = tuple(
            CountRow(
                line,
                agencies.get(line.agency, ""),
                derived.get((cost_center, line.agency, line.factor), Decimal(0))
                if cost_center in from_records
                else None,
                Decimal(line.count) * Decimal(line.modification),
            )
            for line in grouped[cost_center]
        )
        sums: dict[str, list[Decimal]] = {}
        for row in rows:
            total = sums.setdefault(row.line.factor, [Decimal(0), Decimal(0)])
            total[0] += Decimal(row.line.count)
            total[1] += row.modified
        found.append(
            CostCenterCounts(
                cost_center,
                spec.name if spec else "",
                spec.factor if spec else "",
                spec.unit if spec else "",
                rows,
                tuple(FactorSubtotal(factor, count, modified) for factor, (count, modified) in sums.items()),
            )
        )
    return tuple(found)


def line_records(run: PostRun, cost_center: str, agency: str, factor: str) -> CountExplanation | None:
    """The records behind one line's count (or the row typed by hand that replaced them), or None when the
    run has no derivation (the post could not be read) or no such line."""
    if run.derivation is None:
        return None
    explained = explain_counts(_workload(run), run.derivation, cost_center, agency)
    return next((e for e in explained if e.line.factor == factor), None)
