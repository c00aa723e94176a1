"""A stored world's headquarters invoices bill the TDY invoices headquarters approved (issue 20 §5): of fiscal year
N, those whose `billed_in` is N, each at its approved total; one submitted after its year's final headquarters
invoices were issued rolls to N+1 (H-363.1-6 c(7)) and says so; a submitted or rejected one is not billed.

The sample world of FY 2027 bills the visits of KVR's FY 2026 budget (they end in FY 2027): T01 (1300.0), T05
(8900.0), T06 (1600.0) and T07 (1900.0). A world of FY 2028 is made here of one post, KVR, whose FY 2027 budget
bills the visits that end in FY 2028."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, update

from icass.api import tdy as tdy_api
from icass.money import format_grouped, parse_cents
from icass.store.schema import post_versions, posts
from icass.store.worlds import import_world
from tests.api import test_tdy_path
from tests.api.test_api import sign_in

ROOT = Path(__file__).resolve().parents[2]
PRIOR = ROOT / "examples" / "world" / "tdy" / "kivara-fy2026"
ROLLED = "rolled from FY 2027 (H-363.1-6 c(7))"


def _world_2028(folder: Path) -> Path:
    """A world of FY 2028 with KVR alone: the FY 2026 budget's figures (counts given) as a FY 2028 post."""
    shutil.copytree(PRIOR, folder / "posts" / "kivara", ignore=shutil.ignore_patterns("tdy"))
    toml = folder / "posts" / "kivara" / "post.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("fiscal_year = 2026", "fiscal_year = 2028"), "utf-8")
    (folder / "world.toml").write_text(
        '[world]\nfiscal_year = 2028\nstage = "final"\namsal_target = "0.00"\npat_target = "0.00"\n'
        'dpm_pouch_percent = "38.5"\nfob_rsa_fee = "125.00"\n',
        encoding="utf-8",
    )
    (folder / "posts.csv").write_text("post,mail,separation_pay,psa_guards,medevac\nKVR,APO,yes,yes,yes\n", "utf-8")
    return folder


engine, site = test_tdy_path.engine, test_tdy_path.site  # the seeded database, hq-fcs (1300.0) in it


@pytest.fixture
def world_2028(engine, tmp_path) -> None:
    stored, problems = import_world(engine, _world_2028(tmp_path / "world-2028"))
    assert stored is not None, [str(p) for p in problems]


def _steps(person, monkeypatch, fiscal_year: int, on: dt.date, invoice: str, *steps: str) -> None:
    monkeypatch.setattr(tdy_api, "today", lambda: on)
    for step in steps:
        path = f"/api/posts/KVR/{fiscal_year}/tdy/invoices/{invoice}/steps"
        comment = "the days of T06 and T10 overlap" if step == "reject" else ""
        answer = person.change("POST", path, json={"step": step, "comment": comment})
        assert answer.status_code == 200, answer.text


def _totals(person, fiscal_year: int) -> dict[str, str]:
    answer = person.get(f"/api/posts/KVR/{fiscal_year}/tdy/invoices")
    assert answer.status_code == 200, answer.text
    return {i["invoice"]: i["total"] for i in answer.json()["invoices"]}


def _us(dollars: str) -> str:
    return format_grouped(parse_cents(dollars))


def _tdy_billed(admin, fiscal_year: int, basis: str = "live") -> dict[str, tuple[str, list[str]]]:
    """Agency -> the TDY item of its headquarters invoice: (amount, each invoice billed)."""
    listed = admin.get(f"/api/world/{fiscal_year}/invoices", params={"basis": basis})
    assert listed.status_code == 200, listed.text
    found = {}
    for total in listed.json():
        bill = admin.get(f"/api/world/{fiscal_year}/invoices/{total['agency']}", params={"basis": basis}).json()
        for item in bill["items"]:
            if item["item"] == "TDY":
                found[total["agency"]] = (item["amount"], item["bases"])
    return found


