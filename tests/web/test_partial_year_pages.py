"""The partial-year invoice of an arriving agency on the API's invoice, the invoice page and `icass invoice`
(issue 20 §4)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from icass.cli import app as cli
from icass.store.bundles import import_bundle
from icass.store.database import open_database
from icass.web.app import create_app
from tests.arrivals import write_arriving
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
