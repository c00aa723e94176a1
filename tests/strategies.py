"""Hypothesis strategies for random, valid post bundles built directly as records."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from icass.model import (
    Agency,
    BudgetLine,
    CostFactor,
    PoolLine,
    Position,
    Post,
    PostBundle,
    TimeAllocation,
    Workload,
)

WORKLOAD_CCS = ("5624", "5880", "6139", "6150", "6443", "7810", "6132-X001")
KINDS = {"0000": "non_icass", "8790": "miscellaneous"}
OTHER_AGENCIES = ("1931.0", "1942.0", "2000.0", "7200.0", "9700.0")
FUNDING = ("RB", "OBO", "LGP", "AMSAL", "PAT")


def kind_of(code: str) -> str:
    return KINDS.get(code, "workload")


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 10**places, high * 10**places).map(lambda n: Decimal(n).scaleb(-places))


@st.composite
def percents(draw: st.DrawFn, cost_centers: list[str]) -> list[tuple[str, Decimal]]:
    """Percents (two decimals) over distinct cost centers summing to exactly 100, never 100 on 0000."""
    ccs = draw(st.lists(st.sampled_from(cost_centers), min_size=1, max_size=3, unique=True))
    if ccs == ["0000"]:
        ccs.append(draw(st.sampled_from([c for c in cost_centers if c != "0000"])))
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=len(ccs) - 1, max_size=len(ccs) - 1, unique=True)))
    bounds = [0, *cuts, 10000]
    return [(cc, Decimal(bounds[i + 1] - bounds[i]).scaleb(-2)) for i, cc in enumerate(ccs)]


@st.composite
def post_bundles(draw: st.DrawFn, max_cents: int = 10**10) -> PostBundle:
    others = draw(st.lists(st.sampled_from(OTHER_AGENCIES), min_size=1, max_size=5, unique=True))
    with_icass = draw(st.booleans())
    agencies = ["1900.0", *(["1901.0"] if with_icass else []), *others]
    ccs = draw(st.lists(st.sampled_from(WORKLOAD_CCS), min_size=1, max_size=len(WORKLOAD_CCS), unique=True))
    ccs += draw(st.lists(st.sampled_from(["0000", "8790"]), unique=True))
    workload_ccs = [c for c in ccs if kind_of(c) == "workload"]
    allocatable = [c for c in ccs if c != "8790"] or workload_ccs

    grades = ["FS-01", "FS-02", "FS-03"]
    factors = [
        CostFactor(g, draw(st.integers(0, max_cents // 100)), draw(st.integers(0, max_cents // 1000))) for g in grades
    ]
    positions, allocation, pool = [], [], []
    for i in range(draw(st.integers(0, 6))):
        pid = f"P{i:02d}"
        usdh = draw(st.booleans())
        positions.append(
            Position(pid, "USDH" if usdh else "LE", draw(st.sampled_from(grades)) if usdh else "FSN-7", "")
        )
        allocation += [TimeAllocation(pid, cc, pct) for cc, pct in draw(percents(allocatable))]
        for soc, funding in draw(
            st.lists(
                st.tuples(st.sampled_from(["1100", "1200"]), st.sampled_from(FUNDING)),
                max_size=2,
                unique=True,
            )
        ):
            pool.append(PoolLine(pid, funding, soc, draw(st.integers(0, max_cents))))
    budget = [
        BudgetLine(cc, funding, "2500", draw(st.integers(0, max_cents)))
        for cc, funding in draw(
            st.lists(st.tuples(st.sampled_from(ccs), st.sampled_from(FUNDING)), unique=True, max_size=10)
        )
    ]
    if "8790" in ccs:  # 8790 follows service costs, so some must exist (validation refuses it otherwise)
        budget.append(BudgetLine(workload_ccs[0], "RB", "2599", draw(st.integers(1, max_cents))))
    workload = []
    for cc in workload_ccs:
        takers = draw(st.lists(st.sampled_from(agencies), min_size=1, max_size=len(agencies), unique=True))
        # The first taker is a customer agency with a positive count: the cost can be shared and ICASS
        # redistribution has someone to go to (validation refuses bundles without).
        takers = [t for t in takers if t != "1901.0"] + [t for t in takers if t == "1901.0"]
        if takers[0] == "1901.0":
            takers.insert(0, others[0])
        for n, agency in enumerate(takers):
            count = draw(decimals(1 if n == 0 else 0, 5000, 2))
            modification = draw(st.sampled_from([Decimal(1), Decimal("0.3"), Decimal("0.6"), Decimal("0.25")]))
            workload.append(Workload(cc, agency, count, modification))
    return PostBundle(
        post=Post("TST", "Test post", "Testland", "EUR", "standard", 2027),
        agencies=tuple(Agency(code, f"Agency {code}") for code in agencies),
        cost_factors=tuple(factors),
        positions=tuple(positions),
        position_costs=tuple(pool),
        time_allocation=tuple(allocation),
        budget=tuple(budget),
        workload=tuple(workload),
    )
