"""The path of a stored post's TDY invoices (issue 20 §5, docs/workspace.md "TDY invoices through their own
path"): icass.model.tdy_path decides each step, this records it (tdy_invoices, tdy_invoice_steps) with its entry
in the record; and the day the ISC issued a fiscal year's final headquarters invoices (final_hq_invoices), after
which a TDY invoice submitted rolls to the next fiscal year (H-363.1-6 c(7)).

An invoice is computed from the post's visits (icass.tdy.invoices) and named by the first of its visits; it has a
row here from its first step on, and is `prepared` before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, insert, select, update

from icass.model import Source, tdy_path
from icass.model.tdy_path import ADMIN, FMO, HQ, ROLL_SECTION, State
from icass.model.world import TdyCharge
from icass.store import audit
from icass.store.accounts import Account
from icass.store.changes import PostKey
from icass.store.schema import final_hq_invoices, posts, tdy_invoice_steps, tdy_invoices

__all__ = [
    "Awaiting",
    "TdyPath",
    "TdyStep",
    "billed_in_world",
    "capacities",
    "final_issued_on",
    "paths",
    "record_final_issued",
    "take_step",
    "tdy_awaiting",
]


@dataclass(frozen=True)
class TdyStep:
    step: str
    user: str
    at: str
    comment: str
    state: str  # the state the step left the invoice in
    total: int  # cents: the invoice's total when the step was taken


@dataclass(frozen=True)
class TdyPath:
    invoice: str
    agency: str
    state: str
    submitted_on: dt.date | None
    submitted_total: int | None
    steps: tuple[TdyStep, ...]


PREPARED = TdyPath("", "", State.PREPARED.value, None, None, ())


def capacities(account: Account, post: str, agency: str) -> set[str]:
    """What `account` may act as on a TDY invoice of `agency` at `post` (icass.model.tdy_path)."""
    found = {ADMIN} if account.is_admin else set()
    if any(g.role == "fmo" and g.post == post for g in account.grants):
        found.add(FMO)
    if agency in account.hq_agencies:
        found.add(HQ)
    return found


def paths(connection: Connection, post_id: int) -> dict[str, TdyPath]:
    """The path of each invoice of the post a step was taken on, by invoice."""
    rows = connection.execute(select(tdy_invoices).where(tdy_invoices.c.post_id == post_id)).all()
    steps: dict[int, list[TdyStep]] = {r.id: [] for r in rows}
    if rows:
        found = connection.execute(
            select(tdy_invoice_steps)
            .where(tdy_invoice_steps.c.invoice_id.in_(list(steps)))
            .order_by(tdy_invoice_steps.c.id)
        )
        for s in found:
            steps[s.invoice_id].append(TdyStep(s.step, s.username, s.at, s.comment, s.state, s.total))
    return {r.invoice: _path(r, steps[r.id]) for r in rows}


def _path(row: Any, steps: list[TdyStep]) -> TdyPath:
    submitted = dt.date.fromisoformat(row.submitted_on) if row.submitted_on else None
    return TdyPath(row.invoice, row.agency, row.state, submitted, row.submitted_total, tuple(steps))


def take_step(
    connection: Connection,
    post: PostKey,
    account: Account,
    step: str,
    comment: str,
    invoice: tdy_path.Invoice,
    agency: str,
    on: dt.date,
    council_approved_on: dt.date | None,
) -> TdyPath:
    """Take `step` on `invoice` (of `agency`, judged on `on`, the day) as `account`: icass.model.tdy_path decides
    (its exceptions: OutOfOrder, NotYours, Incomplete), this records the step, the invoice's new state and the
    record's entry. A submission records the day, the one the invoice is judged on from then."""
    mine = (tdy_invoices.c.post_id == post.id, tdy_invoices.c.invoice == invoice.invoice)

    def touched() -> int:
        return int(connection.execute(update(tdy_invoices).where(*mine).values(state=tdy_invoices.c.state)).rowcount)

    # Touching the row first takes the lock that orders two steps taken at once (as a version's path does). An
    # invoice's first step makes its row: the post's row, locked (PostgreSQL; SQLite has the write lock already),
    # orders two first steps, and the second sees the first's row once it commits.
    if not touched():
        connection.execute(select(posts.c.id).where(posts.c.id == post.id).with_for_update())
        if not touched():
            connection.execute(
                insert(tdy_invoices).values(
                    post_id=post.id, invoice=invoice.invoice, agency=agency, state=State.PREPARED.value
                )
            )
    row = connection.execute(select(tdy_invoices).where(*mine)).one()
    judged = replace(invoice, submitted_total=row.submitted_total)
    held = capacities(account, post.code, agency)
    state = tdy_path.take(State(row.state), step, held, judged, comment, on, council_approved_on)
    changed: dict[str, Any] = {"state": state.value, "agency": agency}
    if step == "submit_to_isc":
        changed |= {"submitted_on": on.isoformat(), "submitted_total": invoice.total}
    connection.execute(
        insert(tdy_invoice_steps).values(
            invoice_id=row.id,
            at=audit.now(),
            username=account.username,
            step=step,
            comment=comment,
            state=state.value,
            total=invoice.total,
        )
    )
    connection.execute(update(tdy_invoices).where(tdy_invoices.c.id == row.id).values(**changed))
    audit.record(
        connection,
        account.username,
        "tdy invoice step",
        f"tdy invoice {invoice.invoice}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before={"state": row.state, "submitted_on": row.submitted_on},
        after={"step": step, "comment": comment, "total": invoice.total, **changed},
    )
    return paths(connection, post.id)[invoice.invoice]


