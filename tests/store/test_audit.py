"""The audit log is append-only in the database itself, on both backends (issue 8 §2), and a hash chain that
shows an entry changed, removed or put in behind the application's back (issue 16 §5)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import DBAPIError

from icass.cli.app import app as cli
from icass.store import audit
from icass.store.database import DATABASE_URL, OWNER_URL, migrate, open_database
from icass.store.schema import audit_log


def test_entries_come_newest_first(engine):
    with engine.begin() as connection:
        audit.record(connection, "fmo", "update", "workload 6150:1100.0", post="STD", fiscal_year=2027, after={"a": 1})
        audit.record(connection, "admin", "import", "post STD 2027", post="STD", fiscal_year=2027)
    with engine.connect() as connection:
        found = audit.entries(connection)
        assert [e.action for e in found] == ["import", "update"]
        assert found[1].after == {"a": 1}
        assert found[0].at >= found[1].at
        assert [e.action for e in audit.entries(connection, before_id=found[0].id)] == ["update"]


@pytest.mark.parametrize(
    "change",
    [update(audit_log).values(username="someone else"), delete(audit_log)],
    ids=["update", "delete"],
)
def test_the_application_cannot_change_the_record(engine, change):
    with engine.begin() as connection:
        audit.record(connection, "fmo", "update", "workload 6150:1100.0")
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(change)
    with engine.connect() as connection:
        assert [e.user for e in audit.entries(connection)] == ["fmo"]


def test_the_database_guards_the_log_beyond_the_application(engine):
    """SQLite: the triggers are in the schema. PostgreSQL: beyond the trigger (which an owner could drop),
    the role the application works as holds neither UPDATE nor DELETE on the log (migration 0002)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            ).scalars()
            assert sorted(triggers) == ["audit_log_no_delete", "audit_log_no_replace", "audit_log_no_update"]
            return
        assert connection.execute(text("SELECT current_user")).scalar_one() == "icass_app"
        granted = {
            privilege: connection.execute(
                text(f"SELECT has_table_privilege('icass_app', 'audit_log', '{privilege}')")
            ).scalar_one()
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert granted == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}


