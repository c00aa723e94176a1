"""`explain` ties out: its contributions add up to the engine's cost, its parts to the engine's shares."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from icass.catalog import load_catalog
from icass.cli import app
from icass.distribution import distribute
from icass.distribution.explain import explain
from icass.runs.post import run_post

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [ROOT / "examples" / "standard-post", ROOT / "examples" / "lite-post", ROOT / "examples" / "consulate"]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_cost_center_ties_out(sample):
    post = run_post(sample).bundle
    result = distribute(post, load_catalog().kind_of(post.post.methodology))
    for cost_center in result.columns.cost_centers:
        why = explain(post, result, cost_center)
        by_funding = defaultdict(int)
        for c in why.contributions:
            by_funding[c.funding] += c.cents
        assert {f: v for f, v in by_funding.items() if v} == why.cost, cost_center
        assert sum(p.total for p in why.parts) == sum(why.cost.values())
        for part in why.parts:
            expected = sum(t for a, cc, _, _, _, t in result.lines() if a == part.agency and cc == cost_center)
            assert part.total == expected


def test_pool_contributions_name_their_position_and_row():
    post = run_post(SAMPLES[0]).bundle
    result = distribute(post, load_catalog().kind_of("standard"))
    why = explain(post, result, "6139")
    amsal = [c for c in why.contributions if c.funding == "AMSAL"]
    assert amsal
    assert all(c.soc == "0006" and c.source.file == "positions.csv" and c.source.row > 1 for c in amsal)


def test_explain_command():
    runner = CliRunner()
    result = runner.invoke(app, ["explain", str(SAMPLES[0]), "6139", "--agency", "7200.0"])
    assert result.exit_code == 0, result.output
    assert "6139 Motor Pool Services (6 FAH-5 H-341.7-6)" in result.stdout
    assert "Where the cost of 6139 comes from" in result.stdout
    assert "7200.0" in result.stdout
    assert "1900.0 " not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["6145"], "'6145' is not a cost center of the standard methodology"),
        (["6139", "--agency", "0.0"], "agency '0.0' is not in"),
    ],
)
def test_explain_refuses_unknown_codes(args, message):
    result = CliRunner().invoke(app, ["explain", str(SAMPLES[0]), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_invoice_and_explain_of_a_post_in_a_batch_are_that_posts():
    # Views take the post: asked of the second post of a batch, they show its figures, not the first post's.
    from icass.distribution.columns import columns_of
    from icass.distribution.invoice import invoice
    from icass.distribution.steps import distribute_columns

    runs = [run_post(sample) for sample in SAMPLES]
    bundles = [r.bundle for r in runs]
    kind_of = load_catalog().kind_of("standard")
    together = distribute_columns(columns_of([bundles[0], bundles[2]], kind_of))
    for run in (runs[0], runs[2]):
        post = run.bundle
        for agency in ("1900.0", "1901.0", "1942.0"):
            assert invoice(post, together, agency, kind_of) == invoice(post, run.distribution, agency, kind_of)
        assert explain(post, together, "5821") == explain(post, run.distribution, "5821")
