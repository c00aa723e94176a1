"""Benchmark of the handbook's budget rules on the large post (issue 19: "all rules add at most 20% to
`icass validate`'s time").

Run: `uv run python benchmarks/bench_rules.py`. It writes the large post of bench_large_post.py (about 3,000
positions, 60 agencies, 17,000 rows), times `icass validate POST` as a process, the whole path a person waits
for, and, in process on the same post, each check of a budget rule (both passes: on the rows, and on the
costs). What the rules add is their time over the process's time less theirs.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench_large_post import write_large_post  # benchmarks/ is the script's folder
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import CHECKS, Check, Context, Costs, Needs
from icass.checks.context import each_kind_of_line
from icass.distribution.columns import columns_of
from icass.distribution.steps import cost_centers
from icass.model.columnar import RecordColumns
from icass.runs.post import run_post
from timing import process, timed


def rule_seconds(folder: Path, repeats: int) -> tuple[float, dict[str, float]]:
    """The best time in seconds of every budget rule's check run once each, on the post as the pipeline gives
    it with its tables new (the views the checks keep of a table, icass.checks.context.per_table, made again as
    after an edit); and each rule's own best time, its check run alone."""
    run = run_post(folder)
    assert run.ok, [str(d) for d in run.diagnostics[:5]]
    assert run.bundle is not None
    assert run.derivation is not None
    catalog, rules = load_catalog(), load_counting_rules()
    # As `icass validate` runs (icass.cli.app.main): the records read are frozen out of the cyclic collector.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    bundle = run.bundle
    context = Context(catalog, rules, run.derivation.derived)
    columns = columns_of([bundle], catalog.kind_of(bundle.post.methodology))
    costed = dataclasses.replace(context, costs=Costs(columns, cost_centers(columns)))
    checks = [(check, costed if check.needs is Needs.COSTS else context) for check in CHECKS if check.budget_rule]
    tables = ("positions", "position_costs", "time_allocation", "budget", "workload")

    def every_rule() -> None:
        fresh = dataclasses.replace(bundle, **{name: _renewed(getattr(bundle, name)) for name in tables})
        for check, given in checks:
            _judge(check, fresh, given)

    together = min(_once(every_rule) for _ in range(repeats))
    found: dict[str, float] = defaultdict(float)
    for check, given in checks:
        found[check.budget_rule] += min(
            _once(lambda check=check, given=given: _judge(check, bundle, given)) for _ in range(repeats)
        )
    return together, dict(found)


def _judge(check: Check, bundle: Any, given: Context) -> None:
    """The check as the runner runs it (icass.checks.run_each)."""
    if check.line_by_line:
        each_kind_of_line(check, bundle, given)
    else:
        check.rule(bundle, given)


def _renewed(table: Any) -> Any:
    """The same records as a new table (a copy of RecordColumns is a plain tuple of records, slower to read)."""
    if isinstance(table, RecordColumns):
        return RecordColumns(table.record, table.file, table.numbers, dict(table.columns), table.sources)
    return tuple(table)


def _once(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = write_large_post(Path(temporary) / "large")
        rules, seconds = rule_seconds(folder, options.repeats)
        best, median = timed(process("validate", str(folder)), options.repeats)
    print(f"icass validate, large post: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
    print(f"{len(seconds)} budget rules checked, together {rules * 1000:.1f} ms (each alone, after the first:)")
    print(f"what the rules add: {100 * rules / (median - rules):.1f}% (aim: at most 20%)")
    for rule, spent in sorted(seconds.items(), key=lambda item: -item[1])[:12]:
        print(f"  {rule}: {spent * 1000:.1f} ms")


if __name__ == "__main__":
    main()
