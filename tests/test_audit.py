"""The audit log is append-only in the database itself, on both backends (issue 8 §2)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from icass.store import audit
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
            assert sorted(triggers) == ["audit_log_no_delete", "audit_log_no_update"]
            return
        assert connection.execute(text("SELECT current_user")).scalar_one() == "icass_app"
        granted = {
            privilege: connection.execute(
                text(f"SELECT has_table_privilege('icass_app', 'audit_log', '{privilege}')")
            ).scalar_one()
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert granted == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
