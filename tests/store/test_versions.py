"""Versions of a stored post (issue 20 §1, icass.store.versions): frozen as the canonical bundle with its hash,
written back byte for byte, and migration 0010 that made the approvals recorded before it versions."""

from __future__ import annotations

import subprocess
from importlib import resources
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, insert, inspect, select, text, update

from icass.bundle.digest import bundle_sha256, folder_files, manifest
from icass.cli import app
from icass.model.approval import Kind
from icass.runs.post import run_post
from icass.store.bundles import import_bundle
from icass.store.changes import find_post
from icass.store.schema import ROW_TABLES, post_versions, posts, version_steps
from icass.store.versions import create, export_version, find, version_run
from icass.views.invoice import agency_invoice
from icass.views.totals import agency_bills
from tests.store.test_store import ROOT, _same_tree

SAMPLE = ROOT / "examples" / "standard-post"


def _version(engine, sample: Path = SAMPLE):
    stored, problems = import_bundle(engine, sample)
    assert stored is not None, [str(p) for p in problems]
    with engine.begin() as connection:
        key = find_post(connection, stored.code, stored.fiscal_year)
        return key, create(connection, key, "fmo", Kind.INITIAL, "as proposed")


def test_a_version_is_the_exported_bundle_and_its_hash(engine, tmp_path):
    key, version = _version(engine)
    assert (version.number, version.kind, version.revision, version.state) == (1, "initial", 0, "draft")
    out = tmp_path / "v1"
    written, sha256 = export_version(engine, key.code, key.fiscal_year, 1, out)
    assert "post.toml" in written
    assert _same_tree(SAMPLE, out) == []  # byte for byte: the bundle as it was imported
    assert sha256 == version.sha256 == bundle_sha256(folder_files(out)) == bundle_sha256(folder_files(SAMPLE))
    # The hash is the one standard tools give of the folder (the manifest of sha256sum lines).
    listed = subprocess.run(
        "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum",
        shell=True,
        cwd=out,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert listed == manifest(folder_files(out))


def test_a_version_does_not_change_when_the_post_does(engine, tmp_path):
    key, version = _version(engine)
    with engine.connect() as connection:
        _, before = version_run(connection, key, 1)
    budget = ROW_TABLES["budget.csv"]
    with engine.begin() as connection:
        connection.execute(update(budget).where(budget.c.post_id == key.id).values(amount=budget.c.amount + 100_000))
        connection.execute(update(posts).where(posts.c.id == key.id).values(revision="changed", name="Renamed"))
    out = tmp_path / "v1"
    assert export_version(engine, key.code, key.fiscal_year, 1, out)[1] == version.sha256
    assert _same_tree(SAMPLE, out) == []
    # `icass distribute` on the exported folder gives every invoice of the version, to the cent.
    distributed = run_post(out)
    assert distributed.distribution is not None
    assert before.distribution is not None
    agencies = agency_bills(distributed.distribution, key.code)
    assert len(agencies) > 3
    for agency in agencies:
        assert agency_invoice(distributed, agency) == agency_invoice(before, agency)


def test_the_export_command_writes_a_version(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    assert runner.invoke(app, ["import", str(SAMPLE), "--data", str(data)]).exit_code == 0
    from icass.store.database import database_url, open_database

    engine = open_database(database_url(data))
    try:
        with engine.begin() as connection:
            key = find_post(connection, "KVR", 2027)
            made = create(connection, key, "fmo", Kind.FINAL, "")
    finally:
        engine.dispose()
    out = tmp_path / "out"
    args = ["export", "KVR", "--fiscal-year", "2027", "--version", "1", str(out), "--data", str(data)]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    said = f"{out}: wrote version 1 of post KVR, fiscal year 2027 ({len(folder_files(out))} files)"
    assert done.stderr == f"{said}, SHA-256 {made.sha256}\n"
    assert _same_tree(SAMPLE, out) == []
    args[5] = "2"
    missing = runner.invoke(app, [*args[:-3], str(tmp_path / "x"), "--data", str(data)])
    assert (missing.exit_code, missing.stderr) == (
        2,
        "error: post KVR, fiscal year 2027, has no version 2 in the database\n",
    )


def _alembic(url: str, target: str, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(resources.files("icass.store") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)
    engine.dispose()


def test_the_migration_makes_recorded_approvals_versions_and_back(tmp_path):
    """SQLite at 0009 with an approval recorded as it was then: 0010 makes it a council-approved initial version
    whose bundle is the post's export; down again, it is an approval as before, and a draft is removed."""
    (tmp_path / "data").mkdir()
    url = f"sqlite:///{tmp_path / 'data' / 'icass.db'}"
    _alembic(url, "0009")
    engine = create_engine(url)
    with engine.begin() as connection:
        post_id = connection.execute(
            insert(posts).returning(posts.c.id),
            {
                "code": "TST",
                "fiscal_year": 2027,
                "name": "Test",
                "country": "Nowhere",
                "region": "AF",
                "methodology": "standard",
                "revision": "r1",
            },
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO post_versions (post_id, number, approved_at, approved_by, note, revision, files) "
                "VALUES (:p, 1, '2026-11-20T10:00:00.000000Z', 'fmo', 'Council, 20 November', 'r1', :f)"
            ),
            {"p": post_id, "f": '{"agencies.csv": {"header": ["code", "name"], "rows": [["1900.0", "State"]]}}'},
        )
    _alembic(url, "0010")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM post_versions")).mappings().one()
        step = connection.execute(text("SELECT * FROM version_steps")).mappings().one()
    assert (row["kind"], row["kind_revision"], row["state"]) == ("initial", 0, "council_approved")
    assert (row["created_by"], row["comment"], row["council_date"]) == ("fmo", "Council, 20 November", "2026-11-20")
    assert (step["step"], step["username"], step["at"]) == ("record_council_approval", "fmo", row["created_at"])
    import json

    bundle = json.loads(row["bundle"])
    assert bundle["agencies.csv"] == "code,name\n1900.0,State\n"
    assert bundle["post.toml"].startswith('[post]\ncode = "TST"\n')
    assert row["sha256"] == bundle_sha256({n: t.encode("utf-8") for n, t in bundle.items()})
    with engine.begin() as connection:  # a draft made after 0010, which has no place before it
        connection.execute(
            text(
                "INSERT INTO post_versions (post_id, number, created_at, created_by, comment, revision, files, kind, "
                "kind_revision, state, sha256, bundle) VALUES (:p, 2, 'x', 'fmo', '', 'r1', '{}', 'final', 0, "
                "'draft', 'x', '{}')"
            ),
            {"p": post_id},
        )
    _alembic(url, "0009", down=True)
    with engine.connect() as connection:
        assert "version_steps" not in inspect(connection).get_table_names()
        columns = [c["name"] for c in inspect(connection).get_columns("post_versions")]
        kept = connection.execute(select(text("number, approved_at, approved_by, note FROM post_versions"))).all()
    assert columns == ["id", "post_id", "number", "approved_at", "approved_by", "note", "revision", "files"]
    assert [tuple(r) for r in kept] == [(1, "2026-11-20T10:00:00.000000Z", "fmo", "Council, 20 November")]
    engine.dispose()


def test_a_replace_of_the_post_keeps_its_versions(engine, tmp_path):
    key, version = _version(engine)
    with engine.begin() as connection:
        row = connection.execute(select(post_versions.c.id).where(post_versions.c.post_id == key.id)).scalar_one()
        step = {"version_id": row, "at": "2026-12-07T00:00:00Z", "username": "fmo", "step": "submit_to_committee"}
        connection.execute(insert(version_steps), {**step, "refused": False, "comment": "", "state": "with_committee"})
    stored, problems = import_bundle(engine, SAMPLE, replace=True)
    assert stored is not None, [str(p) for p in problems]
    with engine.connect() as connection:
        again = find_post(connection, key.code, key.fiscal_year)
        kept = find(connection, again, 1)
    assert (kept.sha256, kept.kind, kept.created_by) == (version.sha256, "initial", "fmo")
    assert [(s.step, s.state) for s in kept.steps] == [("submit_to_committee", "with_committee")]
    assert export_version(engine, key.code, key.fiscal_year, 1, tmp_path / "v1")[1] == version.sha256
