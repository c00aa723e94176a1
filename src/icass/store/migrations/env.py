"""Alembic's environment: run on the connection icass.store.database.migrate hands it (never from a URL in
a config file), with batch mode so that SQLite can alter tables."""

from __future__ import annotations

from alembic import context

from icass.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
