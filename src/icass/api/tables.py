"""What the pages and the API both do to a post's rows, each in its own connection or transaction: read the rows
of a file, change, add and delete them (a position with its time allocation and cost lines), enter a count, and
record a committee member's decision. The pages call these (icass.web never reads the store itself); a change
the store refuses raises one of REFUSED, which the API answers as 404, 409 or 422 (icass.api.app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from icass.api.posts import computed
from icass.api.schemas import WorkloadOut
from icass.bundle import tables as cells
from icass.bundle.format import FACTOR, FILES, YES_NO, Column, Kind
from icass.bundle.load import parser
from icass.catalog import load_catalog
from icass.diagnostics import Diagnostic, error
from icass.model import Source
from icass.money import format_plain, typed_cents
from icass.runs.post import PostRun
from icass.store import certifications, changes
from icass.store.changes import (
    POSITION_COSTS,
    POSITIONS,
    RESOURCES,
    TIME_ALLOCATION,
    Conflict,
    Decision,
    NotFound,
    PositionMade,
    PostKey,
    Rejected,
    StoredRow,
    workload_id,
)
from icass.store.posts import find_stored
from icass.store.states import Shelf, database_of
from icass.views.positions import position_records
from icass.views.rows import RowQuery, RowsPage, rows_page
from icass.views.staffing import PEOPLE

__all__ = [
    "POSITIONS",
    "POSITION_COSTS",
    "REFUSED",
    "RESOURCES",
    "TIME_ALLOCATION",
    "Conflict",
    "Decision",
    "NotFound",
    "PositionMade",
    "PostKey",
    "Rejected",
    "RowQuery",
    "RowsPage",
    "StoredRow",
    "workload_id",
]

# Every refusal of a change: the row or line is not there, it changed since it was read, or it breaks a rule.
REFUSED = (Conflict, Rejected, NotFound)


def rows_of(request: Request, key: PostKey, file: str) -> list[StoredRow]:
    with request.app.state.engine.connect() as connection:
        return changes.list_rows(connection, key, file)


# The rows of a table as last read, kept with the post's states (icass.store.states) under the post's revision:
# a table of thousands of rows is read from the database once for each change of its post, not for every page
# of it a person turns. Every change moves the revision, so what is kept is never stale.
_ROWS: Shelf[list[StoredRow]] = Shelf("table rows")


def _rows_now(request: Request, key: PostKey, file: str) -> list[StoredRow]:
    engine = request.app.state.engine
    with engine.connect() as connection:
        stored = find_stored(connection, key.code, key.fiscal_year)
        if stored is None:
            raise NotFound(f"post {key.code}, fiscal year {key.fiscal_year}, is not in the database")
        database = database_of(engine)
        rows = _ROWS.get(database, (stored.id, file), stored.revision)
        if rows is None:
            rows = changes.list_rows(connection, key, file)
            _ROWS.put(database, (stored.id, file), stored.revision, rows)
    return rows


def page_of_rows(
    request: Request, key: PostKey, file: str, query: RowQuery, names: Mapping[str, Mapping[str, str]]
) -> RowsPage[StoredRow]:
    """The page of the file's rows a person asked for (searched, filtered, sorted), never the whole table."""
    return rows_page(_rows_now(request, key, file), FILES[file], query, names)


@dataclass(frozen=True)
class Choice:
    """A value a cell may be given, with what people call it (a cost center's or an agency's name)."""

    value: str
    name: str = ""


def code_names(request: Request, key: PostKey, methodology: str) -> dict[str, dict[str, str]]:
    """The names of the codes the post's tables name, by the list they are picked from: the catalog's cost
    centers of the post's methodology, the post's agencies, its positions (by their titles)."""
    with request.app.state.engine.connect() as connection:
        agencies = changes.list_rows(connection, key, "agencies.csv")
        positions = changes.list_rows(connection, key, POSITIONS)
    return {
        "cost_center": {spec.code: spec.name for spec in load_catalog().methodology(methodology)},
        "agency": {row.cells()["code"]: row.cells()["name"] for row in agencies},
        "position": {row.cells()["position_id"]: row.cells()["title"] for row in positions},
    }


