"""The database failures a request can meet through no fault of its own, told apart from the rest: the write
lock not granted in time (SQLite's busy timeout; a PostgreSQL lock or statement timeout, a deadlock) and the
disk full (SQLite's SQLITE_FULL, PostgreSQL's disk_full and its other insufficient-resources states). Each is
answered 503 with a message and when to try again (icass.api.app, icass.web.app); any other database error
stays a server error. Either way the transaction was rolled back: nothing of the change was stored."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

BUSY_SECONDS = 5  # the edits queued behind an import wait this long before trying again
FULL_SECONDS = 300  # space is freed by an administrator, not by waiting


@dataclass(frozen=True)
class Unavailable:
    """Why the database could not take a change now, in words for the person who sent it."""

    message: str
    retry_after: int  # seconds


BUSY = Unavailable(
    "the database is busy with other changes (an import, perhaps) and this one could not wait longer: nothing of "
    "it was saved; try again in a moment",
    BUSY_SECONDS,
)
FULL = Unavailable(
    "the database's disk is full: nothing of this change was saved (reading still works); tell the ICASS Service "
    "Center, who must free space",
    FULL_SECONDS,
)

_SQLITE = {sqlite3.SQLITE_BUSY: BUSY, sqlite3.SQLITE_LOCKED: BUSY, sqlite3.SQLITE_FULL: FULL}
# PostgreSQL's SQLSTATEs: class 53 is insufficient resources (53100 disk_full); lock_not_available (a
# lock_timeout), query_canceled (a statement_timeout), deadlock_detected and serialization_failure are a
# change that met another one.
_POSTGRES = {"55P03": BUSY, "57014": BUSY, "40P01": BUSY, "40001": BUSY, "53300": BUSY}


def unavailable(error: DBAPIError) -> Unavailable | None:
    """What to tell the person when `error` is a busy or full database; None for any other database error."""
    cause = error.orig
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None:
            return _SQLITE.get(code & 0xFF)  # the primary code of an extended one (SQLITE_BUSY_SNAPSHOT...)
        text = str(cause)  # a driver that gives no code: SQLite's own words
        return BUSY if "database is locked" in text else FULL if "database or disk is full" in text else None
    state = getattr(cause, "sqlstate", None)
    if not isinstance(state, str):
        return None
    return _POSTGRES.get(state) or (FULL if state.startswith("53") else None)
