"""Changes to a stored post, one row at a time, as the API and the pages make them (docs/workspace.md).

Every change, in one transaction:
1. takes the post's lock by bumping its version and revision (so changes to one post are one at a time, and
   every computed run of it is stale);
2. checks the row's `version` against the one the person last saw: a stale one is a Conflict (HTTP 409), so
   two people never silently overwrite each other;
3. writes the row, then judges the change on one run of the post by the same readers and rules as a bundle:
   a change to one row of the budget side is applied to the post's kept state and only the steps it can
   change run (icass.store.compute.state_after_edit: a count or an amount keeps the derivation); any other
   change reads the post again. A problem the pipeline finds *in that row*, of a rule on the row's own cells,
   rejects the change, with the rule's message, field and handbook section; a problem of a rule that spans
   rows (a time allocation that does not yet add up while its rows are edited one by one), or a problem
   elsewhere, is the post's, shown with it, and does not block (`rejects` is the rule);
4. records who, when, what, before and after in the audit log;
5. keeps the run that judged the change as the post's state under its new revision (icass.store.states), so
   the reads after the commit (the page's re-render, the dashboard) do not run the post again. The "before"
   of a count comes from the state kept before the change, not from another run. Keeping is a change's last
   step: a row written after it would leave the kept state stale.

A change may carry several rows of several tables (a new position with its time allocation and cost lines:
`create_position`), judged by one run and recorded in the one transaction; removing a position removes its
time allocation and cost lines with it (`delete_position`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from icass.bundle import tables
from icass.bundle.codes import code_problem, text_problem
from icass.bundle.format import FILES as FORMAT
from icass.bundle.format import Kind
from icass.diagnostics import ERROR, Diagnostic, error
from icass.model import Source
from icass.runs.post import PostRun
from icass.store import audit
from icass.store.compute import keep_state, run_on, state_after_edit, state_on
from icass.store.schema import ROW_TABLES, approvals, posts
from icass.store.steps import (
    WORKLOAD_FILE,
    Conflict,
    NotFound,
    PostKey,
    StoredRow,
    WorkloadLine,
    current_row,
    entered_number,
    entered_row,
    extra_columns,
    fill_header,
    get_row,
    list_rows,
    lock,
    ordered,
    row_after,
    row_number,
    row_record,
    state_before,
    workload_id,
    workload_line,
    workload_lines,
    workload_record,
)
from icass.store.workload_approvals import refuse_if_locked

# What callers import from here: the change module's own names, and the records and errors of a change's steps
# (icass.store.steps) that they were always imported with.
__all__ = [
    "CODE_KINDS",
    "DECISIONS",
    "OF_POSITION",
    "POSITIONS",
    "POSITION_COSTS",
    "RESOURCES",
    "TIME_ALLOCATION",
    "WORKLOAD_FILE",
    "Conflict",
    "Decision",
    "NewRow",
    "NotFound",
    "PositionMade",
    "PostKey",
    "Rejected",
    "StoredRow",
    "WorkloadLine",
    "cell_values",
    "clear_count",
    "create_position",
    "create_row",
    "create_rows",
    "decide",
    "decisions",
    "delete_position",
    "delete_row",
    "enter_count",
    "extra_columns",
    "find_post",
    "get_row",
    "get_workload",
    "list_rows",
    "record_change",
    "rejects",
    "row_problems",
    "update_row",
    "workload",
    "workload_id",
    "workload_key",
]

# The API's name of each table a person edits row by row -> its bundle file.
RESOURCES: dict[str, str] = {
    "agencies": "agencies.csv",
    "cost-factors": "cost_factors.csv",
    "positions": "positions.csv",
    "position-costs": "position_costs.csv",
    "time-allocation": "time_allocation.csv",
    "budget-lines": "budget.csv",
    "modifications": "modifications.csv",
    "terminations": "terminations.csv",
    "targets": "targets.csv",
    "people": "people.csv",
    "subscriptions": "subscriptions.csv",
    "it-inventory": "it_inventory.csv",
    "procurement": "procurement.csv",
    "housing": "housing.csv",
    "office-space": "office_space.csv",
    "guard-hours": "guard_hours.csv",
    "activity": "activity.csv",
    "tdy-visits": "tdy/visits.csv",
    "tdy-services": "tdy/services.csv",
}
# The kinds of cell that hold a code, checked by its shape before it is stored.
CODE_KINDS = frozenset({Kind.CODE, Kind.POST_CODE, Kind.ONE_OF})


class Rejected(Exception):
    """The change breaks a rule in the row itself; nothing was written."""

    def __init__(self, problems: list[Diagnostic]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def find_post(connection: Connection, code: str, fiscal_year: int) -> PostKey:
    found = connection.execute(
        select(posts.c.id).where(posts.c.code == code, posts.c.fiscal_year == fiscal_year)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"post {code}, fiscal year {fiscal_year}, is not in the database")
    return PostKey(int(found), code, fiscal_year)


# Changing rows ---------------------------------------------------------------------------------------------


def cell_values(file: str, values: Mapping[str, str]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The table's values of the cells given (amounts to cents, by the bundle's parser); problems name the field.
    A what-if scenario checks its changes with it too (icass.store.scenarios)."""
    columns = {c.name: c for c in FORMAT[file].columns}
    found: dict[str, Any] = {}
    problems = []
    for name, value in values.items():
        column = columns.get(name)
        if column is None:
            problems.append(error(Source(file), f"{file} has no column {name!r}", field=name))
        elif column.cents:
            try:
                found[name] = tables.cents(value.strip())
            except ValueError as e:
                problems.append(error(Source(file), f"not an amount in dollars: {e}", field=name))
        else:
            # Checked before anything is stored, by the kind the format gives the column: a code by its shape,
            # anything else bounded as free text. The readers (run after the write) check it again.
            text = value.strip()
            problem = code_problem(text) if text and column.kind in CODE_KINDS else text_problem(text)
            if problem is None:
                found[name] = text
            else:
                problems.append(error(Source(file), problem, field=name))
    return found, problems


