"""The TDY module (6 FAH-5 H-360, issue 7): rates from a prior-year final budget, TDY invoices and their
statuses, the workload visits move, hostile tdy/ folders, and the `icass tdy` commands.

Expected figures are computed here with Fractions from the bundle's own records (a small hand-built bundle whose
every figure follows from the numbers below, and copies of examples/standard-post and examples/lite-post, whose
pools are apportioned here by largest remainder), never by asking the code under test for them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import shutil
import tempfile
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from icass.cli import app
from icass.model import PositionCategory, PostBundle
from icass.runs.post import PostRun, run_post
from icass.runs.tdy import TdyRun, run_tdy
from icass.tdy.invoices import TdyInvoice
from tests.bundles import write_files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
runner = CliRunner()

FY_N = 2028  # a FY 2027 final budget bills the visits that end in FY 2028 (2027-10-01 .. 2028-09-30)
AS_OF = dt.date(2028, 1, 31)
MANDATORY = ("6150", "5624", "5880", "6443")
EXEMPT = ("GAP_FILLER", "ICASS_SUPPORT", "POST_TO_POST", "MINIMAL", "VIP", "SECSTATE")
GUARDS_AND_FAP = ("5821", "5822", "5823", "5826", "6144")
DAYS_PER_YEAR = 365
VISIT_HEADER = "visit_id,traveler,agency,category,arrive,depart,ecc,approved_on,group_id,related_to"
SERVICE_HEADER = "visit_id,cost_center,quantity,modification,comment"
POLICY = '[policy]\nthreshold = 500\ninvoices = "yes"\n'
THRESHOLD = 50000  # cents


def half_up(value: Fraction) -> int:
    """The reference rounding: a Fraction of cents to whole cents, half up, through Decimal."""
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def dollars(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):.2f}"


# ----------------------------------------------------------------------------------------- the small bundle
# A FY 2027 final budget whose every TDY rate follows from these numbers. 1900.0, 1901.0 and 2000.0 are at
# post; 3000.0 is in agencies.csv with a zero count only (so not at post); 4000.0 and 1200.0 are not there.

AT_POST = frozenset({"1900.0", "1901.0", "2000.0"})
# (cost center, funding, soc, dollars, lease)
SMALL_BUDGET = (
    ("5624", "RB", "2500", "100000.00", "no"),
    ("5880", "RB", "2500", "80000.00", "no"),
    ("5880", "RB", "2320", "20000.00", "yes"),
    ("6150", "RB", "2500", "50000.00", "no"),
    ("6443", "RB", "2500", "30000.00", "no"),
    ("6139", "RB", "2500", "25000.00", "no"),
    ("6134", "RB", "2500", "1001.00", "no"),  # 1001 / 40 = 25.025: half up to 25.03
    ("6194", "RB", "2500", "733.65", "no"),  # 733.65 / 2 / 365 = 1.005: half up to 1.01
    ("5821", "LGP", "2500", "10000.00", "no"),
    ("5823-X023", "LGP", "2500", "500.00", "no"),
    ("6144", "RB", "2500", "1000.00", "no"),
    ("6144-X144", "RB", "3123", "700.00", "no"),
    ("7850", "RB", "2320", "36500.00", "yes"),
    ("7850", "RB", "2500", "3650.00", "no"),
    ("8790", "RB", "2500", "500.00", "no"),
)
# (cost center, agency, count); 2000.0's 6150 count is modified to 0.6
MANDATORY_COUNTS = {"1900.0": 10, "1901.0": 3, "2000.0": 5}
SMALL_WORKLOAD = (
    *((cc, agency, count) for cc in MANDATORY for agency, count in MANDATORY_COUNTS.items()),
    ("6150", "3000.0", 0),
    ("6139", "1901.0", 1000),
    ("6139", "2000.0", 2600),
    ("6134", "1900.0", 40),
    ("6194", "1900.0", 2),
    ("5821", "1900.0", 100),
    ("5823-X023", "1900.0", 1),
    ("6144", "1900.0", 5),
    ("6144-X144", "1900.0", 1),
    ("7850", "2000.0", 100),
)
SMALL_MODIFIED = {("6150", "2000.0"): Decimal("0.6")}
# P1 is USDH (FS-02: AmSal 150,000 + PAT 30,000, plus a 20,000 RB line), 40/40/20 on 5624/6150/0000: its
# 200,000 pool puts 80,000 on each of 5624 and 6150. P2 is LE: its 20,000 all on 6139.
SMALL_USDH = {"5624": 8_000_000, "6150": 8_000_000}
SMALL_LE = {"6139": 2_000_000}
UNIT_CCS = frozenset({"6134", "6139"})  # transaction (cumulative) cost centers of the small bundle


def _budget_csv(lease_column: bool = True, lease: dict[int, str] | None = None) -> str:
    lease = lease or {}
    header = "cost_center,funding,soc,amount,description" + (",lease" if lease_column else "")
    rows = [
        f"{cc},{funding},{soc},{amount},line {i}" + (f",{lease.get(i, flag)}" if lease_column else "")
        for i, (cc, funding, soc, amount, flag) in enumerate(SMALL_BUDGET)
    ]
    return "\n".join([header, *rows, ""])


SMALL_FILES: dict[str, str] = {
    "post.toml": '[post]\ncode = "TST"\nname = "Embassy Testville"\ncountry = "Testland"\nregion = "EUR"\n'
    'methodology = "standard"\nfiscal_year = 2027\nstage = "final"\n',
    "agencies.csv": "code,name,bureau\n1900.0,State,EUR\n1901.0,ICASS,EUR\n2000.0,Other agency,\n"
    "3000.0,Listed without workload,\n",
    "cost_factors.csv": "grade,amsal,pat\nFS-02,150000.00,30000.00\n",
    "positions.csv": "position_id,category,grade,title\nP1,USDH,FS-02,Management officer\nP2,LE,FSN-9,Driver\n",
    "position_costs.csv": "position_id,funding,soc,amount\nP1,RB,1200,20000.00\nP2,RB,1100,20000.00\n",
    "time_allocation.csv": "position_id,cost_center,percent\nP1,5624,40\nP1,6150,40\nP1,0000,20\nP2,6139,100\n",
    "budget.csv": _budget_csv(),
    "workload.csv": "cost_center,agency,count,modification\n"
    + "".join(
        f"{cc},{agency},{count},{SMALL_MODIFIED.get((cc, agency), '')}\n" for cc, agency, count in SMALL_WORKLOAD
    ),
}


def small_discounted() -> dict[str, int]:
    """Each cost center's discounted cost in cents: budget lines not marked lease, LE pool lines, and nothing of
    the guard program or the furniture pool; USDH pool lines are left out by construction."""
    out: dict[str, int] = defaultdict(int)
    for cc, _, _, amount, lease in SMALL_BUDGET:
        if cc == "8790" or lease == "yes":
            continue
        out[cc] += 0 if cc.split("-")[0] in GUARDS_AND_FAP else int(Decimal(amount) * 100)
    for cc, amount in SMALL_LE.items():
        out[cc] += amount
    return dict(out)


def small_workload() -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for cc, agency, count in SMALL_WORKLOAD:
        out[cc] += Decimal(count) * SMALL_MODIFIED.get((cc, agency), Decimal(1))
    return dict(out)


def small_exact() -> dict[str, Fraction]:
    """The exact rate in cents of every cost center: per unit, or per traveler-day (unit / 365)."""
    discounted, workload = small_discounted(), small_workload()
    out = {}
    for cc, total in workload.items():
        exact = Fraction(discounted.get(cc, 0)) / Fraction(total)
        out[cc] = exact if cc in UNIT_CCS else exact / DAYS_PER_YEAR
    return out


def small_rates() -> dict[str, int]:
    """The published rates in cents."""
    return {cc: half_up(exact) for cc, exact in small_exact().items()}


RATE = small_rates()
MANDATORY_DAILY = sum(RATE[cc] for cc in MANDATORY)


def test_small_rates_are_what_the_numbers_say():
    # The reference itself, against figures worked by hand.
    assert {cc: RATE[cc] for cc in (*MANDATORY, "6134", "6139", "6194", "7850")} == {
        "6150": 856,  # 50,000 / 16 / 365 = 8.5616
        "5624": 1522,  # 100,000 / 18 / 365 = 15.2207
        "5880": 1218,  # (100,000 - 20,000 lease) / 18 / 365 = 12.1766
        "6443": 457,  # 30,000 / 18 / 365 = 4.5662
        "6134": 2503,  # 1,001 / 40 = 25.025
        "6139": 1250,  # (25,000 + 20,000 LE) / 3,600 = 12.50
        "6194": 101,  # 733.65 / 2 / 365 = 1.005
        "7850": 10,  # (40,150 - 36,500 lease) / 100 / 365 = 0.10
    }
    assert MANDATORY_DAILY == 4053


def write_small(folder: Path, **changes: str | None) -> Path:
    return write_files(folder, SMALL_FILES, changes)


def visit(
    visit_id: str,
    agency: str = "4000.0",
    category: str = "ROUTINE",
    arrive: str = "2027-11-01",
    depart: str = "2027-11-13",
    *,
    traveler: str | None = None,
    ecc: str = "ECC-1",
    approved_on: str = "2027-11-20",
    group_id: str = "",
    related_to: str = "",
) -> str:
    """A visits.csv row; by default a routine 13-day visit, the least that reaches $500 on the small bundle."""
    name = f"Traveler {visit_id}" if traveler is None else traveler
    return ",".join([visit_id, name, agency, category, arrive, depart, ecc, approved_on, group_id, related_to])


def service(visit_id: str, cost_center: str, quantity: str = "", modification: str = "", comment: str = "") -> str:
    return ",".join([visit_id, cost_center, quantity, modification, comment])


def write_tdy(
    root: Path, visits: list[str] | tuple[str, ...], services: list[str] | tuple[str, ...] = (), policy: str = POLICY
) -> Path:
    folder = root / "tdy"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policy.toml").write_text(policy, encoding="utf-8")
    (folder / "visits.csv").write_text("\n".join([VISIT_HEADER, *visits, ""]), encoding="utf-8")
    (folder / "services.csv").write_text("\n".join([SERVICE_HEADER, *services, ""]), encoding="utf-8")
    return root


def small_tdy(
    tmp_path: Path,
    visits: list[str] | tuple[str, ...],
    services: list[str] | tuple[str, ...] = (),
    policy: str = POLICY,
    as_of: dt.date = AS_OF,
    **bundle_changes: str | None,
) -> TdyRun:
    """The small bundle with this tdy/ folder, billed on `as_of`; asserted free of errors."""
    folder = write_tdy(write_small(tmp_path / "post", **bundle_changes), visits, services, policy)
    run = run_tdy(folder, as_of)
    assert run.ok, [str(d) for d in run.diagnostics]
    return run


def only(run: TdyRun) -> TdyInvoice:
    assert run.billing is not None
    assert len(run.billing.invoices) == 1, run.billing.invoices
    return run.billing.invoices[0]


def lines(invoice: TdyInvoice) -> dict[str, tuple[Decimal, int, int]]:
    """cost center -> (quantity, rate, amount) in cents."""
    return {line.cost_center: (line.quantity, line.rate, line.amount) for line in invoice.lines}


def daily_lines(days: int, travelers: int = 1, extra: tuple[str, ...] = ()) -> dict[str, tuple[Decimal, int, int]]:
    quantity = days * travelers
    return {cc: (Decimal(quantity), RATE[cc], RATE[cc] * quantity) for cc in (*MANDATORY, *extra)}


def moved(run: TdyRun) -> list[tuple[str, str, Decimal, str]]:
    assert run.billing is not None
    return [(m.cost_center, m.agency, m.count, m.visit_id) for m in run.billing.workload]


def unbilled(run: TdyRun) -> dict[tuple[str, str], str]:
    assert run.billing is not None
    return {(u.visit_id, u.cost_center): u.why for u in run.billing.unbilled}


# ------------------------------------------------------------------------------------- copies of the examples


@cache
def example_folder(name: str = "standard-post") -> Path:
    """A copy of examples/<name>, its own tdy/ left out, post.toml saying stage = "final" once."""
    folder = Path(tempfile.mkdtemp(prefix="icass-tdy-")) / name
    shutil.copytree(EXAMPLES / name, folder, ignore=shutil.ignore_patterns("tdy"))
    toml = (folder / "post.toml").read_text(encoding="utf-8")
    kept = [line for line in toml.splitlines() if not line.strip().startswith("stage")]
    (folder / "post.toml").write_text("\n".join([*kept, 'stage = "final"', ""]), encoding="utf-8")
    return folder


@cache
def example_post(name: str = "standard-post") -> PostRun:
    run = run_post(example_folder(name))
    assert run.ok, [str(d) for d in run.diagnostics]
    return run


def example_tdy(
    tmp_path: Path,
    visits: list[str],
    services: list[str] | tuple[str, ...] = (),
    as_of: dt.date = AS_OF,
    policy: str = POLICY,
    name: str = "standard-post",
) -> TdyRun:
    """The example's final budget, with this tdy/ folder (the post is run once for the module)."""
    run = run_tdy(write_tdy(tmp_path, visits, services, policy), as_of, run=example_post(name))
    assert run.ok, [str(d) for d in run.diagnostics]
    return run


