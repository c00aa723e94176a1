"""The modified workload summed once (issue 17 §5): each cost center's total of count x modification, and each
agency's count and modified workload in it, are one function's figures, which an agency's invoice, the
derivation of its lines, the explanation of a cost center and the TDY rates all read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from icass.distribution.explain import explain
from icass.distribution.invoice import invoice
from icass.distribution.modified_workload import modified_workload, one_modification
from icass.model import Workload
from icass.money import percent_of
from icass.runs.post import run_post
from icass.views.invoice import invoice_derivation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_sums_of_count_times_modification_by_cost_center_and_agency():
    sums = modified_workload(
        [
            Workload("6150", "1100.0", Decimal("10"), Decimal("0.5")),
            Workload("6150", "1100.0", Decimal("4"), Decimal("1"), factor="UNIFORMED"),
            Workload("6150", "1931.0", Decimal("6")),
            Workload("6211", "1931.0", Decimal("2.5"), Decimal("2")),
        ]
    )
    assert sums.total == {"6150": Decimal("15.0"), "6211": Decimal("5.0")}
    assert sums.counts == {("6150", "1100.0"): 14, ("6150", "1931.0"): 6, ("6211", "1931.0"): Decimal("2.5")}
    assert sums.modified[("6150", "1100.0")] == 9
    assert sums.cost_centers_of("1931.0") == ["6150", "6211"]
    assert sums.total_of("6999") == 0


def test_the_invoice_its_derivation_and_the_explanation_read_the_one_sum():
    run = run_post(EXAMPLES / "standard-post")
    assert run.bundle is not None
    assert run.distribution is not None
    sums = modified_workload(run.bundle.workload)
    kind_of = run.catalog.kind_of(run.bundle.post.methodology)
    checked = 0
    for agency in (a.code for a in run.bundle.agencies):
        bill = invoice(run.bundle, run.distribution, agency, kind_of)
        for line, why in zip(bill.lines, invoice_derivation(run, bill), strict=True):
            assert why.total_modified == sums.total_of(line.cost_center)
            if line.modified_workload is not None:
                assert line.modified_workload == sums.modified.get((line.cost_center, agency), 0)
                assert line.share_percent == percent_of(line.modified_workload, sums.total_of(line.cost_center))
                checked += 1
    assert checked > 20
    for cost_center in sums.total:
        explained = explain(run.bundle, run.distribution, cost_center)
        assert explained.total_modified == sums.total[cost_center]
        assert str(explained.total_modified) == str(sum((p.modified or 0 for p in explained.parts), Decimal(0)))


def test_the_one_modification_of_an_agencys_lines():
    halved = Workload("6150", "1100.0", Decimal("10"), Decimal("0.5"))
    assert one_modification([halved, Workload("6150", "1100.0", Decimal("4"), Decimal("0.50"))]) == Decimal("0.5")
    assert one_modification([halved, Workload("6150", "1100.0", Decimal("4"))]) is None
    assert one_modification([]) is None
