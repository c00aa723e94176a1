"""The partial-year invoice of an arriving agency on the API's invoice, the invoice page and `icass invoice`
(issue 20 §4)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from icass.cli import app as cli
from icass.money import format_grouped, parse_cents
from icass.store.bundles import import_bundle
from icass.store.database import open_database
from icass.store.worlds import import_world
from icass.web.app import create_app
from tests.arrivals import ARRIVING, write_arriving, write_arriving_world
from tests.web.test_web import signed_in


@pytest.fixture
def app(seeded_url, tmp_path):
    engine = open_database(seeded_url)
    try:
        stored, problems = import_bundle(engine, write_arriving(tmp_path / "post"))
        assert stored is not None, [str(d) for d in problems]
        yield create_app(engine, secure_cookies=False)
    finally:
        engine.dispose()


def test_the_api_and_the_page_show_the_partial_year(app):
    client, _ = signed_in(app, "admin")
    bill = client.get("/api/posts/TST/2027/invoices/2000.0").json()
    part = bill["partial_year"]
    assert (part["first_day"], part["last_day"], part["days"], part["year_days"], part["fraction"]) == (
        "2027-04-01",
        "2027-09-30",
        183,
        365,
        "183/365",
    )
    assert "5826" in [line["cost_center"] for line in bill["lines"]]
    assert "5826" not in [line["cost_center"] for line in part["lines"]]
    assert "LGP" not in part["subtotals"]
    assert client.get("/api/posts/TST/2027/invoices/1900.0").json()["partial_year"] is None
    page = client.get("/posts/TST/2027/invoices/2000.0").text
    assert "Partial-year invoice" in page
    assert "183 of its 365 days (183/365)" in page
    assert 'id="partial-year-total"' in page
    assert "Partial-year invoice" not in client.get("/posts/TST/2027/invoices/1900.0").text


def test_icass_invoice_prints_the_partial_year(tmp_path):
    folder = write_arriving(tmp_path / "post")
    result = CliRunner().invoke(cli, ["invoice", str(folder), "--agency", "2000.0"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # the table's title wraps
    assert (
        "Partial-year invoice FY 2027, post TST: 2000.0, at post 2027-04-01 through 2027-09-30, 183 of 365 days" in out
    )
    assert "partial year, 183/365" in out
    assert "│ 5826" in result.stdout.split("Partial-year")[0]
    assert "│ 5826" not in result.stdout.split("Partial-year")[1]
    state = CliRunner().invoke(cli, ["invoice", str(folder), "--agency", "1900.0"])
    assert "Partial-year" not in state.stdout


def test_the_stored_worlds_invoice_json_page_and_files_say_it(seeded_url, tmp_path):
    engine = open_database(seeded_url)
    try:
        stored, problems = import_world(engine, write_arriving_world(tmp_path / "world"), replace=True)
        assert stored is not None, [str(p) for p in problems]
        client, _ = signed_in(create_app(engine, secure_cookies=False), "admin")
        bill = client.get(f"/api/world/2027/invoices/{ARRIVING}").json()
        kvr = next(line for line in bill["posts"] if line["post"] == "KVR")
        part = kvr["partial_year"]
        assert (part["first_day"], part["last_day"], part["days"], part["year_days"]) == (
            "2027-04-01",
            "2027-09-30",
            183,
            365,
        )
        assert "H-341.5-3(D) NOTE 1" in part["said"]
        assert all(line["partial_year"] is None for line in bill["posts"] if line["post"] != "KVR")
        page = client.get(f"/world/2027/invoices/{ARRIVING}").text
        assert 'class="partial-year"' in page
        assert "183 of 365 days" in page
        workbook = client.get(f"/api/world/2027/invoices/{ARRIVING}", params={"format": "xlsx"})
        rows = list(load_workbook(io.BytesIO(workbook.content))["Headquarters invoice"].iter_rows(values_only=True))
        assert next(row for row in rows if row[1] == "KVR")[-1] == part["said"]
    finally:
        engine.dispose()


def test_the_invoice_files_carry_the_partial_year(app):
    from tests.api.test_invoice_files import pdf_text

    client, _ = signed_in(app, "admin")
    part = client.get("/api/posts/TST/2027/invoices/2000.0").json()["partial_year"]
    text = " ".join(
        pdf_text(client.get("/api/posts/TST/2027/invoices/2000.0", params={"format": "pdf"}).content).split()
    )
    assert "Partial-year invoice, 183/365 of the year" in text
    assert "2000.0 is at post from 2027-04-01 through 2027-09-30 of the fiscal year: 183 of its 365 days" in text
    assert "H-341.5-3(D) NOTE 1" in text
    paid = re.search(r"Partial year, 183/365: what 2000\.0 pays ([\d,. ]+)", text)
    assert paid is not None
    assert paid.group(1).split()[-1] == format_grouped(parse_cents(part["total"]))
    answer = client.get("/api/posts/TST/2027/invoices/2000.0", params={"format": "xlsx"})
    book = load_workbook(io.BytesIO(answer.content))
    heading = {row[0]: row[1] for row in book["Invoice"].iter_rows(values_only=True) if row and row[0]}
    assert heading["Partial-year invoice"] == f'sheet "Partial year": {part["total"]}'
    rows = list(book["Partial year"].iter_rows(values_only=True))
    said = {row[0]: row[1] for row in rows[:4]}
    assert said["Days"] == "183 of 365"
    assert "H-341.5-3(D) NOTE 1" in said["Section"]
    header = next(i for i, row in enumerate(rows) if row[0] == "Cost center")
    lines = rows[header + 1 :]
    assert [row[0] for row in lines[:-1]] == [line["cost_center"] for line in part["lines"]]
    assert "5826" not in [row[0] for row in lines]
    assert lines[-1][0] == "Partial year, 183/365"
    assert Decimal(str(lines[-1][-1])) == Decimal(part["total"])
    # An agency at post the whole year: no partial year in its files.
    whole = client.get("/api/posts/TST/2027/invoices/1900.0", params={"format": "xlsx"})
    assert load_workbook(io.BytesIO(whole.content)).sheetnames == ["Invoice"]
    plain = pdf_text(client.get("/api/posts/TST/2027/invoices/1900.0", params={"format": "pdf"}).content)
    assert "Partial-year" not in plain
