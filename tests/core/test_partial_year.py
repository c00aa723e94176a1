"""The partial-year invoice of an agency arriving or leaving during the fiscal year (issue 20 §4)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from icass.catalog import load_catalog
from icass.distribution import distribute
from icass.distribution.invoice import Invoice, InvoiceLine, invoice
from icass.distribution.partial_year import days_at_post, local_guard_program, of_agency, partial_year
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

FY = 2027


def _bill(*lines: tuple[str, dict[str, int]]) -> Invoice:
    return Invoice(
        "TST",
        FY,
        "2000.0",
        "Other agency",
        tuple(InvoiceLine(cc, None, None, Decimal(0), amounts, 0) for cc, amounts in lines),
    )


BILL = _bill(
    ("5821", {"LGP": 36_500}),
    ("5826-X001", {"LGP": 1_000}),
    ("5624", {"RB": 36_500, "AMSAL": 1}),
    ("6139", {"RB": 73_001}),
    ("58210", {"RB": 365}),  # not a local guard program code, though it begins with one
)


def test_no_local_guard_program_line():
    part = partial_year(BILL, dt.date(2027, 4, 1), None)
    assert part is not None
    assert [line.cost_center for line in part.lines] == ["5624", "6139", "58210"]
    assert part.subtotal("LGP") == 0
    assert local_guard_program("5823")
    assert local_guard_program("5822-X100")
    assert not local_guard_program("5880")


def test_an_arrival_after_september_30_pays_nothing():
    part = partial_year(BILL, dt.date(2027, 10, 1), None)
    assert part is not None
    assert (part.days, part.year_days, part.total) == (0, 365, 0)


def test_an_arrival_on_october_1_pays_the_full_year():
    assert days_at_post(FY, dt.date(2026, 10, 1), None) == (365, 365)
    assert partial_year(BILL, dt.date(2026, 10, 1), None) is None  # the invoice is the full year's
    assert partial_year(BILL, None, None) is None
    assert partial_year(BILL, dt.date(2020, 1, 1), dt.date(2030, 1, 1)) is None


def test_days_count_arrival_and_departure_and_a_leap_year():
    assert days_at_post(FY, dt.date(2027, 9, 30), None) == (1, 365)
    assert days_at_post(FY, None, dt.date(2026, 10, 1)) == (1, 365)
    assert days_at_post(FY, dt.date(2027, 4, 1), dt.date(2027, 4, 30)) == (30, 365)
    assert days_at_post(2028, dt.date(2027, 10, 1), dt.date(2028, 2, 29)) == (152, 366)
    assert days_at_post(FY, None, dt.date(2026, 9, 30)) == (0, 365)  # left before the year began


def test_each_line_is_rounded_once_half_up():
    part = partial_year(BILL, dt.date(2027, 4, 1), None)  # 183 days of 365
    assert part is not None
    assert (part.days, part.fraction.numerator, part.fraction.denominator) == (183, 183, 365)
    by_code = {line.cost_center: line.amounts for line in part.lines}
    assert by_code["5624"] == {"RB": 18_300, "AMSAL": 1}  # 0.501... cent rounds up
    assert by_code["58210"] == {"RB": 183}
    # 73,001 x 183 / 365 = 36,600.5013...: up; a line's half cent rounds up, not to even.
    assert by_code["6139"] == {"RB": 36_601}
    half = partial_year(_bill(("6139", {"RB": 1})), dt.date(2027, 4, 1), dt.date(2027, 4, 1))  # 1/365 of a cent
    assert half is not None
    assert half.total == 0
    assert partial_year(_bill(("6139", {"RB": 730})), dt.date(2027, 9, 30), None).total == 2  # type: ignore[union-attr]


@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=6),
    st.dates(dt.date(2026, 9, 1), dt.date(2027, 11, 1)),
)
def test_each_line_is_the_full_years_times_the_fraction(amounts, arrives):
    bill = _bill(*((f"61{k:02}", {"RB": cents}) for k, cents in enumerate(amounts)))
    part = partial_year(bill, arrives, None)
    days, year_days = days_at_post(FY, arrives, None)
    if part is None:
        assert days == year_days
        return
    for line, cents in zip(part.lines, amounts, strict=True):
        exact = Decimal(cents) * days / year_days
        assert line.amounts["RB"] == int(exact.quantize(Decimal(1), ROUND_HALF_UP))
        assert abs(line.amounts["RB"] - exact) <= Decimal("0.5")
    assert 0 <= part.total <= bill.total


def test_the_invoice_of_an_arriving_agency_read_from_a_bundle(tmp_path: Path):
    agencies = BASE["agencies.csv"].replace("code,name,bureau", "code,name,bureau,arrives_on,leaves_on")
    agencies = agencies.replace("1900.0,State,EUR", "1900.0,State,EUR,,").replace(
        "1901.0,ICASS,EUR", "1901.0,ICASS,EUR,,"
    )
    agencies = agencies.replace("2000.0,Other agency,", "2000.0,Other agency,,2027-04-01,")
    post = run_post(write_bundle(tmp_path / "post", agencies_csv=agencies)).bundle
    assert post is not None
    kind_of = load_catalog().kind_of("standard")
    result = distribute(post, kind_of)
    bill = invoice(post, result, "2000.0", kind_of)
    part = of_agency(post, bill)
    assert part is not None
    assert (part.first_day, part.days) == (dt.date(2027, 4, 1), 183)
    assert 0 < part.total < bill.total
    assert of_agency(post, invoice(post, result, "1900.0", kind_of)) is None


def test_an_agency_that_leaves_before_it_arrives_is_an_error(tmp_path: Path):
    agencies = "code,name,bureau,arrives_on,leaves_on\n1900.0,State,EUR,,\n1901.0,ICASS,EUR,,\n"
    bad = agencies + "2000.0,Other agency,,2027-05-01,2027-04-30\n"
    run = run_post(write_bundle(tmp_path / "bad", agencies_csv=bad))
    found = [d for d in run.diagnostics if d.field == "leaves_on"]
    assert len(found) == 1
    problem = found[0]
    assert problem.severity == "error"
    assert (problem.source.file, problem.source.row) == ("agencies.csv", 4)
    assert problem.section == "H-341.5-3(D) NOTE 1"
    assert "leaves_on 2027-04-30 is before arrives_on 2027-05-01" in problem.message
    # Arriving and leaving on one day is one day at post: no error.
    one_day = agencies + "2000.0,Other agency,,2027-05-01,2027-05-01\n"
    assert not [
        d for d in run_post(write_bundle(tmp_path / "one", agencies_csv=one_day)).diagnostics if d.field == "leaves_on"
    ]