@dataclass(frozen=True)
class Awaiting:
    """A TDY invoice submitted to the ISC and waiting for headquarters: the ISC's or its agency's approval."""

    post: str
    fiscal_year: int  # the stored post's (the prior-year final budget whose rates bill it)
    invoice: str
    agency: str
    submitted_on: dt.date


def tdy_awaiting(connection: Connection, post: PostKey) -> list[Awaiting]:
    """The post's TDY invoices submitted and waiting for headquarters, oldest submission first (an inbox's)."""
    found = connection.execute(
        select(tdy_invoices)
        .where(tdy_invoices.c.post_id == post.id, tdy_invoices.c.state == State.SUBMITTED_TO_ISC.value)
        .order_by(tdy_invoices.c.submitted_on, tdy_invoices.c.invoice)
    )
    return [
        Awaiting(post.code, post.fiscal_year, r.invoice, r.agency, dt.date.fromisoformat(r.submitted_on)) for r in found
    ]


def final_issued_on(connection: Connection, fiscal_year: int) -> dt.date | None:
    """The day the ISC recorded it issued the fiscal year's final headquarters invoices, None before."""
    found = connection.execute(
        select(final_hq_invoices.c.issued_on).where(final_hq_invoices.c.fiscal_year == fiscal_year)
    ).scalar_one_or_none()
    return None if found is None else dt.date.fromisoformat(found)


def record_final_issued(connection: Connection, fiscal_year: int, issued_on: dt.date, user: str) -> None:
    """Record (or correct) the day the fiscal year's final headquarters invoices were issued, audited."""
    before = final_issued_on(connection, fiscal_year)
    values = {"issued_on": issued_on.isoformat(), "recorded_by": user, "recorded_at": audit.now()}
    if before is None:
        connection.execute(insert(final_hq_invoices).values(fiscal_year=fiscal_year, **values))
    else:
        where = final_hq_invoices.c.fiscal_year == fiscal_year
        connection.execute(update(final_hq_invoices).where(where).values(**values))
    audit.record(
        connection,
        user,
        "final invoices issued",
        f"final headquarters invoices FY {fiscal_year}",
        fiscal_year=fiscal_year,
        before=None if before is None else {"issued_on": before.isoformat()},
        after={"issued_on": issued_on.isoformat()},
    )


def billed_in_world(connection: Connection, fiscal_year: int, codes: Collection[str]) -> tuple[TdyCharge, ...]:
    """The TDY invoices a stored world of `fiscal_year` bills (issue 20 §5): those of its posts (`codes`) that
    headquarters approved and whose `billed_in` is that year, each at the total approved. A post of FY P bills the
    visits that end in FY P+1 at its rates (H-363.1-6 a(1)), so they are the invoices of its posts of the two years
    before: of the year before, submitted by the day that year's final headquarters invoices were issued; and of
    two years before, submitted after those of their own year were (H-363.1-6 c(7)). A prepared, submitted or
    rejected invoice is not billed, whatever the world's basis: it is billed once approved."""
    query = (
        select(
            posts.c.code,
            posts.c.fiscal_year,
            tdy_invoices.c.invoice,
            tdy_invoices.c.agency,
            tdy_invoices.c.submitted_on,
            tdy_invoice_steps.c.total,
        )
        .select_from(tdy_invoices)
        .join(posts, posts.c.id == tdy_invoices.c.post_id)
        .join(tdy_invoice_steps, tdy_invoice_steps.c.invoice_id == tdy_invoices.c.id)
        .where(
            tdy_invoices.c.state == State.APPROVED.value,
            tdy_invoice_steps.c.step == "approve",
            posts.c.fiscal_year.in_([fiscal_year - 2, fiscal_year - 1]),
            posts.c.code.in_(sorted(codes)),
        )
        .order_by(posts.c.code, posts.c.fiscal_year, tdy_invoices.c.invoice, tdy_invoice_steps.c.id)
    )
    issued = {year: final_issued_on(connection, year) for year in (fiscal_year - 1, fiscal_year)}
    found: list[TdyCharge] = []
    for row in connection.execute(query):
        own = row.fiscal_year + 1  # the fiscal year its visits ended in
        submitted = dt.date.fromisoformat(row.submitted_on)
        if tdy_path.billed_in(own, submitted, issued[own]).fiscal_year != fiscal_year:
            continue
        said = "" if own == fiscal_year else f"rolled from FY {own} ({ROLL_SECTION})"
        source = Source(f"tdy/visits.csv of post {row.code}, fiscal year {row.fiscal_year}", key=row.invoice)
        # One row an invoice: approved is the path's end, so an approved invoice was approved once.
        found.append(TdyCharge(row.code, row.invoice, row.agency, row.total, source, said))
    return tuple(found)
