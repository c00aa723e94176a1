"""Each agency's certification of its staffing data at a post (issue 20 §2, docs/workspace.md "The data call and
staffing certification"): its people records as of the data call's count date, certified by its member of the
post's Budget Committee, its headquarters, or the ISC, with who, when, a comment and the SHA-256 of exactly the
rows certified (icass.views.staffing says which rows and how they are serialized).

A certification holds while its rows do: it is judged by comparing its hash with the hash of the agency's rows as
they are now, so that whatever path changes them (an edit, an import that replaces the post, an upload) clears
it. The edit paths also record the clearing, who and when, and say it in their answer (`clear_changed`); a
clearing no path recorded shows as cleared by a change since, when not known."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from icass.model.data_call import DataCall, defaults
from icass.store import audit, data_call
from icass.store.accounts import Account
from icass.store.changes import PostKey
from icass.store.schema import ROW_TABLES, certifications, posts
from icass.store.states import Shelf, database_of
from icass.views.staffing import COLUMNS, agency_rows, by_category, rows_sha256

__all__ = [
    "CERTIFIED",
    "CLEARED",
    "NOT_CERTIFIED",
    "CertificationStatus",
    "NotOpen",
    "NotYours",
    "UnknownAgency",
    "agencies_at",
    "certified",
    "certify",
    "clear_changed",
    "cleared_message",
    "count_date_of",
    "may_certify",
    "own_count_date",
    "status",
]

NOT_CERTIFIED, CERTIFIED, CLEARED = "not_certified", "certified", "cleared"


@dataclass(frozen=True)
class CertificationStatus:
    """Where an agency's staffing certification stands at a post. `state`: not_certified | certified | cleared.
    `by`, `at`, `comment`, `sha256`, `certified_rows`, `certified_count_date`: its newest certification (None:
    never certified); `current_sha256` and `rows`: its rows as they are now, as of `count_date` (the data call's,
    or the default before the ISC opens it); `cleared_at`, `cleared_by`: the change that cleared it, when recorded;
    `reason`: why it is cleared, in words."""

    agency: str
    name: str
    state: str
    count_date: dt.date
    rows: int
    current_sha256: str
    by: str | None = None
    at: str | None = None
    comment: str | None = None
    sha256: str | None = None
    certified_rows: int | None = None
    certified_count_date: dt.date | None = None
    cleared_at: str | None = None
    cleared_by: str | None = None
    reason: str = ""
    categories: tuple[tuple[str, int], ...] = ()  # its rows now, how many of each category (H-352)


class NotOpen(Exception):
    """The ISC has not opened the fiscal year's data call: there is no count date to certify as of (HTTP 409)."""


class NotYours(Exception):
    """The person may not certify that agency's staffing data (HTTP 403)."""


class UnknownAgency(LookupError):
    """The agency is not one of the post's (agencies.csv) (HTTP 422, field `agency`)."""


def may_certify(account: Account, post: str, agency: str) -> bool:
    """The agency's member of the post's Budget Committee, its headquarters, or the ISC."""
    return account.is_admin or account.committee_agency(post) == agency or agency in account.hq_agencies


def _people(connection: Connection, post: PostKey) -> list[list[str]]:
    table = ROW_TABLES["people.csv"]
    found = connection.execute(
        select(*(table.c[c] for c in COLUMNS)).where(table.c.post_id == post.id).order_by(table.c.line)
    )
    return [["" if cell is None else str(cell) for cell in row] for row in found]


def agencies_at(connection: Connection, post: PostKey) -> dict[str, str]:
    """The post's agencies (agencies.csv): each code and its name."""
    table = ROW_TABLES["agencies.csv"]
    found = connection.execute(select(table.c.code, table.c.name).where(table.c.post_id == post.id))
    return {str(code): str(name) for code, name in found}


def _newest(connection: Connection, post: PostKey) -> dict[str, Any]:
    """Each agency's newest certification at the post (its row)."""
    found = connection.execute(
        select(certifications)
        .where(certifications.c.post == post.code, certifications.c.fiscal_year == post.fiscal_year)
        .order_by(certifications.c.id)
    )
    return {row.agency: row for row in found}


def count_date_of(call: DataCall | None, fiscal_year: int) -> dt.date:
    """The count date certifications are as of: the data call's, or the default before the ISC opens it."""
    return (call or defaults(fiscal_year)).count_date


def own_count_date(connection: Connection, post: PostKey) -> dt.date | None:
    """post.toml's own count_date of the post, None when it leaves it to the default."""
    found = connection.execute(select(posts.c.count_date).where(posts.c.id == post.id)).scalar_one_or_none()
    return dt.date.fromisoformat(found) if found else None


def status(connection: Connection, post_key: PostKey) -> dict[str, CertificationStatus]:
    """Each agency of the post (agencies.csv, and any other that certified there), in code order, with where its
    staffing certification stands: certified while its rows' hash is the one certified as of the data call's
    count date and no change recorded clearing it; cleared otherwise; not_certified when it never was."""
    call = data_call.get(connection, post_key.fiscal_year)
    day = count_date_of(call, post_key.fiscal_year)
    newest = _newest(connection, post_key)
    names, staffing = _staffing(connection, post_key, day)
    found = {}
    for agency in sorted(set(names) | set(newest)):
        held = staffing.get(agency) or _staffed(agency_rows(_people(connection, post_key), agency, day))
        found[agency] = _status(agency, names.get(agency, ""), day, held, newest.get(agency), call)
    return found


