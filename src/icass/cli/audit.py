"""`icass audit verify`: the record's hash chain checked from its first entry (issue 16 §5, icass.store.audit)."""

from __future__ import annotations

from pathlib import Path

import click

from icass.cli.app import _err, _fail, _Group, _out
from icass.cli.store import data_option


@click.group("audit", cls=_Group)
def audit_command() -> None:
    """The record of every change kept in the database."""


@audit_command.command("verify")
@data_option
def verify_command(data: Path | None) -> None:
    """Check that every entry of the record follows the one before it and still gives its hash, and that the
    chain ends where its head says: exit 0 with "N entries, chain intact", or exit 2 naming the first entry that
    does not fit (its id, its time and what differs)."""
    from icass.store.audit import verify
    from icass.store.database import database_url, open_database

    url = database_url(data)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        _fail(f"{url.removeprefix('sqlite:///')}: no database there")
    engine = open_database(url)
    try:
        with engine.connect() as connection:
            verdict = verify(connection)
    finally:
        engine.dispose()
    if not verdict.intact:
        _err().print(f"{verdict.entries} entries fit the chain before it.", markup=False)
        _fail(f"the audit log's chain is broken at {verdict.problem}" if verdict.broken_at else verdict.problem)
    _out().print(f"{verdict.entries} entries, chain intact; the newest hash is {verdict.last_hash}", markup=False)
