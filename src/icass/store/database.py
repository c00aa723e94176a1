"""Opening the database: SQLite in WAL mode in a data folder by default, PostgreSQL when ICASS_DATABASE_URL
names one; either way migrated to the newest schema (Alembic) before anything reads it."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

DATABASE_URL = "ICASS_DATABASE_URL"
# On PostgreSQL the application works as this role (made by migration 0002), which may read and append to the
# audit log but neither update nor delete it; the connecting user migrates the schema, then becomes it.
APP_ROLE = "icass_app"
DEFAULT_DATA = Path("data")


def database_url(data: Path | None = None) -> str:
    """ICASS_DATABASE_URL when set, else the SQLite file icass.db in the data folder (./data)."""
    return os.environ.get(DATABASE_URL) or f"sqlite:///{(data or DEFAULT_DATA) / 'icass.db'}"


def open_database(url: str) -> Engine:
    """An engine on `url`, its schema migrated to the newest revision."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        migrate(engine)
        return engine
    owner = create_engine(url)
    try:
        migrate(owner)
    finally:
        owner.dispose()
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "connect", _become_app_role)
    event.listen(engine, "connect", _postgres_lock_wait)
    return engine


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
    cursor.execute(f"SET ROLE {APP_ROLE}")
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
