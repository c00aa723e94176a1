"""A notice of terminating a service takes effect only when it runs out (issue 20 §4, H-341.12-4(D) c): until
then the derived counts keep the agency as a subscriber; R65 holds typed counts to the same."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.bundles import BASE
from tests.sources import counts, run, write_sources

BUDGET = BASE["budget.csv"] + "6441,RB,2500,1000.00,\n"
SUBSCRIPTIONS = "cost_center,agency\n6441,2000.0\n"  # 1900.0 no longer subscribes to 6441
NOTICE = "agency,cost_center,notice_on,ends_on,reassigned_on\n"
# The base bundle's fiscal year 2027 begins on 2026-10-01.
CASES = [
    # Given by October 1, it runs out on April 1 of the fiscal year: FY 2027's counts keep 1900.0.
    (NOTICE + "1900.0,6441,2026-09-01,2027-04-01,\n", True),
    # Running out a year later keeps it too.
    (NOTICE + "1900.0,6441,2026-04-01,2027-10-01,\n", True),
    # Run out when the fiscal year begins: FY 2027's counts are without it.
    (NOTICE + "1900.0,6441,2026-04-01,2026-10-01,\n", False),
    # The service was taken by another before the fiscal year.
    (NOTICE + "1900.0,6441,2026-09-01,2027-04-01,2026-09-30\n", False),
    # A notice of another service keeps nothing here.
    (NOTICE + "1900.0,6194,2026-09-01,2027-04-01,\n", False),
    (None, False),
]


@pytest.mark.parametrize(("notices", "kept"), CASES)
def test_the_notice_keeps_the_count_until_it_runs_out(tmp_path, notices, kept):
    files = {"budget_csv": BUDGET, "subscriptions_csv": SUBSCRIPTIONS}
    if notices is not None:
        files["terminations_csv"] = notices
    result = run(write_sources(tmp_path / "post", **files))
    assert result.ok, [str(d) for d in result.diagnostics]
    found = counts(result, "6441")
    assert found[("2000.0", "USDH")] == Decimal(1)
    assert (found.get(("1900.0", "USDH")) == Decimal(1)) is kept
    if kept:
        trail = result.derivation.trail
        assert trail is not None
        note = trail.filter((trail["cost_center"] == "6441") & (trail["agency"] == "1900.0"))["note"].to_list()
        assert note[0].startswith("counted: its notice of terminating the service runs out on 2027-")
        assert note[0].endswith("(terminations.csv, H-341.12-4(D) c)")
