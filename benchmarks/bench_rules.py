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
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_large_post import write_large_post  # benchmarks/ is the script's folder
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import CHECKS, Context, Costs, Needs
from icass.distribution.columns import columns_of
from icass.distribution.steps import cost_centers
from icass.runs.post import run_post
from timing import process, timed


def rule_seconds(folder: Path, repeats: int) -> dict[str, float]:
    """Each budget rule's best time in seconds, its check run on the post as the pipeline gives it."""
    run = run_post(folder)
    assert run.ok, [str(d) for d in run.diagnostics[:5]]
    assert run.bundle is not None
    assert run.derivation is not None
    catalog, rules = load_catalog(), load_counting_rules()
    bundle = run.bundle
    context = Context(catalog, rules, run.derivation.derived)
    columns = columns_of([bundle], catalog.kind_of(bundle.post.methodology))
    costed = dataclasses.replace(context, costs=Costs(columns, cost_centers(columns)))
    found: dict[str, float] = defaultdict(float)
    for check in CHECKS:
        if not check.budget_rule:
            continue
        given = costed if check.needs is Needs.COSTS else context
        best = min(_once(lambda check=check, given=given: check.rule(bundle, given)) for _ in range(repeats))
        found[check.budget_rule] += best
    return dict(found)


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
        seconds = rule_seconds(folder, options.repeats)
        best, median = timed(process("validate", str(folder)), options.repeats)
    rules = sum(seconds.values())
    print(f"icass validate, large post: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
    print(f"{len(seconds)} budget rules checked, together {rules * 1000:.1f} ms")
    print(f"what the rules add: {100 * rules / (median - rules):.1f}% (aim: at most 20%)")
    for rule, spent in sorted(seconds.items(), key=lambda item: -item[1])[:5]:
        print(f"  {rule}: {spent * 1000:.1f} ms")


if __name__ == "__main__":
    main()