def hamilton(amount: int, weights: dict[str, int]) -> dict[str, int]:
    """Whole cents by weights, largest remainder, equal remainders to the smaller code."""
    total = sum(weights.values())
    share = {k: amount * w // total for k, w in weights.items()}
    left = amount - sum(share.values())
    for k in sorted(weights, key=lambda k: (-(amount * weights[k] % total), k))[:left]:
        share[k] += 1
    return share


@cache
def example_reference(
    name: str = "standard-post",
) -> dict[str, tuple[str, int, int, int, int, Decimal, Fraction | None]]:
    """From the example's records alone: cost center -> (basis, cost, usdh, lease, discounted, workload, exact)."""
    post = example_post(name)
    bundle: PostBundle | None = post.bundle
    assert bundle is not None
    factors = {f.grade: f for f in bundle.cost_factors}
    percent: dict[str, dict[str, int]] = defaultdict(dict)
    for a in bundle.time_allocation:
        percent[a.position_id][a.cost_center] = int(a.percent * 100)
    cost: dict[str, int] = defaultdict(int)
    usdh: dict[str, int] = defaultdict(int)
    lease: dict[str, int] = defaultdict(int)
    for line in bundle.budget:
        cost[line.cost_center] += line.amount
        lease[line.cost_center] += line.amount if line.lease else 0
    for position in bundle.positions:
        amounts = [p.amount for p in bundle.position_costs if p.position_id == position.position_id]
        is_usdh = position.category == PositionCategory.USDH
        if is_usdh:
            amounts += [factors[position.grade].amsal, factors[position.grade].pat]
        for amount in amounts:
            for cc, part in hamilton(amount, percent[position.position_id]).items():
                cost[cc] += part
                usdh[cc] += part if is_usdh else 0
    workload: dict[str, Decimal] = defaultdict(Decimal)
    for w in bundle.workload:
        workload[w.cost_center] += w.count * w.modification
    out = {}
    for cc in sorted(set(cost) | set(workload)):
        spec = post.catalog.find(cc, bundle.post.methodology)
        if spec is None or spec.count_basis == "none":
            continue
        daily = spec.count_basis == "static"
        discounted = 0 if cc.split("-")[0] in GUARDS_AND_FAP else cost[cc] - usdh[cc] - lease[cc]
        exact = None
        if workload[cc] > 0:
            exact = Fraction(discounted) / Fraction(workload[cc]) / (DAYS_PER_YEAR if daily else 1)
        basis = "daily" if daily else "unit"
        out[cc] = (basis, cost[cc], usdh[cc], lease[cc], discounted, workload[cc], exact)
    return out


def example_rate(cc: str, name: str = "standard-post") -> int:
    exact = example_reference(name)[cc][6]
    assert exact is not None
    return half_up(exact)


# ============================================================================================ the handbook's cases


def test_group_of_four_for_ten_days_is_one_invoice_of_forty_traveler_days(tmp_path):
    # H-363.1-3 d: one agency (not at post) sends four visitors for ten days to a conference.
    visits = [
        visit(f"G{i}", "1600.0", arrive="2027-11-01", depart="2027-11-10", group_id="CONF", ecc=f"ECC-{i}")
        for i in range(1, 5)
    ]
    run = example_tdy(tmp_path, visits)
    invoice = only(run)
    assert invoice.visits == ("G1", "G2", "G3", "G4")
    assert invoice.agency == "1600.0"
    expected = {cc: (Decimal(40), example_rate(cc), example_rate(cc) * 40) for cc in MANDATORY}
    assert lines(invoice) == expected
    total = sum(amount for _, _, amount in expected.values())
    assert invoice.total == total >= THRESHOLD
    assert invoice.status == "issued"


def test_group_members_each_alone_fall_below_the_threshold(tmp_path):
    # The same four without a group: four invoices of ten days, each below $500 at the example's rates.
    assert sum(example_rate(cc) for cc in MANDATORY) * 10 < THRESHOLD
    visits = [visit(f"G{i}", "1600.0", arrive="2027-11-01", depart="2027-11-10") for i in range(1, 5)]
    run = example_tdy(tmp_path, visits)
    assert run.billing is not None
    assert [i.visits for i in run.billing.invoices] == [("G1",), ("G2",), ("G3",), ("G4",)]
    assert {i.status for i in run.billing.invoices} == {"below_threshold"}


def test_secretary_of_agriculture_at_a_post_without_agriculture_gets_the_transactions_only(tmp_path):
    # H-364 f(3): Agriculture (1200.0) has no presence at the small post: a TDY invoice of the transaction
    # services, without the mandatory or daily cost centers (Exhibit H-363.1-5: N/A for Cabinet visitors).
    run = small_tdy(
        tmp_path,
        [visit("AG", "1200.0", "CABINET", "2027-12-01", "2027-12-03", traveler="Secretary of Agriculture")],
        [service("AG", "6134", "20"), service("AG", "6194")],
    )
    invoice = only(run)
    assert lines(invoice) == {"6134": (Decimal(20), 2503, 2503 * 20)}  # 500.60
    assert invoice.status == "issued"
    assert invoice.agency == "1200.0"
    assert moved(run) == []


def test_secretary_of_agriculture_below_the_threshold_is_not_issued_and_its_workload_dropped(tmp_path):
    run = small_tdy(
        tmp_path,
        [visit("AG", "1200.0", "CABINET", "2027-12-01", "2027-12-03")],
        [service("AG", "6134", "19")],  # 19 x 25.03 = 475.57
    )
    assert only(run).status == "below_threshold"
    assert moved(run) == []
    assert "H-363.1-5 g(5)" in unbilled(run)[("AG", "6134")]


def test_secretary_of_agriculture_with_agriculture_at_post_moves_the_transactions(tmp_path):
    # H-364 f(2): at the example post Agriculture (1200.0) is present: no invoice; its transactions go to
    # 1200.0's next-year counts, as given.
    bundle = example_post().bundle
    assert bundle is not None
    assert "1200.0" in {a.code for a in bundle.agencies}
    assert any(w.agency == "1200.0" and w.count > 0 for w in bundle.workload)
    run = example_tdy(
        tmp_path,
        [visit("AG", "1200.0", "CABINET", "2027-12-01", "2027-12-03")],
        [service("AG", "6134", "20"), service("AG", "6139", "150.5")],
    )
    assert run.billing is not None
    assert run.billing.invoices == ()
    assert moved(run) == [("6134", "1200.0", Decimal(20), "AG"), ("6139", "1200.0", Decimal("150.5"), "AG")]


def test_visit_from_september_20_to_october_12_is_billed_once_where_it_ends(tmp_path):
    # H-363.1-3 a(6), H-363.1-6 a(5): one invoice at the end, every day from arrival, at the rates of the year
    # the visit ended. The same dates a year earlier end in FY 2027, a year later in FY 2029: neither is billed
    # by these (FY 2027 final budget) rates.
    visits = [
        visit("CROSS", "4500.0", arrive="2027-09-20", depart="2027-10-12", approved_on="2027-10-13"),
        visit("EARLY", "4500.0", arrive="2026-09-20", depart="2026-10-12"),
        visit("LATE", "4500.0", arrive="2028-09-20", depart="2028-10-12"),
    ]
    run = example_tdy(tmp_path, visits, [service("CROSS", "6194")])
    invoice = only(run)
    assert invoice.visits == ("CROSS",)
    assert lines(invoice) == {cc: (Decimal(23), example_rate(cc), example_rate(cc) * 23) for cc in (*MANDATORY, "6194")}
    gone = unbilled(run)
    assert set(gone) == {("EARLY", ""), ("LATE", "")}
    assert "FY 2027" in gone[("EARLY", "")]
    assert "FY 2029" in gone[("LATE", "")]


# ======================================================================================================== rates


def test_example_rates_from_its_records(tmp_path):
    # H-363.1-3 a(4): cost less USDH pool lines less lease lines, the guard program and 6144 at nothing; over
    # the total modified workload, a daily rate over 365 days, published rounded half up.
    run = example_tdy(tmp_path, [])
    assert run.rates is not None
    reference = example_reference()
    rated = {r.cost_center: r for r in run.rates.rates}
    assert set(rated) == set(reference)
    for cc, (basis, cost, usdh, lease, discounted, workload, exact) in reference.items():
        rate = rated[cc]
        assert (rate.basis, rate.cost, rate.usdh, rate.lease) == (basis, cost, usdh, lease), cc
        assert (rate.discounted_cost, rate.workload) == (discounted, workload), cc
        assert rate.rate == (None if exact is None else half_up(exact)), cc
    # The distribution agrees on every cost center's cost.
    cost: dict[str, int] = defaultdict(int)
    assert example_post().distribution is not None
    for line in example_post().distribution.lines():
        cost[line.cost_center] += line.total
    assert all(cost[cc] == rated[cc].cost for cc in rated)
    # The example does budget USDH positions, leases and guards: the discount is not vacuous.
    assert any(r.usdh for r in rated.values())
    assert any(r.lease for r in rated.values())
    assert any(r.cost and r.cost_center.startswith("582") for r in rated.values())


def test_example_leaves_cost_centers_without_a_factor_unrated(tmp_path):
    run = example_tdy(tmp_path, [])
    assert run.rates is not None
    codes = {r.cost_center for r in run.rates.rates}
    assert codes.isdisjoint({"8790", "0000", "0009"})
    assert example_reference().keys() == codes
    bundle = example_post().bundle
    assert bundle is not None
    assert {"8790", "0000"} <= {line.cost_center for line in bundle.budget} | {
        a.cost_center for a in bundle.time_allocation
    }


def test_small_rates_exact(tmp_path):
    run = small_tdy(tmp_path, [])
    assert run.rates is not None
    assert run.rates.fiscal_year == FY_N
    got = {r.cost_center: r for r in run.rates.rates}
    assert set(got) == set(small_workload())  # every cost center with a factor and workload; not 8790
    for cc, rate in got.items():
        assert rate.discounted_cost == small_discounted().get(cc, 0), cc
        assert rate.workload == small_workload()[cc], cc
        assert rate.basis == ("unit" if cc in UNIT_CCS else "daily"), cc
        assert rate.rate == RATE[cc], cc
    # USDH pool lines (AmSal, PAT and the other line) apportioned to 5624 and 6150 are left out, the LE
    # position's pool stays in.
    assert (got["5624"].cost, got["5624"].usdh) == (10_000_000 + SMALL_USDH["5624"], 8_000_000)
    assert (got["6150"].cost, got["6150"].usdh) == (5_000_000 + SMALL_USDH["6150"], 8_000_000)
    assert {cc for cc, r in got.items() if r.usdh} == set(SMALL_USDH)
    assert (got["6139"].cost, got["6139"].usdh, got["6139"].discounted_cost) == (4_500_000, 0, 4_500_000)


@pytest.mark.parametrize("cc", ["5821", "5823-X023", "6144", "6144-X144"])
def test_guard_program_and_furniture_pool_rate_nothing(tmp_path, cc):
    run = small_tdy(tmp_path, [])
    assert run.rates is not None
    rate = run.rates.of(cc)
    assert rate is not None
    assert rate.cost > 0
    assert (rate.discounted_cost, rate.rate) == (0, 0)


def test_the_guard_program_is_read_by_cost_center_not_by_the_lgp_funding_source(tmp_path):
    # LGP money is on the guard cost centers only (rule R06); an RB line there (rule R07 warns) rates nothing.
    budget = _budget_csv() + "5821,RB,2500,3650.00,RB-funded guard line,no\n"
    run = small_tdy(tmp_path, [], budget_csv=budget)
    assert run.rates is not None
    rate = run.rates.of("5821")
    assert rate is not None
    assert rate.cost > 365_000
    assert (rate.discounted_cost, rate.rate) == (0, 0)


def test_half_up_rounding_of_published_rates(tmp_path):
    # 25.025 and 1.005 are exact halves: half up gives 25.03 and 1.01 (half even would give 25.02 and 1.00).
    run = small_tdy(tmp_path, [])
    assert run.rates is not None
    assert small_exact()["6134"] == Fraction(100100, 40)
    assert small_exact()["6194"] == Fraction(201, 2)
    published = {r.cost_center: r.rate for r in run.rates.rates}
    assert (published["6134"], published["6194"]) == (2503, 101)


def test_a_lease_line_lowers_its_cost_center_by_exactly_its_amount(tmp_path):
    lease_rows = [i for i, row in enumerate(SMALL_BUDGET) if row[4] == "yes"]
    with_lease = small_tdy(tmp_path / "a", [])
    without = small_tdy(tmp_path / "b", [], budget_csv=_budget_csv(lease=dict.fromkeys(lease_rows, "no")))
    no_column = small_tdy(tmp_path / "c", [], budget_csv=_budget_csv(lease_column=False))
    assert with_lease.rates is not None
    assert without.rates is not None
    assert no_column.rates is not None
    for cc, amount in (("7850", 3_650_000), ("5880", 2_000_000)):
        leased, plain, default = (with_lease.rates.of(cc), without.rates.of(cc), no_column.rates.of(cc))
        assert leased is not None
        assert plain is not None
        assert default is not None
        assert plain.discounted_cost - leased.discounted_cost == amount
        assert leased.lease == amount
        assert plain.lease == default.lease == 0
        assert default.discounted_cost == plain.discounted_cost
    plain_7850 = without.rates.of("7850")
    assert plain_7850 is not None
    assert plain_7850.rate == half_up(Fraction(4_015_000, 100 * 365)) == 110


def test_days_to_reach_the_threshold(tmp_path):
    folder = write_tdy(write_small(tmp_path / "post"), [visit("V1")])
    result = icass("tdy", "threshold", folder)
    assert result.exit_code == 0, result.output
    days = math.ceil(Fraction(THRESHOLD, MANDATORY_DAILY))
    assert days == 13
    assert (days - 1) * MANDATORY_DAILY < THRESHOLD <= days * MANDATORY_DAILY
    assert result.stdout.startswith(f"{days} days:")
    assert f"${dollars(MANDATORY_DAILY)} a day" in result.stdout


def test_lite_example_rates_from_its_records(tmp_path):
    run = example_tdy(tmp_path, [], name="lite-post")
    assert run.rates is not None
    reference = example_reference("lite-post")
    assert {r.cost_center for r in run.rates.rates} == set(reference)
    for rate in run.rates.rates:
        basis, cost, usdh, lease, discounted, workload, exact = reference[rate.cost_center]
        assert (rate.basis, rate.cost, rate.usdh, rate.lease, rate.discounted_cost) == (
            basis,
            cost,
            usdh,
            lease,
            discounted,
        )
        assert rate.workload == workload
        assert rate.rate == (None if exact is None else half_up(exact))


# ===================================================================================================== invoices


def test_one_traveler_issued_and_below_the_threshold(tmp_path):
    run = small_tdy(tmp_path, [visit("V1"), visit("V2", depart="2027-11-12")])
    assert run.billing is not None
    first, second = run.billing.invoices
    assert lines(first) == daily_lines(13)
    assert (first.total, first.status, first.reasons) == (13 * MANDATORY_DAILY, "issued", ())
    assert lines(second) == daily_lines(12)
    assert second.total == 12 * MANDATORY_DAILY < THRESHOLD
    assert second.status == "below_threshold"
    assert run.billing.issued() == (first,)


def test_an_invoice_at_exactly_the_threshold_is_issued(tmp_path):
    # H-363.1-3 c: "equals or exceeds": 40 km at 12.50 is 500.00, a Cabinet visitor's invoice of one line.
    run = small_tdy(tmp_path, [visit("C", category="CABINET")], [service("C", "6139", "40")])
    assert lines(only(run)) == {"6139": (Decimal(40), 1250, 50000)}
    assert only(run).status == "issued"


@pytest.mark.parametrize(
    ("days", "as_of", "ecc", "status"),
    [
        (12, "2028-10-01", "", "below_threshold"),  # below the threshold comes first
        (13, "2028-10-01", "", "rejected"),  # then the September 30 deadline
        (13, "2028-09-30", "", "held"),  # then what is missing
        (13, "2028-09-30", "ECC-1", "issued"),  # the deadline day itself is in time
    ],
)
def test_status_is_the_first_that_applies(tmp_path, days, as_of, ecc, status):
    depart = (dt.date(2027, 11, 1) + dt.timedelta(days=days - 1)).isoformat()
    run = small_tdy(tmp_path, [visit("V1", depart=depart, ecc=ecc)], as_of=dt.date.fromisoformat(as_of))
    invoice = only(run)
    assert invoice.status == status
    if status == "rejected":
        assert "H-363.1-6 b(4)" in invoice.reasons[0]


@pytest.mark.parametrize(
    ("change", "service_rows", "reason"),
    [
        ({"traveler": ""}, [], "no traveler name"),
        ({"ecc": ""}, [], "no eCC number or travel order"),
        ({"approved_on": ""}, [], "no agency approval"),
        ({"approved_on": "2028-02-01"}, [], "approved on 2028-02-01, after 2028-01-31"),
    ],
)
def test_held_for_what_is_missing(tmp_path, change, service_rows, reason):
    # H-363.1-6 a(2): the traveler, the eCC or travel order, and the agency's approval (dated no later than the
    # day the invoice is judged). A modification below 1 on a mandatory cost center with no explanation is an
    # error of the folder (R66, test_rules_facts_and_tdy.py); its hold is the billing's own guard (the properties).
    run = small_tdy(tmp_path, [visit("V1", depart="2027-11-30", **change)], service_rows)
    invoice = only(run)
    assert invoice.total >= THRESHOLD
    assert invoice.status == "held"
    assert any(reason in r and "H-363.1-6 a(2)" in r for r in invoice.reasons), invoice.reasons


def test_an_explained_mandatory_modification_is_issued_at_that_modification(tmp_path):
    run = small_tdy(
        tmp_path,
        [visit("V1", depart="2027-11-20")],
        [service("V1", "5624", "", "0.5", "Medical clearance: MED consultations only")],
    )
    invoice = only(run)
    assert invoice.status == "issued"
    expected = daily_lines(20)
    expected["5624"] = (Decimal(20), 1522, half_up(Fraction(1522) * 10))
    assert lines(invoice) == expected


def test_a_line_is_rate_times_modified_quantity_rounded_once_half_up(tmp_path):
    # Two visits of one group: A (7 days) at 0.5 and B (9 days) at 1 on 6194 (1.01 a day) and 6443 (4.57 a
    # day). Each line is its rate x (3.5 + 9), rounded once, half up: 12.625 -> 12.63 and 57.125 -> 57.13 (half
    # even would give 12.62 and 57.12).
    run = small_tdy(
        tmp_path,
        [
            visit("A", depart="2027-11-07", group_id="G"),
            visit("B", depart="2027-11-09", group_id="G"),
        ],
        [service("A", "6194", "", "0.5"), service("B", "6194"), service("A", "6443", "", "0.5", "shared CLO")],
    )
    invoice = only(run)
    got = {line.cost_center: (line.quantity, line.weighted, line.rate, line.amount) for line in invoice.lines}
    assert got["6194"] == (Decimal(16), Decimal("12.5"), 101, 1263)
    assert (
        got["6443"]
        == (Decimal(16), Decimal("12.5"), 457, half_up(Fraction(457 * 25, 2)))
        == (
            Decimal(16),
            Decimal("12.5"),
            457,
            5713,
        )
    )
    assert got["6150"] == (Decimal(16), Decimal(16), 856, 856 * 16)


BASKETS = (
    '[policy]\nthreshold = 500\ninvoices = "yes"\n\n'
    '[[policy.basket]]\nname = "GSO_LOW"\nmodification = "0.3"\nservices = ["6145"]\n\n'
    '[[policy.basket]]\nname = "GSO_FULL"\nmodification = 1\n'
)


def test_a_lite_basket_bills_its_cost_centers_per_day_at_its_modification(tmp_path):
    # H-363.1-5 e, Exhibit H-363.1-4 (Lite): a basket of 6145 at 0.3 for a 10-day visit, another at 1 (its
    # services 6145 when not given) for 7 days; one group, so one 6145 line of 17 days weighted 3 + 7.
    run = example_tdy(
        tmp_path,
        [visit("B1", group_id="G", depart="2027-11-10"), visit("B2", group_id="G", depart="2027-11-07")],
        [service("B1", "GSO_LOW"), service("B2", "GSO_FULL")],
        policy=BASKETS,
        name="lite-post",
    )
    rate = example_rate("6145", "lite-post")
    got = {line.cost_center: (line.quantity, line.weighted, line.rate, line.amount) for line in only(run).lines}
    assert got["6145"] == (Decimal(17), Decimal("10.0"), rate, rate * 10)
    assert set(got) == {*MANDATORY, "6145"}


def test_a_lite_policy_publishes_its_baskets(tmp_path):
    folder = tmp_path / "lite-post"
    shutil.copytree(example_folder("lite-post"), folder)
    write_tdy(folder, [visit("V1")], policy=BASKETS)
    result = icass("tdy", "policy", folder)
    assert result.exit_code == 0, result.output
    rate = example_rate("6145", "lite-post")
    assert f"| GSO_LOW (6145) | ${dollars(half_up(Fraction(rate) * Fraction(3, 10)))} per day (0.3 modification) |" in (
        result.stdout
    )
    assert f"| GSO_FULL (6145) | ${dollars(rate)} per day (1 modification) |" in result.stdout
    assert "(Lite post)" in result.stdout


@pytest.mark.parametrize(
    ("row", "field"),
    [(service("V1", "GSO_LOW", "", "0.5"), "modification"), (service("V1", "GSO_LOW", "2"), "quantity")],
)
def test_a_basket_row_takes_neither_modification_nor_quantity(tmp_path, row, field):
    folder = write_tdy(tmp_path, [visit("V1")], [row], BASKETS)
    run = run_tdy(folder, AS_OF, run=example_post("lite-post"))
    assert run.billing is None
    assert any(str(d).startswith(f"error: tdy/services.csv, row 2, {field}:") for d in run.diagnostics)


def test_baskets_at_a_standard_post_are_a_warning(tmp_path):
    policy = '[policy]\nthreshold = 500\ninvoices = "yes"\n[[policy.basket]]\nname = "B"\nmodification = 0.5\n'
    folder = write_tdy(write_small(tmp_path / "post"), [visit("V1")], [], policy)
    run = run_tdy(folder, AS_OF)
    assert any(str(d).startswith("warning: tdy/policy.toml, policy.basket:") for d in run.diagnostics)


def test_the_august_1_warning(tmp_path):
    # H-363.1-6 b(3): judged after August 1 of the fiscal year the visits ended in, the allotment will most
    # likely come next fiscal year.
    def late(as_of: dt.date) -> list[str]:
        run = small_tdy(tmp_path / as_of.isoformat(), [visit("V1")], as_of=as_of)
        assert only(run).status == "issued"
        return [str(d) for d in run.diagnostics if "H-363.1-6 b(3)" in str(d)]

    assert late(dt.date(2028, 7, 31)) == []
    warned = late(dt.date(2028, 8, 2))
    assert len(warned) == 1
    assert warned[0].startswith("warning: tdy/visits.csv [V1]")
    assert "FY 2029" in warned[0]


def test_transactions_of_a_sponsor_at_post_go_to_its_workload_not_the_invoice(tmp_path):
    # H-363.1-5 f(4): 2000.0 is at post; 3000.0 is in agencies.csv with a zero count only, so it is not.
    run = small_tdy(
        tmp_path,
        [visit("AT", "2000.0"), visit("LISTED", "3000.0")],
        [service("AT", "6134", "3"), service("LISTED", "6134", "3"), service("AT", "6194")],
    )
    assert run.billing is not None
    at, listed = run.billing.invoices
    assert lines(at) == daily_lines(13, extra=("6194",))
    assert lines(listed) == {**daily_lines(13), "6134": (Decimal(3), 2503, 3 * 2503)}
    assert moved(run) == [("6134", "2000.0", Decimal(3), "AT")]


def test_sponsor_not_at_post_below_the_threshold_drops_its_transactions(tmp_path):
    # H-363.1-5 g(5): 5 days and 1 procurement action is below $500: no invoice, and the action is counted
    # nowhere.
    run = small_tdy(tmp_path, [visit("V1", depart="2027-11-05")], [service("V1", "6134", "1")])
    invoice = only(run)
    assert invoice.total == 5 * MANDATORY_DAILY + 2503 < THRESHOLD
    assert invoice.status == "below_threshold"
    assert moved(run) == []
    assert "H-363.1-5 g(5)" in unbilled(run)[("V1", "6134")]


def test_oig_is_billed_under_state_with_its_transactions_to_state(tmp_path):
    # H-363.2 c: 1900.0 on the invoice; transaction workload to 1900.0 (never on the invoice), and the OIG
    # visit chains with a State visit either way, but never groups with its own agency's visitors.
    run = small_tdy(
        tmp_path,
        [
            visit("OIG", "4000.0", "OIG", group_id="G"),
            visit("STATE", "1900.0", related_to="OIG"),
            visit("OWN", "4000.0", group_id="G"),
        ],
        [service("OIG", "6134", "3")],
    )
    assert run.billing is not None
    state, own = run.billing.invoices
    assert (state.invoice, state.agency, state.visits) == ("OIG", "1900.0", ("OIG", "STATE"))
    assert lines(state) == daily_lines(13, travelers=2)
    assert (own.agency, own.visits) == ("4000.0", ("OWN",))
    assert moved(run) == [("6134", "1900.0", Decimal(3), "OIG")]


@pytest.mark.parametrize(
    ("category", "agency", "to"),
    [
        ("VIP", "4000.0", "1901.0"),  # H-364 f(1)
        ("VIP", "2000.0", "1901.0"),
        ("SECSTATE", "1900.0", "1900.0"),  # H-364 d
        ("SECSTATE", "4000.0", "1900.0"),
        ("GAP_FILLER", "2000.0", "2000.0"),  # H-363.2 b: to the sponsor at post
        ("ICASS_SUPPORT", "2000.0", "2000.0"),
        ("POST_TO_POST", "1900.0", "1900.0"),
        ("MINIMAL", "2000.0", "2000.0"),
        ("GAP_FILLER", "4000.0", None),  # ... or nowhere
        ("ICASS_SUPPORT", "4000.0", None),
        ("POST_TO_POST", "3000.0", None),
        ("MINIMAL", "4000.0", None),
    ],
)
def test_exempt_visitors_get_no_invoice_and_their_transactions_go_by_the_rules(tmp_path, category, agency, to):
    run = small_tdy(
        tmp_path,
        [visit("X", agency, category, depart="2028-01-30")],  # 91 days: far above the threshold if billed
        [service("X", "6134", "7"), service("X", "6194")],
    )
    assert run.billing is not None
    assert run.billing.invoices == ()
    assert ("X", "") in unbilled(run)
    if to is None:
        assert moved(run) == []
        assert ("X", "6134") in unbilled(run)
    else:
        assert moved(run) == [("6134", to, Decimal(7), "X")]
        assert ("X", "6134") not in unbilled(run)


def test_a_post_that_does_not_bill_visitors_issues_no_invoice(tmp_path):
    run = small_tdy(
        tmp_path,
        [visit("NOT", "4000.0", depart="2028-01-30"), visit("AT", "2000.0", depart="2028-01-30")],
        [service("NOT", "6134", "5"), service("AT", "6134", "4")],
        policy='[policy]\nthreshold = 500\ninvoices = "no"\n',
    )
    assert run.billing is not None
    assert run.billing.invoices == ()
    gone = unbilled(run)
    assert {("NOT", ""), ("AT", ""), ("NOT", "6134")} <= set(gone)
    assert moved(run) == [("6134", "2000.0", Decimal(4), "AT")]


def test_chains_and_groups_join_one_agency_and_unrelated_visits_never_share(tmp_path):
    visits = [
        visit("C1", arrive="2027-10-05", depart="2027-10-09"),
        visit("C2", arrive="2028-01-10", depart="2028-01-12", related_to="C1"),
        visit("C3", arrive="2028-03-01", depart="2028-03-04", related_to="C2", approved_on="2028-03-05"),
        visit("ALONE", arrive="2027-10-05", depart="2027-10-09"),
        visit("G-A", "4000.0", group_id="G"),
        visit("G-B", "5000.0", group_id="G"),
        visit("G-C", "4000.0", group_id="G"),
        visit("NEXT", arrive="2028-09-25", depart="2028-10-03", related_to="C3"),  # ends in FY 2029
    ]
    run = small_tdy(tmp_path, visits, as_of=dt.date(2028, 3, 31))
    assert run.billing is not None
    got = {i.invoice: i for i in run.billing.invoices}
    assert {i: got[i].visits for i in got} == {
        "C1": ("C1", "C2", "C3"),
        "ALONE": ("ALONE",),
        "G-A": ("G-A", "G-C"),
        "G-B": ("G-B",),
    }
    assert lines(got["C1"]) == daily_lines(5 + 3 + 4)
    assert lines(got["G-A"]) == daily_lines(13, travelers=2)
    assert ("NEXT", "") in unbilled(run)


def test_visits_outside_the_fiscal_year_or_without_dates_are_listed_unbilled(tmp_path):
    run = small_tdy(
        tmp_path,
        [
            visit("FIRST", arrive="2027-10-01", depart="2027-10-13"),
            visit("LAST", arrive="2028-09-18", depart="2028-09-30"),
            visit("BEFORE", arrive="2027-09-18", depart="2027-09-30"),
            visit("AFTER", arrive="2028-09-20", depart="2028-10-01"),
            visit("NODATES", arrive="", depart=""),
        ],
        [service("BEFORE", "6134", "3"), service("AFTER", "6134", "3")],
    )
    assert run.billing is not None
    assert [i.visits for i in run.billing.invoices] == [("FIRST",), ("LAST",)]
    assert set(unbilled(run)) == {("BEFORE", ""), ("AFTER", ""), ("NODATES", "")}
    assert moved(run) == []


def test_modification_multiplies_transactions_but_moved_workload_is_as_given(tmp_path):
    run = small_tdy(
        tmp_path,
        [visit("NOT", category="CABINET"), visit("AT", "2000.0", "CABINET")],
        [service("NOT", "6134", "30", "0.7"), service("AT", "6134", "30", "0.7")],
    )
    invoice = only(run)
    assert lines(invoice) == {"6134": (Decimal(30), 2503, half_up(Fraction(2503) * 21))}
    assert moved(run) == [("6134", "2000.0", Decimal(30), "AT")]


# =============================================================================================== hostile input


def run_bad(tmp_path: Path, visits: list[str], services: list[str], policy: str) -> list[str]:
    folder = write_tdy(write_small(tmp_path / "post"), visits, services, policy)
    run = run_tdy(folder, AS_OF)
    assert not run.ok
    assert run.billing is None
    return [str(d) for d in run.diagnostics if d.severity == "error"]


HOSTILE = {
    "threshold": (
        [visit("V1")],
        [],
        '[policy]\nthreshold = 499.99\ninvoices = "yes"\n',
        ["tdy/policy.toml, policy.threshold:", "(rule R141)"],
    ),
    "category": ([visit("V1"), visit("V2", category="TOURIST")], [], POLICY, ["tdy/visits.csv, row 3, category:"]),
    "dates": ([visit("V1", arrive="2027-11-10", depart="2027-11-01")], [], POLICY, ["tdy/visits.csv, row 2, depart:"]),
    "date": ([visit("V1", depart="2027-13-01")], [], POLICY, ["tdy/visits.csv, row 2, depart:"]),
    "duplicate": ([visit("V1"), visit("V1")], [], POLICY, ["tdy/visits.csv, row 3, visit_id:", "row 2"]),
    "unknown visit": ([visit("V1")], [service("V9", "6194")], POLICY, ["tdy/services.csv, row 2, visit_id:", "V9"]),
    "no quantity": ([visit("V1")], [service("V1", "6134")], POLICY, ["tdy/services.csv, row 2, quantity:"]),
    "daily quantity": ([visit("V1")], [service("V1", "6194", "3")], POLICY, ["tdy/services.csv, row 2, quantity:"]),
    "mandatory quantity": ([visit("V1")], [service("V1", "5624", "3")], POLICY, ["tdy/services.csv, row 2, quantity:"]),
    "modification > 1": (
        [visit("V1")],
        [service("V1", "6194", "", "1.5")],
        POLICY,
        ["tdy/services.csv, row 2, modification:", "(6 FAH-5 H-363.1-5 d)"],
    ),
    "modification 0": (
        [visit("V1")],
        [service("V1", "6194", "", "0")],
        POLICY,
        ["tdy/services.csv, row 2, modification:"],
    ),
    "related across agencies": (
        [visit("V1", "4000.0"), visit("V2", "5000.0", related_to="V1")],
        [],
        POLICY,
        ["tdy/visits.csv, row 3, related_to:", "(6 FAH-5 H-363.1-3 d)"],
    ),
    "related unknown": ([visit("V1", related_to="V7")], [], POLICY, ["tdy/visits.csv, row 2, related_to:"]),
    "unknown cost center": ([visit("V1")], [service("V1", "9999")], POLICY, ["tdy/services.csv, row 2, cost_center:"]),
    "no factor": ([visit("V1")], [service("V1", "8790")], POLICY, ["tdy/services.csv, row 2, cost_center:"]),
    "invoices": ([visit("V1")], [], "[policy]\nthreshold = 500\ninvoices = 3\n", ["tdy/policy.toml, policy.invoices:"]),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_bad_tdy_input_names_file_row_and_field(tmp_path, case):
    visits, services, policy, expected = HOSTILE[case]
    errors = run_bad(tmp_path, visits, services, policy)
    assert errors, case
    assert any(all(part in e for part in expected) for e in errors), errors


def test_file_level_problems_name_the_file(tmp_path):
    folder = write_tdy(write_small(tmp_path / "post"), [visit("V1")])
    (folder / "tdy" / "services.csv").unlink()
    (folder / "tdy" / "policy.toml").write_text("threshold = 500\n", encoding="utf-8")
    header = VISIT_HEADER.removesuffix(",related_to")
    (folder / "tdy" / "visits.csv").write_text(f"{header}\n{visit('V1').removesuffix(',')}\n", encoding="utf-8")
    run = run_tdy(folder, AS_OF)
    assert run.billing is None
    errors = {str(d) for d in run.diagnostics if d.severity == "error"}
    assert {e.split(":")[1].strip() for e in errors} == {
        "tdy/services.csv",
        "tdy/policy.toml",
        "tdy/visits.csv, row 1",
    }
    assert any("related_to" in e for e in errors)


def test_a_cycle_of_related_visits_is_one_invoice(tmp_path):
    run = small_tdy(tmp_path, [visit("V1", related_to="V2"), visit("V2", related_to="V1")])
    invoice = only(run)
    assert invoice.visits == ("V1", "V2")
    assert lines(invoice) == daily_lines(13, travelers=2)


def test_a_missing_tdy_folder(tmp_path):
    folder = write_small(tmp_path / "post")
    run = run_tdy(folder, AS_OF)
    assert not run.ok
    assert run.billing is None
    assert any(str(d).startswith("error: tdy: the bundle has no tdy/ folder") for d in run.diagnostics)


@pytest.mark.parametrize("stage", ["", 'stage = "draft"\n'])
def test_a_budget_not_marked_final_is_a_warning(tmp_path, stage):
    toml = SMALL_FILES["post.toml"].replace('stage = "final"\n', stage)
    run = small_tdy(tmp_path, [visit("V1")], post_toml=toml)
    warned = [str(d) for d in run.diagnostics if "post.stage" in str(d)]
    assert len(warned) == 1
    assert warned[0].startswith("warning: post.toml, post.stage:")
    assert only(run).status == "issued"  # a warning only


def test_a_final_budget_gives_no_stage_warning(tmp_path):
    run = small_tdy(tmp_path, [visit("V1")])
    assert not [d for d in run.diagnostics if "stage" in str(d)]


# ====================================================================================================== commands


def icass(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def example_bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "standard-post"
    shutil.copytree(example_folder(), folder)
    return folder


def test_rates_csv(example_bundle):
    write_tdy(example_bundle, [visit("V1")])
    result = icass("tdy", "rates", example_bundle, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert rows[0] == ["cost_center", "basis", "discounted_cost", "workload", "rate"]
    expected = [
        [cc, basis, dollars(discounted), format(workload.normalize(), "f"), dollars(half_up(exact))]
        for cc, (basis, _, _, _, discounted, workload, exact) in example_reference().items()
        if exact is not None
    ]
    assert rows[1:] == expected
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    zero = [r for r in rows[1:] if r[0].split("-")[0] in GUARDS_AND_FAP]
    assert zero
    assert all(r[2:5:2] == ["0.00", "0.00"] for r in zero)


def test_invoices_csv(tmp_path):
    folder = write_tdy(
        write_small(tmp_path / "post"),
        [*(visit(f"G{i}", group_id="CONF", depart="2027-11-10") for i in range(1, 5)), visit("S", depart="2027-11-05")],
        [service("G2", "6134", "2")],
    )
    result = icass("tdy", "invoices", folder, "--as-of", "2028-01-31", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert rows[0] == ["invoice", "agency", "cost_center", "quantity", "rate", "amount", "status"]
    group = [["G1", "4000.0", cc, "40", dollars(RATE[cc]), dollars(40 * RATE[cc]), "issued"] for cc in MANDATORY]
    group.append(["G1", "4000.0", "6134", "2", "25.03", "50.06", "issued"])
    alone = [["S", "4000.0", cc, "5", dollars(RATE[cc]), dollars(5 * RATE[cc]), "below_threshold"] for cc in MANDATORY]
    assert sorted(rows[1:]) == sorted(group + alone)


def test_workload_csv(tmp_path):
    folder = write_tdy(
        write_small(tmp_path / "post"),
        [visit("V", "4000.0", "VIP"), visit("S", "1900.0", "SECSTATE"), visit("A", "2000.0")],
        [service("V", "6139", "120.5"), service("S", "6134", "4"), service("A", "6134", "2")],
    )
    result = icass("tdy", "workload", folder, "--as-of", "2028-01-31", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert csv_rows(result.stdout) == [
        ["cost_center", "agency", "count", "visit_id"],
        ["6134", "1900.0", "4", "S"],
        ["6134", "2000.0", "2", "A"],
        ["6139", "1901.0", "120.5", "V"],
    ]


def test_tables_to_read(tmp_path):
    folder = write_tdy(
        write_small(tmp_path / "post"),
        [visit("V1", ecc=""), visit("OUT", depart="2028-10-02", arrive="2028-09-30"), visit("A", "2000.0")],
        [service("A", "6134", "2")],
    )
    invoices = icass("tdy", "invoices", folder, "--as-of", "2028-01-31")
    assert invoices.exit_code == 0, invoices.output
    assert "TDY invoice V1, agency 4000.0, visits V1: held" in invoices.stdout
    assert "no eCC number or travel order" in invoices.stdout
    assert "Not billed" in invoices.stdout
    assert "OUT" in invoices.stdout
    workload = icass("tdy", "workload", folder, "--as-of", "2028-01-31")
    assert workload.exit_code == 0, workload.output
    assert "6134" in workload.stdout
    assert "2000.0" in workload.stdout
    rates = icass("tdy", "rates", folder)
    assert rates.exit_code == 0, rates.output
    assert "15.22" in rates.stdout
    assert "TDY rates for visits that end in FY 2028" in rates.stdout


def test_policy_markdown_has_the_posts_own_mandatory_rates(example_bundle):
    write_tdy(example_bundle, [visit("V1")])
    result = icass("tdy", "policy", example_bundle)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# ")
    assert "Exhibit H-363.1-4" in text
    for cc in MANDATORY:
        line = next(line for line in text.splitlines() if line.startswith(f"| {cc} "))
        assert "(mandatory)" in line
        assert f"${dollars(example_rate(cc))} per day" in line, line
    days = math.ceil(Fraction(THRESHOLD, sum(example_rate(cc) for cc in MANDATORY)))
    assert f"after {days} days" in text
    assert "does not bill TDY visitors" not in text


def test_policy_html_is_a_document(tmp_path):
    folder = write_tdy(write_small(tmp_path / "post"), [visit("V1")])
    result = icass("tdy", "policy", folder, "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "<title>Embassy Testville: visitor and TDY policy</title>" in page
    assert "<table>" in page
    assert f"${dollars(RATE['5624'])} per day" in page


def test_policy_of_a_post_that_does_not_bill(tmp_path):
    folder = write_tdy(
        write_small(tmp_path / "post"), [visit("V1")], policy='[policy]\nthreshold = 500\ninvoices = "no"\n'
    )
    result = icass("tdy", "policy", folder)
    assert result.exit_code == 0, result.output
    assert "post does not bill TDY visitors for ICASS administrative services through a TDY invoice" in result.stdout
    assert f"${dollars(RATE['5624'])}" not in result.stdout
    invoices = icass("tdy", "invoices", folder, "--as-of", "2028-01-31", "--format", "csv")
    assert csv_rows(invoices.stdout) == [["invoice", "agency", "cost_center", "quantity", "rate", "amount", "status"]]


@pytest.mark.parametrize("case", ["threshold", "category", "duplicate", "no quantity", "related across agencies"])
@pytest.mark.parametrize(
    "command",
    [
        ("invoices", "--format", "csv"),
        ("workload", "--format", "csv"),
        ("threshold",),
        ("policy",),
        ("invoices",),
    ],
)
def test_bad_tdy_input_exits_2_with_nothing_on_stdout(tmp_path, case, command):
    visits, services, policy, expected = HOSTILE[case]
    folder = write_tdy(write_small(tmp_path / "post"), visits, services, policy)
    result = icass("tdy", command[0], folder, *command[1:])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert all(part in result.stderr for part in expected), result.stderr
    assert "nothing was computed" in result.stderr


@pytest.mark.parametrize("command", ["rates", "threshold", "invoices", "workload", "policy"])
def test_a_broken_bundle_exits_2_with_nothing_on_stdout(tmp_path, command):
    folder = write_tdy(write_small(tmp_path / "post", budget_csv="cost_center,funding\n5624,RB\n"), [visit("V1")])
    result = icass("tdy", command, folder)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "budget.csv" in result.stderr


@pytest.mark.parametrize("command", ["invoices", "workload", "threshold", "policy"])
def test_no_tdy_folder_exits_2(tmp_path, command):
    result = icass("tdy", command, write_small(tmp_path / "post"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "tdy: the bundle has no tdy/ folder" in result.stderr


def test_a_bad_as_of_date_exits_2(tmp_path):
    folder = write_tdy(write_small(tmp_path / "post"), [visit("V1")])
    result = icass("tdy", "invoices", folder, "--as-of", "2028-02-30")
    assert result.exit_code == 2
    assert result.stdout == ""
