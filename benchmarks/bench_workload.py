"""Benchmark of workload derivation on a large post, and of the whole path a user waits for.

Run: `uv run python benchmarks/bench_workload.py` (add `--profile` for a cProfile breakdown of one derive).
It writes a deterministic synthetic bundle (random.Random with a fixed seed) into a temporary folder: the
budget side of examples/standard-post plus 5,000 people (staff, LE staff, family members, routed roles),
3,000 procurement rows, 20,000 activity rows, housing, guard hours, office space and the IT inventory.
Then it times, best and median of several runs:
- derive: every count from the records already read (the issue's aim: under 100 ms in process);
- read: the bundle's files into records;
- run_post: read, derive, combine, validate and distribute, in process;
- `icass workload` and `icass invoice` as processes (interpreter start and imports included).
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import random
import shutil
import tempfile
from pathlib import Path

from icass.bundle import read_bundle
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.runs.post import run_post
from icass.workload.derive import derive
from timing import process, timed  # benchmarks/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "standard-post"
AGENCIES = ("1900.0", "7200.0", "1300.0", "1200.0", "9700.0", "1500.0", "7500.0", "1100.0", "1967.0")
# Who holds office space and housing: every agency the sample says is co-located (rule R56) or counts make-ready
# space for (rule R88), State's own offices among them.
TENANTS = (*AGENCIES, "1901.0", "1931.0", "1942.0")
KINDS = ("USDH",) * 5 + ("UNIFORMED", "TCN", "US_CONTRACTOR", "INSTITUTIONAL_CONTRACTOR", "OTHER") + ("LE_STAFF",) * 10
ROLES = ("",) * 40 + ("RSO", "MSG", "PSA_GUARD", "LGP_SUPPORT", "SD_GUARD", "FACILITY_MANAGER")
CUMULATIVE = ("6133", "6135", "6136", "6139", "6192", "6211", "6221", "6223", "6224", "6462")


def _csv(path: Path, header: str, rows: list[str]) -> None:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def _day(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def write_large_post(folder: Path, people: int = 5000, procurement: int = 3000, activity: int = 20000) -> Path:
    rng = random.Random(20261123)
    shutil.copytree(SAMPLE, folder)
    staff = int(people * 0.7)
    rows = []
    for i in range(staff):
        kind = rng.choice(KINDS)
        end = _day(rng, 2025) if rng.random() < 0.05 else ""
        rows.append(f"P{i},{rng.choice(AGENCIES)},{kind},,,{rng.choice(ROLES)},{_day(rng, 2024)},{end},,")
    for j in range(people - staff):
        sponsor = rng.randrange(staff)
        employed = rng.choice(AGENCIES) if rng.random() < 0.1 else ""
        sma = "yes" if rng.random() < 0.03 else ""
        rows.append(f"F{j},,EFM,P{sponsor},{employed},,{_day(rng, 2024)},,,{sma}")
    _csv(
        folder / "people.csv",
        "person_id,agency,category,sponsor_id,employed_by,role,start_date,end_date,med_eligible,sma",
        rows,
    )
    subscriptions = [f"{cc},{a}" for cc in ("6441", "6194", "6222", "6451", "6143") for a in AGENCIES]
    _csv(folder / "subscriptions.csv", "cost_center,agency", subscriptions)
    _csv(
        folder / "it_inventory.csv",
        "agency,devices,opennet_accounts",
        [f"{a},{rng.randint(1, 400)},{rng.randint(1, 200)}" for a in AGENCIES],
    )
    actions = [
        f"A{rng.randrange(procurement // 2)},{_day(rng, rng.choice((2025, 2026)))},{rng.choice(AGENCIES)},"
        f"{rng.randint(1, 40_000_000) / 100:.2f}"
        for _ in range(procurement)
    ]
    _csv(folder / "procurement.csv", "action_id,date,agency,amount", actions)
    units = [
        f"U{k},B{k // 8},{rng.choice(('GOCL', 'OL'))},{rng.choice(TENANTS)},{rng.randint(60, 300)},"
        + (_day(rng, 2025) if rng.random() < 0.05 else "")
        for k in range(800)
    ]
    _csv(folder / "housing.csv", "unit_id,building_id,tenure,agency,net_square_meters,vacant_since", units)
    # Who lives where is synthetic now: the sample's government_housing facts no longer hold, so they go unsaid.
    header, *agencies = (folder / "agencies.csv").read_text(encoding="utf-8").splitlines()
    at = header.split(",").index("government_housing")
    unsaid = [",".join("" if k == at else cell for k, cell in enumerate(line.split(","))) for line in agencies]
    _csv(folder / "agencies.csv", header, unsaid)
    _csv(
        folder / "guard_hours.csv", "building_id,annual_hours", [f"B{b},{rng.randint(1000, 9000)}" for b in range(100)]
    )
    offices = [f"O{b},{rng.choice(('GOCL', 'OL'))},{a},{rng.randint(10, 900)}" for b in range(10) for a in TENANTS]
    _csv(folder / "office_space.csv", "building_id,tenure,agency,net_square_meters", offices)
    log = [
        f"{rng.choice(CUMULATIVE)},{rng.choice(AGENCIES)},{_day(rng, rng.choice((2025, 2026)))},{rng.randint(1, 5000)},"
        for _ in range(activity)
    ]
    # The sample's own transactions stay (its sub-cost centers count from them); the synthetic ones add up.
    kept_log = (folder / "activity.csv").read_text(encoding="utf-8").splitlines()[1:]
    _csv(folder / "activity.csv", "cost_center,agency,date,quantity,description", kept_log + log)
    # The counts of what the records now derive go; the rest of workload.csv stays.
    derived = {"5458", "5624", "5821", "5823", "5880", "6134", "6143", "6150", "6194", "6222", "6441", "6443", "6451"}
    derived |= {"7810", "7820", "7850", "7860", *CUMULATIVE}
    lines = (folder / "workload.csv").read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] not in derived]
    (folder / "workload.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_large_post(Path(scratch) / "large-post")
        catalog, rules = load_catalog(), load_counting_rules()
        records, problems = read_bundle(folder)
        assert records is not None, problems
        check = run_post(folder)
        assert check.ok, [str(d) for d in check.diagnostics if d.severity == "error"]
        assert check.derivation is not None
        print(f"{platform.platform()}, Python {platform.python_version()}")
        print(f"{len(check.derivation.lines)} derived count lines from {check.derivation.trail.height} trail rows")
        if options.profile:
            profiler = cProfile.Profile()
            profiler.runcall(derive, records, catalog, rules)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            return
        measures = [
            ("derive (records in memory)", lambda: derive(records, catalog, rules), 20),
            ("read (files -> records)", lambda: read_bundle(folder), 10),
            ("run_post (read .. distribute)", lambda: run_post(folder), 10),
            ("icass workload, a process", process("workload", str(folder), "--format", "csv"), 5),
            ("icass invoice, a process", process("invoice", str(folder)), 5),
            ("icass invoice, standard sample", process("invoice", str(SAMPLE)), 5),
            ("icass --help, a process", process("--help"), 5),
        ]
        for name, action, repeats in measures:
            action()  # warm: first imports and caches
            best, median = timed(action, repeats)
            print(f"{name:32s} best {best * 1000:8.1f} ms   median {median * 1000:8.1f} ms   ({repeats} runs)")


if __name__ == "__main__":
    main()
