"""Properties of TDY billing on random visits to the small bundle of tests/core/test_tdy.py: an exempt visitor never
appears on an invoice, an issued invoice never falls below the threshold, a visit's days are counted once
whatever fiscal years it crosses, every invoice line equals a Fraction reference, visits are grouped exactly as
groups and chains of one agency join them, and every transaction ends in exactly one place.

The reference below reads the handbook's rules (H-363.1-5, H-363.2, H-364, Exhibit H-363.1-5) independently of
icass.tdy; the rates are the hand-checked ones of tests/core/test_tdy.py."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from icass.catalog.tdy import load_tdy_rules
from icass.model.tdy import Policy, Service, TdyRecords, Visit, VisitCategory
from icass.runs.tdy import run_tdy
from icass.tdy.invoices import TdyBilling, bill_visits
from icass.tdy.rates import Rates
from tests.core.test_tdy import AT_POST, EXEMPT, MANDATORY, RATE, half_up, write_small, write_tdy

FY_N = 2028
DEADLINE = dt.date(2028, 9, 30)
AGENCIES = ("1900.0", "2000.0", "3000.0", "4000.0", "5000.0")  # the first two at post
DAILY_CATEGORIES = frozenset({"ROUTINE", "CONTRACTOR", "OIG"})  # the mandatory and daily lines
INVOICED = frozenset({"ROUTINE", "CONTRACTOR", "OIG", "CABINET"})
STATIC_REQUESTS = ("6194", "7850", "5821")
TRANSACTIONS = ("6134", "6139")
# Invoiced categories drawn more often than the exempt ones, so that invoices are many.
CATEGORIES = ("ROUTINE", "ROUTINE", "ROUTINE", "CONTRACTOR", "OIG", "OIG", "CABINET", *(c.value for c in VisitCategory))
MODIFICATIONS = (Decimal(1), Decimal("0.5"), Decimal("0.3"), Decimal("0.75"))
ONE = Decimal(1)


@cache
def rates() -> Rates:
    folder = write_tdy(write_small(Path(tempfile.mkdtemp(prefix="icass-tdy-")) / "post"), [])
    run = run_tdy(folder, dt.date(2028, 1, 31))
    assert run.rates is not None, [str(d) for d in run.diagnostics]
    return run.rates


def fiscal_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def billed_to(v: Visit) -> str:
    return "1900.0" if v.category == "OIG" else v.agency


@st.composite
def scenarios(draw: st.DrawFn, max_visits: int = 8) -> tuple[TdyRecords, dt.date]:
    visits: list[Visit] = []
    services: list[Service] = []
    for i in range(draw(st.integers(1, max_visits))):
        vid = f"V{i}"
        agency = draw(st.sampled_from(AGENCIES))
        category = VisitCategory(draw(st.sampled_from(CATEGORIES)))
        arrive = dt.date(2027, 8, 1) + dt.timedelta(days=draw(st.integers(0, 420)))
        depart = arrive + dt.timedelta(days=draw(st.integers(0, 60)))
        candidate = Visit(vid, "", agency, category, arrive, depart, "", None)
        same = [v.visit_id for v in visits if billed_to(v) == billed_to(candidate)]
        complete = draw(st.integers(0, 8))  # 0-2: one thing missing (held), else complete
        approved = depart + dt.timedelta(days=draw(st.integers(0, 20)))
        visits.append(
            Visit(
                vid,
                "" if complete == 0 else f"Traveler {i}",
                agency,
                category,
                arrive,
                depart,
                "" if complete == 1 else f"ECC-{i}",
                None if complete == 2 else approved,
                draw(st.sampled_from(("", "", "G1", "G2"))),
                draw(st.sampled_from(("", *same))) if same else "",
            )
        )
        for cc in draw(st.lists(st.sampled_from(MANDATORY), unique=True, max_size=2)):
            comment = draw(st.sampled_from(("", "explained")))
            services.append(Service(vid, cc, None, draw(st.sampled_from(MODIFICATIONS)), comment))
        for cc in draw(st.lists(st.sampled_from(STATIC_REQUESTS), unique=True, max_size=2)):
            services.append(Service(vid, cc, None, draw(st.sampled_from(MODIFICATIONS))))
        for cc in draw(st.lists(st.sampled_from(TRANSACTIONS), unique=True, max_size=2)):
            quantity = Decimal(draw(st.integers(1, 400))).scaleb(-1)
            services.append(Service(vid, cc, quantity, draw(st.sampled_from(MODIFICATIONS))))
    threshold = draw(st.sampled_from((50000, 75000, 120000)))
    policy = Policy(threshold, draw(st.sampled_from((True, True, True, False))))
    as_of = dt.date(2028, 10, 15) - dt.timedelta(days=draw(st.integers(0, 300)))
    return TdyRecords(policy, tuple(visits), tuple(services)), as_of


def bill(records: TdyRecords, as_of: dt.date) -> TdyBilling:
    return bill_visits(records, rates(), AT_POST, as_of, load_tdy_rules())


def in_scope(v: Visit) -> bool:
    return v.depart is not None and fiscal_year(v.depart) == FY_N


def days(v: Visit) -> int:
    assert v.arrive is not None
    assert v.depart is not None
    return (v.depart - v.arrive).days + 1


def charges(records: TdyRecords, v: Visit) -> dict[str, tuple[Decimal, Decimal]]:
    """What one visit puts on an invoice, by the handbook: cost center -> (quantity, quantity x modification)."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    if not (in_scope(v) and records.policy.invoices and v.category in INVOICED):
        return out
    asked = [s for s in records.services if s.visit_id == v.visit_id]
    if v.category in DAILY_CATEGORIES:
        given = {s.cost_center: s.modification for s in asked}
        for cc in MANDATORY:
            out[cc] = (Decimal(days(v)), days(v) * given.get(cc, ONE))
        for s in asked:
            if s.quantity is None and s.cost_center not in MANDATORY:
                out[s.cost_center] = (Decimal(days(v)), days(v) * s.modification)
    if v.category in ("ROUTINE", "CONTRACTOR", "CABINET") and v.agency not in AT_POST:
        for s in asked:
            if s.quantity is not None:
                out[s.cost_center] = (s.quantity, s.quantity * s.modification)
    return out


