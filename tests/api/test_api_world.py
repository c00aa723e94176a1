"""The worldwide headquarters invoices and a post's TDY invoices over the stored data (issue 8 §3): the
same figures as `icass world` and `icass tdy invoices` on the folders, to the cent, and every role's
boundary. The seeded database holds the sample world (icass.store.demo); on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update

from icass.cli import app as cli
from icass.money import format_grouped, format_plain, parse_cents
from icass.runs.world import consolidate_world, run_world
from icass.store.accounts import Grant, create_account
from icass.store.database import open_database
from icass.store.schema import ROW_TABLES, post_versions, posts
from icass.views.world_invoice import world_invoice
from icass.web.app import create_app
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, KVR, sign_in
from tests.conftest import DEMO_PASSWORD
from tests.versions import accept_the_final

app, people = test_api.app, test_api.people  # the API and one signed-in client a role
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
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
    # The folder bills what its tdy/ bundle issues; the stored world, the TDY invoices approved (none here).
    assert set(listed) == {row["agency"] for row in document["rows"] if row["key"] != "TDY"}
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
    # hq reads its own agency's TDY invoices only (issue 20 §5): the demo hq's agency has none at KVR.
    assert people["hq"].get(f"{BASE}/tdy/invoices").json()["invoices"] == []


OTHER = "1100.0"  # an agency of the sample world other than the demo hq's


@pytest.fixture
def site(seeded_url):
    """The API and its pages over the seeded database (the demo stores the sample world), with one more hq
    account, of another agency than the demo hq's."""
    engine = open_database(seeded_url)
    with engine.begin() as connection:
        create_account(connection, "hq-other", DEMO_PASSWORD, [Grant("hq", agency=OTHER)])
    try:
        yield create_app(engine, secure_cookies=False)
    finally:
        engine.dispose()


def test_each_post_and_basis_is_the_folders(site):
    """Beyond the CLI's json (bureau totals): each post's line and each item's basis sentence are what the
    read side gives on the folder, and the posts add up to the bureaus."""
    run = run_world(EXAMPLES / "world")
    consolidation, _ = consolidate_world(run)
    assert consolidation is not None
    assert run.files is not None
    folder = world_invoice(consolidation, run.files.world, OTHER)
    assert folder is not None
    answer = sign_in(site, "hq-other").get(f"{WORLD}/{OTHER}")
    assert answer.status_code == 200, answer.text
    bill = answer.json()
    assert bill["posts"] == [
        {
            "post": p.post,
            "region": p.region,
            "amounts": {f: format_plain(c) for f, c in p.amounts.items()},
            "total": format_plain(p.total),
            "partial_year": None,  # no agency of the sample world arrives or leaves during the year
        }
        for p in folder.posts
    ]
    assert [(i["item"], i["basis"], i["amount"]) for i in bill["items"]] == [
        (str(i.item), i.basis, format_plain(i.amount)) for i in folder.items
    ]
    by_bureau: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for p in bill["posts"]:
        for funding, amount in p["amounts"].items():
            by_bureau[p["region"]][funding] += Decimal(amount)
    assert {r: {f: Decimal(v) for f, v in fs.items()} for r, fs in bill["bureaus"].items()} == by_bureau


def test_an_hq_reads_its_own_agency_only(site):
    other = sign_in(site, "hq-other")
    assert [x["agency"] for x in other.get(WORLD).json()] == [OTHER]
    assert other.get(f"{WORLD}/{AGENCY}").status_code == 403
    assert other.get(f"{BASE}/tdy/invoices").json()["invoices"] == []  # an hq reads its agency's TDY invoices only
    assert sign_in(site, "fmo").get(f"{BASE}/tdy/invoices", params={"as_of": "2028-01-31"}).status_code == 200


def test_the_world_and_tdy_pages_show_the_apis_totals(site):
    admin = sign_in(site, "admin")
    totals = {x["agency"]: x["total"] for x in admin.get(WORLD).json()}
    listed = admin.get(f"/world/{FY}")
    assert listed.status_code == 200
    shown = dict(
        re.findall(r'href="/world/\d+/invoices/([^"]+)">[^<]+</a></td><td class="text-right">([^<]+)<', listed.text)
    )
    assert shown == {a: format_grouped(parse_cents(t)) for a, t in totals.items()}
    own = sign_in(site, "hq-other").get(f"/world/{FY}")
    assert re.findall(r'href="/world/\d+/invoices/([^"]+)"', own.text) == [OTHER]
    bill = admin.get(f"/world/{FY}/invoices/{OTHER}")
    assert f'id="world-total">{format_grouped(parse_cents(totals[OTHER]))}<' in bill.text
    assert admin.get(f"/world/{FY + 3}").status_code == 404
    fmo = sign_in(site, "fmo")
    billed = fmo.get(f"{BASE}/tdy/invoices", params={"as_of": "2028-01-31"}).json()["invoices"]
    assert billed
    page = fmo.get(f"/posts/{KVR}/{FY}/tdy", params={"as_of": "2028-01-31"})
    assert page.status_code == 200
    for invoice in billed:
        assert f'id="tdy-{invoice["invoice"]}-total">{format_grouped(parse_cents(invoice["total"]))}<' in page.text


