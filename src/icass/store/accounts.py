"""People: accounts with argon2id passwords, what each may do where, server-side sessions and login
throttling (issue 8 §2, docs/workspace.md).

Roles (issue 8): `admin` is the ICASS Service Center, every post and the world; `fmo` edits one post;
`committee` is one agency's member of one post's budget committee: reads the post and approves or rejects
its modifications, edits nothing; `hq` is one agency's headquarters: reads that agency's invoices at every
post and its worldwide invoice, nothing else. A post is named by its code, for every fiscal year.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, select, update

from icass.store import audit
from icass.store.audit import now
from icass.store.schema import accounts, login_attempts, roles, sessions

ROLES = ("admin", "fmo", "committee", "hq")
# What each role is scoped by: (needs a post, needs an agency).
SCOPE = {"admin": (False, False), "fmo": (True, False), "committee": (True, True), "hq": (False, True)}

# Throttling: this many failed logins of one username within the window refuse further tries until the
# oldest of them leaves it (OWASP's advice: slow guessing down without letting anyone lock an account for
# long).
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
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
    if len(password) < 8:
        raise ValueError("a password has at least 8 characters")
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


class Throttled(Exception):
    """Too many failed logins of this username lately."""


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def authenticate(connection: Connection, username: str, password: str) -> Account | None:
    """The account when the password is its own; None otherwise. Every try is recorded; Throttled when the
    username has had MAX_FAILURES failures within FAILURE_WINDOW (then the password is not even checked)."""
    since = _stamp(dt.datetime.now(dt.UTC) - FAILURE_WINDOW)
    failures = connection.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(login_attempts.c.username == username, login_attempts.c.at >= since, ~login_attempts.c.succeeded)
    ).scalar_one()
    if failures >= MAX_FAILURES:
        raise Throttled(username)
    row = connection.execute(
        select(accounts.c.id, accounts.c.password_hash, accounts.c.disabled).where(accounts.c.username == username)
    ).one_or_none()
    ok = False
    if row is not None and not row.disabled:
        try:
            ok = _hasher().verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # As long as a real check, so that the time taken does not tell which usernames exist.
        _hasher().hash(password)
    connection.execute(login_attempts.insert(), {"username": username, "at": now(), "succeeded": ok})
    if not ok or row is None:
        return None
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
    stamp = now()
    connection.execute(
        sessions.insert(),
        {
            "token_hash": _digest(token),
            "account_id": account.id,
            "csrf_token": csrf,
            "created_at": stamp,
            "seen_at": stamp,
            "revoked_at": None,
        },
    )
    return token, Session(account, csrf)


def find_session(connection: Connection, token: str) -> Session | None:
    """The live session of a cookie's token; None when unknown, revoked, idle too long or too old."""
    row = connection.execute(
        select(sessions).where(sessions.c.token_hash == _digest(token), sessions.c.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    moment = dt.datetime.now(dt.UTC)
    if moment - _parse(row.seen_at) > IDLE or moment - _parse(row.created_at) > ABSOLUTE:
        return None
    account = load_account(connection, row.account_id)
    if account is None:
        return None
    if moment - _parse(row.seen_at) > dt.timedelta(minutes=1):  # one write a minute at most, not one a request
        connection.execute(update(sessions).where(sessions.c.id == row.id).values(seen_at=_stamp(moment)))
    return Session(account, row.csrf_token)


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