def expected_groups(records: TdyRecords) -> set[frozenset[str]]:
    """Invoices as sets of visits: groups (group_id and billed agency) and related chains (same billed agency,
    both ending in FY N) of in-scope visits, keeping only the visits that put something on an invoice."""
    scope = {v.visit_id: v for v in records.visits if in_scope(v)}
    parent = {vid: vid for vid in scope}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    first: dict[tuple[str, str], str] = {}
    for v in scope.values():
        if v.group_id:
            join(v.visit_id, first.setdefault((v.group_id, billed_to(v)), v.visit_id))
        if v.related_to in scope and billed_to(scope[v.related_to]) == billed_to(v):
            join(v.visit_id, v.related_to)
    groups: dict[str, set[str]] = defaultdict(set)
    for vid, v in scope.items():
        if charges(records, v):
            groups[root(vid)].add(vid)
    return {frozenset(g) for g in groups.values()}


def expected_lines(records: TdyRecords, visit_ids: tuple[str, ...]) -> dict[str, tuple[Decimal, Decimal, int, int]]:
    by_id = {v.visit_id: v for v in records.visits}
    quantity: dict[str, Decimal] = defaultdict(Decimal)
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    for vid in visit_ids:
        for cc, (q, w) in charges(records, by_id[vid]).items():
            quantity[cc] += q
            weighted[cc] += w
    return {cc: (quantity[cc], weighted[cc], RATE[cc], half_up(RATE[cc] * Fraction(weighted[cc]))) for cc in quantity}


def expected_status(records: TdyRecords, visit_ids: tuple[str, ...], total: int, as_of: dt.date) -> str:
    if total < records.policy.threshold:
        return "below_threshold"
    if as_of > DEADLINE:
        return "rejected"
    for v in (v for v in records.visits if v.visit_id in visit_ids):
        if not v.traveler or not v.ecc or v.approved_on is None or v.approved_on > as_of:
            return "held"
        if v.category in DAILY_CATEGORIES:
            for s in records.services:
                if s.visit_id == v.visit_id and s.cost_center in MANDATORY and s.modification < 1 and not s.comment:
                    return "held"
    return "issued"


FAST = settings(max_examples=60, deadline=None)


@FAST
@given(scenarios())
def test_an_exempt_visitor_never_appears_on_an_invoice(scenario):
    records, as_of = scenario
    billing = bill(records, as_of)
    exempt = {v.visit_id for v in records.visits if v.category in EXEMPT}
    for invoice in billing.invoices:
        assert exempt.isdisjoint(invoice.visits)
        assert exempt.isdisjoint(c.visit_id for c in invoice.charges)


@FAST
@given(scenarios())
def test_an_issued_invoice_is_never_below_the_threshold(scenario):
    records, as_of = scenario
    billing = bill(records, as_of)
    for invoice in billing.invoices:
        assert invoice.total == sum(line.amount for line in invoice.lines)
        if invoice.status == "issued":
            assert invoice.total >= records.policy.threshold
        assert (invoice.status == "below_threshold") == (invoice.total < records.policy.threshold)
    assert all(i.total >= records.policy.threshold for i in billing.issued())
    if not records.policy.invoices:
        assert billing.invoices == ()


