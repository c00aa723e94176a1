"""The steps a change to a post's rows is made of, and the typed records it hands back: a change to the post
(icass.store.changes) and a scenario applied (icass.store.scenarios) take the post's lock, read a row at the
version a person saw, find a workload line's entered row and fill a file's header by the same functions here.

A row is handed on as an immutable record of its file (`StoredRow`): its id, version and spreadsheet row, then
one field a column of the file, named and ordered as icass.bundle.format declares them (amounts as decimal
strings, every other cell as the text the format defines), then the columns the file carries beyond the format
(`extra`). A workload line is a `WorkloadLine`. The API's models are read from these records' attributes, and
the audit log keeps them as the mappings of their fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select, update

from icass.bundle.format import FILES as FORMAT
from icass.bundle.format import File
from icass.model import Workload, columnar
from icass.money import format_plain
from icass.runs.post import PostRun
from icass.store.bundles import new_revision
from icass.store.compute import PostState, state_kept
from icass.store.schema import ROW_TABLES, bundle_files, posts

WORKLOAD_FILE = "workload.csv"


@dataclass(frozen=True)
class PostKey:
    id: int
    code: str
    fiscal_year: int


class NotFound(LookupError):
    pass


class Conflict(Exception):
    """The row changed since the person last read it (or is gone); `current` is how it is now, when known."""

    def __init__(self, message: str, current: StoredRow | WorkloadLine | None) -> None:
        super().__init__(message)
        self.current = current


# The records ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRow:
    """A stored row of a bundle file: its id, its version (for optimistic locking) and its spreadsheet row (the
    row number its file's messages name). Each file's record (`ROW_RECORDS`) adds the file's columns and
    `extra` after these."""

    id: int
    version: int
    row: int

    def cells(self) -> dict[str, str]:
        """The row's cells, by column, in the format's order (amounts as decimal strings)."""
        names = (f.name for f in dataclasses.fields(self))
        return {name: getattr(self, name) for name in names if name not in _NOT_CELLS}

    def extra_cells(self) -> Mapping[str, str]:
        """The row's cells of the columns its file carries beyond the format (every file's record has `extra`)."""
        extra: Mapping[str, str] = getattr(self, "extra", {})
        return extra


_NOT_CELLS = frozenset({"id", "version", "row", "extra"})


def _row_record(file: File) -> type[StoredRow]:
    # Made from the declaration, so that a column added to the format is a field of its record with no copy here.
    fields: list[tuple[str, Any]] = [(c.name, str) for c in file.columns]
    name = "".join(part.capitalize() for part in file.table.split("_")) + "Row"
    record = dataclasses.make_dataclass(name, [*fields, ("extra", Mapping[str, str])], bases=(StoredRow,), frozen=True)
    record.__module__ = __name__
    return record


# Each bundle file -> the record of its rows.
# Not acknowledgements.csv: its `row` column would shadow a stored row's own (icass.store.acknowledgements).
ROW_RECORDS: dict[str, type[StoredRow]] = {
    name: _row_record(file) for name, file in FORMAT.items() if name != "acknowledgements.csv"
}


def row_record(file: str, row: Mapping[str, Any], number: int) -> StoredRow:
    """A database row of `file` as its record, `number` its spreadsheet row."""
    fields: dict[str, Any] = {**_texts(file, row), "extra": row["extra"] or {}}
    return ROW_RECORDS[file](id=row["id"], version=row["version"], row=number, **fields)


def row_after(before: StoredRow, file: str, written: Mapping[str, Any]) -> StoredRow:
    """`before` once `written` (its cells as stored: amounts in cents) is written to it and its version moved
    on: the row as reading it back gives, without reading it."""
    fields: dict[str, Any] = {**_texts(file, written), "version": before.version + 1}
    return dataclasses.replace(before, **fields)


def _texts(file: str, cells: Mapping[str, Any]) -> dict[str, str]:
    """The record's text of each of `cells` of `file` as stored (an amount's cents as a decimal string)."""
    return {
        c.name: format_plain(cells[c.name]) if c.cents else cells[c.name]
        for c in FORMAT[file].columns
        if c.name in cells
    }


@dataclass(frozen=True)
class WorkloadLine:
    """A workload line the post distributes by, derived or entered: its id, its columns of workload.csv, where
    its count comes from, and the version of the entered row behind it (0 when the line is derived: entering a
    count creates the row)."""

    id: str
    cost_center: str
    agency: str
    factor: str
    count: str
    modification: str
    origin: str
    version: int


# Reading rows ----------------------------------------------------------------------------------------------


def ordered(connection: Connection, post: PostKey, file: str) -> list[Mapping[str, Any]]:
    """The post's database rows of `file`, in the file's order."""
    table = ROW_TABLES[file]
    query = select(table).where(table.c.post_id == post.id).order_by(table.c.line)
    return [dict(row) for row in connection.execute(query).mappings()]


def list_rows(connection: Connection, post: PostKey, file: str) -> list[StoredRow]:
    return [row_record(file, row, number) for number, row in enumerate(ordered(connection, post, file), start=2)]


def get_row(connection: Connection, post: PostKey, file: str, row_id: int) -> StoredRow:
    table = ROW_TABLES[file]
    query = select(table).where(table.c.post_id == post.id, table.c.id == row_id)
    row = connection.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"{file}: no row {row_id} at post {post.code}, fiscal year {post.fiscal_year}")
    return row_record(file, dict(row), row_number(connection, post, file, row["line"]))


def row_number(connection: Connection, post: PostKey, file: str, line: int) -> int:
    """The spreadsheet row of the row at `line`: its place in the file's order, after the header."""
    table = ROW_TABLES[file]
    query = select(func.count()).select_from(table).where(table.c.post_id == post.id, table.c.line <= line)
    return int(connection.execute(query).scalar_one()) + 1


