"""The handbook's rules on a cost center's share of the post's budget (group g, R117-R119): each broken alone on
the valid base bundle fires alone, on the first row of its cost center; the same bundle following it is silent."""

from __future__ import annotations

import pytest

from icass.runs.post import run_post
from tests.bundles import replace_line, write_bundle


def found(tmp_path, **changes: str) -> list[tuple[str, str, int, str]]:
    result = run_post(write_bundle(tmp_path / "bundle", **changes))
    return [(d.rule, d.source.file, d.source.row, d.field) for d in result.diagnostics]


@pytest.mark.parametrize(
    ("line", "within", "above", "rule", "row"),
    [
        # The base budget's whole cost is about $216,500 (AmSal and PAT included): 6 % is about $13,000.
        ("6150,RB,2500,1000.00", "12000.00", "20000.00", "R117", 5),
        # 5 % is about $11,000.
        ("8790,RB,2500,500.00", "10000.00", "15000.00", "R118", 6),
    ],
)
def test_basic_package_and_miscellaneous_stay_within_their_share(tmp_path, line, within, above, rule, row):
    kept = replace_line("budget.csv", line, line.replace(line.rsplit(",", 1)[1], within))
    assert found(tmp_path / "within", budget_csv=kept) == []
    beyond = replace_line("budget.csv", line, line.replace(line.rsplit(",", 1)[1], above))
    assert found(tmp_path / "above", budget_csv=beyond) == [(rule, "budget.csv", row, "")]
