"""The benchmarks' synthetic inputs stay valid as the product changes (what they time is not tested here)."""

from __future__ import annotations

import sys
from pathlib import Path

from icass.runs.post import run_post
from icass.runs.world import consolidate_world, run_world

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_large_post import write_large_post as write_budget_post  # a script folder: imported by path
from bench_workload import write_large_post
from bench_world import write_synthetic_world


def test_the_large_post_of_the_workload_benchmark_distributes(tmp_path):
    run = run_post(write_large_post(tmp_path / "large", people=300, procurement=120, activity=600))
    assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"]
    assert run.derivation is not None
    assert {"6150", "6134", "5821", "7810", "6139"} <= run.derivation.derived


def test_the_large_post_of_the_large_post_benchmark_matches_the_fraction_reference(tmp_path):
    from tests.reference import reference

    run = run_post(write_budget_post(tmp_path / "large", copies=3))
    assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"]
    assert run.records is not None
    assert not run.records.sources.present()  # the budget side alone
    assert len(run.bundle.agencies) == 60
    got = {
        (line.agency, line.cost_center, line.funding): (line.share, line.redistribution)
        for line in run.distribution.lines()
    }
    assert got == reference(run.bundle, run.catalog.kind_of(run.bundle.post.methodology))


def test_the_synthetic_world_of_the_world_benchmark_consolidates(tmp_path):
    run = run_world(write_synthetic_world(tmp_path / "world", posts=4))
    assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"]
    consolidation, problems = consolidate_world(run)
    assert problems == []
    assert len({a for a, _, _ in consolidation.post_totals}) > 13  # the samples' agencies and synthetic ones