def test_without_a_stored_world_there_is_none_to_read(engine):
    with engine.begin() as connection:
        create_account(connection, "admin", DEMO_PASSWORD, [Grant("admin")])
    admin = sign_in(create_app(engine, secure_cookies=False), "admin")
    assert admin.get("/world", follow_redirects=False).status_code == 404
    assert admin.get(WORLD).status_code == 404
    assert admin.get(f"{WORLD}/{AGENCY}").status_code == 404


def test_the_invoice_on_each_basis_of_versions(site, seeded_url):
    """basis=initial is informational, from each post's version; basis=final is payable, from the accepted
    final versions, and names the posts whose final is not yet accepted (issue 20 §1)."""
    admin = sign_in(site, "admin")
    everyone = {p["post"] for b in admin.get(f"/api/world/{FY}/posts").json() for p in b["posts"]}
    assert len(everyone) == 6
    for kind in ("initial", "final"):
        made = admin.change("POST", f"{BASE}/versions", json={"kind": kind, "comment": ""})
        assert made.status_code == 201, made.text
    accept_the_final(seeded_url)
    live = admin.get(f"{WORLD}/{OTHER}").json()
    assert (live["basis"], live["payable"], live["versions"], live["posts_left_out"]) == ("live", False, [], [])
    final = admin.get(f"{WORLD}/{OTHER}", params={"basis": "final"}).json()
    assert (final["basis"], final["stage"], final["payable"]) == ("final", "final", True)
    assert [(v["post"], v["kind"], v["state"]) for v in final["versions"]] == [(KVR, "final", "accepted")]
    assert set(final["posts_left_out"]) == everyone - {KVR}
    assert {p["post"] for p in final["posts"]} == {KVR}
    assert final["items"] == []  # shared on every post's counts: not billed until every post is in
    assert "final not yet accepted" in final["figures"]
    initial = admin.get(f"{WORLD}/{OTHER}", params={"basis": "initial"}).json()
    assert (initial["stage"], initial["payable"]) == ("initial", False)
    assert [(v["post"], v["number"], v["state"]) for v in initial["versions"]] == [(KVR, 1, "draft")]
    assert admin.get(f"{WORLD}/{OTHER}", params={"basis": "other"}).status_code == 422
    pdf = admin.get(f"{WORLD}/{OTHER}", params={"basis": "final", "format": "pdf"})
    assert pdf.status_code == 200
    book = admin.get(f"{WORLD}/{OTHER}", params={"basis": "final", "format": "xlsx"})
    heading = {r[0].value: r[1].value for r in load_workbook(io.BytesIO(book.content)).active.iter_rows(max_row=6)}
    assert heading["Budget stage"] == "final budget: payable"
    assert heading["Figures"] == final["figures"]
    assert final["versions"][0]["sha256"] in final["figures"]
    page = admin.get(f"/world/{FY}/invoices/{OTHER}", params={"basis": "final"})
    assert 'data-state="final"' in page.text
    assert "Payable:" in page.text
    assert ", ".join(sorted(everyone - {KVR})) in page.text
    assert final["versions"][0]["sha256"] in page.text
    world = admin.get(f"/world/{FY}", params={"basis": "initial"})
    assert "Informational:" in world.text
    assert f'href="/world/{FY}/invoices/{OTHER}?basis=initial"' in world.text


def test_tdy_rates_read_the_accepted_final_version_and_say_which(site, seeded_url):
    """TDY rates are the post's accepted final version's, whatever its rows become after; without one, the
    post's live figures, said so (issue 20 §1)."""
    fmo = sign_in(site, "fmo")
    params = {"as_of": "2028-01-31"}
    live = fmo.get(f"{BASE}/tdy/invoices", params=params).json()
    assert live["rates_from"]["basis"] == "live"
    assert "no final version" in live["rates_from"]["said"]
    made = sign_in(site, "admin").change("POST", f"{BASE}/versions", json={"kind": "final", "comment": ""}).json()
    engine = open_database(seeded_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(post_versions).values(state="accepted"))
            # The post's budget changes after: the rates do not.
            budget = ROW_TABLES["budget.csv"]
            connection.execute(update(budget).values(amount=budget.c.amount + 100_000))
            connection.execute(update(posts).values(revision="changed"))
    finally:
        engine.dispose()
    billed = fmo.get(f"{BASE}/tdy/invoices", params=params).json()
    assert billed["rates_from"] == {
        "basis": "final",
        "version": made["number"],
        "revision": 0,
        "sha256": made["sha256"],
        "said": f"the accepted final version {made['number']} (SHA-256 {made['sha256']})",
    }
    assert billed["invoices"] == live["invoices"]
    page = fmo.get(f"/posts/{KVR}/{FY}/tdy", params=params)
    assert f"The rates are from the accepted final version {made['number']} (SHA-256 {made['sha256']})." in page.text
