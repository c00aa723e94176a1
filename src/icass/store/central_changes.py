"""Changes to the ISC's AmSal and PAT cost factors of a fiscal year (icass.store.central_factors), which the
admin alone makes, a row at a time, as any other change (icass.store.changes): the row's version read is
checked (a stale one is a Conflict), the rows are read again by the world's own reader (a problem refuses the
change), the change is recorded in the audit log, and the world's revision and that of every post of the year
move in the change's transaction, so that every kept run of them is stale."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from icass.bundle.format import WORLD_FILE_OF
from icass.bundle.load import read_file
from icass.diagnostics import ERROR, error
from icass.model import Source
from icass.money import format_plain
from icass.store import audit
from icass.store.bundles import new_revision
from icass.store.central_factors import COLUMNS, FILE, factors, stale_posts
from icass.store.changes import Rejected, cell_values
from icass.store.schema import world_files, worlds
from icass.store.steps import Conflict, NotFound
from icass.store.worlds import _stored_world_cells


@dataclass(frozen=True)
class CentralFactor:
    """One grade's row of the ISC's table: amounts in dollars as the API writes them ("204700.00")."""

    id: int
    version: int
    grade: str
    amsal: str
    pat: str


def _world_id(connection: Connection, fiscal_year: int) -> int:
    found = connection.execute(select(worlds.c.id).where(worlds.c.fiscal_year == fiscal_year)).scalar_one_or_none()
    if found is None:
        raise NotFound(
            f"no world of fiscal year {fiscal_year} is stored: the ISC's cost factors are kept with the year's "
            "world (import it on the Imports page)"
        )
    return int(found)


def has_table(connection: Connection, world_id: int) -> bool:
    query = select(world_files.c.id).where(world_files.c.world_id == world_id, world_files.c.name == FILE)
    return connection.execute(query).first() is not None


def _row(row: Any) -> CentralFactor:
    return CentralFactor(row.id, row.version, row.grade, format_plain(row.amsal), format_plain(row.pat))


def list_factors(connection: Connection, fiscal_year: int) -> list[CentralFactor]:
    """The table of `fiscal_year` in its order (empty when the world has none yet); NotFound without a world."""
    world_id = _world_id(connection, fiscal_year)
    query = select(factors).where(factors.c.world_id == world_id).order_by(factors.c.line)
    return [_row(r) for r in connection.execute(query)]


def get_factor(connection: Connection, fiscal_year: int, row_id: int) -> CentralFactor:
    world_id = _world_id(connection, fiscal_year)
    row = connection.execute(select(factors).where(factors.c.id == row_id, factors.c.world_id == world_id)).first()
    if row is None:
        raise NotFound(f"the ISC's cost factors of fiscal year {fiscal_year} have no row {row_id}")
    return _row(row)


def _current(connection: Connection, fiscal_year: int, row_id: int, version: int) -> CentralFactor:
    now = get_factor(connection, fiscal_year, row_id)
    if now.version != version:
        raise Conflict(f"row {row_id} was changed since (version {now.version}, not {version}): read it again", None)
    return now


def _lock(connection: Connection, world_id: int, fiscal_year: int) -> None:
    """Take the world's lock and make every kept run of the year's posts and of its world stale."""
    connection.execute(
        update(worlds).where(worlds.c.id == world_id).values(version=worlds.c.version + 1, revision=new_revision())
    )
    stale_posts(connection, fiscal_year)


def _checked(connection: Connection, world_id: int) -> None:
    """Read the table again as the world's reader reads its file: a problem refuses the change (Rejected)."""
    table, problems = read_file(_stored_world_cells(connection, world_id), FILE, WORLD_FILE_OF[FILE])
    found = [p for p in problems if p.severity == ERROR]
    seen: set[str] = set()
    for row in table.rows():
        grade = row.values["grade"]
        if grade in seen:  # one factor a grade: which of two a post would take is not for the table to leave open
            found.append(error(row.source, f"grade {grade} has factors in the table already", field="grade"))
        seen.add(grade)
    if found:
        raise Rejected(found)


def _values(values: Mapping[str, str], required: bool) -> dict[str, Any]:
    """The cells given, typed (amounts to cents); a new row needs all three (Rejected names each problem)."""
    found, problems = cell_values(FILE, values)
    if required:
        problems += [error(Source(FILE), f"{c} is required", field=c) for c in COLUMNS if found.get(c) in (None, "")]
    if problems:
        raise Rejected(problems)
    return found


def _record(connection: Connection, user: str, action: str, fiscal_year: int, before: Any, after: Any) -> None:
    entity = f"{FILE} {(after or before).id} of the world"
    audit.record(connection, user, action, entity, fiscal_year=fiscal_year, before=before, after=after)


def create_factor(connection: Connection, fiscal_year: int, values: Mapping[str, str], user: str) -> CentralFactor:
    """A new grade's row, last of the table (the table is made with it when the world has none yet)."""
    found = _values(values, required=True)
    world_id = _world_id(connection, fiscal_year)
    _lock(connection, world_id, fiscal_year)
    if not has_table(connection, world_id):
        connection.execute(world_files.insert(), {"world_id": world_id, "name": FILE, "header": list(COLUMNS)})
    last = connection.execute(select(func.max(factors.c.line)).where(factors.c.world_id == world_id)).scalar_one()
    row_id = connection.execute(
        insert(factors).returning(factors.c.id),
        {"world_id": world_id, "line": (last or 0) + 1, "version": 1, "extra": {}, **found},
    ).scalar_one()
    _checked(connection, world_id)
    after = get_factor(connection, fiscal_year, int(row_id))
    _record(connection, user, "create", fiscal_year, None, after)
    return after


def update_factor(
    connection: Connection, fiscal_year: int, row_id: int, values: Mapping[str, str], version: int, user: str
) -> CentralFactor:
    found = _values(values, required=False)
    world_id = _world_id(connection, fiscal_year)
    _lock(connection, world_id, fiscal_year)
    before = _current(connection, fiscal_year, row_id, version)
    connection.execute(update(factors).where(factors.c.id == row_id).values(version=factors.c.version + 1, **found))
    _checked(connection, world_id)
    after = get_factor(connection, fiscal_year, row_id)
    _record(connection, user, "update", fiscal_year, before, after)
    return after


def delete_factor(connection: Connection, fiscal_year: int, row_id: int, version: int, user: str) -> None:
    world_id = _world_id(connection, fiscal_year)
    _lock(connection, world_id, fiscal_year)
    before = _current(connection, fiscal_year, row_id, version)
    connection.execute(delete(factors).where(factors.c.id == row_id))
    _record(connection, user, "delete", fiscal_year, before, None)
