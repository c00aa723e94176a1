"""Each fiscal year's data call as the ISC opened it (issue 20 §2, icass.model.data_call decides its dates and
their order; docs/workspace.md "The data call and staffing certification"). Opening and every change after are
entries of the record."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from icass.model.data_call import DATES, DataCall, made
from icass.store import audit
from icass.store.schema import data_calls

__all__ = ["DataCall", "get", "open_or_change"]


def _call(row: Any) -> DataCall:
    dates = {name: dt.date.fromisoformat(getattr(row, name)) for name in DATES}
    return DataCall(row.fiscal_year, **dates, opened_by=row.opened_by, opened_at=row.opened_at)


def get(connection: Connection, fiscal_year: int) -> DataCall | None:
    """Fiscal year `fiscal_year`'s data call, None while the ISC has not opened it."""
    row = connection.execute(select(data_calls).where(data_calls.c.fiscal_year == fiscal_year)).one_or_none()
    return None if row is None else _call(row)


def _kept(call: DataCall) -> dict[str, str]:
    return {name: getattr(call, name).isoformat() for name in DATES}


def open_or_change(connection: Connection, fiscal_year: int, user: str, **dates: dt.date | None) -> DataCall:
    """Open fiscal year `fiscal_year`'s data call, or change it: the dates given (None or left out: as the call
    stands, else the default), checked by icass.model.data_call (its Invalid names the date at fault). Recorded
    with who and when, and in the record with the dates before and after."""
    # Touching the year's row first takes the lock that orders two changes of one call (the row's on
    # PostgreSQL, the database's write lock on SQLite), so that the second one reads what the first wrote.
    connection.execute(
        update(data_calls).where(data_calls.c.fiscal_year == fiscal_year).values(opened_at=data_calls.c.opened_at)
    )
    before = get(connection, fiscal_year)
    call = made(fiscal_year, dates, before)
    at = audit.now()
    values = {**_kept(call), "opened_by": user, "opened_at": at}
    if before is None:
        connection.execute(insert(data_calls).values(fiscal_year=fiscal_year, **values))
    else:
        connection.execute(update(data_calls).where(data_calls.c.fiscal_year == fiscal_year).values(**values))
    audit.record(
        connection,
        user,
        "open data call" if before is None else "change data call",
        f"data call {fiscal_year}",
        fiscal_year=fiscal_year,
        before=None if before is None else _kept(before),
        after=_kept(call),
    )
    return dataclasses.replace(call, opened_by=user, opened_at=at)
