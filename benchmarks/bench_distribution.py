"""Benchmark of the distribution engine on a synthetic worldwide set, built in memory.

Run: `uv run python benchmarks/bench_distribution.py` (add `--profile` for a cProfile
breakdown of one world distribution). The set is deterministic (numpy default_rng, fixed seed): 250 posts
of 50 agencies, every Standard cost center plus a few standardized sub-cost centers, 100 positions a post,
budgets of $5M-$100M, and workload for every workload cost center that has cost. The records are not
validated: the benchmark times the engine, not the bundle checks.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from icass.catalog import load_catalog
from icass.distribution import Distribution, distribute_columns
from icass.distribution.columns import Columns, columns_of
from icass.model import (
    ICASS_AGENCY,
    NON_ICASS,
    REGIONS,
    STATE_AGENCY,
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
from icass.model.special import MISCELLANEOUS

SEED = 20270501
N_POSTS = 250
N_POSITIONS = 100  # per post
USDH_SHARE = 0.15
N_WORLD_AGENCIES = 50  # besides the special codes; each post has ~47 of them
ALWAYS_AT_POST = (STATE_AGENCY, ICASS_AGENCY, "1931.0")  # State, ICASS, MSG support
TARGETS = ("RB", "OBO", "LGP")
TARGET_ODDS = (0.7, 0.2, 0.1)
SOCS = ("2200", "2300", "2400", "2500", "2600", "3100")
LE_SOCS = ("1100", "1200", "1300")
MODIFICATIONS = (Decimal("0.3"), Decimal("0.6"))
METHODOLOGY = "standard"

# (grade, annual AmSal, annual PAT), whole dollars
COST_FACTORS = (
    ("FE-CM", 245_000, 42_000),
    ("FE-MC", 230_000, 40_000),
    ("FE-OC", 215_000, 38_000),
    ("FS-01", 190_000, 35_000),
    ("FS-02", 160_000, 32_000),
    ("FS-03", 135_000, 30_000),
    ("FS-04", 110_000, 28_000),
    ("FS-05", 95_000, 26_000),
    ("FS-06", 82_000, 24_000),
    ("GS-13", 120_000, 20_000),
    ("GS-14", 140_000, 22_000),
)
LE_GRADES = tuple(f"FSN-{n}" for n in range(3, 12))


@dataclass(frozen=True)
class WorldPlan:
    """What every post draws from: the catalog's Standard cost centers and the world's agency codes."""

    cost_centers: tuple[str, ...]  # every 4-digit Standard code, 0000 and 8790 included
    sub_cost_centers: tuple[str, ...]  # the standardized sub-cost centers of the Standard methodology
    agencies: tuple[str, ...]  # the world list, special codes excluded


def world_plan(rng: np.random.Generator) -> WorldPlan:
    standard = load_catalog().methodology(METHODOLOGY)
    codes = tuple(e.code for e in standard if len(e.code) == 4)
    subs = tuple(e.code for e in standard if e.is_sub_cost_center and e.standardized)
    taken = {int(float(code)) for code in ALWAYS_AT_POST}
    candidates = np.array([n for n in range(1000, 10_000) if n not in taken])
    numbers = np.sort(rng.choice(candidates, size=N_WORLD_AGENCIES, replace=False))
    return WorldPlan(codes, subs, tuple(f"{n}.0" for n in numbers))


kind_of = load_catalog().kind_of(METHODOLOGY)


def _hundredths(value: int) -> Decimal:
    """A count or percent given in hundredths, as a Decimal with no needless places ("12", "33.33")."""
    whole, part = divmod(value, 100)
    return Decimal(whole) if part == 0 else Decimal(value).scaleb(-2)


def _percents(rng: np.random.Generator, n: int) -> list[Decimal]:
    """n positive percents with up to two decimals that sum to exactly 100."""
    if n == 1:
        return [Decimal(100)]
    step = 500 if rng.random() < 0.5 else 1  # half the positions in whole 5%, the rest to the 0.01%
    cuts = np.sort(rng.choice(np.arange(1, 10_000 // step), size=n - 1, replace=False)) * step
    parts = np.diff(np.concatenate(([0], cuts, [10_000])))
    return [_hundredths(int(p)) for p in parts]


def make_post(rng: np.random.Generator, plan: WorldPlan, index: int) -> PostBundle:
    """One synthetic post; the same rng state always gives the same post."""
    code = f"P{index:03d}"
    post = Post(code, f"Embassy {code}", f"Country {index}", REGIONS[index % len(REGIONS)], METHODOLOGY, 2027)
    others = rng.choice(len(plan.agencies), size=N_WORLD_AGENCIES - len(ALWAYS_AT_POST), replace=False)
    agency_codes = sorted([*ALWAYS_AT_POST, *(plan.agencies[i] for i in others)])
    agencies = tuple(Agency(a, f"Agency {a}") for a in agency_codes)
    factors = tuple(CostFactor(g, amsal * 100, pat * 100) for g, amsal, pat in COST_FACTORS)

    n_subs = int(rng.integers(2, 6))
    subs = [str(s) for s in rng.choice(plan.sub_cost_centers, size=n_subs, replace=False)]
    cost_centers = sorted([*plan.cost_centers, *subs])
    service = [cc for cc in cost_centers if cc not in (NON_ICASS, MISCELLANEOUS)]

    # positions, their pools (LE only: USDH pools come from the cost factors) and time allocation
    positions: list[Position] = []
    pool: list[PoolLine] = []
    allocation: list[TimeAllocation] = []
    for p in range(N_POSITIONS):
        pid = f"{code}-{p:04d}"
        if rng.random() < USDH_SHARE:
            grade = COST_FACTORS[int(rng.integers(len(COST_FACTORS)))][0]
            positions.append(Position(pid, "USDH", grade, "Officer"))
        else:
            positions.append(Position(pid, "LE", str(rng.choice(LE_GRADES)), "Specialist"))
            salary = int(rng.uniform(8_000, 80_000) * 100)
            pool.append(PoolLine(pid, str(rng.choice(TARGETS, p=TARGET_ODDS)), LE_SOCS[0], salary))
            if rng.random() < 0.5:
                pool.append(PoolLine(pid, "RB", str(rng.choice(LE_SOCS[1:])), int(salary * rng.uniform(0.1, 0.4))))
        n_rows = int(rng.integers(1, 4))
        centers = [str(c) for c in rng.choice(service, size=n_rows, replace=False)]
        if n_rows > 1 and rng.random() < 0.1:
            centers[-1] = NON_ICASS  # a Non-ICASS dual position, never 100% (H-341.14)
        for cc, percent in zip(centers, _percents(rng, n_rows), strict=True):
            allocation.append(TimeAllocation(pid, cc, percent))

    # budget lines: a $5M-$100M post shared among its cost centers (none on 0000), one to four lines each
    total = float(np.exp(rng.uniform(np.log(5e6), np.log(1e8)))) * 100
    budgeted = [cc for cc in cost_centers if cc != NON_ICASS]
    weights = rng.dirichlet(np.full(len(budgeted), 0.6))
    budget: list[BudgetLine] = []
    for cc, weight in zip(budgeted, weights, strict=True):
        amount = max(int(total * weight), 100_00)
        n_lines = int(rng.integers(1, 5))
        parts = rng.dirichlet(np.ones(n_lines))
        for part in parts:
            cents = max(int(amount * part), 1_00)
            budget.append(BudgetLine(cc, str(rng.choice(TARGETS, p=TARGET_ODDS)), str(rng.choice(SOCS)), cents))

    # workload: every workload cost center with cost (all of them have budget lines) gets counts
    workload: list[Workload] = []
    payers = [a for a in agency_codes if a != ICASS_AGENCY]
    for cc in service:
        counted = [a for a in agency_codes if rng.random() < 0.6]
        if not any(a != ICASS_AGENCY for a in counted):
            counted.append(str(rng.choice(payers)))
        hundredths = [int(np.exp(rng.uniform(0, np.log(10_000))) * 100) for _ in counted]
        hundredths = [h - h % 100 if rng.random() < 0.7 else h for h in hundredths]  # most counts are whole
        hundredths = [0 if rng.random() < 0.03 else h for h in hundredths]  # a few agencies count nothing
        if not any(h > 0 for a, h in zip(counted, hundredths, strict=True) if a != ICASS_AGENCY):
            first = next(i for i, a in enumerate(counted) if a != ICASS_AGENCY)
            hundredths[first] = 100
        for agency, count in zip(counted, hundredths, strict=True):
            modification = MODIFICATIONS[int(rng.integers(2))] if rng.random() < 0.15 else Decimal(1)
            workload.append(Workload(cc, agency, _hundredths(count), modification))

    return PostBundle(
        post, agencies, factors, tuple(positions), tuple(pool), tuple(allocation), tuple(budget), tuple(workload)
    )


def make_world(n_posts: int = N_POSTS, seed: int = SEED) -> list[PostBundle]:
    """The synthetic worldwide set; `n_posts=1` gives its first post alone."""
    rng = np.random.default_rng(seed)
    plan = world_plan(rng)
    return [make_post(rng, plan, i) for i in range(n_posts)]


@dataclass(frozen=True)
class Timing:
    best: float
    median: float
    repeats: int


def timed(run: Callable[[], object], repeats: int, warmup: int = 2) -> Timing:
    for _ in range(warmup):
        run()
    gc.collect()
    seconds: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return Timing(min(seconds), statistics.median(seconds), repeats)


def traced_peak(run: Callable[[], object]) -> int:
    """Peak bytes Python and numpy allocate during one run (numpy reports its buffers to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def max_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # kilobytes on Linux


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    return (
        f"{platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def check(result: Distribution) -> None:
    if not (result.total.sum(axis=1) == result.cost).all():
        raise SystemExit("conservation fails: agencies' totals differ from the cost of a cost center")
    if not (result.redistribution.sum(axis=1) == 0).all():
        raise SystemExit("ICASS redistribution does not net to zero")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms"


def dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def profile(cols: Columns, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        distribute_columns(cols)
    profiler.disable()
    print(f"\ncProfile of 5 world distributions (top {top} by own time):\n")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=N_POSTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--world-repeats", type=int, default=10)
    parser.add_argument("--post-repeats", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the world distribution")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    world = make_world(args.posts, args.seed)
    generated = time.perf_counter() - start

    conversion = timed(lambda: columns_of(world, kind_of), repeats=3, warmup=1)
    cols = columns_of(world, kind_of)
    one = columns_of(world[:1], kind_of)
    world_run = timed(lambda: distribute_columns(cols), args.world_repeats)
    post_run = timed(lambda: distribute_columns(one), args.post_repeats)
    peak = traced_peak(lambda: distribute_columns(cols))

    result = distribute_columns(cols)
    check(result)
    check(distribute_columns(one))
    budget_cents = int(cols.budget_cents.sum())
    pool_cents = int(cols.pool_cents.sum())
    cost_cents = int(result.cost.sum())
    if cost_cents != budget_cents + pool_cents:
        raise SystemExit("the cost centers' cost differs from budget lines plus cost pools")
    shape = "x".join(str(n) for n in result.share.shape)

    print(f"# ICASS distribution benchmark (seed {args.seed})\n")
    print(f"Machine: {machine_line()}\n")
    print(
        f"World: {len(cols.posts)} posts, {len(cols.agencies)} agency codes, {len(cols.cost_centers)} cost centers, "
        f"{len(cols.position_post):,} positions; generated in {generated:.1f} s"
    )
    print(
        f"Rows: {cols.budget_cents.size:,} budget lines, {cols.pool_cents.size:,} pool lines, "
        f"{cols.allocation_weight.size:,} allocation rows, {cols.workload_weight.size:,} workload rows"
    )
    print(
        f"Money: budget lines {dollars(budget_cents)} + cost pools {dollars(pool_cents)} "
        f"= distributed {dollars(cost_cents)}; conserved to the cent in every (post, cost center, funding source)"
    )
    print(f"Result arrays (post, agency, cost center, funding): {shape} int64\n")

    rows = [
        ("distribute_columns, world", world_run, "100 ms"),
        ("distribute_columns, one post", post_run, "5 ms"),
        ("columns_of (records -> columns), world", conversion, ""),
    ]
    print("| measure | best | median | repeats | target |")
    print("|---|---:|---:|---:|---:|")
    for name, timing, target in rows:
        print(f"| {name} | {ms(timing.best)} | {ms(timing.median)} | {timing.repeats} | {target} |")
    print(f"| peak traced memory, one world distribution | {peak / 2**20:,.1f} MiB | | 1 | |")
    print(f"| max RSS of the process (records included) | {max_rss_bytes() / 2**20:,.1f} MiB | | | |")

    if args.profile:
        profile(cols, top=25)


if __name__ == "__main__":
    main()
