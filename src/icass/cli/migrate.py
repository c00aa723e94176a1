"""`icass migrate`: the database brought to the newest schema, by its owner on PostgreSQL (icass.store.database)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from icass.cli.app import _err, _fail
from icass.cli.store import data_option


@click.command("migrate")
@data_option
def migrate_command(data: Path | None) -> None:
    """Bring the database to the newest schema (every command does so when it opens it). On PostgreSQL the
    owner migrates: ICASS_DATABASE_OWNER_URL names its login, ICASS_DATABASE_URL the application's, which is
    then checked to own nothing (docs/store.md)."""
    from alembic.migration import MigrationContext

    from icass.store.database import OWNER_URL, database_url, open_database

    url = database_url(data)
    if not url.startswith("sqlite") and not os.environ.get(OWNER_URL):
        _fail(f"{OWNER_URL} is not set: on PostgreSQL the owner's login migrates the schema, not the application's")
    engine = open_database(url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    _err().print(f"the database is at revision {revision}, the newest", markup=False)
