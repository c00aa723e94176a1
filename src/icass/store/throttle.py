"""Sign-in throttling (issue 16 §2): how many passwords one client may have checked, and for how long failed
sign-ins are kept.

Two things are throttled, each by the failures it had lately: a username tried from one client address (guessing
one person's password), and a client address whatever the username (spraying one password over many usernames).
After `PAIR_FAILURES` (or `ADDRESS_FAILURES`) failures the next try waits `WINDOW` after the last failure, twice as
long for each further failure (OWASP's advice: slow guessing down, never lock an account for everyone; the person
can still sign in from another address). A success clears its username's failures from its address, not the
address's own.

A try is reserved before its password is checked, in one short transaction that counts the failures and records
the try as a failure: simultaneous tries are counted one after the other (PostgreSQL: an advisory lock on the
client address; SQLite: the insert takes the database's single write lock before anything is read), so no more
than `PAIR_FAILURES` passwords of a username are checked from one address in a window, however many arrive at
once. A refused try is not recorded. Failures are kept `KEPT` (the longest the delay looks back) and never more
than `MAX_KEPT` rows, so that the table cannot fill the disk.

The client address is the connection's (uvicorn's `request.client`): behind a reverse proxy, uvicorn must be
started with --proxy-headers and --forwarded-allow-ips naming the proxy, or every client is the proxy's address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select, update

from icass.store.schema import login_attempts

PAIR_FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
# The delay doubles at most this many times (15 minutes x 2^6 = 16 hours); a failure counts towards it, and is
# kept, for KEPT.
DOUBLINGS = 6
KEPT = dt.timedelta(hours=24)
MAX_KEPT = 100_000


class Throttled(Exception):
    """Too many failed sign-ins lately, of this username from this address or from this address."""

    def __init__(self, wait: dt.timedelta) -> None:
        super().__init__(f"try again in {wait}")
        self.retry_after = max(1, math.ceil(wait.total_seconds()))


def wait_before_next(failures: Sequence[dt.datetime], moment: dt.datetime, allowed: int) -> dt.timedelta:
    """How long the next try must wait after `failures` (oldest first, those of the last `KEPT`): nothing before
    `allowed` failures; then `WINDOW` after the last, doubled for each failure beyond `allowed` (so never more
    than `allowed` failures within any `WINDOW`)."""
    if len(failures) < allowed:
        return dt.timedelta(0)
    until = failures[-1] + WINDOW * (1 << min(len(failures) - allowed, DOUBLINGS))
    return max(until - moment, dt.timedelta(0))


def stamp(moment: dt.datetime) -> str:
    """A moment as the database keeps it (icass.store.audit.now): sortable as text."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Attempt:
    """A reserved try: its row, recorded as a failure until `succeeded` says otherwise."""

    id: int
    username: str
    address: str


def reserve(connection: Connection, username: str, address: str, moment: dt.datetime) -> Attempt:
    """Record a try of `username` from `address` as a failure, or raise Throttled (and record nothing, once the
    caller's transaction is rolled back) when the failures before it ask it to wait. Call it in a transaction of
    its own, committed before the password is checked."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(address.encode()).digest()[:8], "big", signed=True)
        connection.execute(select(func.pg_advisory_xact_lock(key)))
    attempt_id = connection.execute(
        insert(login_attempts).returning(login_attempts.c.id),
        {"username": username, "address": address, "at": stamp(moment), "succeeded": False},
    ).scalar_one()
    rows = connection.execute(
        select(login_attempts.c.username, login_attempts.c.at)
        .where(
            login_attempts.c.address == address,
            ~login_attempts.c.succeeded,
            login_attempts.c.at >= stamp(moment - KEPT),
            login_attempts.c.id != attempt_id,
        )
        .order_by(login_attempts.c.at, login_attempts.c.id)
    ).all()
    of_address = [parse_stamp(r.at) for r in rows]
    of_pair = [parse_stamp(r.at) for r in rows if r.username == username]
    wait = max(wait_before_next(of_pair, moment, PAIR_FAILURES), wait_before_next(of_address, moment, ADDRESS_FAILURES))
    if wait:
        raise Throttled(wait)
    _forget_old(connection, moment, int(attempt_id))
    return Attempt(int(attempt_id), username, address)


def _forget_old(connection: Connection, moment: dt.datetime, newest: int) -> None:
    connection.execute(delete(login_attempts).where(login_attempts.c.at < stamp(moment - KEPT)))
    connection.execute(delete(login_attempts).where(login_attempts.c.id <= newest - MAX_KEPT))


def succeeded(connection: Connection, attempt: Attempt) -> None:
    """The password was right: the try is a success and its username's failures from its address are cleared."""
    connection.execute(update(login_attempts).where(login_attempts.c.id == attempt.id).values(succeeded=True))
    connection.execute(
        delete(login_attempts).where(
            login_attempts.c.username == attempt.username,
            login_attempts.c.address == attempt.address,
            ~login_attempts.c.succeeded,
        )
    )
