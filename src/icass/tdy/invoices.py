"""TDY invoices and the workload visits move (H-363.1-5, H-363.1-6, H-363.2, H-364, Exhibit H-363.1-5).

Each visit that ends in fiscal year N is billed at the rates of N-1's final budget: the mandatory and requested
capitation or static cost centers per traveler-day, the transaction services per unit when the sponsor is
not at post. Visits of one group or one chain of related visits share an invoice. Transaction workload of a
sponsor at post goes to its next year's counts instead; the visitor category decides the exceptions
(catalog/tdy/rules.toml)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from icass.catalog.tdy import SPONSOR, TdyRules
from icass.diagnostics import Diagnostic, warning
from icass.model import Source
from icass.model.tdy import Service, TdyRecords, Visit, fiscal_year_of
from icass.money import format_grouped
from icass.tdy.rates import Rates, half_up

ISSUED, BELOW_THRESHOLD, HELD, REJECTED = "issued", "below_threshold", "held", "rejected"
STATUSES = (ISSUED, BELOW_THRESHOLD, HELD, REJECTED)
# Each status as a page says it (H-363.1-3 c, H-363.1-6).
STATUS_IN_WORDS = {
    ISSUED: "Issued",
    BELOW_THRESHOLD: "Not billed: below the threshold",
    HELD: "Held until fixed",
    REJECTED: "Rejected: past the deadline",
}
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Charge:
    """One visit's part of an invoice line: traveler-days (or transactions) at a modification."""

    visit_id: str
    cost_center: str
    quantity: Decimal
    modification: Decimal
    why: str  # "mandatory", "requested", "transactions" or the basket's name
    comment: str = ""  # the services.csv comment that explains its modification


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    cost_center: str
    quantity: Decimal  # traveler-days or transactions
    weighted: Decimal  # the sum of quantity x modification
    rate: int  # cents, the published rate
    amount: int  # cents: rate x weighted, rounded to the cent, half up


@dataclass(frozen=True)
class TdyInvoice:
    invoice: str  # the first of its visits, in visits.csv order
    agency: str
    visits: tuple[str, ...]
    lines: tuple[InvoiceLine, ...]
    charges: tuple[Charge, ...]
    status: str
    reasons: tuple[str, ...]  # why it is held or rejected, or below the threshold

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True, slots=True)
class MovedWorkload:
    """Transaction workload a visit adds to next year's counts (H-363.1-5 f(4), H-363.2 b, H-364 f)."""

    cost_center: str
    agency: str
    count: Decimal
    visit_id: str
    section: str


@dataclass(frozen=True, slots=True)
class Unbilled:
    """A visit, or one of its transaction services, that gives neither invoice nor workload, and why."""

    visit_id: str
    cost_center: str  # "" for the whole visit
    why: str


@dataclass(frozen=True)
class TdyBilling:
    rates: Rates
    as_of: dt.date
    invoices: tuple[TdyInvoice, ...]
    workload: tuple[MovedWorkload, ...]
    unbilled: tuple[Unbilled, ...]
    diagnostics: tuple[Diagnostic, ...]

    def issued(self) -> tuple[TdyInvoice, ...]:
        return tuple(i for i in self.invoices if i.status == ISSUED)


