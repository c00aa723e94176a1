"""R65, a customer agency's notice of terminating a service (terminations.csv): broken alone on the valid base
bundle it fires alone, on the notice's row and field; the same bundle following it is silent; a post without
the file is not judged, and says so once."""

from __future__ import annotations

import datetime as dt

import pytest

from icass.bundle.load import read_bundle
from icass.checks import unjudged_rules
from icass.checks.subscriptions import _months_after
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

HEADER = "agency,cost_center,notice_on,ends_on\n"
REASSIGNED = "agency,cost_center,notice_on,ends_on,reassigned_on\n"
# The base bundle's fiscal year is 2027: it begins on 2026-10-01. 2000.0 is counted in 6443, not in 7860.
_ENDS = ("terminations.csv", 2, "ends_on")
_AGENCY = ("terminations.csv", 2, "agency")

# (terminations.csv, what the bundle finds): each part of the rule broken, then kept.
CASES = [
    # The end is an April 1 or October 1 six months or more after the notice.
    (HEADER + "2000.0,6443,2026-04-01,2026-09-30\n", [_ENDS]),
    (HEADER + "2000.0,6443,2026-04-02,2026-10-01\n", [_ENDS]),
    (HEADER + "2000.0,6443,2026-05-15,2026-10-01\n", [_ENDS]),
    (HEADER + "2000.0,6443,2026-04-01,2026-10-01\n", []),
    (HEADER + "2000.0,6443,2025-09-30,2026-04-01\n", []),
    (HEADER + "2000.0,6443,2026-04-02,2027-04-01\n", []),
    # Until the notice runs out the agency keeps its count: 6139 counts 1901.0 and 2000.0, not 1900.0.
    (HEADER + "1900.0,6139,2026-09-01,2027-04-01\n", [_AGENCY]),
    (HEADER + "2000.0,6139,2026-09-01,2027-04-01\n", []),
    # A service the post no longer offers (nobody is counted in 7860) keeps no count.
    (HEADER + "2000.0,7860,2026-09-01,2027-04-01\n", []),
    # A notice that ran out when the fiscal year began says nothing of its counts.
    (HEADER + "1900.0,6139,2026-03-01,2026-10-01\n", []),
    # Another tenant assigned the vacated space before the fiscal year: the tenant no longer bears its cost.
    (REASSIGNED + "1900.0,6139,2026-09-01,2027-04-01,2026-09-15\n", []),
    (REASSIGNED + "1900.0,6139,2026-09-01,2027-04-01,2026-12-01\n", [_AGENCY]),
    (REASSIGNED + "2000.0,6139,2026-09-01,2027-04-01,\n", []),
    # A file with its header alone: the post gave no notice.
    (HEADER, []),
]


def findings(tmp_path, terminations):
    bundle = write_bundle(tmp_path / "bundle", terminations_csv=terminations)
    return [(d.source.file, d.source.row, d.field) for d in run_post(bundle).diagnostics if d.rule == "R65"], [
        str(d) for d in run_post(bundle).diagnostics if d.rule != "R65"
    ]


@pytest.mark.parametrize(("terminations", "where"), CASES)
def test_a_notice_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, terminations, where):
    found, others = findings(tmp_path, terminations)
    assert found == where
    assert others == []


def test_a_vacating_tenant_keeps_its_square_meters_until_the_notice_runs_out(tmp_path):
    leased = BASE["workload.csv"] + "7860,1900.0,300,\n"
    notice = HEADER + "2000.0,7860,2026-09-01,2027-04-01\n"
    bundle = write_bundle(tmp_path / "bundle", workload_csv=leased, terminations_csv=notice)
    (problem,) = [d for d in run_post(bundle).diagnostics if d.rule == "R65"]
    assert problem.severity == "error"
    assert "agency 2000.0 keeps 7860 until 2027-04-01, after 2026-10-01, yet its square meters are not counted" in (
        problem.message
    )


def test_a_post_without_the_file_is_not_judged_and_says_so_once(tmp_path):
    without = run_post(write_bundle(tmp_path / "without")).bundle
    assert without is not None
    assert without.terminations is None
    assert unjudged_rules(without)["terminations.csv notices"] == ("R65",)
    given = run_post(write_bundle(tmp_path / "given", terminations_csv=HEADER)).bundle
    assert given is not None
    assert given.terminations == ()
    assert "terminations.csv notices" not in unjudged_rules(given)


def test_the_notices_are_read_with_their_rows(tmp_path):
    text = REASSIGNED + "2000.0,7860,2026-03-01,2026-10-01,\n2000.0,6443,2026-03-01,2026-10-01,2026-06-01\n"
    records, problems = read_bundle(write_bundle(tmp_path / "bundle", terminations_csv=text))
    assert problems == []
    assert records is not None
    notices = records.entered.terminations
    assert notices is not None
    assert [(n.agency, n.cost_center, n.counted_until, n.source.row) for n in notices] == [
        ("2000.0", "7860", dt.date(2026, 10, 1), 2),
        ("2000.0", "6443", dt.date(2026, 6, 1), 3),
    ]


def test_an_agency_gives_one_notice_for_a_service(tmp_path):
    text = HEADER + "2000.0,6443,2026-03-01,2026-10-01\n2000.0,6443,2026-09-01,2027-04-01\n"
    records, problems = read_bundle(write_bundle(tmp_path / "bundle", terminations_csv=text))
    assert records is None
    assert [str(d) for d in problems] == [
        "error: terminations.csv, row 3, cost_center: agency 2000.0 gave notice for 6443 in terminations.csv, "
        "row 2 already"
    ]


def test_six_months_after_a_day_the_month_lacks_is_its_last():
    assert _months_after(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert _months_after(dt.date(2026, 4, 1), 6) == dt.date(2026, 10, 1)
    assert _months_after(dt.date(2026, 10, 1), 6) == dt.date(2027, 4, 1)
    assert BASE["post.toml"].count("fiscal_year = 2027") == 1
