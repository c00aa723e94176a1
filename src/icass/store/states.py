"""What the store keeps in memory of what it computed: each post's state (its run: records, derivation,
distribution), a kept version's, a scenario's and a stored world's, in one bounded cache for the process.

An entry is found by its database, its kind and its key, and it is current only while its stamp is the one the
caller read from the database in the same breath: a post's `revision`, which every change moves in the
change's own transaction. So several processes on one database (uvicorn workers, the CLI beside a server)
stay correct without telling each other anything: a state made stale by another process is never served, it
is computed again. An entry kept under a revision that was never committed (its change rolled back) is never
asked for, since revisions are never reused.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar, cast

from sqlalchemy import Connection, Engine

# Entries kept at most, the least recently used going first: enough for every post of a 250-post world with
# the sample posts, their versions and scenarios, so that reading the world does not push its own posts out.
KEPT = 1024

_entries: OrderedDict[tuple[str, str, Hashable], tuple[Hashable, object]] = OrderedDict()
_lock = threading.Lock()

V = TypeVar("V")


def database_of(where: Engine | Connection) -> str:
    """The key of a database: its address without the password."""
    engine = where if isinstance(where, Engine) else where.engine
    return engine.url.render_as_string(hide_password=True)


class Shelf(Generic[V]):
    """The entries of one kind (a post's run, a world's run, ...), typed."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def get(self, database: str, key: Hashable, stamp: Hashable) -> V | None:
        """The entry kept for `key` when it was kept under `stamp`, else None."""
        with _lock:
            found = _entries.get((database, self.kind, key))
            if found is None or found[0] != stamp:
                return None
            _entries.move_to_end((database, self.kind, key))
            return cast(V, found[1])

    def put(self, database: str, key: Hashable, stamp: Hashable, value: V) -> None:
        """Keep `value` for `key` under `stamp`, in place of what was kept for it."""
        with _lock:
            _entries[(database, self.kind, key)] = (stamp, value)
            _entries.move_to_end((database, self.kind, key))
            while len(_entries) > KEPT:
                _entries.popitem(last=False)


def clear() -> None:
    """Forget everything kept (a fresh build follows)."""
    with _lock:
        _entries.clear()


def size() -> int:
    with _lock:
        return len(_entries)
