"""Views kept by the columns they read (icass.checks.context.per_columns): an edit copies only the columns it
changes (icass.bundle.edit), so a view of the others is taken as it was, and a view of a changed column is
made again. What a run finds after an edit is held to a fresh run by tests/core/test_edits.py; these hold the
keeping itself."""

from __future__ import annotations

from typing import Any

from icass.bundle import edit
from icass.bundle.load import read_bundle
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks.context import _kinds_of_line, per_columns, rows_by
from icass.model import PostRecords
from icass.model.columnar import RecordColumns, column
from icass.runs.post import run_derived, run_records
from icass.workload.modify import combined_counts
from tests.bundles import BASE, write_bundle


def _entered(tmp_path: Any, **files: str) -> Any:
    records, problems = read_bundle(write_bundle(tmp_path, **files))
    assert records is not None
    assert not problems
    return records


def test_a_view_of_columns_is_kept_while_an_edit_leaves_them_and_made_again_when_it_changes_one(tmp_path):
    made: list[list[str]] = []

    @per_columns("position_id")
    def positions_named(allocation: Any) -> list[str]:
        made.append(column(allocation, "position_id"))
        return sorted(set(column(allocation, "position_id")))

    allocation = _entered(tmp_path).entered.time_allocation
    assert isinstance(allocation, RecordColumns)
    assert positions_named(allocation) == ["P1", "P2"]
    percent = edit._with_row(allocation, 0, {"percent": allocation.columns["percent"][0] + 1})
    assert positions_named(percent) == ["P1", "P2"]
    assert len(made) == 1  # the percent changed: the positions' column is the same list
    renamed = edit._with_row(allocation, 0, {"position_id": "P9"})
    assert positions_named(renamed) == ["P1", "P2", "P9"]
    assert len(made) == 2
    # a table that is not one file's columns is kept by its identity only
    records = tuple(allocation)
    assert positions_named(records) == ["P1", "P2"]
    assert positions_named(records) == ["P1", "P2"]
    assert len(made) == 3
    assert positions_named(tuple(allocation)) == ["P1", "P2"]
    assert len(made) == 4


def test_rows_by_a_column_is_right_after_the_column_changes(tmp_path):
    allocation = _entered(tmp_path).entered.time_allocation
    before = rows_by(allocation, "cost_center")
    moved = edit._with_row(allocation, 1, {"cost_center": "6150"})
    assert rows_by(moved, "cost_center") == {"6139": [0, 3], "6150": [1], "5624": [2]}
    assert rows_by(allocation, "cost_center") == before == {"6139": [0, 3], "0000": [1], "5624": [2]}


def test_a_count_entered_on_unsorted_lines_shares_their_other_columns(tmp_path):
    """Typed counts out of order are sorted before they are distributed; entering a count sorts again only the
    count's column, so that the checks' views of the lines' keys are kept."""
    header, *lines = BASE["workload.csv"].splitlines()
    read = _entered(tmp_path, workload_csv="\n".join([header, *reversed(lines)]) + "\n")
    catalog, rules = load_catalog(), load_counting_rules()
    run = run_records(read, catalog, rules)
    assert run.derivation is not None
    assert run.bundle is not None
    entered = edit.edited(read.entered, "workload.csv", 0, {"count": "251"})
    assert entered is not None
    changed = PostRecords(entered, read.modifications, read.sources)
    after = run_derived(changed, run.derivation, catalog, rules, [], before=run)
    fresh = run_records(changed, catalog, rules)
    assert after.bundle is not None
    assert fresh.bundle is not None
    assert tuple(after.bundle.workload) == tuple(fresh.bundle.workload)
    old, new = run.bundle.workload, after.bundle.workload
    assert isinstance(old, RecordColumns)
    assert isinstance(new, RecordColumns)
    assert column(new, "cost_center") == sorted(column(new, "cost_center"))
    assert new.numbers is old.numbers
    assert all(new.columns[name] is old.columns[name] for name in ("cost_center", "agency", "factor"))
    assert new.columns["count"] is not old.columns["count"]
    assert [w.count for w in new if w.cost_center == "6139" and w.agency == "2000.0"] == [251]
    assert combined_counts(changed, run.derivation, catalog, rules).lines == new


def test_the_kinds_of_line_are_kept_across_an_amount_and_carry_the_amount_as_it_is(tmp_path):
    budget_csv = BASE["budget.csv"] + "5880,RB,2500,20000.00,\n"  # a second line of 5880's kind
    budget = _entered(tmp_path, budget_csv=budget_csv).entered.budget
    kinds = _kinds_of_line(budget)
    assert kinds is not None
    lines, rows = kinds
    assert rows[3] == [3, 7]  # the two 5880 lines: one kind, kept at its first row
    raised = edit._with_row(budget, 1, {"amount": 1234500})
    again = _kinds_of_line(raised)
    assert again is not None
    assert again[1] is rows  # kept: only the amount changed
    assert [line.amount for line in again[0] if line.cost_center == "5880"] == [1234500]
    assert [line.amount for line in lines if line.cost_center == "5880"] == [1000000]
    described = edit._with_row(budget, 1, {"description": "generator fuel"})
    assert _kinds_of_line(described) is None  # every line of its own kind now
