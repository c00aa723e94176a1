"""People: accounts with argon2id passwords, what each may do where, server-side sessions and login
throttling (issue 8 §2, docs/workspace.md).

Roles (issue 8): `admin` is the ICASS Service Center, every post and the world; `fmo` edits one post;
`committee` is one agency's member of one post's budget committee: reads the post and approves or rejects
its modifications, edits nothing; `hq` is one agency's headquarters: reads that agency's invoices at every
post and its worldwide invoice, nothing else. A post is named by its code, for every fiscal year.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import os
import secrets
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import DBAPIError

from icass.store import audit, throttle
from icass.store.audit import now
from icass.store.failures import unavailable
from icass.store.schema import accounts, roles, sessions
from icass.store.throttle import parse_stamp, stamp

logger = logging.getLogger(__name__)

ROLES = ("admin", "fmo", "committee", "hq")
# What each role is scoped by: (needs a post, needs an agency).
SCOPE = {"admin": (False, False), "fmo": (True, False), "committee": (True, True), "hq": (False, True)}

# The shortest password an account may have: OWASP ASVS 5.0 (6.2.1) asks for at least 8 characters.
MIN_PASSWORD = 8
# A session ends after this long unused, and after this long whatever its use.
IDLE = dt.timedelta(hours=8)
ABSOLUTE = dt.timedelta(hours=24)

# The cost of argon2id: argon2-cffi's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes)
# unless ICASS_ARGON2_PROFILE names another profile. Only the tests name one ("test", set in tests/conftest.py):
# they make and check hundreds of passwords, and a hash records its own parameters, so a check is as costly as
# the hash it checks. Any other value is refused, so that a typo cannot weaken production's passwords.
ARGON2_PROFILE = "ICASS_ARGON2_PROFILE"
ARGON2_PROFILES: dict[str, PasswordHasher] = {
    "default": PasswordHasher(),
    "test": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


@functools.cache
def _hasher() -> PasswordHasher:
    profile = os.environ.get(ARGON2_PROFILE) or "default"
    if profile not in ARGON2_PROFILES:
        raise ValueError(f"{ARGON2_PROFILE}={profile!r}: one of {', '.join(ARGON2_PROFILES)}")
    return ARGON2_PROFILES[profile]


@dataclass(frozen=True)
class Grant:
    role: str
    post: str | None = None
    agency: str | None = None

    def __post_init__(self) -> None:
        if self.role not in SCOPE:
            raise ValueError(f"unknown role {self.role!r}: one of {', '.join(ROLES)}")
        needs_post, needs_agency = SCOPE[self.role]
        if needs_post != (self.post is not None) or needs_agency != (self.agency is not None):
            wanted = " and ".join(w for w, n in (("a post", needs_post), ("an agency", needs_agency)) if n)
            raise ValueError(f"role {self.role} is scoped by {wanted or 'nothing'}")

    def __str__(self) -> str:
        scope = " ".join(x for x in (self.post, self.agency) if x)
        return f"{self.role} {scope}".strip()


@dataclass(frozen=True)
class Account:
    """A signed-in person and what they may do. Every check of the API and the pages is one of these."""

    id: int
    username: str
    grants: tuple[Grant, ...]

    @property
    def is_admin(self) -> bool:
        return any(g.role == "admin" for g in self.grants)

    def reads_post(self, post: str) -> bool:
        """The whole post: budget, positions, records, counts, every agency's invoice."""
        return self.is_admin or any(g.post == post and g.role in ("fmo", "committee") for g in self.grants)

    def edits_post(self, post: str) -> bool:
        return self.is_admin or any(g.role == "fmo" and g.post == post for g in self.grants)

    def committee_agency(self, post: str) -> str | None:
        """The agency this account stands for on the post's budget committee, if it sits on it."""
        return next((g.agency for g in self.grants if g.role == "committee" and g.post == post), None)

    def reads_invoice(self, post: str, agency: str) -> bool:
        return self.reads_post(post) or any(g.role == "hq" and g.agency == agency for g in self.grants)

    def reads_world_invoice(self, agency: str) -> bool:
        return self.is_admin or any(g.role == "hq" and g.agency == agency for g in self.grants)

    @property
    def hq_agencies(self) -> frozenset[str]:
        return frozenset(g.agency for g in self.grants if g.role == "hq" and g.agency)

    @property
    def posts(self) -> frozenset[str]:
        """The posts this account reads whole (admin: every post, not listed here)."""
        return frozenset(g.post for g in self.grants if g.post)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def create_account(
    connection: Connection, username: str, password: str, grants: Iterable[Grant], *, by: str = "system"
) -> int:
    """A new account; `username` must be free. Recorded, with its roles, as made `by` that user (the system when
    the command line makes it: `icass serve --demo`)."""
    if not username or len(username) > 64:
        raise ValueError("a username has 1 to 64 characters")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    inserted = connection.execute(
        accounts.insert().returning(accounts.c.id),
        {"username": username, "password_hash": hash_password(password), "created_at": now(), "disabled": False},
    ).scalar_one()
    account_id = int(inserted)
    found = list(grants)
    if found:
        connection.execute(
            roles.insert(),
            [{"account_id": account_id, "role": g.role, "post": g.post, "agency": g.agency} for g in found],
        )
    granted = [{"role": g.role, "post": g.post, "agency": g.agency} for g in found]
    audit.record(connection, by, "create account", f"account {username}", after={"roles": granted})
    return account_id


