"""The benchmarks' synthetic inputs stay valid as the product changes (what they time is not tested here)."""

from __future__ import annotations

import sys
from pathlib import Path

from icass.pipeline import run_post

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from bench_workload import write_large_post  # a script folder, not a package: imported by path


def test_the_large_post_of_the_workload_benchmark_distributes(tmp_path):
    run = run_post(write_large_post(tmp_path / "large", people=300, procurement=120, activity=600))
    assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"]
    assert run.derivation is not None
    assert {"6150", "6134", "5821", "7810", "6139"} <= run.derivation.derived
