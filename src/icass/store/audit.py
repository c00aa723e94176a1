"""The record of every change (issue 8 §2): who, when, what, before and after. Only `record` writes to it, and
only by INSERT; migrations 0002 and 0008 make the database refuse anything else (docs/workspace.md).

The record is a hash chain (issue 16 §5), so that an entry changed, removed or put in behind the application's
back shows: each entry keeps `previous_hash`, the hash of the entry before it (64 zeros for the first), and
`hash`, the SHA-256 of the ASCII previous hash followed by the entry's content in UTF-8. The content is the JSON
array [id, at, username, action, entity, post, fiscal_year, before, after], written with sorted keys, no spaces
(separators "," and ":"), characters beyond ASCII as they are, and no NaN or infinity. `verify` walks the chain
in the order of the ids. Migration 0008 keeps its own copy of this serialization for the entries written before
it: change neither without the other, nor ever for entries already written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Text, cast, select, update

from icass.store.schema import audit_chain, audit_log
from icass.store.states import Shelf, database_of

FIRST_PREVIOUS = "0" * 64  # the previous hash of the first entry: there is none


def now() -> str:
    """The time as the database keeps it: ISO 8601 in UTC, to the microsecond, sortable as text."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    id: int
    user: str
    at: str
    action: str
    entity: str
    post: str | None
    fiscal_year: int | None
    before: Any
    after: Any


def record(
    connection: Connection,
    user: str,
    action: str,
    entity: str,
    *,
    post: str | None = None,
    fiscal_year: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry, in the caller's transaction: the change and its record commit or fail together."""
    # Writing the chain's head first takes the lock that orders appends (PostgreSQL: its row; SQLite: the
    # database's write lock), so the newest entry it names stays the newest until this transaction ends and
    # two writers never chain onto the same entry. Only this function appends, and it moves the head with
    # every entry: the head is the newest entry (`verify` checks that it is).
    held = connection.execute(
        update(audit_chain)
        .where(audit_chain.c.id == 1)
        .values(last_id=audit_chain.c.last_id)
        .returning(audit_chain.c.last_id, audit_chain.c.hash)
    ).first()
    if held is None:  # without the head nothing orders appends: no entry rather than a forked chain
        raise RuntimeError("the audit log's chain head (audit_chain) is missing: run icass audit verify")
    previous = FIRST_PREVIOUS if held.last_id is None else str(held.hash)
    entry = {
        "id": 1 if held.last_id is None else held.last_id + 1,
        "at": now(),
        "username": user,
        "action": action,
        "entity": entity,
        "post": post,
        "fiscal_year": fiscal_year,
        # As the database gives them back (tuples as lists, keys as text), so that the hash is of what is kept.
        "before": _as_kept(before),
        "after": _as_kept(after),
    }
    hashed = chain_hash(previous, entry)
    connection.execute(audit_log.insert(), {**entry, "previous_hash": previous, "hash": hashed})
    connection.execute(update(audit_chain).where(audit_chain.c.id == 1).values(last_id=entry["id"], hash=hashed))


def _as_kept(value: Any) -> Any:
    return json.loads(json.dumps(value, allow_nan=False, default=_fields))


def _fields(value: Any) -> Any:
    """A record the store hands on (a row, a workload line: icass.store.steps) as the mapping of its fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not kept in the audit log")


CONTENT = ("id", "at", "username", "action", "entity", "post", "fiscal_year", "before", "after")


def chain_hash(previous: str, entry: Any) -> str:
    """The SHA-256 (hex) of `previous` and the entry's content (the module's docstring): `entry` is a mapping or
    a row with the columns of CONTENT."""
    values = [entry[name] for name in CONTENT] if isinstance(entry, dict) else [getattr(entry, n) for n in CONTENT]
    content = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(previous.encode("ascii") + content.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: how many entries it read, the newest hash, and the first that does not fit."""

    entries: int
    last_hash: str
    broken_at: Entry | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def verify(connection: Connection) -> Verdict:
    """Walk the chain from the first entry; stop at the first entry that does not fit."""
    head = connection.execute(select(audit_chain.c.last_id, audit_chain.c.hash)).first()
    # before and after are read as the text kept and parsed here: text that is no longer JSON (written behind the
    # application's back) is an entry that does not fit, not a failure of the check.
    columns = [cast(c, Text).label(c.name) if c.name in ("before", "after") else c for c in audit_log.c]
    rows = connection.execute(select(*columns).order_by(audit_log.c.id).execution_options(yield_per=1000))
    return check_chain((_parsed(row) for row in rows), None if head is None else (head.last_id, head.hash))


def _parsed(row: Any) -> SimpleNamespace:
    """The row with before and after parsed; `unreadable` names the one whose kept text is not JSON."""
    values = {name: getattr(row, name) for name in (*CONTENT, "previous_hash", "hash")}
    for name in ("before", "after"):
        try:
            values[name] = None if values[name] is None else json.loads(values[name])
        except ValueError:
            return SimpleNamespace(**values, unreadable=name)
    return SimpleNamespace(**values, unreadable="")