def bill_visits(
    records: TdyRecords, rates: Rates, at_post: frozenset[str], as_of: dt.date, rules: TdyRules
) -> TdyBilling:
    """Every invoice, the workload moved and what is left unbilled, for the visits that end in fiscal year N."""
    year = rates.fiscal_year
    policy = records.policy
    services: dict[str, list[Service]] = defaultdict(list)
    for service in records.services:
        services[service.visit_id].append(service)
    baskets = {b.name: b for b in policy.baskets}
    charges: dict[str, list[Charge]] = {}
    moved: list[MovedWorkload] = []
    unbilled: list[Unbilled] = []
    in_scope: list[Visit] = []
    for visit in records.visits:
        if visit.arrive is None or visit.depart is None:
            unbilled.append(Unbilled(visit.visit_id, "", "its dates are missing"))
            continue
        ended = fiscal_year_of(visit.depart)
        if ended != year:
            why = f"ends in FY {ended}: these rates (the FY {year - 1} final budget) bill visits that end in FY {year}"
            unbilled.append(Unbilled(visit.visit_id, "", why))
            continue
        in_scope.append(visit)
        rule = rules.categories[visit.category]
        sponsor = rule.invoice_agency or visit.agency
        billed = rule.invoiced and policy.invoices
        own: list[Charge] = []
        asked = services[visit.visit_id]
        if billed and rule.daily:
            days = Decimal(visit.days)
            given = {s.cost_center: s for s in asked}
            for code in rules.mandatory:
                row = given.get(code)
                modification, comment = (row.modification, row.comment) if row else (_ONE, "")
                own.append(Charge(visit.visit_id, code, days, modification, "mandatory", comment))
            for s in asked:
                if s.cost_center in baskets:
                    basket = baskets[s.cost_center]
                    own += [
                        Charge(visit.visit_id, code, days, basket.modification, basket.name) for code in basket.services
                    ]
                elif s.quantity is None and s.cost_center not in rules.mandatory:
                    own.append(Charge(visit.visit_id, s.cost_center, days, s.modification, "requested"))
        elif not rule.invoiced:
            unbilled.append(
                Unbilled(visit.visit_id, "", f"{visit.category}: {rule.what}, not invoiced ({rule.section})")
            )
        elif not policy.invoices:
            unbilled.append(
                Unbilled(visit.visit_id, "", "the post does not bill visitors through a TDY invoice (H-363.1-3 b)")
            )
        for s in asked:
            if s.quantity is None or s.cost_center in baskets:
                continue
            if rule.transactions != SPONSOR:
                moved.append(MovedWorkload(s.cost_center, rule.transactions, s.quantity, visit.visit_id, rule.section))
            elif sponsor in at_post:
                moved.append(MovedWorkload(s.cost_center, sponsor, s.quantity, visit.visit_id, "H-363.1-5 f(4)"))
            elif billed:
                own.append(Charge(visit.visit_id, s.cost_center, s.quantity, s.modification, "transactions"))
            else:
                why = f"no invoice and sponsor {sponsor} is not at post: left out of every count"
                unbilled.append(Unbilled(visit.visit_id, s.cost_center, why + " (H-363.2 b)"))
        if own:
            charges[visit.visit_id] = own
    invoices, diagnostics = _invoices(in_scope, charges, rates, policy.threshold, as_of, rules)
    for invoice in invoices:
        if invoice.status == BELOW_THRESHOLD:
            for charge in invoice.charges:
                if charge.why == "transactions":
                    why = f"invoice {invoice.invoice} is below the threshold and the sponsor is not at post: dropped"
                    unbilled.append(Unbilled(charge.visit_id, charge.cost_center, why + " (H-363.1-5 g(5))"))
    moved.sort(key=lambda m: (m.cost_center, m.agency))
    return TdyBilling(rates, as_of, tuple(invoices), tuple(moved), tuple(unbilled), tuple(diagnostics))


