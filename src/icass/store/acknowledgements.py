"""The FMO's acknowledgements of warnings, kept as a post's acknowledgements.csv rows (docs/bundle.md): made from a
warning the post raises now, with the reason typed, the person and the day filled in here; withdrawn by removing
the row. Each is a change of the post (its lock, its state kept, its entry in the record).

Its rows are not a resource edited cell by cell (icass.store.changes.RESOURCES): the file's `row` column names
the row a warning is on, which a stored row's own `row`, its place in its file, would shadow; and an
acknowledgement is made only of a warning that is raised, never typed free."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from icass.bundle.codes import text_problem
from icass.diagnostics import ERROR, error
from icass.model import Source
from icass.store.changes import Rejected, record_change
from icass.store.compute import keep_state, state_on
from icass.store.schema import ROW_TABLES
from icass.store.steps import NotFound, PostKey, fill_header, lock, ordered

FILE = "acknowledgements.csv"


@dataclass(frozen=True)
class StoredAcknowledgement:
    id: int
    rule: str
    file: str
    row: int
    reason: str
    by: str
    on: str


def acknowledgements_of(connection: Connection, post: PostKey) -> list[StoredAcknowledgement]:
    return [_stored(row) for row in ordered(connection, post, FILE)]


def acknowledge(
    connection: Connection, post: PostKey, rule: str, file: str, row: int, reason: str, user: str, on: dt.date
) -> StoredAcknowledgement:
    """Acknowledge the warning of `rule` the post raises now on `file`'s row `row`, for `reason`; Rejected
    when there is no such warning still open, or the reason is empty or too long."""
    where = Source(FILE)
    reason = reason.strip()
    too_long = text_problem(reason)
    if not reason or too_long:
        raise Rejected([error(where, too_long or "say why the warning is left as it is", field="reason")])
    lock(connection, post)
    raised = [
        d
        for d in state_on(connection, post.id).run.diagnostics
        if d.rule == rule and d.source.place == file and d.source.row == row
    ]
    if not any(d.severity != ERROR and not d.acknowledged for d in raised):
        said = f"{file}, row {row}" if row else file
        why = "an error cannot be acknowledged: fix the row instead" if raised else "there is none to acknowledge"
        raise Rejected([error(where, f"the post raises no open warning of {rule} on {said}: {why}", field="rule")])
    table = ROW_TABLES[FILE]
    last = connection.execute(select(func.max(table.c.line)).where(table.c.post_id == post.id)).scalar_one()
    fill_header(connection, post, FILE, set())  # the post's bundle has the file from its first acknowledgement
    cells = {"rule": rule, "file": file, "row": str(row), "reason": reason, "by": user, "on": on.isoformat()}
    row_id = connection.execute(
        insert(table).returning(table.c.id), {"post_id": post.id, "line": (last or 0) + 1, "extra": {}, **cells}
    ).scalar_one()
    made = StoredAcknowledgement(row_id, rule, file, row, reason, user, on.isoformat())
    record_change(connection, post, user, "acknowledge", FILE, row_id, None, made)
    keep_state(connection, post.id, state_on(connection, post.id))
    return made


def withdraw(connection: Connection, post: PostKey, acknowledgement_id: int, user: str) -> None:
    """Remove an acknowledgement: its warning is open again."""
    table = ROW_TABLES[FILE]
    found = (
        connection.execute(select(table).where(table.c.id == acknowledgement_id, table.c.post_id == post.id))
        .mappings()
        .one_or_none()
    )
    if found is None:
        raise NotFound(f"{post.code} {post.fiscal_year} has no acknowledgement {acknowledgement_id}")
    lock(connection, post)
    connection.execute(delete(table).where(table.c.id == acknowledgement_id))
    record_change(connection, post, user, "withdraw", FILE, acknowledgement_id, _stored(dict(found)), None)
    keep_state(connection, post.id, state_on(connection, post.id))


def _stored(cells: Mapping[str, Any]) -> StoredAcknowledgement:
    return StoredAcknowledgement(
        cells["id"], cells["rule"], cells["file"], int(cells["row"]), cells["reason"], cells["by"], cells["on"]
    )
