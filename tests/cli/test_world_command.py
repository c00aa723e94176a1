"""`icass world`: the exact CSV form, the readable invoice with each item's basis, the explanation of an item,
and the same refusals as the other commands."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from icass.cli import app
from tests.worlds import WORLD, write_world

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("w") / "world")


def icass(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_the_csv_form(world):
    result = icass("world", world, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["agency", "part", "key", "funding", "amount"]
    body = rows[1:]
    assert body == sorted(body, key=lambda r: r[:4])
    assert all(Decimal(r[4]) != 0 and Decimal(r[4]).as_tuple().exponent == -2 for r in body)
    assert {r[1] for r in body} == {"post", "item"}
    assert all(r[3] in ("RB", "OBO", "LGP", "AMSAL", "PAT") for r in body if r[1] == "post")
    assert all(r[3] == "" for r in body if r[1] == "item")
    assert ["7200.0", "item", "OTHER", "", "-1500.00"] in body
    assert {r[2] for r in body if r[1] == "post"} == {"AF", "WHA", "EUR"}


def test_json_matches_csv(world):
    as_csv = list(csv.DictReader(io.StringIO(icass("world", world, "--format", "csv").stdout)))
    document = json.loads(icass("world", world, "--format", "json").stdout)
    assert (document["fiscal_year"], document["stage"]) == (2027, "initial")
    assert document["rows"] == as_csv


def test_an_agency_invoice_shows_every_item_with_its_basis(world):
    result = icass("world", world, "--agency", "1900.0")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "ICASS invoice FY 2027, initial (informational): agency 1900.0" in text
    assert "bureau total" in text
    assert "FOB_RSA" in text
    assert "modified 6443 counts worldwide = " in text
    assert "grand total" in text


def test_explain_an_item(world):
    result = icass("world", world, "--explain", "MED")
    assert result.exit_code == 0, result.output
    assert "MED: 60,000.00 by modified 5624 counts worldwide (items.csv, row 9)" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--explain", "BONUS"], "error: 'BONUS' is not a below-the-line item"),
        (["--agency", "5555.0"], "error: agency '5555.0' has nothing at any post of the world"),
        (["--out", "x.csv"], "error: --out needs --format csv or json: the table is for the screen"),
    ],
)
def test_refusals(world, args, expected):
    result = icass("world", world, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(expected)


def test_a_world_with_an_error_computes_and_writes_nothing(tmp_path):
    folder = write_world(tmp_path / "world", items_csv=WORLD["items.csv"] + "FLO,-5.00,,,,,\n")
    out = tmp_path / "out.csv"
    result = icass("world", folder, "--format", "csv", "--out", out)
    assert result.exit_code == 2
    assert "error: items.csv, row 19, amount: only an OTHER item may be negative" in result.stderr
    assert not out.exists()
    assert result.stdout == ""


def test_the_sample_world_consolidates_every_item():
    from tests.worlds import ROOT

    result = icass("world", ROOT / "examples" / "world", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    items = {r["key"] for r in csv.DictReader(io.StringIO(result.stdout)) if r["part"] == "item"}
    assert items == {
        "GFS", "AMSAL_ADJ", "PAT_ADJ", "SDT", "DPM", "DPM_SALARY", "CF_REPLENISHMENT", "FLO", "MED", "MEDEVAC",
        "FOB_RSA", "FSN_SEPARATION", "LGP_VEHICLES", "GITM", "ISC_NONSALARY", "ISC_SALARY", "IWG_CHAIR",
        "OVERSEAS_SCHOOLS", "OTHER", "TDY",
    }  # fmt: skip
