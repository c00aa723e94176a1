"""Benchmark of one large post end to end, against a plain pure-Python Fraction reference of the same rules.

Run: `uv run python benchmarks/bench_large_post.py`. It writes a deterministic large post (issue 6 §5: about
3,000 positions, 60 agencies and 17,000 rows): the Standard embassy sample with each of its positions and
budget lines repeated (same pool lines and time allocation, new ids), 47 more agencies, and every count
entered in workload.csv (the sample's derived counts, modifications applied; each new agency with the
counts of 1200.0), so that the budget side alone is read, as in the issue. Then it times
`icass distribute POST --format csv` as a process, which reads, validates, distributes and writes; and, in
process from records already read, the reference distribution of tests/reference.py (Fraction arithmetic,
one dict entry a line), checked equal to the engine's. The aim: the process in well under half the
reference's time.
"""

from __future__ import annotations

import argparse
import csv
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from icass.model.sources import FILE_OF
from icass.runs.post import Through, run_post
from timing import process, timed  # benchmarks/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.reference import reference  # noqa: E402  (the test suite's reference, run from the checkout)

EXTRA_AGENCIES = tuple(f"{8000 + 10 * j}.0" for j in range(47))


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_large_post(folder: Path, copies: int = 62) -> Path:
    """The Standard sample with every position `copies` times, 60 agencies, and its counts entered in
    workload.csv (the budget side only, as the issue's large post: no source records)."""
    shutil.copytree(ROOT / "examples" / "standard-post", folder)
    for name in ("positions.csv", "position_costs.csv", "time_allocation.csv"):
        header, *rows = _rows(folder / name)
        repeated = [[f"{row[0]}-{k:02d}", *row[1:]] for k in range(copies) for row in rows]
        _write(folder / name, [header, *repeated])
    header, *rows = _rows(folder / "budget.csv")
    _write(folder / "budget.csv", [header, *(row for _ in range(copies) for row in rows)])
    header, *rows = _rows(folder / "agencies.csv")
    # A new agency's network is its own; the facts the budget rules need are left unsaid.
    cells = {"code": "{}", "name": "Synthetic agency {}", "separate_network": "no", "bureau": "Other"}
    extra = [[cells.get(column, "").format(agency) for column in header] for agency in EXTRA_AGENCIES]
    _write(folder / "agencies.csv", [header, *rows, *extra])
    counted = run_post(folder, through=Through.COUNTS)
    assert counted.bundle is not None, [str(d) for d in counted.diagnostics if d.severity == "error"][:5]
    lines = counted.bundle.workload
    model = "1200.0"  # each new agency's counts are those of this one
    entered = [[w.cost_center, w.agency, str(w.count), str(w.modification), w.factor] for w in lines]
    entered += [
        [w.cost_center, agency, str(w.count), "", w.factor]
        for agency in EXTRA_AGENCIES
        for w in lines
        if w.agency == model
    ]
    _write(folder / "workload.csv", [["cost_center", "agency", "count", "modification", "factor"], *entered])
    for name in (*FILE_OF.values(), "modifications.csv"):
        (folder / name).unlink(missing_ok=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_large_post(Path(scratch) / "post")
        run = run_post(folder)
        assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"][:5]
        bundle = run.bundle
        assert bundle is not None
        rows = sum(len(t) for t in (bundle.positions, bundle.position_costs, bundle.time_allocation, bundle.budget))
        print(f"{platform.platform()}, Python {platform.python_version()}")
        print(
            f"{len(bundle.positions):,} positions, {len(bundle.agencies)} agencies, {rows:,} budget-side rows, "
            f"{len(bundle.workload):,} workload lines"
        )
        kind_of = run.catalog.kind_of(bundle.post.methodology)
        expected = reference(bundle, kind_of)
        reference_best, _ = timed(lambda: reference(bundle, kind_of), 3)
        distribution = run.distribution
        assert distribution is not None
        got = {
            (line.agency, line.cost_center, line.funding): (line.share, line.redistribution)
            for line in distribution.lines()
        }
        assert got == expected, "the engine and the reference disagree"
        print(f"Fraction reference, in process      {reference_best:8.2f} s best of 3")
        best, median = timed(process("distribute", str(folder), "--format", "csv"), options.repeats)
        print(f"icass distribute --format csv       {best:8.2f} s best, {median:.2f} s median of {options.repeats}")
        print(f"process / reference                 {best / reference_best:8.2f}")


if __name__ == "__main__":
    main()
