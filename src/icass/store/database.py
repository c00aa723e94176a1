"""Opening the database: SQLite in WAL mode in a data folder by default, PostgreSQL when ICASS_DATABASE_URL
names one; either way migrated to the newest schema (Alembic) before anything reads it.

On PostgreSQL two logins take part (issue 16 §5). ICASS_DATABASE_OWNER_URL names the owner, which owns the
database and every table and runs the migrations; ICASS_DATABASE_URL names the application's login, a member of
icass_app (migration 0002) that owns nothing, is neither superuser nor CREATEROLE, and so holds only icass_app's
grants: on the audit log SELECT and INSERT, nothing that could change, drop or unguard it, even after RESET ROLE.
The application refuses to start on a login that could (UnsafeLogin). Without ICASS_DATABASE_OWNER_URL nothing is
migrated: the schema must be at the newest revision already. One URL for both cannot be safe, as the login that
migrates owns the log, so a developer sets both (docs/store.md)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

DATABASE_URL = "ICASS_DATABASE_URL"
OWNER_URL = "ICASS_DATABASE_OWNER_URL"
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE
# On PostgreSQL the application works as this role (made by migration 0002), which may read and append to the
# audit log but neither update nor delete it; the application's login is a member of it and becomes it.
APP_ROLE = "icass_app"
DEFAULT_DATA = Path("data")
# SQLite connections kept open: as many as the server's worker threads (anyio's default), so that readers at
# once reuse theirs. With SQLAlchemy's default of five, each reader beyond them opened a connection, ran the
# pragmas and closed it again on every request. A SQLite connection costs little memory.
SQLITE_POOL = 40


def database_url(data: Path | None = None) -> str:
    """ICASS_DATABASE_URL when set, else the SQLite file icass.db in the data folder (./data)."""
    return os.environ.get(DATABASE_URL) or f"sqlite:///{(data or DEFAULT_DATA) / 'icass.db'}"


def open_database(url: str) -> Engine:
    """An engine on `url`, its schema migrated to the newest revision."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, pool_size=SQLITE_POOL)
        event.listen(engine, "connect", _sqlite_pragmas)
        migrate(engine)
        return engine
    owner_url = os.environ.get(OWNER_URL)
    if owner_url:
        owner = create_engine(owner_url)
        try:
            migrate(owner)
        finally:
            owner.dispose()
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "connect", _become_app_role)
    event.listen(engine, "connect", _postgres_lock_wait)
    try:
        with engine.connect() as connection:
            _check_login(connection)
            if not owner_url:
                _check_migrated(connection)
    except BaseException:
        engine.dispose()
        raise
    return engine


class UnsafeLogin(RuntimeError):
    """The application's PostgreSQL login could change the record, or the schema is not migrated."""


# Every object of the application's database whose owner could drop or alter the audit log, its trigger or its
# trigger's function, or grant itself what icass_app lacks: the login may be a member of none of their owners.
_OWNERS = """
SELECT relowner FROM pg_class JOIN pg_namespace ON pg_namespace.oid = relnamespace WHERE nspname = 'public'
UNION SELECT proowner FROM pg_proc JOIN pg_namespace ON pg_namespace.oid = pronamespace WHERE nspname = 'public'
UNION SELECT nspowner FROM pg_namespace WHERE nspname = 'public'
UNION SELECT datdba FROM pg_database WHERE datname = current_database()
"""


def _check_login(connection: Connection) -> None:
    login = connection.execute(
        text("SELECT session_user, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = session_user")
    ).one()
    owned = connection.execute(
        text(f"SELECT count(*) FROM ({_OWNERS}) AS owners (owner) WHERE pg_has_role(session_user, owner, 'MEMBER')")
    ).scalar_one()
    why = (
        "is a superuser"
        if login.rolsuper
        else "may create roles (CREATEROLE)"
        if login.rolcreaterole
        else "owns the database or its tables (or is a member of their owner)"
        if owned
        else ""
    )
    if why:
        raise UnsafeLogin(
            f"{DATABASE_URL} logs in as {login.session_user}, which {why}: from the application's own connection "
            f"the audit log could be changed or dropped. Give {DATABASE_URL} a login that is a member of "
            f"{APP_ROLE} and owns nothing, and {OWNER_URL} the owner that migrates the schema."
        )


def _check_migrated(connection: Connection) -> None:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    found = MigrationContext.configure(connection).get_current_revision()
    newest = ScriptDirectory(str(resources.files("icass.store") / "migrations")).get_current_head()
    if found != newest:
        raise UnsafeLogin(
            f"the database is at revision {found}, the application needs {newest}: run icass migrate with {OWNER_URL} "
            "naming the owner's login (the application's own login may not migrate)"
        )


# How long a write waits for a lock before it gives up and the request answers 503 (icass.store.failures):
# SQLite's one write lock, or a PostgreSQL row or table lock. Longer than a large world's import holds it,
# with the edits queued behind it.
LOCK_WAIT_MS = 60_000


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one writer writes (pages stay answerable during an import); SQLite leaves
    # foreign keys off unless asked, and a second writer waits rather than failing at once.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    cursor.close()
    # The driver opens a transaction just before a transaction's first INSERT, UPDATE or DELETE (reads before
    # it take no lock, so a page never waits on an import). IMMEDIATE makes that BEGIN take the write lock at
    # once, waiting for it (busy_timeout): a deferred BEGIN could hold a read snapshot that SQLite then cannot
    # upgrade to a write without failing at once ("database is locked" without any wait).
    connection.isolation_level = "IMMEDIATE"


def _become_app_role(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    except Exception as e:
        if getattr(e, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            connection.close()  # the pool never got it, so nothing else would
            raise UnsafeLogin(
                f"{DATABASE_URL} logs in as a role that is not a member of {APP_ROLE}: GRANT {APP_ROLE} TO it "
                "(docs/store.md)"
            ) from e
        raise
    cursor.close()
    connection.commit()  # psycopg opens a transaction for the SET; the role stays for the session


def _postgres_lock_wait(connection: Any, _record: Any) -> None:
    # PostgreSQL would otherwise wait for a lock for ever; past this the request answers 503.
    cursor = connection.cursor()
    cursor.execute(f"SET lock_timeout = {LOCK_WAIT_MS}")
    cursor.close()
    connection.commit()


def migrate(engine: Engine) -> None:
    """Bring the schema to Alembic's head (icass/store/migrations); a no-op when it is there."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("icass.store") / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
