"""Views (issue 17 §5): a post's summary is its distribution's figures, each computed once; every agency's
bill is the one sum the invoices, the dashboard, the CLI and the comparisons read; a share is rounded in one
place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from icass.diagnostics import error
from icass.distribution.invoice import invoice
from icass.model import Source
from icass.money import percent_of
from icass.runs.post import PostRun, run_post
from icass.views.summary import post_summary
from icass.views.totals import agency_bills

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_share_is_rounded_half_to_even_from_its_exact_value():
    # 203 of 20,000 is exactly 1.015%: as a float it is 1.01499..., which the dashboard once showed as 1.01
    # beside the invoice's 1.02.
    assert f"{100 * 203 / 20000:.2f}" == "1.01"
    assert percent_of(203, 20000) == Decimal("1.02")
    assert percent_of(1, 800) == Decimal("0.12")  # 0.125: half to even
    assert str(percent_of(Decimal("2.5"), 10)) == "25.00"
    assert str(percent_of(1, 3, 4)) == "33.3333"  # the CLI's explanation shows four places
    assert percent_of(5, 0) == 0


@pytest.fixture(scope="module")
def run() -> PostRun:
    found = run_post(EXAMPLES / "standard-post")
    assert found.distribution is not None
    return found


def test_the_summary_adds_up_to_the_distribution_and_to_each_invoice(run):
    assert run.bundle is not None
    assert run.distribution is not None
    summary = post_summary(run)
    assert summary.distributed
    assert summary.ok
    assert summary.total == int(run.distribution.cost_of(run.bundle.post.code).sum())
    assert sum(c.total for c in summary.cost_centers) == summary.total
    assert all(c.total == sum(a for _, a in c.by_funding) for c in summary.cost_centers)
    assert sum(a for _, a in summary.funding_totals) == summary.total
    assert [f for f, _ in summary.funding_totals] == list(summary.fundings)
    assert sum(cents for _, _, cents in summary.cells) == summary.total
    assert sum(a.total for a in summary.agencies) == summary.total
    assert [a.agency for a in summary.agencies] == sorted(a.agency for a in summary.agencies)
    kind_of = run.catalog.kind_of(run.bundle.post.methodology)
    names = {a.code: a.name for a in run.bundle.agencies}
    for share in summary.agencies:
        bill = invoice(run.bundle, run.distribution, share.agency, kind_of)
        assert share.total == bill.total
        assert share.name == names[share.agency]
        assert share.percent == percent_of(bill.total, summary.total)


def test_each_agencys_bill_is_its_invoices_subtotals(run):
    assert run.bundle is not None
    assert run.distribution is not None
    kind_of = run.catalog.kind_of(run.bundle.post.methodology)
    bills = agency_bills(run.distribution, run.bundle.post.code)
    assert len(bills) > 3
    for agency, bill in bills.items():
        billed = invoice(run.bundle, run.distribution, agency, kind_of)
        assert dict(bill.by_funding) == {f: billed.subtotal(f) for f in bill.by_funding}
        assert bill.total == billed.total
        assert bill.redistribution == billed.redistribution


def test_a_post_that_does_not_distribute_is_summed_up_by_its_problems():
    stopped = PostRun((error(Source("budget.csv", 3), "amount is not a number", "amount"),))
    summary = post_summary(stopped)
    assert summary.problems == stopped.diagnostics
    assert not summary.distributed
    assert not summary.ok
    assert summary.cost_centers == ()
    assert summary.agencies == ()