def entered_number(run: PostRun, key: tuple[str, str, str]) -> int | None:
    """The spreadsheet row of the count typed for `key` (cost center, agency, factor) in `run`'s records, when
    exactly one row has it; else None (the run did not read its records, or `key` is typed twice). `run` is the
    post's state as stored, its lock held (state_before), so this is the row number reading it would give."""
    if run.records is None:
        return None
    entered = run.records.entered.workload
    keys = zip(*(columnar.column(entered, name) for name in ("cost_center", "agency", "factor")), strict=True)
    found = [k for k, typed in enumerate(keys) if typed == key]
    return columnar.source_of(entered, found[0]).row if len(found) == 1 else None


def current_row(connection: Connection, post: PostKey, file: str, row_id: int, version: int) -> StoredRow:
    """The row as it is, when `version` is still its version (the post's lock is held, so it stays so)."""
    row = get_row(connection, post, file, row_id)
    if row.version != version:
        raise Conflict(
            f"{file}, row {row.row} was changed by someone else since you read it (version {version}, now "
            f"{row.version}): reload it and make your change again",
            row,
        )
    return row


# Steps of a change ------------------------------------------------------------------------------------------


def lock(connection: Connection, post: PostKey) -> None:
    """Take the post's lock by bumping its version and revision: changes to one post are one at a time, and
    every computed run of it is stale."""
    connection.execute(
        update(posts).where(posts.c.id == post.id).values(version=posts.c.version + 1, revision=new_revision())
    )


def state_before(connection: Connection, post: PostKey) -> PostState:
    """The post's run as it is before the change (the audit's "before", and what the change is applied to): its
    kept state, run only when none is kept. Called before `lock`, in the change's transaction.

    It first writes nothing to the post's row: that takes the row's lock on PostgreSQL and, on SQLite, makes the
    driver BEGIN the transaction and so take the write lock (icass.store.database: the driver begins only at a
    transaction's first write). The revision read next and the rows the change reads after it are then one
    state that no other change can move; read before the lock, another change committed while this one waited
    would leave it applying its edit to a state that is no longer the post's."""
    connection.execute(update(posts).where(posts.c.id == post.id).values(version=posts.c.version))
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    return state_kept(connection, post.id, revision)


