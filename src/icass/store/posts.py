"""The stored posts as typed records for the API: one post's row, the posts a person may list, and the
agencies a post bills among those an account answers for (an agency's headquarters reads its invoices)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from icass.store.schema import ROW_TABLES, posts

AGENCIES = ROW_TABLES["agencies.csv"]


@dataclass(frozen=True)
class StoredPost:
    id: int
    code: str
    fiscal_year: int
    name: str
    country: str
    region: str
    methodology: str
    stage: str | None
    version: int
    revision: str  # moved by every change (icass.store.states)


def _stored(row: Any) -> StoredPost:
    return StoredPost(
        row.id,
        row.code,
        row.fiscal_year,
        row.name,
        row.country,
        row.region,
        row.methodology,
        row.stage,
        row.version,
        row.revision,
    )


def stored_post(connection: Connection, post_id: int) -> StoredPost:
    return _stored(connection.execute(select(posts).where(posts.c.id == post_id)).one())


def find_stored(connection: Connection, code: str, fiscal_year: int) -> StoredPost | None:
    """The post of `code` in `fiscal_year`, or None when it is not stored."""
    query = select(posts).where(posts.c.code == code, posts.c.fiscal_year == fiscal_year)
    row = connection.execute(query).one_or_none()
    return None if row is None else _stored(row)


def stored_posts(
    connection: Connection, codes: Collection[str] | None = None, billing: Collection[str] = ()
) -> list[StoredPost]:
    """The stored posts by code and fiscal year: every one (`codes` None), or those of `codes` and those where
    one of the agencies `billing` is an agency."""
    query = select(posts).order_by(posts.c.code, posts.c.fiscal_year)
    if codes is not None:
        billed = select(AGENCIES.c.post_id).where(AGENCIES.c.code.in_(sorted(billing)))
        query = query.where(posts.c.code.in_(sorted(codes)) | posts.c.id.in_(billed))
    return [_stored(row) for row in connection.execute(query)]


def agencies_billed(connection: Connection, agencies: Collection[str]) -> dict[int, list[str]]:
    """Post id -> those of `agencies` that are agencies of the post."""
    billed: dict[int, list[str]] = defaultdict(list)
    if agencies:
        query = select(AGENCIES.c.post_id, AGENCIES.c.code).where(AGENCIES.c.code.in_(sorted(agencies)))
        for post_id, code in connection.execute(query):
            billed[post_id].append(code)
    return billed


def bills(connection: Connection, post_id: int, agency: str) -> bool:
    """Whether `agency` is one of the post's agencies."""
    query = select(AGENCIES.c.id).where(AGENCIES.c.post_id == post_id, AGENCIES.c.code == agency).limit(1)
    return connection.execute(query).first() is not None