def rejects(problem: Diagnostic) -> bool:
    """The one rule of what a change does with a problem the pipeline finds in a row it changed: an error of a
    rule on the row's own cells (a wrong type, a code of the wrong shape or one the catalog does not know, a
    value the row may not hold) refuses the change; an error of a rule that spans rows (Diagnostic.spans_rows:
    a time allocation that does not yet sum to 100, a row naming a position or agency not there yet, a
    duplicate, a cost with no workload) does not, because a post edited row by row passes through such states:
    it stays the post's problem, listed with it, and blocks its distribution, its invoices and the recording of
    an approved version until fixed, as it fails `icass validate`."""
    return problem.severity == ERROR and not problem.spans_rows


def row_problems(run: PostRun, file: str, number: int) -> list[Diagnostic]:
    return [d for d in run.diagnostics if rejects(d) and d.source.file == file and d.source.row == number]


def _judge(connection: Connection, post: PostKey, file: str, row_id: int, run: PostRun) -> None:
    """Reject the change when `run`, made with it, finds a problem in its row."""
    table = ROW_TABLES[file]
    line = connection.execute(select(table.c.line).where(table.c.id == row_id)).scalar_one()
    _refuse_row_problems(run, file, row_number(connection, post, file, line))


def _refuse_row_problems(run: PostRun, file: str, number: int) -> None:
    """Reject the change when `run`, made with it, finds a problem in row `number` of `file`."""
    problems = row_problems(run, file, number)
    if problems:
        raise Rejected(problems)


def create_row(connection: Connection, post: PostKey, file: str, values: Mapping[str, str], user: str) -> StoredRow:
    found, problems = cell_values(file, values)
    if problems:
        raise Rejected(problems)
    lock(connection, post)
    table = ROW_TABLES[file]
    last = connection.execute(select(func.max(table.c.line)).where(table.c.post_id == post.id)).scalar_one()
    fill_header(connection, post, file, {c for c, v in found.items() if v != ""})
    row_id = connection.execute(
        insert(table).returning(table.c.id), {"post_id": post.id, "line": (last or 0) + 1, "extra": {}, **found}
    ).scalar_one()
    state = state_on(connection, post.id)
    _judge(connection, post, file, row_id, state.run)
    refuse_if_locked(connection, post, state.run)
    after = get_row(connection, post, file, row_id)
    record_change(connection, post, user, "create", file, row_id, None, after)
    keep_state(connection, post.id, state)
    return after


def update_row(
    connection: Connection, post: PostKey, file: str, row_id: int, values: Mapping[str, str], version: int, user: str
) -> StoredRow:
    found, problems = cell_values(file, values)
    if problems:
        raise Rejected(problems)
    kept = state_before(connection, post)
    lock(connection, post)
    before = current_row(connection, post, file, row_id, version)
    table = ROW_TABLES[file]
    connection.execute(update(table).where(table.c.id == row_id).values(version=table.c.version + 1, **found))
    fill_header(connection, post, file, {c for c, v in found.items() if v != ""})
    state = state_after_edit(connection, post.id, kept, file, before.row - 2, found)
    problems = row_problems(state.run, file, before.row)
    if problems:
        raise Rejected(problems)
    refuse_if_locked(connection, post, state.run)
    after = row_after(before, file, found)
    record_change(connection, post, user, "update", file, row_id, before, after)
    keep_state(connection, post.id, state)
    return after