def check_chain(rows: Iterable[Any], head: tuple[int | None, str] | None) -> Verdict:
    """The chain of `rows` (in the order of their ids, as `_parsed` gives them) against itself and against the
    chain's head."""
    previous, count, last = FIRST_PREVIOUS, 0, None
    for row in rows:
        if row.previous_hash != previous:
            after = "the start of the log" if last is None else f"entry {last.id} ({last.at})"
            return _broken(
                count,
                previous,
                row,
                f"it does not follow {after}: it names {row.previous_hash} as the hash before it, where {after} "
                f"has {previous} (an entry between them was removed, or this one was put in)",
            )
        if row.unreadable:
            return _broken(count, previous, row, f"its {row.unreadable} is no longer JSON: it was changed")
        if row.hash != chain_hash(previous, row):
            return _broken(
                count,
                previous,
                row,
                "its content (user, time, action, entity, post, fiscal year, before or after) no longer gives "
                f"its hash {row.hash}: it was changed after it was written, or written with a forged hash",
            )
        previous, count, last = row.hash, count + 1, row
    last_id = None if last is None else last.id
    if head is not None and head != (last_id, previous):
        return Verdict(
            count,
            previous,
            None,
            f"the log ends at entry {last_id} with hash {previous}, but the chain's head names entry {head[0]} "
            f"with hash {head[1]}: entries at the end were removed, or the head was changed",
        )
    if head is None and count:
        return Verdict(count, previous, None, "the chain's head is missing")
    return Verdict(count, previous)


def _broken(count: int, previous: str, row: Any, problem: str) -> Verdict:
    return Verdict(count, previous, _entry(row), f"entry {row.id} ({row.at}): {problem}")


def _entry(row: Any) -> Entry:
    return Entry(row.id, row.username, row.at, row.action, row.entity, row.post, row.fiscal_year, row.before, row.after)


def entries(
    connection: Connection,
    limit: int = 100,
    before_id: int | None = None,
    posts: Collection[str] | None = None,
    fiscal_year: int | None = None,
    chosen: Chosen | None = None,
) -> list[Entry]:
    """The newest entries first (by their order of writing), `limit` of them, older than `before_id` if given,
    and only those `chosen` picks."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    if posts is not None:  # only these posts' entries (a post's FMO sees the record of the post)
        query = query.where(audit_log.c.post.in_(sorted(posts)))
    if fiscal_year is not None:
        query = query.where(audit_log.c.fiscal_year == fiscal_year)
    if chosen is not None:
        query = chosen.applied(query)
    return [_entry(row) for row in connection.execute(query)]


# A post's newest entries, kept under the record's head: a post's home shows them to each of its readers, and
# they change only when an entry is appended, which moves the head.
_NEWEST: Shelf[tuple[Entry, ...]] = Shelf("newest entries")


def newest_of_post(connection: Connection, post: str, fiscal_year: int, limit: int) -> list[Entry]:
    """entries(connection, limit, posts=[post], fiscal_year=fiscal_year), read again only when the record grew."""
    head = connection.execute(select(audit_chain.c.last_id)).scalar_one_or_none()
    database, key = database_of(connection), (post, fiscal_year, limit)
    kept = _NEWEST.get(database, key, head)
    if kept is None:
        kept = tuple(entries(connection, limit, posts=[post], fiscal_year=fiscal_year))
        _NEWEST.put(database, key, head, kept)
    return list(kept)


@dataclass(frozen=True)
class Chosen:
    """What a reader of the record picks: who, what, which post, and the days (UTC) from and to, each optional."""

    user: str | None = None
    action: str | None = None
    post: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # the last day, included

    def applied(self, query: Any) -> Any:
        if self.user:
            query = query.where(audit_log.c.username == self.user)
        if self.action:
            query = query.where(audit_log.c.action == self.action)
        if self.post:
            query = query.where(audit_log.c.post == self.post)
        # `at` is ISO 8601 text in UTC, so a day's bounds compare as text.
        if self.since:
            query = query.where(audit_log.c.at >= self.since.isoformat())
        if self.until:
            query = query.where(audit_log.c.at < (self.until + dt.timedelta(days=1)).isoformat())
        return query


def choices(connection: Connection, posts: Collection[str] | None = None) -> tuple[list[str], list[str], list[str]]:
    """Who, what and which posts the record (of `posts`, or all) names: what its filters offer."""
    found = []
    for column in (audit_log.c.username, audit_log.c.action, audit_log.c.post):
        query = select(column).distinct().where(column.is_not(None)).order_by(column)
        if posts is not None:
            query = query.where(audit_log.c.post.in_(sorted(posts)))
        found.append([str(v) for v in connection.execute(query).scalars()])
    return found[0], found[1], found[2]