@FAST
@given(scenarios())
def test_invoices_are_the_groups_and_chains_with_lines_and_statuses_by_reference(scenario):
    records, as_of = scenario
    billing = bill(records, as_of)
    assert {frozenset(i.visits) for i in billing.invoices} == expected_groups(records)
    assert sum(len(i.visits) for i in billing.invoices) == len({v for i in billing.invoices for v in i.visits})
    by_id = {v.visit_id: v for v in records.visits}
    for invoice in billing.invoices:
        assert {billed_to(by_id[vid]) for vid in invoice.visits} == {invoice.agency}
        got = {line.cost_center: (line.quantity, line.weighted, line.rate, line.amount) for line in invoice.lines}
        assert got == expected_lines(records, invoice.visits)
        assert invoice.status == expected_status(records, invoice.visits, invoice.total, as_of)


@FAST
@given(scenarios())
def test_a_visits_days_are_counted_once(scenario):
    records, as_of = scenario
    billing = bill(records, as_of)
    for v in records.visits:
        counted: dict[str, Decimal] = defaultdict(Decimal)
        for invoice in billing.invoices:
            for c in invoice.charges:
                if c.visit_id == v.visit_id and c.cost_center in MANDATORY:
                    counted[c.cost_center] += c.quantity
        billed = in_scope(v) and records.policy.invoices and v.category in DAILY_CATEGORIES
        assert counted == ({cc: Decimal(days(v)) for cc in MANDATORY} if billed else {})
        if not in_scope(v):
            assert (v.visit_id, "") in {(u.visit_id, u.cost_center) for u in billing.unbilled}


@FAST
@given(scenarios())
def test_every_transaction_ends_in_exactly_one_place(scenario):
    # H-363.1-5 f(4), g(4)-(5), H-363.2 b-c, H-364 d, f: to a next-year count, onto an invoice (dropped when
    # that invoice is below the threshold), or nowhere.
    records, as_of = scenario
    billing = bill(records, as_of)
    by_id = {v.visit_id: v for v in records.visits}
    below = {vid for i in billing.invoices if i.status == "below_threshold" for vid in i.visits}
    on_invoice = {(c.visit_id, c.cost_center) for i in billing.invoices for c in i.charges}
    dropped = {(u.visit_id, u.cost_center) for u in billing.unbilled if u.cost_center}
    expected_moved = []
    for s in records.services:
        v = by_id[s.visit_id]
        if s.quantity is None or not in_scope(v):
            continue
        key = (s.visit_id, s.cost_center)
        fixed = {"VIP": "1901.0", "SECSTATE": "1900.0", "OIG": "1900.0"}.get(v.category)
        to = fixed or (v.agency if v.agency in AT_POST else None)
        if to is not None:
            expected_moved.append((s.cost_center, to, s.quantity, s.visit_id))
            assert key not in on_invoice
            assert key not in dropped
        elif records.policy.invoices and v.category in INVOICED:
            assert key in on_invoice
            assert (key in dropped) == (s.visit_id in below)
        else:
            assert key in dropped
            assert key not in on_invoice
    got = sorted((m.cost_center, m.agency, m.count, m.visit_id) for m in billing.workload)
    assert got == sorted(expected_moved)


@settings(max_examples=80, deadline=None)
@given(
    arrive=st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31)),
    length=st.integers(0, 800),
    category=st.sampled_from(("ROUTINE", "CONTRACTOR", "OIG")),
)
def test_one_visit_is_billed_once_at_its_end_for_every_day(arrive, length, category):
    depart = arrive + dt.timedelta(days=length)
    v = Visit("V", "Traveler", "4000.0", VisitCategory(category), arrive, depart, "ECC", arrive)
    billing = bill(TdyRecords(Policy(50000, True), (v,), ()), dt.date(2028, 9, 30))
    if fiscal_year(depart) == FY_N:
        (invoice,) = billing.invoices
        assert {line.cost_center: line.quantity for line in invoice.lines} == dict.fromkeys(
            MANDATORY, Decimal(length + 1)
        )
        assert invoice.total == (length + 1) * sum(RATE[cc] for cc in MANDATORY)
        assert billing.unbilled == ()
    else:
        assert billing.invoices == ()
        assert [(u.visit_id, u.cost_center) for u in billing.unbilled] == [("V", "")]
        assert f"FY {fiscal_year(depart)}" in billing.unbilled[0].why
