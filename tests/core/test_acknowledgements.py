"""The FMO's acknowledgements of warnings (acknowledgements.csv): read, checked, and applied to a run's warnings."""

from __future__ import annotations

import datetime as dt

from icass.catalog.budget_rules import budget_rules
from icass.checks.acknowledgements import acknowledge
from icass.checks.broken import broken
from icass.diagnostics import ERROR, WARNING, error
from icass.model import Acknowledgement, Source
from icass.runs.post import run_post
from tests.bundles import write_bundle

WARNING_RULE = next(r.id for r in budget_rules().values() if r.severity == WARNING)
ERROR_RULE = next(r.id for r in budget_rules().values() if r.severity == ERROR)
ON = dt.date(2026, 5, 20)


def _ack(rule: str = WARNING_RULE, file: str = "budget.csv", row: int = 4) -> Acknowledgement:
    return Acknowledgement(rule, file, row, "one-off purchase", "fmo", ON, Source("acknowledgements.csv", 2))


def test_an_acknowledged_warning_carries_its_reason_and_is_no_longer_open():
    raised = broken(WARNING_RULE, Source("budget.csv", 4), "8790 is 7% of the budget", field="amount")
    other = broken(WARNING_RULE, Source("budget.csv", 5), "the same on another row")
    found = acknowledge([raised, other], [_ack()])
    assert found[0].acknowledged == "one-off purchase (fmo, 2026-05-20)"
    assert not found[0].open
    assert found[1].open
    assert "[acknowledged: one-off purchase (fmo, 2026-05-20)]" in str(found[0])
    assert len(found) == 2


def test_a_derived_count_s_warning_is_acknowledged_by_its_key_alone():
    """Counts derived from the records have no row: each is named by its key, so that leaving one count's warning
    as it is leaves the next one's open."""
    state = broken(WARNING_RULE, Source("workload", 0, "6150/1900.0"), "a count")
    other = broken(WARNING_RULE, Source("workload", 0, "6150/2000.0"), "another count")
    found = acknowledge([state, other], [_ack(file="workload [6150/1900.0]", row=0)])
    assert [d.open for d in found] == [False, True]
    assert len(found) == 2


def test_an_acknowledgement_of_a_warning_no_longer_raised_is_a_warning_itself():
    found = acknowledge([], [_ack(row=9)])
    assert [(d.severity, d.source, d.field) for d in found] == [(WARNING, Source("acknowledgements.csv", 2), "row")]
    assert f"acknowledges {WARNING_RULE} on budget.csv, row 9, which is no longer raised" in found[0].message


def test_a_run_stopped_by_an_error_does_not_call_an_acknowledgement_stale():
    stopped = [error(Source("budget.csv", 3), "is not an amount")]
    assert acknowledge(stopped, [_ack()]) == tuple(stopped)


def test_the_file_is_read_and_its_bad_rows_named(tmp_path):
    good = f"rule,file,row,reason,by,on\n{WARNING_RULE},budget.csv,4,one-off purchase,fmo,2026-05-20\n"
    run = run_post(write_bundle(tmp_path / "good", acknowledgements_csv=good))
    assert run.records is not None
    assert run.records.acknowledgements == (_ack(),)
    bad = (
        "rule,file,row,reason,by,on\n"
        f"{ERROR_RULE},budget.csv,4,we like it,fmo,2026-05-20\n"
        "R999,budget.csv,4,no such rule,fmo,2026-05-20\n"
        f"{WARNING_RULE},budget.csv,4.5,half a row,fmo,2026-05-20\n"
    )
    run = run_post(write_bundle(tmp_path / "bad", acknowledgements_csv=bad))
    said = [str(d) for d in run.diagnostics if d.severity == ERROR]
    assert run.bundle is None
    assert any(
        s.startswith("error: acknowledgements.csv, row 2, rule: ") and "cannot be acknowledged" in s for s in said
    )
    assert any(s.startswith("error: acknowledgements.csv, row 3, rule: R999 is not one of") for s in said)
    assert any(s.startswith("error: acknowledgements.csv, row 4, row: ") for s in said)
    unsaid = f"rule,file,row,reason,by,on\n{WARNING_RULE},budget.csv,4,,fmo,2026-05-20\n"
    run = run_post(write_bundle(tmp_path / "unsaid", acknowledgements_csv=unsaid))
    assert [str(d) for d in run.diagnostics] == ["error: acknowledgements.csv, row 2, reason: is empty"]