def fill_header(connection: Connection, post: PostKey, file: str, columns: set[str]) -> None:
    """The file's header with any optional column a change fills that it lacked (it is written on export)."""
    row = connection.execute(
        select(bundle_files.c.id, bundle_files.c.header).where(
            bundle_files.c.post_id == post.id, bundle_files.c.name == file
        )
    ).one_or_none()
    names = FORMAT[file].names
    if row is None:
        connection.execute(bundle_files.insert(), {"post_id": post.id, "name": file, "header": list(names)})
        return
    missing = [c for c in names if c in columns and c not in row.header]
    if missing:
        connection.execute(
            update(bundle_files).where(bundle_files.c.id == row.id).values(header=[*row.header, *missing])
        )


def extra_columns(connection: Connection, post: PostKey, file: str) -> tuple[str, ...]:
    """The columns the post's file carries beyond its format (agencies.csv's `bureau`), in its header's order:
    each row keeps their cells in its `extra`."""
    header = connection.execute(
        select(bundle_files.c.header).where(bundle_files.c.post_id == post.id, bundle_files.c.name == file)
    ).scalar_one_or_none()
    declared = set(FORMAT[file].names)
    return tuple(c for c in header or () if c not in declared)


# Workload lines ---------------------------------------------------------------------------------------------


def workload_id(cost_center: str, agency: str, factor: str) -> str:
    """A workload line's id: its cost center, agency and (when it has one) factor, e.g. `6150:1100.0`."""
    return ":".join((cost_center, agency, factor) if factor else (cost_center, agency))


def workload_lines(run: PostRun) -> Sequence[Workload]:
    """The workload lines `run` distributes by."""
    if run.bundle is not None:
        return run.bundle.workload
    if run.records is None or run.derivation is None:
        return ()
    from icass.catalog.counting import load_counting_rules
    from icass.workload.modify import combine

    return combine(run.records, run.derivation, run.catalog, load_counting_rules())[0]


def entered_row(connection: Connection, post: PostKey, cost_center: str, agency: str, factor: str) -> Any:
    """The workload.csv row of a line's count entered by hand, or None."""
    table = ROW_TABLES[WORKLOAD_FILE]
    where = (table.c.cost_center == cost_center, table.c.agency == agency, table.c.factor == factor)
    return connection.execute(select(table).where(table.c.post_id == post.id, *where)).mappings().first()


def workload_record(w: Workload, row: Mapping[str, Any] | None) -> WorkloadLine:
    """A workload line as its record, `row` its entered row (or None)."""
    return WorkloadLine(
        id=workload_id(w.cost_center, w.agency, w.factor),
        cost_center=w.cost_center,
        agency=w.agency,
        factor=w.factor,
        count=_plain(w.count),
        modification=_plain(w.modification),
        origin=str(w.origin),
        version=row["version"] if row is not None else 0,
    )


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def workload_line(run: PostRun, key: tuple[str, str, str], row: Mapping[str, Any] | None) -> WorkloadLine | None:
    """The workload line of `key` in `run`, with `row` its entered row (or None). Found by its columns: a
    large post's lines are kept as columns, and making every line to find one costs more than the rest of a
    count's change."""
    lines = workload_lines(run)
    if not isinstance(lines, columnar.RecordColumns):  # records made already: the first that matches
        return next((workload_record(w, row) for w in lines if (w.cost_center, w.agency, w.factor) == key), None)
    keys = zip(*(lines.columns[name] for name in ("cost_center", "agency", "factor")), strict=True)
    at = next((k for k, found in enumerate(keys) if found == key), None)
    if at is None:
        return None
    fields = ("cost_center", "agency", "count", "modification", "factor", "origin")
    return workload_record(Workload(*(lines.columns[name][at] for name in fields)), row)
