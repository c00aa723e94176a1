"""An agency's invoice at a post with the derivation of every line, for the invoice page: the engine's invoice
line, the cost center's rules from the catalog (its section, how it is counted, whether it may be modified,
where the handbook routes its counts), and the agency's count lines with the trail that made each (the
read-side of `icass workload --explain`, icass.workload.explain). Nothing is computed again: the counts,
shares and amounts are the run's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from icass.bundle.invoice_files import fundings_of
from icass.catalog import CostCenterSpec
from icass.distribution.invoice import Invoice, InvoiceLine, invoice
from icass.distribution.modified_workload import modified_workload, one_modification
from icass.distribution.partial_year import PartialYear, of_agency
from icass.model import FUNDING_SOURCES, Workload
from icass.runs.post import PostRun
from icass.workload.explain import CountExplanation, explain_agency


@dataclass(frozen=True)
class LineDollars:
    """One funding source of an invoice line: what the cost center costs, every agency's part together, and
    what the invoiced agency pays of it (its share, then ICASS redistribution), in cents."""

    funding: str
    cost: int
    share: int
    redistribution: int

    @property
    def total(self) -> int:
        return self.share + self.redistribution


@dataclass(frozen=True)
class LineDerivation:
    line: InvoiceLine
    spec: CostCenterSpec | None  # None only for a code the catalog does not know (the checks reject those)
    counts: tuple[CountExplanation, ...]  # the agency's count lines of the cost center, each with its trail
    total_modified: Decimal  # the cost center's modified workload, every agency's
    routing: tuple[str, ...]  # the routings the trail applied to this agency's records, each with its section
    # The dollars behind the share, by funding source (the invoice's funding sources that the line or the cost
    # center has): the cost center's whole cost, the agency's share of it, and its part of ICASS redistribution.
    dollars: tuple[LineDollars, ...] = ()

    @property
    def modification(self) -> Decimal | None:
        """The one modification of the agency's count lines; None where there are none or they differ."""
        return one_modification(c.line for c in self.counts)

    @property
    def modified(self) -> bool:
        return any(c.line.modification != 1 for c in self.counts)


@dataclass(frozen=True)
class InvoiceView:
    """The invoice, the derivation of each of its lines, and its subtotals by the funding sources it bills."""

    invoice: Invoice
    lines: tuple[LineDerivation, ...]
    subtotals: tuple[tuple[str, int], ...]  # (funding source, cents), the funding sources the invoice bills
    partial: PartialYear | None = None  # what the agency pays arriving or leaving during the fiscal year

    @property
    def fundings(self) -> tuple[str, ...]:
        return tuple(f for f, _ in self.subtotals)


def agency_invoice(run: PostRun, agency: str) -> Invoice:
    """The invoice of `agency` at the distributed run's post: KeyError when the agency is not one of its own."""
    assert run.bundle is not None  # a distributed run
    assert run.distribution is not None
    return invoice(run.bundle, run.distribution, agency, run.catalog.kind_of(run.bundle.post.methodology))


def invoice_view(run: PostRun, bill: Invoice) -> InvoiceView:
    assert run.bundle is not None  # a distributed run
    subtotals = tuple((f, bill.subtotal(f)) for f in fundings_of(bill))
    return InvoiceView(bill, invoice_derivation(run, bill), subtotals, of_agency(run.bundle, bill))


def invoice_derivation(run: PostRun, bill: Invoice) -> tuple[LineDerivation, ...]:
    """Every line of `bill` (the invoice of `run`'s post) with its derivation."""
    assert run.bundle is not None  # a distributed run
    methodology = run.bundle.post.methodology
    total_modified = modified_workload(run.bundle.workload)
    mine: dict[str, list[Workload]] = defaultdict(list)
    for w in run.bundle.workload:
        if w.agency == bill.agency:
            mine[w.cost_center].append(w)
    # Also the records of an agency with no count line here (every one excluded), under a count of 0.
    explained = None if run.derivation is None else explain_agency(run.bundle.workload, run.derivation, bill.agency)
    dollars = _dollars(run, bill.agency)
    found = []
    for line in bill.lines:
        cc = line.cost_center
        counts = tuple(CountExplanation(w, None, (), ()) for w in mine[cc]) if explained is None else explained(cc)
        # A routing is a note on a counted record ("role MSG -> 1931.0 (H-341.5 d)"); exclusions are notes on
        # records not counted, shown with their records.
        routing = dict.fromkeys(c.note for e in counts for c in e.counted if c.note)
        found.append(
            LineDerivation(
                line,
                run.catalog.find(cc, methodology),
                counts,
                total_modified.total_of(cc),
                tuple(routing),
                dollars.get(cc, ()),
            )
        )
    return tuple(found)


def _dollars(run: PostRun, agency: str) -> dict[str, tuple[LineDollars, ...]]:
    """Cost center -> its dollars by funding source (FUNDING_SOURCES order) for `agency`'s invoice lines: the
    cost the run distributed, and the agency's share and redistribution as the distribution's lines give them."""
    assert run.bundle is not None  # a distributed run
    assert run.distribution is not None
    code = run.bundle.post.code
    columns = run.distribution.columns
    cost = run.distribution.cost_of(code).tolist()
    mine: dict[tuple[str, str], tuple[int, int]] = {}
    for line in run.distribution.lines(code):
        if line.agency == agency:
            mine[(line.cost_center, line.funding)] = (line.share, line.redistribution)
    found: dict[str, list[LineDollars]] = defaultdict(list)
    order = {str(f): i for i, f in enumerate(FUNDING_SOURCES)}
    fundings = sorted(enumerate(columns.funding_sources), key=lambda f: order.get(str(f[1]), len(order)))
    for c, cc in enumerate(columns.cost_centers):
        for f, funding in fundings:
            share, redistribution = mine.get((cc, funding), (0, 0))
            if cost[c][f] or share or redistribution:
                found[cc].append(LineDollars(str(funding), int(cost[c][f]), share, redistribution))
    return {cc: tuple(lines) for cc, lines in found.items()}
