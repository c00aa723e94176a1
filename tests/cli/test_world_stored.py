"""`icass world --fiscal-year N [--basis live|initial|final]` (issue 20 §1): the world stored in the database,
on the posts' live rows or their versions, in the same forms as `icass world FOLDER`: live, the folder it was
imported from to the cent; on versions, the invoices the API gives, with the basis said and the posts left out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from icass.cli import app
from icass.model.approval import Basis, Kind
from icass.money import format_plain
from icass.store.changes import find_post
from icass.store.database import DATABASE_URL, open_database
from icass.store.schema import post_versions
from icass.store.versions import create
from icass.store.worlds import consolidated_stored_world
from icass.views.world_invoice import WORLD_HEADER, invoice_rows
from tests.arrivals import ARRIVING, write_arriving_world

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FY, KVR = 2027, "KVR"
runner = CliRunner()


def icass(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def stored(seeded_url, monkeypatch):
    """The demo's database (the sample world of 2027 stored), named by ICASS_DATABASE_URL as a deployment names
    it; KVR with an initial version in draft and a final one the ISC accepted."""
    monkeypatch.setenv(DATABASE_URL, seeded_url)
    engine = open_database(seeded_url)
    try:
        with engine.begin() as connection:
            key = find_post(connection, KVR, FY)
            create(connection, key, "fmo", Kind.INITIAL, "")
            final = create(connection, key, "fmo", Kind.FINAL, "").number
            accepted = (post_versions.c.post_id == key.id) & (post_versions.c.number == final)
            connection.execute(update(post_versions).where(accepted).values(state="accepted"))
        yield engine
    finally:
        engine.dispose()


def test_the_live_stored_world_is_the_folder_to_the_cent(stored):
    folder = icass("world", EXAMPLES / "world", "--format", "csv")
    assert ",item,TDY," in folder.stdout
    # but for the TDY item: the stored world bills the TDY invoices headquarters approved (issue 20 §5), none yet
    expected = "".join(line for line in folder.stdout.splitlines(keepends=True) if ",item,TDY," not in line)
    live = icass("world", "--fiscal-year", FY, "--format", "csv")
    assert live.exit_code == 0, live.output
    assert live.stdout == expected
    assert icass("world", "--fiscal-year", FY, "--basis", "live", "--format", "csv").stdout == expected
    assert "Figures: live: computed from each post's budget as it stands now" in live.stderr


@pytest.mark.parametrize("basis", ["final", "initial"])
def test_a_basis_of_versions_is_the_apis_invoices(stored, basis):
    result = icass("world", "--fiscal-year", FY, "--basis", basis, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    world = consolidated_stored_world(stored, FY, Basis(basis))
    bills = [b for b in world.invoices.values() if b is not None]
    expected = [dict(zip(WORLD_HEADER, (*r[:4], format_plain(r.amount)), strict=True)) for r in invoice_rows(bills)]
    assert document["rows"] == expected
    assert {r["part"] for r in document["rows"]} == {"post"}  # nothing below the line until every post is in
    assert (document["basis"], document["payable"], document["stage"]) == (basis, basis == "final", basis)
    assert [(v["post"], v["kind"]) for v in document["versions"]] == [(KVR, basis)]
    assert document["posts_left_out"] == list(world.basis.left_out)
    assert KVR not in document["posts_left_out"]
    assert len(document["posts_left_out"]) == 5
    assert document["versions"][0]["sha256"] in document["figures"]
    assert f"Figures: {world.basis.said()}" in " ".join(result.stderr.split())
    as_csv = icass("world", "--fiscal-year", FY, "--basis", basis, "--format", "csv").stdout
    assert list(csv.DictReader(io.StringIO(as_csv))) == document["rows"]
    table = icass("world", "--fiscal-year", FY, "--basis", basis, "--agency", "1100.0")
    title = "final (payable)" if basis == "final" else "initial (informational)"
    assert f"ICASS invoice FY 2027, {title}, from the posts' {basis} versions: agency 1100.0" in table.stdout


def test_the_readings_refused(stored, tmp_path):
    for args, said in (
        (("--basis", "final"), "--basis reads the stored world"),
        ((EXAMPLES / "world", "--fiscal-year", FY), "give the world's FOLDER, or --fiscal-year N"),
        ((), "give the world's FOLDER, or --fiscal-year N"),
        (("--fiscal-year", FY, "--basis", "payable"), "'payable' is not one of"),
    ):
        result = icass("world", *args)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output, args
    explained = icass("world", "--fiscal-year", FY, "--basis", "final", "--explain", "FLO")
    assert explained.exit_code != 0
    assert "FLO: nothing is billed below the line until every post is in" in " ".join(explained.output.split())
    assert "modified 6443 counts worldwide" in icass("world", "--fiscal-year", FY, "--explain", "FLO").stdout
    missing = icass("world", "--fiscal-year", FY + 3)
    assert missing.exit_code != 0
    assert f"no world of fiscal year {FY + 3} is stored" in missing.output
    out = tmp_path / "world.csv"
    written = icass("world", "--fiscal-year", FY, "--basis", "final", "--format", "csv", "--out", out)
    assert written.exit_code == 0, written.output
    assert out.read_text() == icass("world", "--fiscal-year", FY, "--basis", "final", "--format", "csv").stdout


def test_a_partial_year_is_said_under_the_agencys_table(tmp_path):
    result = icass("world", write_arriving_world(tmp_path / "world"), "--agency", ARRIVING)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "KVR: partial-year invoice: at post 2027-04-01 through 2027-09-30, 183 of 365 days" in text
    assert "(H-341.5-3(D) NOTE 1)" in text