def _write(engine, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        with engine.begin() as connection:
            audit.record(
                connection,
                "fmo",
                "update",
                f"workload 6150:{n}",
                post="KVR",
                fiscal_year=2027,
                before={"count": str(n), "é": [1, 2.5, None]},
                after={"count": str(n + 1)},
            )


def test_insert_or_replace_cannot_overwrite_an_entry(tmp_path):
    """SQLite's REPLACE deletes the row in its way, and with recursive_triggers off the delete trigger does not
    fire: the insert itself is refused when it names an id already written."""
    engine = open_database(f"sqlite:///{tmp_path / 'icass.db'}")
    _write(engine, 2)
    engine.dispose()
    raw = sqlite3.connect(tmp_path / "icass.db")
    try:
        for verb in ("INSERT OR REPLACE", "REPLACE", "INSERT"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                raw.execute(
                    f"{verb} INTO audit_log (id, at, username, action, entity) VALUES (1, 'x', 'mallory', 'x', 'x')"
                )
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(
                "INSERT INTO audit_log (id, at, username, action, entity) VALUES (2, 'x', 'mallory', 'x', 'x') "
                "ON CONFLICT (id) DO UPDATE SET username = 'mallory'"
            )
        raw.commit()
        assert raw.execute("SELECT username FROM audit_log ORDER BY id").fetchall() == [("fmo",), ("fmo",)]
    finally:
        raw.close()


def test_each_entry_carries_the_hash_of_the_one_before_and_its_own(engine):
    _write(engine, 3)
    with engine.connect() as connection:
        rows = connection.execute(audit_log.select().order_by(audit_log.c.id)).all()
        verdict = audit.verify(connection)
    assert [r.previous_hash for r in rows] == [audit.FIRST_PREVIOUS, rows[0].hash, rows[1].hash]
    assert all(len(r.hash) == 64 for r in rows)
    assert rows[1].hash == audit.chain_hash(rows[0].hash, rows[1])
    assert (verdict.intact, verdict.entries, verdict.last_hash) == (True, 3, rows[2].hash)


def test_the_migration_hashes_the_entries_written_before_it(database_url, tmp_path):
    """A database at 0005 with entries written as they were then: 0008 chains them, and new ones follow."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    if database_url.startswith("sqlite"):
        (tmp_path / "data").mkdir()
    owner = create_engine(os.environ.get(OWNER_URL, "") if database_url.startswith("postgresql") else database_url)
    config = Config()
    config.set_main_option("script_location", str(resources.files("icass.store") / "migrations"))
    with owner.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    with owner.begin() as connection:
        for n in range(3):
            connection.execute(
                insert(audit_log),
                {
                    "at": f"2026-11-2{n}T00:00:00.000000Z",
                    "username": "admin",
                    "action": "import",
                    "entity": f"post {n}",
                    "after": {"n": n, "ü": [n, 0.5]},
                },
            )
    migrate(owner)
    owner.dispose()
    engine = open_database(database_url)
    try:
        _write(engine, 1)
        with engine.connect() as connection:
            verdict = audit.verify(connection)
            assert [e.entity for e in audit.entries(connection)] == ["workload 6150:0", "post 2", "post 1", "post 0"]
        assert (verdict.intact, verdict.entries) == (True, 4), verdict.problem
    finally:
        engine.dispose()


def test_writers_at_once_leave_one_chain(engine):
    """Appends are one at a time (the chain head's lock): no two entries follow the same one."""
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            start.wait()
            _write(engine, 5, start=n * 5)
        except BaseException as e:  # the test reports what any thread met
            failures.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with engine.connect() as connection:
        verdict = audit.verify(connection)
        previous = [r.previous_hash for r in connection.execute(audit_log.select())]
    assert (verdict.intact, verdict.entries) == (True, 40), verdict.problem
    assert len(set(previous)) == 40


def _tampered(tmp_path: Path, *statements: str) -> tuple[int, str]:
    """`icass audit verify` on a copy of a database of 5 entries, changed by `statements` with sqlite3 directly
    (its triggers dropped first, as someone with the file in hand would)."""
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'icass.db'}")
    _write(engine, 5)
    engine.dispose()
    copy = tmp_path / "copy"
    copy.mkdir()
    source, target = sqlite3.connect(tmp_path / "data" / "icass.db"), sqlite3.connect(copy / "icass.db")
    source.backup(target)
    source.close()
    for trigger in ("no_update", "no_delete", "no_replace"):
        target.execute(f"DROP TRIGGER audit_log_{trigger}")
    for statement in statements:
        target.execute(statement)
    target.commit()
    target.close()
    untouched = CliRunner().invoke(cli, ["audit", "verify", "--data", str(tmp_path / "data")])
    assert (untouched.exit_code, untouched.output.split(";")[0]) == (0, "5 entries, chain intact")
    result = CliRunner().invoke(cli, ["audit", "verify", "--data", str(copy)])
    return result.exit_code, " ".join(result.output.split())


FORGED = (
    "INSERT INTO audit_log (id, at, username, action, entity, previous_hash, hash) "
    "SELECT 6, '2026-12-07T12:00:00.000000Z', 'admin', 'update', 'forged', hash, "
    "'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' FROM audit_log WHERE id = 5"
)


@pytest.mark.parametrize(
    ("tampering", "said"),
    [
        (
            'UPDATE audit_log SET after = \'{"count": "999"}\' WHERE id = 3',
            [
                "the audit log's chain is broken at entry 3 (",
                "it was changed after it was written",
                "2 entries fit the chain before it",
            ],
        ),
        (
            "UPDATE audit_log SET before = 'not JSON' WHERE id = 4",
            ["broken at entry 4 (", "its before is no longer JSON: it was changed", "3 entries fit"],
        ),
        (
            "UPDATE audit_log SET username = 'someone else' WHERE id = 1",
            ["broken at entry 1 (", "it was changed after it was written", "0 entries fit"],
        ),
        (
            "DELETE FROM audit_log WHERE id = 2",
            ["broken at entry 3 (", "it does not follow entry 1 (", "an entry between them was removed"],
        ),
        (FORGED, ["broken at entry 6 (2026-12-07T12:00:00.000000Z)", "forged hash", "5 entries fit"]),
        ("DELETE FROM audit_log WHERE id >= 4", ["the log ends at entry 3", "the chain's head names entry 5"]),
    ],
    ids=[
        "changed",
        "not JSON",
        "the first entry's user",
        "removed from the middle",
        "forged and appended",
        "cut from the end",
    ],
)
def test_verify_finds_what_was_done_behind_the_applications_back(tmp_path, tampering, said):
    status, output = _tampered(tmp_path, tampering)
    assert status == 2
    for words in said:
        assert words in output


def test_verify_refuses_a_folder_without_a_database(tmp_path):
    result = CliRunner().invoke(cli, ["audit", "verify", "--data", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no database there" in result.output
    assert not (tmp_path / "none").exists()


def test_the_applications_own_connection_cannot_touch_the_log_even_after_reset_role(engine):
    """PostgreSQL: the application logs in as a role that owns nothing, so RESET ROLE gives back no power over the
    log (issue 16 §5); SQLite: the triggers refuse the same statements."""
    _write(engine, 2)
    attempts = ["DELETE FROM audit_log", "UPDATE audit_log SET username = 'mallory'"]
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("RESET ROLE"))
            who = connection.execute(text("SELECT session_user, current_user")).one()
            assert tuple(who) == ("icass_app", "icass_app")
            owner = connection.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'"))
            assert owner.scalar_one() == "icass_owner"
            connection.rollback()
        attempts += [
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_log_append_only ON audit_log",
            "DROP TABLE audit_log",
            "ALTER TABLE audit_log RENAME TO old_log",
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NULL; END $$",
            "SET ROLE icass_owner",
            "SET ROLE postgres",
            "DELETE FROM audit_chain",
        ]
    for attempt in attempts:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("RESET ROLE"))
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner|append-only"):
                connection.execute(text(attempt))
    with engine.connect() as connection:
        verdict = audit.verify(connection)
    assert (verdict.intact, verdict.entries) == (True, 2), verdict.problem


def test_the_application_refuses_a_login_that_could_change_the_log(database_url, monkeypatch):
    """PostgreSQL: a superuser or the owner as ICASS_DATABASE_URL is refused with the reason, and without the
    owner's URL nothing is migrated; SQLite opens as it did, with no owner URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from icass.store.database import UnsafeLogin

    if database_url.startswith("sqlite"):
        assert OWNER_URL not in os.environ
        open_database(database_url).dispose()
        return
    owner = os.environ[OWNER_URL]
    monkeypatch.delenv(OWNER_URL)
    with pytest.raises(UnsafeLogin, match="at revision None, the application needs "):
        open_database(database_url)
    monkeypatch.setenv(OWNER_URL, owner)
    open_database(database_url).dispose()  # migrated by the owner, opened as the application's login
    monkeypatch.delenv(OWNER_URL)
    open_database(database_url).dispose()  # migrated already: the owner's URL is not needed
    superuser = make_url(os.environ["ICASS_TEST_POSTGRES_URL"]).set(database=make_url(database_url).database)
    with pytest.raises(UnsafeLogin, match="logs in as postgres, which is a superuser"):
        open_database(superuser.render_as_string(hide_password=False))
    said = CliRunner().invoke(cli, ["audit", "verify"], env={DATABASE_URL: superuser.render_as_string(False)})
    assert said.exit_code == 2
    assert said.output.startswith(f"error: {DATABASE_URL} logs in as postgres, which is a superuser")
    with pytest.raises(UnsafeLogin, match="logs in as icass_owner, which may create roles"):
        open_database(owner)
    stranger = make_url(database_url).set(username="icass_stranger").render_as_string(False)
    member = make_url(database_url).set(username="icass_member").render_as_string(False)
    server = create_engine(os.environ["ICASS_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        for role, options in (("icass_stranger", "LOGIN"), ("icass_member", "LOGIN IN ROLE icass_app")):
            connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
            connection.execute(text(f"CREATE ROLE {role} {options}"))
    server.dispose()
    with pytest.raises(UnsafeLogin, match="logs in as a role that is not a member of icass_app"):
        open_database(stranger)
    open_database(member).dispose()  # any login that is a member of icass_app and owns nothing


def test_an_account_made_is_recorded_with_its_roles(engine):
    from icass.store.accounts import Grant, create_account

    with engine.begin() as connection:
        create_account(connection, "fmo2", "a long password", [Grant("fmo", "KVR")])
        create_account(connection, "hq2", "a long password", [Grant("hq", agency="1931")], by="admin")
    with engine.connect() as connection:
        found = [(e.user, e.action, e.entity, e.after) for e in audit.entries(connection)]
    assert found == [
        ("admin", "create account", "account hq2", {"roles": [{"role": "hq", "post": None, "agency": "1931"}]}),
        ("system", "create account", "account fmo2", {"roles": [{"role": "fmo", "post": "KVR", "agency": None}]}),
    ]


def test_no_entry_is_written_without_the_chains_head(tmp_path):
    """The head orders appends: gone (deleted behind the application's back), writing stops rather than fork."""
    url = f"sqlite:///{tmp_path / 'icass.db'}"
    engine = open_database(url)
    _write(engine, 1)
    raw = sqlite3.connect(tmp_path / "icass.db")
    raw.execute("DROP TRIGGER audit_chain_no_delete")
    raw.execute("DELETE FROM audit_chain")
    raw.commit()
    raw.close()
    with pytest.raises(RuntimeError, match="chain head"), engine.begin() as connection:
        audit.record(connection, "fmo", "update", "workload 6150:1")
    with engine.connect() as connection:
        assert len(audit.entries(connection)) == 1
    engine.dispose()


def test_icass_migrate_migrates_as_the_owner(database_url, monkeypatch):
    """SQLite: the file is migrated. PostgreSQL: only with the owner's URL, then the application's login opens it
    without it."""
    env = {DATABASE_URL: database_url}
    if database_url.startswith("postgresql"):
        owner = os.environ[OWNER_URL]
        monkeypatch.delenv(OWNER_URL)
        refused = CliRunner().invoke(cli, ["migrate"], env=env)
        assert (refused.exit_code, refused.output.split(": on")[0]) == (2, f"error: {OWNER_URL} is not set")
        env[OWNER_URL] = owner
    migrated = CliRunner().invoke(cli, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    assert "the database is at revision" in migrated.output
    open_database(database_url).dispose()  # no owner's URL in the environment now: migrated already


def test_a_posts_newest_entries_are_read_again_once_the_record_grows(engine):
    def record(post: str, entity: str) -> None:
        with engine.begin() as connection:
            audit.record(connection, "fmo", "update", entity, post=post, fiscal_year=2027)

    record("KVR", "budget.csv 1")
    with engine.connect() as connection:
        first = audit.newest_of_post(connection, "KVR", 2027, 5)
        assert [e.entity for e in first] == ["budget.csv 1"]
        assert audit.newest_of_post(connection, "KVR", 2027, 5) == first  # kept: the record did not grow
    record("PSL", "budget.csv 9")  # another post's entry moves the head too; KVR's list stays what it was
    record("KVR", "budget.csv 2")
    with engine.connect() as connection:
        assert [e.entity for e in audit.newest_of_post(connection, "KVR", 2027, 5)] == ["budget.csv 2", "budget.csv 1"]
        assert [e.entity for e in audit.newest_of_post(connection, "PSL", 2027, 5)] == ["budget.csv 9"]