def delete_row(connection: Connection, post: PostKey, file: str, row_id: int, version: int, user: str) -> None:
    lock(connection, post)
    before = current_row(connection, post, file, row_id, version)
    table = ROW_TABLES[file]
    connection.execute(delete(table).where(table.c.id == row_id))
    record_change(connection, post, user, "delete", file, row_id, before, None)
    refuse_if_locked(connection, post)


POSITIONS, TIME_ALLOCATION, POSITION_COSTS = "positions.csv", "time_allocation.csv", "position_costs.csv"
# A position's own rows in other tables, found by its position_id: made and removed with it.
OF_POSITION = (TIME_ALLOCATION, POSITION_COSTS)


@dataclass(frozen=True)
class PositionMade:
    """A new position's row, with the time allocation rows and cost lines made with it."""

    position: StoredRow
    time_allocation: tuple[StoredRow, ...]
    costs: tuple[StoredRow, ...]


@dataclass(frozen=True)
class NewRow:
    """A row of a change that carries several: its file, its cells, and how a message names it before it has
    a row number (the place in the request, e.g. `time_allocation[0]`)."""

    file: str
    values: Mapping[str, str]
    where: str


def create_rows(connection: Connection, post: PostKey, rows: Sequence[NewRow], user: str) -> list[StoredRow]:
    """Several new rows, of one table or several, as one change: every cell checked before anything is written
    (each problem names its row in the change and its field), then all written, judged by one run of the post
    (a problem that `rejects` in any of them refuses them all) and each recorded in the audit log, one entry a
    row so that a row's history reads the same however it was made. All or nothing: the caller's transaction."""
    problems: list[Diagnostic] = []
    typed: list[tuple[str, dict[str, Any]]] = []
    for row in rows:
        found, bad = cell_values(row.file, row.values)
        problems += [dataclasses.replace(p, source=Source(row.file, key=row.where)) for p in bad]
        if not any(str(v).strip() for v in found.values()) and not bad:
            problems.append(error(Source(row.file, key=row.where), "a new row needs at least one cell"))
        typed.append((row.file, found))
    if problems:
        raise Rejected(problems)
    lock(connection, post)
    made: list[tuple[str, int]] = []
    for file, found in typed:
        table = ROW_TABLES[file]
        last = connection.execute(select(func.max(table.c.line)).where(table.c.post_id == post.id)).scalar_one()
        fill_header(connection, post, file, {c for c, v in found.items() if v != ""})
        made.append(
            (
                file,
                connection.execute(
                    insert(table).returning(table.c.id),
                    {"post_id": post.id, "line": (last or 0) + 1, "extra": {}, **found},
                ).scalar_one(),
            )
        )
    shown = _shown(connection, post, made)
    run = run_on(connection, post.id)
    problems = [p for file, row_id in made for p in row_problems(run, file, shown[file, row_id].row)]
    if problems:
        raise Rejected(problems)
    refuse_if_locked(connection, post, run)
    for file, row_id in made:
        record_change(connection, post, user, "create", file, row_id, None, shown[file, row_id])
    return [shown[key] for key in made]


def _shown(connection: Connection, post: PostKey, made: Sequence[tuple[str, int]]) -> dict[tuple[str, int], StoredRow]:
    """The rows `made` as their records, each file's rows read once."""
    wanted = set(made)
    return {
        (file, row["id"]): row_record(file, row, number)
        for file in {file for file, _ in made}
        for number, row in enumerate(ordered(connection, post, file), start=2)
        if (file, row["id"]) in wanted
    }


