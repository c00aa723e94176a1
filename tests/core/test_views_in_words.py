"""The pure views that say a post's rows and changes in words (issue 18): a change of a what-if, a file's changes
since a version row by row, a cell as people read it."""

from __future__ import annotations

from icass.views.changes import FileChanges, row_changes
from icass.views.what_if import cell_in_words, change_in_words

HEADER = ("cost_center", "funding", "soc", "amount", "description", "lease")


def test_an_edited_row_is_paired_with_what_it_was_and_the_rest_are_added_or_removed():
    edited_then = ("6150", "RB", "2520", "80000.00", "Motor pool fuel", "no")
    edited_now = ("6150", "RB", "2520", "95000.00", "Motor pool fuel", "no")
    gone = ("5458", "OBO", "2330", "1.00", "x", "no")
    new = ("7110", "LGP", "2600", "12.00", "y", "yes")
    changed = FileChanges("budget.csv", HEADER, added=(new, edited_now), removed=(edited_then, gone))
    found = row_changes(changed)
    assert [(c.before, c.after) for c in found] == [(edited_then, edited_now), (None, new), (gone, None)]
    assert found[0].moved == (3,)  # only the amount


def test_a_change_says_its_row_and_its_cells_before_and_after():
    before = {"cost_center": "6150", "funding": "RB", "amount": "80000.00"}
    row = "Motor pool (6150) budget line 12"
    said = change_in_words("budget-lines", "budget.csv", "set", {"amount": "95000"}, row, before)
    assert said == "Motor pool (6150) budget line 12: $80,000.00 → $95,000.00"
    both = change_in_words("budget-lines", "budget.csv", "set", {"amount": "1", "funding": "OBO"}, row, before)
    assert both == "Motor pool (6150) budget line 12: amount $80,000.00 → $1.00; funding RB → OBO"
    assert change_in_words("budget-lines", "budget.csv", "delete", {}, row, before) == f"{row}: removed"
    assert cell_in_words("budget.csv", "amount", "12,5x") == "12,5x"  # not an amount: as typed
    assert cell_in_words("budget.csv", "description", "") == "empty"