def test_the_worlds_bill_the_tdy_invoices_approved_in_their_year(site, engine, world_2028, monkeypatch):
    fmo, admin, fcs = sign_in(site, "fmo"), sign_in(site, "admin"), sign_in(site, "hq-fcs")
    _steps(fmo, monkeypatch, 2026, dt.date(2027, 6, 10), "T01", "submit_to_isc")
    _steps(fcs, monkeypatch, 2026, dt.date(2027, 6, 12), "T01", "approve")  # on time: FY 2027
    _steps(fmo, monkeypatch, 2026, dt.date(2027, 6, 10), "T06", "submit_to_isc")
    _steps(admin, monkeypatch, 2026, dt.date(2027, 6, 11), "T06", "reject")  # rejected: billed nowhere
    _steps(fmo, monkeypatch, 2026, dt.date(2027, 6, 14), "T07", "submit_to_isc")  # only submitted: nowhere
    recorded = admin.change("PUT", "/api/world/2027/final-invoices", json={"issued_on": "2027-06-15"})
    assert recorded.status_code == 200, recorded.text
    _steps(fmo, monkeypatch, 2026, dt.date(2027, 7, 1), "T05", "submit_to_isc")  # after them: rolls to FY 2028
    _steps(admin, monkeypatch, 2026, dt.date(2027, 7, 2), "T05", "approve")
    _steps(fmo, monkeypatch, 2027, dt.date(2028, 6, 10), "T07", "submit_to_isc")  # FY 2028's own, on time
    _steps(admin, monkeypatch, 2027, dt.date(2028, 6, 11), "T07", "approve")
    prior, own = _totals(fmo, 2026), _totals(fmo, 2027)

    assert _tdy_billed(admin, 2027) == {"1300.0": (prior["T01"], [f"TDY invoice T01 at KVR (${_us(prior['T01'])})"])}
    t05 = f"TDY invoice T05 at KVR (${_us(prior['T05'])}), {ROLLED}"
    assert _tdy_billed(admin, 2028) == {
        "8900.0": (prior["T05"], [t05]),
        "1900.0": (own["T07"], [f"TDY invoice T07 at KVR (${_us(own['T07'])})"]),
    }
    # The page and the Excel file of the headquarters invoice list them too.
    page = admin.client.get("/world/2028/invoices/8900.0")
    assert page.status_code == 200
    assert t05 in page.text
    excel = admin.get("/api/world/2028/invoices/8900.0", params={"format": "xlsx"})
    assert excel.status_code == 200, excel.text
    sheet = openpyxl.load_workbook(io.BytesIO(excel.content))["Below the line"]
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    assert t05 in cells
    # Whatever the budget basis, an approved TDY invoice is billed: the worlds of the initial and final versions
    # bill the same ones as the live world.
    live = _tdy_billed(admin, 2028)
    for kind in ("initial", "final"):
        made = fmo.change("POST", "/api/posts/KVR/2028/versions", json={"kind": kind, "comment": "for the world"})
        assert made.status_code == 201, made.text
    with engine.begin() as connection:  # the ISC accepts the final (its path is tests/api/test_versions.py's)
        kvr = select(posts.c.id).where(posts.c.code == "KVR", posts.c.fiscal_year == 2028).scalar_subquery()
        final = (post_versions.c.post_id == kvr, post_versions.c.kind == "final")
        connection.execute(update(post_versions).where(*final).values(state="accepted"))
    assert _tdy_billed(admin, 2028, "initial") == live
    assert _tdy_billed(admin, 2028, "final") == live


def test_no_tdy_invoice_is_billed_before_headquarters_approves_it(site, world_2028, monkeypatch):
    """The stored world's TDY item bills the path, not what its tdy/ bundles would issue on tdy_as_of (a world of
    folders, `icass world`, has no path and bills those)."""
    fmo = sign_in(site, "fmo")
    _steps(fmo, monkeypatch, 2026, dt.date(2027, 6, 10), "T01", "submit_to_isc")
    assert _tdy_billed(sign_in(site, "admin"), 2027) == {}