def create_position(
    connection: Connection,
    post: PostKey,
    values: Mapping[str, str],
    allocation: Sequence[Mapping[str, str]],
    costs: Sequence[Mapping[str, str]],
    user: str,
) -> PositionMade:
    """A new position with its time allocation rows and cost lines, as one change (create_rows). A row of
    the lists that leaves out position_id is the new position's; one that names another position is refused,
    as the lists hold the position's own rows."""
    position_id = values.get("position_id", "").strip()
    rows = [NewRow(POSITIONS, values, "position")]
    problems: list[Diagnostic] = []
    for name, file, given in (("time_allocation", TIME_ALLOCATION, allocation), ("costs", POSITION_COSTS, costs)):
        for k, cells in enumerate(given):
            where = f"{name}[{k}]"
            named = cells.get("position_id", position_id).strip()
            if named != position_id:
                message = f"is {named!r}, not the new position's {position_id!r}: these rows are the position's own"
                problems.append(error(Source(file, key=where), message, field="position_id"))
            rows.append(NewRow(file, {**cells, "position_id": position_id}, where))
    if problems:
        raise Rejected(problems)
    made = list(zip(rows, create_rows(connection, post, rows, user), strict=True))
    return PositionMade(
        made[0][1],
        tuple(shown for row, shown in made[1:] if row.file == TIME_ALLOCATION),
        tuple(shown for row, shown in made[1:] if row.file == POSITION_COSTS),
    )


def delete_position(connection: Connection, post: PostKey, row_id: int, version: int, user: str) -> None:
    """Remove a position and, with it, its time allocation rows and cost lines (unless another row of
    positions.csv has the same position_id: then they are that one's too), each with its audit entry."""
    lock(connection, post)
    before = current_row(connection, post, POSITIONS, row_id, version)
    positions_table = ROW_TABLES[POSITIONS]
    position_id = before.cells()["position_id"]
    namesakes = connection.execute(
        select(func.count()).where(
            positions_table.c.post_id == post.id,
            positions_table.c.position_id == position_id,
            positions_table.c.id != row_id,
        )
    ).scalar_one()
    connection.execute(delete(positions_table).where(positions_table.c.id == row_id))
    record_change(connection, post, user, "delete", POSITIONS, row_id, before, None)
    for file in () if namesakes else OF_POSITION:
        table = ROW_TABLES[file]
        for number, row in enumerate(ordered(connection, post, file), start=2):
            if row["position_id"] == position_id:
                connection.execute(delete(table).where(table.c.id == row["id"]))
                record_change(connection, post, user, "delete", file, row["id"], row_record(file, row, number), None)
    refuse_if_locked(connection, post)


def record_change(
    connection: Connection,
    post: PostKey,
    user: str,
    action: str,
    file: str,
    row_id: int | str,
    before: Any,
    after: Any,
) -> None:
    audit.record(
        connection,
        user,
        action,
        f"{file} {row_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before=before,
        after=after,
    )


# Workload: what the post distributes by, derived or entered ------------------------------------------------


def workload_key(line_id: str) -> tuple[str, str, str]:
    parts = line_id.split(":")
    if len(parts) not in (2, 3) or not all(parts[:2]):
        raise NotFound(f"no workload line {line_id!r}: an id is cost_center:agency or cost_center:agency:factor")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def workload(connection: Connection, post: PostKey, run: PostRun) -> list[WorkloadLine]:
    """Every workload line the post distributes by (derived from its records, or entered by hand), each with
    the version of the entered row behind it (0 when the line is derived: entering a count creates the row)."""
    entered = {(r["cost_center"], r["agency"], r["factor"]): r for r in ordered(connection, post, WORKLOAD_FILE)}
    return [workload_record(w, entered.get((w.cost_center, w.agency, w.factor))) for w in workload_lines(run)]


def get_workload(connection: Connection, post: PostKey, run: PostRun, line_id: str) -> WorkloadLine:
    key = workload_key(line_id)
    for line in workload(connection, post, run):
        if (line.cost_center, line.agency, line.factor) == key:
            return line
    raise NotFound(f"no workload line {line_id} at post {post.code}, fiscal year {post.fiscal_year}")


