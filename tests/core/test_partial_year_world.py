"""The headquarters invoice of an agency that arrives at a post during the fiscal year (issue 20 §4): its post
line is its partial-year invoice at that post, said in words with the section, in the invoice's JSON, page,
PDF and workbook (icass.distribution.consolidation states the reading)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from icass.bundle.invoice_files import world_invoice_html, world_invoice_xlsx
from icass.distribution.invoice import invoice
from icass.distribution.partial_year import of_agency
from icass.runs.world import consolidate_world, run_world
from icass.views.world_invoice import invoice_file_of, names_of, world_invoice
from tests.arrivals import ARRIVING, write_arriving_world
from tests.worlds import write_world


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    whole = run_world(write_world(tmp_path_factory.mktemp("whole") / "world"))
    arriving = run_world(write_arriving_world(tmp_path_factory.mktemp("arriving") / "world"))
    found = []
    for run in (whole, arriving):
        consolidation, problems = consolidate_world(run)
        assert consolidation is not None, [str(p) for p in problems]
        found.append((run, consolidation))
    return found


def test_the_post_line_is_the_partial_year_invoice(worlds):
    (_, whole), (run, arriving) = worlds
    kvr = next(p for p in run.posts if p.bundle is not None and p.bundle.post.code == "KVR")
    assert kvr.bundle is not None
    assert kvr.distribution is not None
    bill = invoice(kvr.bundle, kvr.distribution, ARRIVING, kvr.catalog.kind_of(kvr.bundle.post.methodology))
    part = of_agency(kvr.bundle, bill)
    assert part is not None
    assert (part.days, part.year_days) == (183, 365)
    mine = {f: c for (a, p, f), c in arriving.post_totals.items() if (a, p) == (ARRIVING, "KVR")}
    assert mine == {f: part.subtotal(f) for f in {f for line in part.lines for f in line.amounts} if part.subtotal(f)}
    assert "LGP" not in mine  # no local guard program on a partial-year invoice (H-341.5-3(D) NOTE 1)
    before = sum(c for (a, p, _), c in whole.post_totals.items() if (a, p) == (ARRIVING, "KVR"))
    assert before == bill.total  # the full-year share, as the distribution gives it
    assert sum(mine.values()) == part.total < before
    # Every other agency's and post's totals are as they were: the rest of the year is charged to nobody.
    others = {k: c for k, c in arriving.post_totals.items() if k[:2] != (ARRIVING, "KVR")}
    assert others == {k: c for k, c in whole.post_totals.items() if k[:2] != (ARRIVING, "KVR")}
    days = arriving.partial_years[(ARRIVING, "KVR")]
    assert (days.first_day, days.last_day, days.days, days.year_days, days.full_year) == (
        dt.date(2027, 4, 1),
        dt.date(2027, 9, 30),
        183,
        365,
        bill.total,
    )
    assert list(arriving.partial_years) == [(ARRIVING, "KVR")]


def test_the_headquarters_invoice_says_it_in_its_files(worlds):
    run, consolidation = worlds[1]
    assert run.files is not None
    bill = world_invoice(consolidation, run.files.world, ARRIVING)
    assert bill is not None
    line = next(line for line in bill.posts if line.post == "KVR")
    assert line.partial is not None
    assert line.partial.days == 183
    assert all(other.partial is None for other in bill.posts if other.post != "KVR")
    made = invoice_file_of(bill, names_of(run.posts))
    said = line.partial.said()
    assert "2027-04-01 through 2027-09-30, 183 of 365 days" in said
    assert "H-341.5-3(D) NOTE 1" in said
    assert f"KVR: {said}" in world_invoice_html(made)
    book = load_workbook(io.BytesIO(world_invoice_xlsx(made)))
    sheet = book["Headquarters invoice"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(row for row in cells if row[0] == "Bureau")
    assert header[-1] == "Partial year (H-341.5-3(D) NOTE 1)"
    total_column = header.index("Total")
    kvr = next(row for row in cells if row[1] == "KVR")
    assert kvr[-1] == said
    assert kvr[total_column] * 100 == line.total
    totals = [row for row in cells if row[0] == "Total"]
    assert totals[-1][total_column] * 100 == bill.total  # still under Total, not the notes' column
    whole_run, whole = worlds[0]
    assert whole_run.files is not None
    plain = world_invoice(whole, whole_run.files.world, ARRIVING)
    assert plain is not None
    unchanged = load_workbook(io.BytesIO(world_invoice_xlsx(invoice_file_of(plain, names_of(whole_run.posts)))))
    headers = [row for row in unchanged["Headquarters invoice"].iter_rows(values_only=True) if row[0] == "Bureau"]
    assert headers[0][-1] == "Total"
    assert "partial-year" not in world_invoice_html(invoice_file_of(plain, names_of(whole_run.posts)))