def _invoices(
    visits: list[Visit], charges: dict[str, list[Charge]], rates: Rates, threshold: int, as_of: dt.date, rules: TdyRules
) -> tuple[list[TdyInvoice], list[Diagnostic]]:
    order = {v.visit_id: i for i, v in enumerate(visits)}
    by_id = {v.visit_id: v for v in visits}
    agency = {v.visit_id: rules.categories[v.category].invoice_agency or v.agency for v in visits}
    parent = {v.visit_id: v.visit_id for v in visits}

    def root(visit_id: str) -> str:
        while parent[visit_id] != visit_id:
            parent[visit_id] = parent[parent[visit_id]]
            visit_id = parent[visit_id]
        return visit_id

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb, key=order.__getitem__)] = min(ra, rb, key=order.__getitem__)

    groups: dict[tuple[str, str], str] = {}
    for v in visits:
        if v.group_id:
            join(v.visit_id, groups.setdefault((v.group_id, agency[v.visit_id]), v.visit_id))
        # A chain links visits of one agency that both end in this fiscal year (H-363.1-3 d NOTE); reading
        # checked that the agencies agree, so a link to a visit outside the year is the only one left out.
        if v.related_to in by_id and agency[v.related_to] == agency[v.visit_id]:
            join(v.visit_id, v.related_to)
    members: dict[str, list[Visit]] = defaultdict(list)
    for v in visits:
        if v.visit_id in charges:
            members[root(v.visit_id)].append(v)
    invoices: list[TdyInvoice] = []
    diagnostics: list[Diagnostic] = []
    for group in sorted(members.values(), key=lambda g: order[g[0].visit_id]):
        own = [c for v in group for c in charges[v.visit_id]]
        lines, missing = _lines(own, rates)
        for code in missing:
            where = Source("tdy/services.csv", key=f"{group[0].visit_id}/{code}")
            budget = f"FY {rates.fiscal_year - 1} final budget"
            message = f"{code} has no TDY rate (no workload in the {budget}): left off the invoice"
            diagnostics.append(warning(where, message, section=rules.rates_section))
        if not lines:
            continue  # an invoice with no lines does not exist
        invoice = TdyInvoice(
            group[0].visit_id, agency[group[0].visit_id], tuple(v.visit_id for v in group), lines, tuple(own), "", ()
        )
        status, reasons = _status(invoice, group, threshold, as_of, rates.fiscal_year, rules)
        invoice = TdyInvoice(invoice.invoice, invoice.agency, invoice.visits, lines, invoice.charges, status, reasons)
        if status in (ISSUED, HELD) and as_of > rules.late_date(rates.fiscal_year):
            message = (
                f"invoice {invoice.invoice} is judged after {rules.late_date(rates.fiscal_year)}: "
                f"its allotment will most likely come in FY {rates.fiscal_year + 1}"
            )
            diagnostics.append(
                warning(Source("tdy/visits.csv", key=invoice.invoice), message, section=rules.late_section)
            )
        invoices.append(invoice)
    return invoices, diagnostics


def _lines(charges: Iterable[Charge], rates: Rates) -> tuple[tuple[InvoiceLine, ...], list[str]]:
    quantity: dict[str, Decimal] = defaultdict(Decimal)
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    for c in charges:
        quantity[c.cost_center] += c.quantity
        weighted[c.cost_center] += c.quantity * c.modification
    lines, missing = [], []
    for code in sorted(quantity):
        rate = rates.of(code)
        if rate is None or rate.rate is None:
            missing.append(code)
            continue
        amount = half_up(rate.rate * Fraction(weighted[code]))
        lines.append(InvoiceLine(code, quantity[code], weighted[code], rate.rate, amount))
    return tuple(lines), missing


def _status(
    invoice: TdyInvoice, visits: list[Visit], threshold: int, as_of: dt.date, year: int, rules: TdyRules
) -> tuple[str, tuple[str, ...]]:
    """The first that applies of below_threshold, rejected, held, issued (H-363.1-3 c, H-363.1-6)."""
    if invoice.total < threshold:
        return BELOW_THRESHOLD, (
            f"total {format_grouped(invoice.total)} is below the threshold {format_grouped(threshold)} "
            f"({rules.threshold_section})",
        )
    if as_of > rules.deadline_date(year):
        return REJECTED, (
            f"judged on {as_of}, after the {rules.deadline_date(year)} deadline for visits that ended in FY {year} "
            f"({rules.deadline_section})",
        )
    reasons = [*_missing(visits, as_of, rules), *_unexplained(invoice, rules)]
    return (HELD, tuple(reasons)) if reasons else (ISSUED, ())


def _missing(visits: list[Visit], as_of: dt.date, rules: TdyRules) -> Iterable[str]:
    """What H-363.1-6 a(2) requires and a visit lacks; its dates are never missing here (such a visit is
    listed as unbilled before any invoice is formed)."""
    cite = f"({rules.required_section})"
    for v in visits:
        if not v.traveler:
            yield f"visit {v.visit_id}: no traveler name {cite}"
        if not v.ecc:
            yield f"visit {v.visit_id}: no eCC number or travel order {cite}"
        if v.approved_on is None:
            yield f"visit {v.visit_id}: no agency approval {cite}"
        elif v.approved_on > as_of:
            yield f"visit {v.visit_id}: approved on {v.approved_on}, after {as_of} {cite}"


def _unexplained(invoice: TdyInvoice, rules: TdyRules) -> Iterable[str]:
    for c in invoice.charges:
        if c.why == "mandatory" and c.modification < 1 and not c.comment:
            what = f"modification {c.modification} on mandatory {c.cost_center}"
            yield f"visit {c.visit_id}: {what} without an explanation ({rules.explanation_section})"