def enter_count(
    connection: Connection,
    post: PostKey,
    line_id: str,
    count: str,
    version: int,
    user: str,
    modification: str | None = None,
) -> WorkloadLine:
    """Enter a count by hand for a workload line (it then replaces what the records derive for its cost center
    and agency, H-341.1-4 and docs/bundle.md), creating the entered row when the line was derived."""
    cost_center, agency, factor = workload_key(line_id)
    typed = {"cost_center": cost_center, "agency": agency, "factor": factor, "count": count}
    _, problems = cell_values(WORKLOAD_FILE, typed if modification is None else {**typed, "modification": modification})
    if problems:
        raise Rejected(problems)
    state = state_before(connection, post)
    lock(connection, post)
    table = ROW_TABLES[WORKLOAD_FILE]
    row = entered_row(connection, post, cost_center, agency, factor)
    before = workload_line(state.run, (cost_center, agency, factor), row)
    current = row["version"] if row is not None else 0
    if current != version:
        raise Conflict(
            f"the workload of {agency} in {cost_center} was changed by someone else since you read it (version "
            f"{version}, now {current}): reload it and enter the count again",
            before,
        )
    values = {"count": count.strip()}
    if modification is not None:
        values["modification"] = modification.strip()
    if row is None:
        last = connection.execute(select(func.max(table.c.line)).where(table.c.post_id == post.id)).scalar_one()
        values.setdefault("modification", "")
        row_id = connection.execute(
            insert(table).returning(table.c.id),
            {
                "post_id": post.id,
                "line": (last or 0) + 1,
                "extra": {},
                "cost_center": cost_center,
                "agency": agency,
                "factor": factor,
                **values,
            },
        ).scalar_one()
    else:
        row_id = row["id"]
        connection.execute(update(table).where(table.c.id == row_id).values(version=table.c.version + 1, **values))
    fill_header(connection, post, WORKLOAD_FILE, {"factor"} if factor else set())
    if row is None:
        state = state_after_edit(connection, post.id, state, WORKLOAD_FILE, None, {**typed, **values})
        _judge(connection, post, WORKLOAD_FILE, row_id, state.run)
        entered = entered_row(connection, post, cost_center, agency, factor)
    else:  # the row as it now is, known without reading it again
        key = (cost_center, agency, factor)
        number = entered_number(state.run, key) or row_number(connection, post, WORKLOAD_FILE, row["line"])
        state = state_after_edit(connection, post.id, state, WORKLOAD_FILE, number - 2, values)
        _refuse_row_problems(state.run, WORKLOAD_FILE, number)
        entered = {**row, **values, "version": row["version"] + 1}
    run = state.run
    refuse_if_locked(connection, post, run)
    after = workload_line(run, (cost_center, agency, factor), entered)
    if after is None:
        raise NotFound(f"no workload line {line_id} at post {post.code}, fiscal year {post.fiscal_year}")
    audit.record(
        connection,
        user,
        "enter count",
        f"workload {line_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before=before,
        after=after,
    )
    keep_state(connection, post.id, state)
    return after


def clear_count(connection: Connection, post: PostKey, line_id: str, version: int, user: str) -> None:
    """Remove a count entered by hand: the line goes back to what the records derive (if anything)."""
    cost_center, agency, factor = workload_key(line_id)
    lock(connection, post)
    table = ROW_TABLES[WORKLOAD_FILE]
    row = entered_row(connection, post, cost_center, agency, factor)
    if row is None:
        raise NotFound(f"workload line {line_id} has no count entered by hand")
    if row["version"] != version:
        raise Conflict(f"the workload of {agency} in {cost_center} was changed since you read it", None)
    before = dict(row)
    connection.execute(delete(table).where(table.c.id == row["id"]))
    audit.record(
        connection,
        user,
        "clear count",
        f"workload {line_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before={"count": before["count"], "modification": before["modification"], "version": before["version"]},
    )
    refuse_if_locked(connection, post)


# Approvals of modifications --------------------------------------------------------------------------------

DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class Decision:
    """A budget committee member's decision on a modification, for their agency."""

    modification: int
    agency: str
    decision: str  # one of DECISIONS
    note: str
    at: str
    username: str


def decide(
    connection: Connection, post: PostKey, modification_id: int, agency: str, decision: str, note: str, user: str
) -> Decision:
    """A budget committee member's decision on a modification, recorded (and audited) for their agency; a later
    decision of the same agency supersedes its earlier one."""
    if decision not in DECISIONS:
        raise Rejected([error(Source("approvals"), f"decision must be one of {', '.join(DECISIONS)}", "decision")])
    modification = get_row(connection, post, "modifications.csv", modification_id)
    stamp = audit.now()
    connection.execute(
        approvals.insert(),
        {
            "modification_id": modification_id,
            "username": user,
            "agency": agency,
            "decision": decision,
            "note": note,
            "at": stamp,
        },
    )
    audit.record(
        connection,
        user,
        decision,
        f"modifications.csv {modification_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        after={"agency": agency, "decision": decision, "note": note, "modification": modification},
    )
    return Decision(modification_id, agency, decision, note, stamp, user)


def decisions(connection: Connection, modification_id: int) -> list[Decision]:
    """Each agency's latest decision on the modification."""
    latest: dict[str, Decision] = {}
    for row in connection.execute(
        select(approvals).where(approvals.c.modification_id == modification_id).order_by(approvals.c.id)
    ).mappings():
        latest[row["agency"]] = Decision(
            modification_id, row["agency"], row["decision"], row["note"], row["at"], row["username"]
        )
    return list(latest.values())
