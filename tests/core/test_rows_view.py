"""A page of a table's rows (icass.views.rows): searched with the codes' names, filtered by cost center and
agency, sorted by any column by its kind (amounts and counts as numbers, empty cells last), and paged."""

from __future__ import annotations

from dataclasses import dataclass

from icass.bundle.format import FILES
from icass.views.rows import RowQuery, rows_page


@dataclass(frozen=True)
class Line:
    cost_center: str
    funding: str
    soc: str
    amount: str
    description: str
    lease: str
    central: str = ""
    provider: str = ""


LINES = [
    Line("5458", "RB", "2600", "900.00", "Laptops", ""),
    Line("6132", "RB", "2600", "12000.00", "Tires", "no"),
    Line("5458", "OBO", "2330", "1000.00", "", "yes"),
    Line("6133", "LGP", "2600", "0.50", "Paper", ""),
]
BUDGET = FILES["budget.csv"]
NAMES = {"cost_center": {"5458": "Information Management Technical Support Services", "6132": "Vehicle Maintenance"}}


def test_amounts_sort_as_numbers_and_empty_cells_come_last_either_way():
    by_amount = rows_page(LINES, BUDGET, RowQuery(sort="amount"))
    assert [r.amount for r in by_amount.rows] == ["0.50", "900.00", "1000.00", "12000.00"]
    down = rows_page(LINES, BUDGET, RowQuery(sort="amount", descending=True))
    assert [r.amount for r in down.rows] == ["12000.00", "1000.00", "900.00", "0.50"]
    for descending in (False, True):
        by_lease = rows_page(LINES, BUDGET, RowQuery(sort="description", descending=descending))
        assert by_lease.rows[-1].description == ""
    assert rows_page(LINES, BUDGET, RowQuery(sort="no such column")).rows == tuple(LINES)  # the file's order


def test_a_search_finds_a_code_by_its_name_and_filters_keep_their_rows():
    found = rows_page(LINES, BUDGET, RowQuery(text="vehicle"), NAMES)
    assert [r.cost_center for r in found.rows] == ["6132"]
    assert rows_page(LINES, BUDGET, RowQuery(text="PAPER")).rows == (LINES[3],)
    kept = rows_page(LINES, BUDGET, RowQuery(cost_center="5458"))
    assert kept.rows == (LINES[0], LINES[2])
    assert (kept.matching, kept.total) == (2, 4)
    assert kept.filters == {"cost_center": ("5458", "6132", "6133")}  # budget lines have no agency


def test_pages_hold_a_screen_of_rows_and_a_page_past_the_last_is_the_last():
    many = LINES * 30
    first = rows_page(many, BUDGET, RowQuery(), per_page=25)
    assert (len(first.rows), first.page, first.pages) == (25, 1, 5)
    last = rows_page(many, BUDGET, RowQuery(page=99), per_page=25)
    assert (len(last.rows), last.page) == (20, 5)
    empty = rows_page([], BUDGET, RowQuery(page=3))
    assert (empty.rows, empty.page, empty.pages) == ((), 1, 1)
