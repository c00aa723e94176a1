"""The vectorized engine held to the exact Fraction reference on random posts, and its invariants."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from icass.distribution import Distribution, DistributionError, distribute, distribute_columns
from icass.distribution.columns import columns_of
from icass.model import ICASS_AGENCY, PostBundle
from tests.reference import reference
from tests.strategies import kind_of, post_bundles


def run(bundle: PostBundle) -> Distribution:
    """The distribution, for bundles validation accepts: a post whose only cents all land on ICASS has
    nobody to redistribute them to, and validation refuses it (test_validation covers that)."""
    try:
        return distribute(bundle, kind_of)
    except DistributionError as refused:
        assume("no agency to share with" not in str(refused))
        raise


def lines(bundle: PostBundle) -> dict[tuple[str, str, str], tuple[int, int]]:
    return {(a, c, f): (s, r) for a, c, f, s, r, _ in run(bundle).lines()}


@settings(max_examples=150, deadline=None)
@given(post_bundles())
def test_engine_equals_fraction_reference(bundle):
    assert lines(bundle) == reference(bundle, kind_of)


@settings(max_examples=60, deadline=None)
@given(post_bundles(max_cents=10**13))
def test_engine_equals_reference_at_magnitudes_that_overflow_int64(bundle):
    assert lines(bundle) == reference(bundle, kind_of)


@settings(max_examples=150, deadline=None)
@given(post_bundles())
def test_every_cost_center_and_funding_source_is_conserved_to_the_cent(bundle):
    result = run(bundle)
    # agencies' totals of each (cost center, funding source) equal its cost; redistribution nets to zero
    assert (result.total.sum(axis=1) == result.cost).all()
    assert (result.share.sum(axis=1) == result.cost).all()
    assert (result.redistribution.sum(axis=1) == 0).all()
    cols = result.columns
    if cols.icass >= 0:
        assert (result.total[:, cols.icass] == 0).all()


@settings(max_examples=80, deadline=None)
@given(post_bundles(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(bundle, rnd: random.Random):
    def shuffled(records: tuple) -> tuple:
        items = list(records)
        rnd.shuffle(items)
        return tuple(items)

    reordered = replace(
        bundle,
        agencies=shuffled(bundle.agencies),
        positions=shuffled(bundle.positions),
        position_costs=shuffled(bundle.position_costs),
        time_allocation=shuffled(bundle.time_allocation),
        budget=shuffled(bundle.budget),
        workload=shuffled(bundle.workload),
    )
    assert lines(reordered) == lines(bundle)


@settings(max_examples=40, deadline=None)
@given(post_bundles())
def test_deterministic(bundle):
    assert lines(bundle) == lines(bundle)


def test_deterministic_across_processes_with_other_hash_seeds():
    """The same files give the same bytes in any process: nothing of an output may follow the order of a set or
    of a dict keyed by strings, which Python's hash seed changes from one process to the next."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    examples = Path(__file__).resolve().parents[2] / "examples"
    commands = [
        *(
            ["distribute", str(examples / name), "--format", "csv"]
            for name in ("standard-post", "lite-post", "consulate")
        ),
        ["distribute", str(examples / "standard-post"), "--format", "json"],
        ["world", str(examples / "world"), "--format", "csv"],
        ["world", str(examples / "world"), "--format", "json"],
    ]
    for command in commands:
        outputs = []
        for seed in ("1", "2"):
            environment = {**os.environ, "PYTHONHASHSEED": seed}
            run = subprocess.run(
                [sys.executable, "-m", "icass", *command], capture_output=True, env=environment, check=False
            )
            assert run.returncode == 0, run.stderr.decode()
            outputs.append(run.stdout)
        assert outputs[0], command
        assert outputs[0] == outputs[1], command


@settings(max_examples=80, deadline=None)
@given(post_bundles())
def test_icass_shows_its_share_and_minus_the_same_as_redistribution(bundle):
    held = defaultdict(int)
    for (agency, cc, funding), (share, redistribution) in lines(bundle).items():
        if agency == ICASS_AGENCY:
            assert share == -redistribution
            held[cc, funding] += share
    customers = defaultdict(int)
    for (agency, cc, funding), (_, redistribution) in lines(bundle).items():
        if agency != ICASS_AGENCY:
            customers[cc, funding] += redistribution
    assert {k: v for k, v in customers.items() if v} == {k: v for k, v in held.items() if v}


@settings(max_examples=60, deadline=None)
@given(st.lists(post_bundles(), min_size=2, max_size=4))
def test_a_batch_of_posts_equals_each_post_alone(bundles):
    bundles = [replace(b, post=replace(b.post, code=f"P{i}")) for i, b in enumerate(bundles)]
    alone = [lines(b) for b in bundles]
    together = distribute_columns(columns_of(bundles, kind_of))
    for i in range(len(bundles)):
        assert {(a, c, f): (s, r) for a, c, f, s, r, _ in together.lines(f"P{i}")} == alone[i]


def _plain_csv(result: Distribution) -> str:
    """The distribution's CSV as the csv module writes sorted lines: what report.distribution_csv must give."""
    import csv
    import io

    from icass.money import format_plain
    from icass.report import DISTRIBUTION_HEADER

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DISTRIBUTION_HEADER)
    for a, c, f, s, r, t in sorted(result.lines()):
        writer.writerow((a, c, f, format_plain(s), format_plain(r), format_plain(t)))
    return out.getvalue()


@settings(max_examples=80, deadline=None)
@given(post_bundles(), st.sampled_from(["", ",", '"', "\n", " x"]))
def test_the_csv_is_the_sorted_lines_as_the_csv_module_writes_them(bundle, odd):
    """Also with agency codes that must be quoted, and that sort differently from their index order."""
    from icass.report import distribution_csv

    result = run(bundle)
    assert distribution_csv(result) == _plain_csv(result)
    renamed = {a.code: f"{'z' if k % 2 else ''}{a.code}{odd}" for k, a in enumerate(bundle.agencies)}
    renamed = {code: code for code in renamed} | {c: n for c, n in renamed.items() if c not in ("1900.0", "1901.0")}
    other = replace(
        bundle,
        agencies=tuple(replace(a, code=renamed[a.code]) for a in bundle.agencies),
        workload=tuple(replace(w, agency=renamed[w.agency]) for w in bundle.workload),
    )
    result = run(other)
    assert distribution_csv(result) == _plain_csv(result)