def _picked_from(file: str, column: Column) -> str | None:
    """The list of named codes a column's cell is picked from, if any."""
    if column.listed is not None and column.listed[0] in ("cost_center", "agency"):
        return column.listed[0]
    if column.name == "position_id" and file in (TIME_ALLOCATION, POSITION_COSTS):
        return "position"
    return None


# Lists too long to send whole with a page (a post may have thousands of positions): a cell picked from one is
# typed, and the page asks for the few choices that match what is typed so far (matching_positions).
SEARCHED_LISTS = frozenset({"position"})
SUGGESTED = 20  # the choices a typeahead offers at once


def searched_columns(file: str) -> frozenset[str]:
    """The columns of `file` whose cells are picked from a list too long to send whole (SEARCHED_LISTS)."""
    return frozenset(c.name for c in FILES[file].columns if _picked_from(file, c) in SEARCHED_LISTS)


def matching_positions(run: PostRun, typed: str, limit: int = SUGGESTED) -> tuple[Choice, ...]:
    """At most `limit` of the post's positions (the one searched list) whose number or title holds every word
    typed, those whose number starts with what is typed first, then by number. Read from the post's kept state
    (position_records), not from the stored rows as code_names reads them: it is asked at each pause in typing."""
    choices = sorted((Choice(p.position_id, p.title) for p in position_records(run)), key=lambda c: c.value)
    words = typed.casefold().split()
    start = typed.strip().casefold()
    found = [c for c in choices if all(w in f"{c.value} {c.name}".casefold() for w in words)]
    found.sort(key=lambda c: not c.value.casefold().startswith(start))  # a stable sort keeps their order
    return tuple(found[:limit])


def choices_of(file: str, names: Mapping[str, Mapping[str, str]]) -> dict[str, tuple[Choice, ...]]:
    """The values each column of `file` that holds a code may be given, from the format's declaration: its
    closed list, yes or no, the factors, or the named codes of `names` (code_names)."""
    found: dict[str, tuple[Choice, ...]] = {}
    for column in FILES[file].columns:
        listed = _picked_from(file, column)
        if listed is not None:
            found[column.name] = tuple(Choice(code, name) for code, name in sorted(names[listed].items()))
        elif column.choices is not None:
            found[column.name] = tuple(Choice(v) for v in column.choices.values())
        elif column.listed is not None and column.listed[0] == FACTOR.name:
            found[column.name] = tuple(Choice(v) for v in FACTOR.values())
        elif column.listed is not None and column.listed[0] == YES_NO.name:
            found[column.name] = tuple(Choice(v) for v in YES_NO.values())
    return found


def _cell_problem(column: Column, text: str) -> str | None:
    """What is wrong with a cell by its column's declaration (the readers' own parser), or None."""
    if column.required and not text.strip() and column.kind != Kind.YES_NO:
        return "is empty"
    if column.choices is not None and column.choices.enum is None:  # a list the catalog holds (roles)
        allowed = column.choices.values()
        ok = text.strip() in allowed or (not text.strip() and not column.required)
        return None if ok else f"{text.strip()!r} is not a known {column.choices.what}"
    try:
        parser(column)(text)
    except ValueError as e:
        return str(e)
    return None


def _typed_date(text: str) -> str:
    """A date as a page sends it: USWDS's date picker gives MM/DD/YYYY, the files YYYY-MM-DD. Anything else is
    left as typed, for the column's parser to name what is wrong with it."""
    try:
        return dt.datetime.strptime(text.strip(), "%m/%d/%Y").date().isoformat()
    except ValueError:
        return text