def load_account(connection: Connection, account_id: int) -> Account | None:
    row = connection.execute(
        select(accounts.c.username, accounts.c.disabled).where(accounts.c.id == account_id)
    ).one_or_none()
    if row is None or row.disabled:
        return None
    grants = tuple(
        Grant(r.role, r.post, r.agency)
        for r in connection.execute(
            select(roles.c.role, roles.c.post, roles.c.agency)
            .where(roles.c.account_id == account_id)
            .order_by(roles.c.id)
        )
    )
    return Account(account_id, row.username, grants)


class Busy(Exception):
    """As many passwords as there are cores are being checked: this one is refused rather than queued."""


# argon2id is meant to take a core and 64 MiB for each password it checks: a queue of them would hold every
# thread of the server and its memory while signed-in readers wait. So at most one check per core runs at once,
# and the rest are refused at once (the caller answers 429), unhashed. The checks run in threads of their own at
# the lowest CPU priority, so that they take the time readers leave rather than a share of it.
_CORES = os.cpu_count() or 1
_CHECKING = threading.BoundedSemaphore(_CORES)


def _lowest_priority() -> None:
    # Linux keeps a nice value per thread, and the threads argon2 starts for its lanes inherit it. (Elsewhere the
    # call would lower the whole server, so it is Linux's alone.)
    # A sandbox that forbids it leaves the checks at the server's priority rather than breaking sign-in.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


_HASHING = ThreadPoolExecutor(max_workers=_CORES, thread_name_prefix="argon2", initializer=_lowest_priority)


def _check(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one of `password_hash`; with no hash (no such account, or a disabled one) a
    hash is made all the same, so that the time taken does not tell which usernames exist."""
    if password_hash is None:
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str, address: str) -> Account | None:
    """The account when the password is its own; None otherwise, in the same time whether the username exists
    or not. Busy when too many passwords are being checked; Throttled (icass.store.throttle) when the client has
    failed too often lately, and then the password is not checked and the try is not recorded."""
    if not _CHECKING.acquire(blocking=False):
        raise Busy
    try:
        with engine.begin() as connection:
            attempt = throttle.reserve(connection, username, address, dt.datetime.now(dt.UTC))
            row = connection.execute(
                select(accounts.c.id, accounts.c.password_hash, accounts.c.disabled).where(
                    accounts.c.username == username
                )
            ).one_or_none()
        password_hash = row.password_hash if row is not None and not row.disabled else None
        ok = _HASHING.submit(_check, password_hash, password).result()
    finally:
        _CHECKING.release()
    if not ok or row is None:
        return None
    with engine.begin() as connection:
        throttle.succeeded(connection, attempt)
        return load_account(connection, row.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


def open_session(connection: Connection, account: Account) -> tuple[str, Session]:
    """A new session of the account: the token for its cookie (kept only hashed) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    opened = now()
    connection.execute(
        sessions.insert(),
        {
            "token_hash": _digest(token),
            "account_id": account.id,
            "csrf_token": csrf,
            "created_at": opened,
            "seen_at": opened,
            "revoked_at": None,
        },
    )
    return token, Session(account, csrf)


def find_session(engine: Engine, token: str) -> Session | None:
    """The live session of a cookie's token; None when unknown, revoked, idle too long or too old. Read without
    a write lock; the session's idle clock is moved on in a transaction of its own, at most once a minute."""
    if _digest(token) in _ended_unrecorded:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            select(sessions).where(sessions.c.token_hash == _digest(token), sessions.c.revoked_at.is_(None))
        ).one_or_none()
        if row is None:
            return None
        moment = dt.datetime.now(dt.UTC)
        if moment - parse_stamp(row.seen_at) > IDLE or moment - parse_stamp(row.created_at) > ABSOLUTE:
            return None
        account = load_account(connection, row.account_id)
    if account is None:
        return None
    if moment - parse_stamp(row.seen_at) > dt.timedelta(minutes=1):
        try:
            with engine.begin() as connection:
                connection.execute(update(sessions).where(sessions.c.id == row.id).values(seen_at=stamp(moment)))
        except DBAPIError as e:
            # A busy or full database must not stop a person reading: the idle clock is bookkeeping, and the
            # next request tries again. Any other failure is a fault to show.
            if unavailable(e) is None:
                raise
            logger.warning("the session's idle clock could not be moved on: %s", e.orig)
    return Session(account, row.csrf_token)


# Sessions signed out while the database could not record it (a full disk, a lost connection): this process
# refuses them all the same, until they would have ended anyway. Only such failures add to it, so it stays small.
_ended_unrecorded: dict[str, dt.datetime] = {}
_ended_lock = threading.Lock()


def end_session_here(token: str) -> None:
    """End a session in this process's memory, when its row cannot be revoked."""
    moment = dt.datetime.now(dt.UTC)
    with _ended_lock:
        for digest, ended in list(_ended_unrecorded.items()):
            if moment - ended > ABSOLUTE:
                del _ended_unrecorded[digest]
        _ended_unrecorded[_digest(token)] = moment


def revoke_session(connection: Connection, token: str) -> bool:
    done = connection.execute(
        update(sessions)
        .where(sessions.c.token_hash == _digest(token), sessions.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    return bool(done.rowcount)


def revoke_sessions_of(connection: Connection, account_id: int) -> int:
    """End every session of an account (an administrator's lever when a password leaks)."""
    done = connection.execute(
        update(sessions)
        .where(sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    return int(done.rowcount)