# Each agency's rows of staff as of a count date (with their hash and count by category), and the post's
# agencies, kept under the post's revision: the post's home and every inbox ask where the certifications
# stand, and the people's rows change only with the post.
STAFFING: Shelf[tuple[dict[str, str], dict[str, Staffed]]] = Shelf("staffing")


@dataclass(frozen=True)
class Staffed:
    rows: list[list[str]]
    sha256: str
    categories: tuple[tuple[str, int], ...]


def _staffed(rows: list[list[str]]) -> Staffed:
    return Staffed(rows, rows_sha256(rows), tuple(by_category(rows).items()))


def _staffing(connection: Connection, post: PostKey, day: dt.date) -> tuple[dict[str, str], dict[str, Staffed]]:
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    database = database_of(connection)
    kept = STAFFING.get(database, (post.id, day), revision)
    if kept is None:
        people, names = _people(connection, post), agencies_at(connection, post)
        kept = names, {agency: _staffed(agency_rows(people, agency, day)) for agency in names}
        STAFFING.put(database, (post.id, day), revision, kept)
    return kept


def _status(
    agency: str, name: str, day: dt.date, held: Staffed, row: Any, call: DataCall | None
) -> CertificationStatus:
    rows, current, categories = held.rows, held.sha256, held.categories
    if row is None:
        return CertificationStatus(agency, name, NOT_CERTIFIED, day, len(rows), current, categories=categories)
    certified_on = dt.date.fromisoformat(row.count_date)
    cleared_at, cleared_by, reason = row.cleared_at, row.cleared_by, ""
    if cleared_at is not None:
        reason = "its people records changed"
    elif certified_on != day:
        # The ISC moved the data call's count date: the certification was of another day's staffing.
        cleared_at, cleared_by = (call.opened_at, call.opened_by) if call else (None, None)
        reason = f"the data call's count date moved from {certified_on} to {day}"
    elif current != row.sha256:
        reason = "its people records changed since (by an import or an upload)"
    return CertificationStatus(
        agency,
        name,
        CLEARED if reason else CERTIFIED,
        day,
        len(rows),
        current,
        row.username,
        row.at,
        row.comment,
        row.sha256,
        row.rows,
        certified_on,
        cleared_at,
        cleared_by,
        reason,
        categories,
    )


def certify(connection: Connection, post: PostKey, account: Account, agency: str, comment: str) -> CertificationStatus:
    """Record `account`'s certification of `agency`'s staffing data at the post as it is now, as of the data
    call's count date: NotYours (403) for a person who may not, UnknownAgency (422) for an agency not at the post,
    NotOpen (409) before the ISC opens the data call. Recorded, and in the record."""
    if not may_certify(account, post.code, agency):
        raise NotYours(
            f"{account.username} may not certify {agency}'s staffing data: its member of the Budget Committee at "
            f"{post.code}, its headquarters or the ISC certifies it"
        )
    names = agencies_at(connection, post)
    if agency not in names:
        raise UnknownAgency(f"{agency} is not an agency at {post.code} (agencies.csv)")
    call = data_call.get(connection, post.fiscal_year)
    if call is None:
        raise NotOpen(
            f"the ISC has not opened the data call of fiscal year {post.fiscal_year}: there is no count date to "
            "certify the staffing data as of"
        )
    rows = agency_rows(_people(connection, post), agency, call.count_date)
    sha256, at = rows_sha256(rows), audit.now()
    connection.execute(
        insert(certifications).values(
            post=post.code,
            fiscal_year=post.fiscal_year,
            agency=agency,
            username=account.username,
            at=at,
            comment=comment,
            count_date=call.count_date.isoformat(),
            rows=len(rows),
            sha256=sha256,
        )
    )
    audit.record(
        connection,
        account.username,
        "certify staffing",
        f"staffing of {agency}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        after={
            "agency": agency,
            "count_date": call.count_date.isoformat(),
            "rows": len(rows),
            "sha256": sha256,
            "comment": comment,
        },
    )
    return status(connection, post)[agency]


def certified(connection: Connection, post: PostKey) -> frozenset[str]:
    """The agencies whose staffing certification at the post holds now: what a change is judged against."""
    return frozenset(a for a, found in status(connection, post).items() if found.state == CERTIFIED)


def clear_changed(connection: Connection, post: PostKey, user: str, held: frozenset[str]) -> list[str]:
    """After a change to the post's rows, in its transaction: of the certifications `held` before it (`certified`),
    clear those whose rows it changed, record who and when (and in the record), and say so, one sentence an
    agency ("1900.0's staffing certification of 2026-05-12 was cleared by this change")."""
    said = []
    for agency, found in status(connection, post).items():
        if agency not in held or found.state != CLEARED or found.cleared_at is not None or found.at is None:
            continue
        at = audit.now()
        connection.execute(
            update(certifications)
            .where(
                certifications.c.post == post.code,
                certifications.c.fiscal_year == post.fiscal_year,
                certifications.c.agency == agency,
                certifications.c.at == found.at,
            )
            .values(cleared_at=at, cleared_by=user)
        )
        audit.record(
            connection,
            user,
            "clear certification",
            f"staffing of {agency}",
            post=post.code,
            fiscal_year=post.fiscal_year,
            before={"sha256": found.sha256, "certified_at": found.at},
            after={"sha256": found.current_sha256},
        )
        said.append(cleared_message(agency, found.at))
    return said


def cleared_message(agency: str, at: str) -> str:
    return f"{agency}'s staffing certification of {at[:10]} was cleared by this change"
