"""The worldwide headquarters invoices and a post's TDY invoices over the stored data (issue 8 §3): the
same figures as `icass world` and `icass tdy invoices` on the folders, to the cent, and every role's
boundary. The seeded database holds the sample world (icass.store.demo); on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from icass.cli import app as cli
from tests import test_api
from tests.test_api import AGENCY, BASE, FY

app, people = test_api.app, test_api.people  # the API and one signed-in client a role
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WORLD = f"/api/world/{FY}/invoices"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_worldwide_invoice_is_the_folders_to_the_cent(people):
    document = json.loads(_cli("world", str(EXAMPLES / "world"), "--format", "json"))
    bureaus: dict[str, dict[str, Decimal]] = defaultdict(dict)
    items: dict[str, Decimal] = {}
    for row in document["rows"]:
        if row["agency"] == AGENCY and row["part"] == "post":
            bureaus[row["key"]][row["funding"]] = Decimal(row["amount"])
        elif row["agency"] == AGENCY:
            items[row["key"]] = Decimal(row["amount"])
    answer = people["hq"].get(f"{WORLD}/{AGENCY}")
    assert answer.status_code == 200, answer.text
    bill = answer.json()
    assert bill["stage"] == document["stage"]
    assert {r: {f: Decimal(v) for f, v in fs.items()} for r, fs in bill["bureaus"].items()} == bureaus
    assert {i["item"]: Decimal(i["amount"]) for i in bill["items"]} == items
    assert all(i["basis"] for i in bill["items"])  # each item says how the agency's part was found
    total = sum(v for fs in bureaus.values() for v in fs.values()) + sum(items.values())
    assert Decimal(bill["total"]) == total
    assert Decimal(bill["post_total"]) == sum(Decimal(p["total"]) for p in bill["posts"])
    listed = {x["agency"]: Decimal(x["total"]) for x in people["admin"].get(WORLD).json()}
    assert listed[AGENCY] == total
    assert set(listed) == {row["agency"] for row in document["rows"]}
    assert [x["agency"] for x in people["hq"].get(WORLD).json()] == [AGENCY]  # hq: its own agency only


def test_who_reads_the_world(app, people):
    assert TestClient(app).get(f"{WORLD}/{AGENCY}").status_code == 401
    assert people["admin"].get(f"{WORLD}/{AGENCY}").status_code == 200
    other = next(x["agency"] for x in people["admin"].get(WORLD).json() if x["agency"] != AGENCY)
    assert people["admin"].get(f"{WORLD}/{other}").status_code == 200
    assert people["hq"].get(f"{WORLD}/{other}").status_code == 403
    for person in ("fmo", "committee"):
        assert people[person].get(f"{WORLD}/{AGENCY}").status_code == 403
        assert people[person].get(WORLD).status_code == 403
    assert people["admin"].get(f"/api/world/{FY + 3}/invoices/{AGENCY}").status_code == 404
    assert people["admin"].get(f"{WORLD}/9999.0").status_code == 404


def test_the_tdy_invoices_are_the_folders(people):
    as_of = "2028-01-31"
    rows = list(
        csv.DictReader(
            io.StringIO(_cli("tdy", "invoices", str(EXAMPLES / "standard-post"), "--as-of", as_of, "--format", "csv"))
        )
    )
    assert rows
    answer = people["committee"].get(f"{BASE}/tdy/invoices", params={"as_of": as_of})
    assert answer.status_code == 200, answer.text
    got = [
        {
            "invoice": i["invoice"],
            "agency": i["agency"],
            "cost_center": line["cost_center"],
            "quantity": line["quantity"],
            "rate": line["rate"],
            "amount": line["amount"],
            "status": i["status"],
        }
        for i in answer.json()["invoices"]
        for line in i["lines"]
    ]
    assert got == rows
    assert people["hq"].get(f"{BASE}/tdy/invoices").status_code == 403
