"""The Budget Summary Worksheet (H-341.5-1(B) NOTE 5): the budget by SOC and funding source ties out to the
post's budget, and the guard program's contracts are told line by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from icass.cli import app
from icass.runs.post import run_post
from icass.views.budget_summary import HEADER, budget_summary, summary_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sample", ["standard-post", "lite-post", "consulate"])
def test_the_summary_is_the_whole_budget_by_soc_and_funding(sample):
    run = run_post(ROOT / "examples" / sample)
    assert run.ok
    summary = budget_summary(run.bundle)
    code = run.bundle.post.code
    assert summary.total() == int(run.distribution.cost_of(code).sum())
    by_funding: dict[str, int] = {}
    for line in run.distribution.lines(code):
        by_funding[str(line.funding)] = by_funding.get(str(line.funding), 0) + line.total
    for funding, cents in by_funding.items():
        assert summary.total(funding) == cents, funding
    assert [line.soc for line in summary.lines] == sorted({line.soc for line in summary.lines})
    assert all(c.cost_center.split("-")[0] in ("5821", "5822", "5823", "5826") for c in summary.contracts)
    assert all(c.soc.startswith("25") for c in summary.contracts)


def test_the_csv_and_the_command():
    run = run_post(ROOT / "examples" / "standard-post")
    text = summary_csv(budget_summary(run.bundle))
    rows = text.splitlines()
    assert rows[0] == ",".join(HEADER) == "soc,RB,OBO,LGP,AMSAL,PAT,total"
    assert rows[-1].startswith("total,")
    answer = CliRunner().invoke(app, ["budget-summary", str(ROOT / "examples" / "standard-post"), "--format", "csv"])
    assert answer.exit_code == 0
    assert answer.stdout == text
    answer = CliRunner().invoke(app, ["budget-summary", str(ROOT / "examples" / "standard-post")])
    assert "Local guard program contracts, line by line" in answer.stdout