def typed_cells(file: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The cells of a row as a person typed them on a page, in the form the files hold them: an amount typed
    "12,000" or "$12,000.00" becomes "12000.00", exactly. Every cell that its column's declaration refuses is
    named at once, each problem beside its field with the column's handbook section (raises Rejected). A date
    picked in USWDS's date picker (MM/DD/YYYY) becomes YYYY-MM-DD."""
    columns = {c.name: c for c in FILES[file].columns}
    found: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for name, value in values.items():
        column = columns.get(name)
        if column is None or value is None:
            found[name] = value  # the store names a column the file does not have
            continue
        text = str(value)
        problem: str | None = None
        if column.cents:
            try:
                found[name] = format_plain(cells.cents(typed_cents(text))) if text.strip() else text
            except ValueError as e:
                problem = str(e)
            if not text.strip():
                problem = "is empty"
        elif column.kind == Kind.DATE:
            found[name] = _typed_date(text)
            problem = _cell_problem(column, found[name])
        else:
            found[name] = value
            problem = _cell_problem(column, text)
        if problem is not None:
            message = f"{column.label} {problem}" if problem.startswith("is ") else f"{column.label}: {problem}"
            problems.append(error(Source(file), message, field=name, section=column.section))
    if problems:
        raise Rejected(problems)
    return found


def row_of(request: Request, key: PostKey, file: str, row_id: int) -> StoredRow:
    with request.app.state.engine.connect() as connection:
        return changes.get_row(connection, key, file, row_id)


def extra_columns(request: Request, key: PostKey, file: str) -> tuple[str, ...]:
    """The columns the post's file carries beyond its format (agencies.csv's `bureau`): each row keeps them as
    they were imported (a change writes only the format's columns), and an export writes them back."""
    with request.app.state.engine.connect() as connection:
        return changes.extra_columns(connection, key, file)


def row_counts(request: Request, key: PostKey) -> dict[str, int]:
    """How many rows each resource of the post holds."""
    with request.app.state.engine.connect() as connection:
        return {resource: len(changes.list_rows(connection, key, file)) for resource, file in RESOURCES.items()}


def decisions_on(request: Request, modification_ids: Sequence[int]) -> dict[int, list[Decision]]:
    """Each agency's latest decision on each modification."""
    with request.app.state.engine.connect() as connection:
        return {i: changes.decisions(connection, i) for i in modification_ids}


def change_row(
    request: Request, key: PostKey, file: str, row_id: int, values: Mapping[str, str], version: int, user: str
) -> StoredRow:
    typed = _typed_or_judged(
        request, file, values, lambda c, rest: changes.update_row(c, key, file, row_id, rest, version, user)
    )
    with request.app.state.engine.begin() as connection:
        held = held_certifications(connection, key, file)
        row = changes.update_row(connection, key, file, row_id, typed, version, user)
        clear_certifications(request, connection, key, file, user, held)
        return row


def add_row(request: Request, key: PostKey, file: str, values: Mapping[str, str], user: str) -> StoredRow:
    typed = _typed_or_judged(request, file, values, lambda c, rest: changes.create_row(c, key, file, rest, user))
    with request.app.state.engine.begin() as connection:
        held = held_certifications(connection, key, file)
        row = changes.create_row(connection, key, file, typed, user)
        clear_certifications(request, connection, key, file, user, held)
        return row


def _typed_or_judged(
    request: Request, file: str, values: Mapping[str, str], change: Callable[[Connection, dict[str, Any]], object]
) -> dict[str, Any]:
    """typed_cells; when some cells are malformed, their problems together with what the post's rules find in
    the change's other cells: the change made without the malformed ones, judged, and rolled back whatever it
    found, so that a row's problems are all told at once, not those of its rules only after its cells are
    mended (a post cannot be run with a malformed cell)."""
    try:
        return typed_cells(file, values)
    except Rejected as malformed:
        bad = {p.field for p in malformed.problems}
        rest = {name: value for name, value in values.items() if name not in bad}
        judged: list[Diagnostic] = []
        if rest:
            with request.app.state.engine.connect() as connection:
                trial = connection.begin()
                try:
                    change(connection, typed_cells(file, rest))
                except Rejected as refused:
                    judged = [p for p in refused.problems if p.field not in bad]
                except (Conflict, NotFound):
                    pass  # the change proper says so
                finally:
                    trial.rollback()
        raise Rejected([*malformed.problems, *judged]) from None


def add_position(
    request: Request,
    key: PostKey,
    values: Mapping[str, str],
    allocation: Sequence[Mapping[str, str]],
    costs: Sequence[Mapping[str, str]],
    user: str,
) -> PositionMade:
    """A new position with its time allocation rows and cost lines, as one change."""
    values = typed_cells(POSITIONS, values)
    allocation = [typed_cells(TIME_ALLOCATION, row) for row in allocation]
    costs = [typed_cells(POSITION_COSTS, row) for row in costs]
    with request.app.state.engine.begin() as connection:
        return changes.create_position(connection, key, values, allocation, costs, user)


def remove_row(request: Request, key: PostKey, file: str, row_id: int, version: int, user: str) -> None:
    """Delete a row; a position with its time allocation and cost lines."""
    with request.app.state.engine.begin() as connection:
        held = held_certifications(connection, key, file)
        if file == POSITIONS:
            changes.delete_position(connection, key, row_id, version, user)
        else:
            changes.delete_row(connection, key, file, row_id, version, user)
        clear_certifications(request, connection, key, file, user, held)


def held_certifications(connection: Connection, key: PostKey, file: str) -> frozenset[str]:
    """Before a change to people.csv, in its transaction: the agencies whose staffing certification holds."""
    return certifications.certified(connection, key) if file == PEOPLE else frozenset()


def clear_certifications(
    request: Request, connection: Connection, key: PostKey, file: str, user: str, held: frozenset[str]
) -> None:
    """After a change to people.csv, in its transaction: clear the staffing certifications `held` before it whose
    rows it changed (icass.store.certifications), and keep what to tell the person for the answer (`cleared`)."""
    if held:
        request.state.cleared = certifications.clear_changed(connection, key, user, held)


def cleared(request: Request) -> list[str]:
    """What the request's change cleared, one sentence a certification ("1900.0's staffing certification of
    2026-05-12 was cleared by this change"); empty when nothing was."""
    return list(getattr(request.state, "cleared", []))


def decide(
    request: Request, key: PostKey, modification_id: int, agency: str, decision: str, note: str, user: str
) -> Decision:
    with request.app.state.engine.begin() as connection:
        return changes.decide(connection, key, modification_id, agency, decision, note, user)


def workload_lines(request: Request, key: PostKey, run: PostRun | None = None) -> list[WorkloadOut]:
    """Every workload line the post distributes by (of `run`, the post's run now unless given)."""
    run = computed(request, key) if run is None else run
    with request.app.state.engine.connect() as connection:
        return [
            WorkloadOut.model_validate(line, from_attributes=True) for line in changes.workload(connection, key, run)
        ]


def workload_line(request: Request, key: PostKey, line_id: str) -> WorkloadOut:
    run = computed(request, key)
    with request.app.state.engine.connect() as connection:
        return WorkloadOut.model_validate(changes.get_workload(connection, key, run, line_id), from_attributes=True)


def enter_count(
    request: Request, key: PostKey, line_id: str, count: str, version: int, user: str, modification: str | None = None
) -> WorkloadOut:
    with request.app.state.engine.begin() as connection:
        line = changes.enter_count(connection, key, line_id, count, version, user, modification)
    return WorkloadOut.model_validate(line, from_attributes=True)


def derived_counts(run: PostRun) -> dict[str, str]:
    """What the records derive for each workload line, by the line's id (shown beside a count typed by hand)."""
    lines = run.derivation.lines if run.derivation else ()
    return {workload_id(w.cost_center, w.agency, w.factor): str(w.count) for w in lines}


def clear_count(request: Request, key: PostKey, line_id: str, version: int, user: str) -> None:
    """Remove a count typed by hand: the line goes back to what the records derive."""
    with request.app.state.engine.begin() as connection:
        changes.clear_count(connection, key, line_id, version, user)
