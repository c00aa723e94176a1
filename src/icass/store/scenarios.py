"""What-if scenarios of a post (issue 8 §4, docs/workspace.md "What-if scenarios"): counts, modifications and
costs changed apart from the post's rows, every agency's invoice computed with them beside the baseline, and
nothing written to the post until an FMO applies the scenario.

- A scenario holds changes, each to one row (by its id) or one workload line (by its id), in the same terms and
  checked by the same functions as `icass.store.changes`: cells parsed by `changes.cell_values`, and a change
  whose row the pipeline finds a problem in is rejected (422), as a change to the post would be.
- It is computed by overlaying its changes on the post's *current* rows, in memory (the stored cells, then the
  same readers, derivation, checks and engine: `icass.store.compute.run_on` given the cells). So a scenario
  whose post changed since it was made still computes; a change whose row is gone is skipped and named.
- Applying makes the changes to the post as one change (`apply_scenario`): all written, judged on one run of
  the post, each audited as any change is and the post's state kept once, in the caller's one transaction; a
  row changed since its change was made (its version moved) fails the whole apply with a Conflict (409), and a
  problem in any row it changed with a Rejected (422), nothing written.

The overlay works on a post's cells, not on its database rows, so the same function serves many posts at once
(a worldwide what-if: `compute.read_stored_of` takes every post's cells) and a kept version of a budget (its
cells) as well as the stored one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from icass.bundle.tables import Cells
from icass.diagnostics import error
from icass.model import Source
from icass.money import format_plain, parse_cents
from icass.runs.post import PostRun
from icass.store import audit, changes, steps
from icass.store.cells import StoredCells, stored_cells
from icass.store.changes import RESOURCES, WORKLOAD_FILE, Conflict, NotFound, PostKey, Rejected
from icass.store.compute import PostState, keep_state, run_on, run_stored
from icass.store.schema import FILES, ROW_TABLES, audit_log, posts, scenario_changes, scenarios
from icass.store.states import Shelf, database_of
from icass.store.workload_approvals import refuse_if_locked
from icass.views.comparison import AgencyComparison, Comparison, compare

WORKLOAD = "workload"
# Every resource a scenario changes -> its bundle file: the API's row resources, and the workload lines.
FILE_OF: dict[str, str] = {**RESOURCES, WORKLOAD: WORKLOAD_FILE}
ACTIONS = ("set", "delete", "create")
WORKLOAD_CELLS = ("count", "modification")  # what a scenario sets on a workload line, as entering a count does
# Bounds of what a person types (the API's schema says the same): the pages' forms reach here unchecked.
MAX_NAME_CHARS = 200
MAX_TARGET_CHARS = 100


@dataclass(frozen=True)
class Change:
    number: int  # its place in the scenario, from 1: changes are overlaid and applied in this order
    resource: str
    action: str
    target: str  # a row id, a workload line id, or "" for a new row
    values: dict[str, str]
    base_version: int  # the row's version when the change was made (0: a derived workload line, a new row)


@dataclass(frozen=True)
class Scenario:
    id: int
    post: PostKey
    name: str
    created_by: str
    created_at: str
    version: int
    applied_at: str | None
    applied_by: str | None
    post_changed: bool  # the post changed since the scenario was made: it is computed on the current rows
    changes: tuple[Change, ...]

    @property
    def applied(self) -> bool:
        return self.applied_at is not None


# Reading ---------------------------------------------------------------------------------------------------


def _scenario(connection: Connection, post: PostKey, row: Any) -> Scenario:
    found = connection.execute(
        select(scenario_changes).where(scenario_changes.c.scenario_id == row.id).order_by(scenario_changes.c.line)
    ).mappings()
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    return Scenario(
        id=row.id,
        post=post,
        name=row.name,
        created_by=row.created_by,
        created_at=row.created_at,
        version=row.version,
        applied_at=row.applied_at,
        applied_by=row.applied_by,
        post_changed=row.base_revision != revision,
        changes=tuple(
            Change(c["line"], c["resource"], c["action"], c["target"], dict(c["values"]), c["base_version"])
            for c in found
        ),
    )


def list_scenarios(connection: Connection, post: PostKey) -> list[Scenario]:
    rows = connection.execute(select(scenarios).where(scenarios.c.post_id == post.id).order_by(scenarios.c.id))
    return [_scenario(connection, post, row) for row in rows]


def get_scenario(connection: Connection, post: PostKey, scenario_id: int) -> Scenario:
    row = connection.execute(
        select(scenarios).where(scenarios.c.id == scenario_id, scenarios.c.post_id == post.id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no scenario {scenario_id} of post {post.code}, fiscal year {post.fiscal_year}")
    return _scenario(connection, post, row)


# Making and changing ---------------------------------------------------------------------------------------


def create_scenario(connection: Connection, post: PostKey, name: str, user: str) -> Scenario:
    name = name.strip()
    if not name:
        raise Rejected([error(Source("scenario"), "a scenario needs a name", "name")])
    if len(name) > MAX_NAME_CHARS:
        raise _problem(f"a scenario's name may be at most {MAX_NAME_CHARS} characters", "name")
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
    scenario_id = connection.execute(
        insert(scenarios).returning(scenarios.c.id),
        {"post_id": post.id, "name": name, "created_by": user, "created_at": audit.now(), "base_revision": revision},
    ).scalar_one()
    audit.record(
        connection,
        user,
        "create scenario",
        f"scenario {scenario_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        after={"name": name},
    )
    return get_scenario(connection, post, scenario_id)


def delete_scenario(connection: Connection, post: PostKey, scenario_id: int, user: str) -> None:
    """Delete a scenario not yet applied (an applied one is kept: the record of what was applied and why)."""
    scenario = _hold(connection, post, scenario_id)
    connection.execute(delete(scenarios).where(scenarios.c.id == scenario_id))
    audit.record(
        connection,
        user,
        "delete scenario",
        f"scenario {scenario_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before={"name": scenario.name, "changes": len(scenario.changes), "applied_at": scenario.applied_at},
    )


def _hold(connection: Connection, post: PostKey, scenario_id: int, version: int | None = None) -> Scenario:
    """The scenario, its version bumped (so that changes to it are one at a time); refused once applied, or when
    `version` is given and is no longer its version."""
    get_scenario(connection, post, scenario_id)  # NotFound first: a scenario of another post is not there
    where = [scenarios.c.id == scenario_id, scenarios.c.applied_at.is_(None)]
    if version is not None:
        where.append(scenarios.c.version == version)
    held = connection.execute(update(scenarios).where(*where).values(version=scenarios.c.version + 1)).rowcount
    scenario = get_scenario(connection, post, scenario_id)  # read under the hold: what is changed or applied
    if held != 1:
        if scenario.applied:
            raise Conflict(
                f"scenario {scenario.name!r} was applied by {scenario.applied_by} at {scenario.applied_at}: it is "
                "kept as it was and changes no more",
                None,
            )
        raise Conflict(
            f"scenario {scenario.name!r} was changed since you read it (version {version}, now {scenario.version}): "
            "reload it and look again",
            None,
        )
    return scenario


def _problem(message: str, field: str = "") -> Rejected:
    return Rejected([error(Source("scenario"), message, field)])


def _current_version(connection: Connection, post: PostKey, resource: str, target: str) -> int | None:
    """The version of the row a change is made to, as it is now: 0 for a workload line without a count entered
    by hand, None when the row is not in the post."""
    table = ROW_TABLES[FILE_OF[resource]]
    if resource == WORKLOAD:
        cost_center, agency, factor = changes.workload_key(target)
        query = select(table.c.version).where(
            table.c.post_id == post.id,
            table.c.cost_center == cost_center,
            table.c.agency == agency,
            table.c.factor == factor,
        )
        return connection.execute(query).scalar() or 0
    if not target.isdigit() or int(target) > 2**31 - 1:
        return None
    query = select(table.c.version).where(table.c.post_id == post.id, table.c.id == int(target))
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def _checked_values(resource: str, action: str, values: Mapping[str, str]) -> dict[str, str]:
    """The values of a change as typed, once they parse as the post's would (icass.store.changes)."""
    if action == "delete":
        if values:
            raise _problem("a change that deletes a row takes no values", "values")
        return {}
    if resource == WORKLOAD:
        unknown = sorted(set(values) - set(WORKLOAD_CELLS))
        if unknown or "count" not in values:
            raise _problem("a workload line's change gives its count (and may give its modification)", "values")
        _, problems = changes.cell_values(WORKLOAD_FILE, values)
        if problems:
            raise Rejected(problems)
        return {k: v.strip() for k, v in values.items()}
    if not values:
        raise _problem("a change gives at least one cell", "values")
    _, problems = changes.cell_values(FILE_OF[resource], values)
    if problems:
        raise Rejected(problems)
    return {k: v.strip() for k, v in values.items()}


def add_change(
    connection: Connection,
    post: PostKey,
    scenario_id: int,
    resource: str,
    action: str,
    target: str,
    values: Mapping[str, str],
    user: str,
) -> Change:
    """Add a change to the scenario; a later change to the same row replaces the earlier one (its values added to
    the earlier ones when both set cells) and takes the row's version now. A change that gives its row a problem
    the pipeline finds is rejected, as a change to the post would be (nothing saved)."""
    if resource not in FILE_OF:
        raise _problem(f"no resource {resource!r}: one of {', '.join(sorted(FILE_OF))}", "resource")
    if action not in ACTIONS or (resource == WORKLOAD and action == "create"):
        allowed = "set, delete" if resource == WORKLOAD else ", ".join(ACTIONS)
        raise _problem(f"no action {action!r} on {resource}: one of {allowed}", "action")
    if len(target) > MAX_TARGET_CHARS:
        raise _problem(f"a change's target may be at most {MAX_TARGET_CHARS} characters", "target")
    checked = _checked_values(resource, action, values)
    scenario = _hold(connection, post, scenario_id)
    target = "" if action == "create" else target.strip()
    base = 0
    if action != "create":
        if resource == WORKLOAD:
            changes.workload_key(target)  # a malformed line id is NotFound, as on the post
        current = _current_version(connection, post, resource, target)
        if current is None:
            raise NotFound(f"{FILE_OF[resource]}: no row {target} at post {post.code}, fiscal year {post.fiscal_year}")
        if resource == WORKLOAD and action == "delete" and current == 0:
            raise NotFound(f"workload line {target} has no count entered by hand")
        base = current
    earlier = next(
        (c for c in scenario.changes if target and c.resource == resource and c.target == target),
        None,
    )
    if earlier is not None:
        if earlier.action == "set" and action == "set":
            checked = {**earlier.values, **checked}
        change = Change(earlier.number, resource, action, target, checked, base)
    else:
        number = max((c.number for c in scenario.changes), default=0) + 1
        change = Change(number, resource, action, target, checked, base)
    kept = [c for c in scenario.changes if c.number != change.number] + [change]
    run = _overlaid_run(connection, post, sorted(kept, key=lambda c: c.number))
    if change.number in run.rows:
        file, number = run.rows[change.number]
        problems = changes.row_problems(run.run, file, number)
        if problems:
            raise Rejected(problems)
    fields = {
        "resource": resource,
        "action": action,
        "target": target,
        "values": checked,
        "base_version": base,
    }
    if earlier is not None:
        connection.execute(
            update(scenario_changes)
            .where(scenario_changes.c.scenario_id == scenario_id, scenario_changes.c.line == earlier.number)
            .values(**fields)
        )
    else:
        connection.execute(insert(scenario_changes), {"scenario_id": scenario_id, "line": change.number, **fields})
    audit.record(
        connection,
        user,
        "change scenario",
        f"scenario {scenario_id} change {change.number}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before=None if earlier is None else _change_record(earlier),
        after=_change_record(change),
    )
    return change


def remove_change(connection: Connection, post: PostKey, scenario_id: int, number: int, user: str) -> None:
    scenario = _hold(connection, post, scenario_id)
    removed = next((c for c in scenario.changes if c.number == number), None)
    if removed is None:
        raise NotFound(f"scenario {scenario.name!r} has no change {number}")
    connection.execute(
        delete(scenario_changes).where(scenario_changes.c.scenario_id == scenario_id, scenario_changes.c.line == number)
    )
    audit.record(
        connection,
        user,
        "remove scenario change",
        f"scenario {scenario_id} change {number}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        before=_change_record(removed),
    )


# Computing -------------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """One file's cells while changes are overlaid: its header, rows and each row's id (None: a new row)."""

    header: list[str]
    records: list[list[str]]
    ids: list[int | None]

    def column(self, name: str) -> int:
        if name not in self.header:
            self.header.append(name)
            for record in self.records:
                record.append("")
        return self.header.index(name)

    def set(self, at: int, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self.records[at][self.column(name)] = value


def _shown(file: str, values: Mapping[str, str]) -> dict[str, str]:
    """The values as the stored cells show them (amounts in the format's form: "1500" is "1500.00")."""
    found, _ = changes.cell_values(file, values)
    kinds = FILES[file][1]
    return {c: format_plain(v) if kinds[c] == "cents" else v for c, v in found.items()}


def overlay(
    cells: StoredCells, ids: Mapping[str, Sequence[int]], scenario_changes: Sequence[Change]
) -> tuple[StoredCells, dict[int, tuple[str, int]], dict[int, str]]:
    """The post's cells with the changes made, in order: the cells, where each change left its row (file, row
    number; not for a delete) and why a change could not be made (its row is no longer in the post). `ids`:
    each touched file's row ids, in the order of its rows."""
    tables: dict[str, _Table] = {}
    for change in scenario_changes:
        file = FILE_OF[change.resource]
        if file not in tables:
            held = cells.files.get(file)
            tables[file] = (
                _Table(list(held.header), [list(r) for r in held.records], list(ids.get(file, ())))
                if held is not None
                else _Table(list(FILES[file][1]), [], [])
            )
    where: dict[int, list[str]] = {}  # change number -> the row it left (found by identity at the end)
    skipped: dict[int, str] = {}
    for change in scenario_changes:
        file = FILE_OF[change.resource]
        table = tables[file]
        if change.resource == WORKLOAD:
            key = changes.workload_key(change.target)
            columns = [table.column(c) for c in ("cost_center", "agency")]
            factor = table.header.index("factor") if "factor" in table.header else None
            at = next(
                (
                    i
                    for i, r in enumerate(table.records)
                    if (r[columns[0]], r[columns[1]], "" if factor is None else r[factor]) == key
                ),
                None,
            )
            if change.action == "delete":
                if at is None:
                    skipped[change.number] = f"workload line {change.target} has no count entered by hand"
                else:
                    del table.records[at], table.ids[at]
                continue
            if at is None:
                table.records.append([""] * len(table.header))
                table.ids.append(None)
                at = len(table.records) - 1
                table.set(at, {"cost_center": key[0], "agency": key[1], "modification": ""})
                if key[2]:
                    table.set(at, {"factor": key[2]})
            table.set(at, change.values)
            where[change.number] = table.records[at]
            continue
        if change.action == "create":
            kinds = FILES[file][1]
            blank = {c: format_plain(0) for c, kind in kinds.items() if kind == "cents" and c in table.header}
            table.records.append([blank.get(c, "") for c in table.header])
            table.ids.append(None)
            shown = _shown(file, change.values)
            table.set(len(table.records) - 1, {c: v for c, v in shown.items() if v != "" or c in table.header})
            where[change.number] = table.records[-1]
            continue
        at = next((i for i, row_id in enumerate(table.ids) if str(row_id) == change.target), None)
        if at is None:
            skipped[change.number] = f"{file}: row {change.target} is no longer in the post"
        elif change.action == "delete":
            del table.records[at], table.ids[at]
        else:
            table.set(at, _shown(file, change.values))
            where[change.number] = table.records[at]
    files = dict(cells.files)
    for file, table in tables.items():
        files[file] = Cells(file, tuple(table.header), list(range(2, len(table.records) + 2)), table.records)
    rows = {}
    for number, record in where.items():
        file = FILE_OF[next(c.resource for c in scenario_changes if c.number == number)]
        rows[number] = (file, next(i for i, r in enumerate(files[file].records, start=2) if r is record))
    return StoredCells(files), rows, skipped


@dataclass(frozen=True)
class ScenarioRun:
    run: PostRun  # the pipeline on the post's rows with the scenario's changes made
    rows: dict[int, tuple[str, int]]  # change number -> the file and row it changed (messages name them)
    skipped: dict[int, str]  # change number -> why it could not be made on the post as it is now
    stale: frozenset[int] = field(default_factory=frozenset)  # changes whose row changed since: apply would 409


def _overlaid_run(connection: Connection, post: PostKey, made: Sequence[Change]) -> ScenarioRun:
    touched = {FILE_OF[c.resource] for c in made}
    ids = {}
    for file in touched:
        table = ROW_TABLES[file]
        query = select(table.c.id).where(table.c.post_id == post.id).order_by(table.c.line)
        ids[file] = list(connection.execute(query).scalars())
    cells, rows, skipped = overlay(stored_cells(connection, post.id), ids, made)
    return ScenarioRun(run_on(connection, post.id, cells), rows, skipped)


def run_scenario(connection: Connection, post: PostKey, scenario: Scenario) -> ScenarioRun:
    """The scenario computed on the post's current rows (not kept: see `computed_scenario`). An applied one's
    changes are in the post already (a new row would be made twice): it is the post as it is."""
    if scenario.applied:
        return ScenarioRun(run_on(connection, post.id), {}, {})
    found = _overlaid_run(connection, post, scenario.changes)
    return ScenarioRun(found.run, found.rows, found.skipped, stale_changes(connection, post, scenario))


def stale_changes(connection: Connection, post: PostKey, scenario: Scenario) -> frozenset[int]:
    """The changes whose row changed (or went) since they were made: applying the scenario would be refused."""
    return frozenset(
        c.number
        for c in scenario.changes
        if c.action != "create" and _current_version(connection, post, c.resource, c.target) != c.base_version
    )


SCENARIOS: Shelf[ScenarioRun] = Shelf("scenario")  # scenario id -> its run, under (post revision, its version)


def computed_scenario(engine: Engine, post: PostKey, scenario_id: int) -> tuple[Scenario, ScenarioRun]:
    """The scenario and its run, kept until the post's revision or the scenario's version moves."""
    database = database_of(engine)
    with engine.connect() as connection:
        scenario = get_scenario(connection, post, scenario_id)
        revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
        stamp = (revision, scenario.version)
        kept = SCENARIOS.get(database, scenario_id, stamp)
        if kept is not None:
            return scenario, kept
        found = run_scenario(connection, post, scenario)
    SCENARIOS.put(database, scenario_id, stamp, found)
    return scenario, found


WITHOUT: Shelf[PostRun] = Shelf("without a row")  # (post, resource, row id) -> the run, under the post's revision


def run_without(engine: Engine, post: PostKey, resource: str, row_id: int) -> PostRun:
    """The post as if one of its rows were not there (a modification's effect on the invoices is the post with
    it against the post without it), computed by the scenarios' overlay and kept until the post's revision
    moves."""
    database = database_of(engine)
    with engine.connect() as connection:
        revision = connection.execute(select(posts.c.revision).where(posts.c.id == post.id)).scalar_one()
        key = (post.id, resource, row_id)
        kept = WITHOUT.get(database, key, revision)
        if kept is not None:
            return kept
        version = _current_version(connection, post, resource, str(row_id)) or 0
        found = _overlaid_run(connection, post, [Change(1, resource, "delete", str(row_id), {}, version)]).run
    WITHOUT.put(database, key, revision, found)
    return found


# Comparing -------------------------------------------------------------------------------------------------


def comparison(engine: Engine, post: PostKey, scenario_id: int) -> tuple[Scenario, ScenarioRun, Comparison]:
    scenario, found = computed_scenario(engine, post, scenario_id)
    return scenario, found, compare(run_stored(engine, post.id), found.run, post.code)


# Applying --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Written:
    """A change written to the post's rows, to be judged and recorded once the whole scenario is written: its
    file, its row (None once deleted), the audit's action and entity, and the "before" of its row."""

    file: str
    row_id: int | None
    action: str
    entity: str
    before: Any
    key: tuple[str, str, str] | None = None  # a workload line's


def _insert(connection: Connection, post: PostKey, file: str, values: Mapping[str, Any]) -> int:
    table = ROW_TABLES[file]
    last = connection.execute(select(func.max(table.c.line)).where(table.c.post_id == post.id)).scalar_one()
    row = {"post_id": post.id, "line": (last or 0) + 1, "extra": {}, **values}
    return int(connection.execute(insert(table).returning(table.c.id), row).scalar_one())


def _update(connection: Connection, file: str, row_id: int, values: Mapping[str, Any]) -> None:
    table = ROW_TABLES[file]
    connection.execute(update(table).where(table.c.id == row_id).values(version=table.c.version + 1, **values))


def _write(connection: Connection, post: PostKey, change: Change, before: PostState | None) -> _Written:
    """One change written as icass.store.changes writes it, but neither judged nor recorded yet; a row changed
    or gone since the change was made raises Conflict or NotFound with the messages a change to the post gives.
    `before`: the post's state before the scenario (the "before" of a workload line)."""
    file = FILE_OF[change.resource]
    if change.resource == WORKLOAD:
        key = changes.workload_key(change.target)
        row = steps.entered_row(connection, post, *key)
        entity = f"workload {change.target}"
        current = row["version"] if row is not None else 0
        if change.action == "delete":
            if row is None:
                raise NotFound(f"workload line {change.target} has no count entered by hand")
            if current != change.base_version:
                raise Conflict(f"the workload of {key[1]} in {key[0]} was changed since you read it", None)
            connection.execute(delete(ROW_TABLES[file]).where(ROW_TABLES[file].c.id == row["id"]))
            shown = {"count": row["count"], "modification": row["modification"], "version": row["version"]}
            return _Written(file, None, "clear count", entity, shown)
        assert before is not None
        line = steps.workload_line(before.run, key, row)
        if current != change.base_version:
            raise Conflict(
                f"the workload of {key[1]} in {key[0]} was changed by someone else since you read it (version "
                f"{change.base_version}, now {current}): reload it and enter the count again",
                line,
            )
        found, _ = changes.cell_values(file, change.values)
        if row is None:
            cells = {"cost_center": key[0], "agency": key[1], "factor": key[2], "modification": "", **found}
            row_id = _insert(connection, post, file, cells)
        else:
            row_id = row["id"]
            _update(connection, file, row_id, found)
        steps.fill_header(connection, post, file, {"factor"} if key[2] else set())
        return _Written(file, row_id, "enter count", entity, line, key)
    if change.action == "create":
        found, _ = changes.cell_values(file, change.values)
        row_id = _insert(connection, post, file, found)
        steps.fill_header(connection, post, file, {c for c, v in found.items() if v != ""})
        return _Written(file, row_id, "create", f"{file} {row_id}", None)
    row_id = int(change.target)
    current = steps.current_row(connection, post, file, row_id, change.base_version)
    if change.action == "delete":
        connection.execute(delete(ROW_TABLES[file]).where(ROW_TABLES[file].c.id == row_id))
        return _Written(file, None, "delete", f"{file} {row_id}", current)
    found, _ = changes.cell_values(file, change.values)
    _update(connection, file, row_id, found)
    steps.fill_header(connection, post, file, {c for c, v in found.items() if v != ""})
    return _Written(file, row_id, "update", f"{file} {row_id}", current)


def _after(connection: Connection, post: PostKey, written: _Written, run: PostRun) -> Any:
    """The audit's "after" of a written change, from the run that judged the scenario."""
    if written.row_id is None:
        return None
    if written.key is not None:
        return steps.workload_line(run, written.key, steps.entered_row(connection, post, *written.key))
    return steps.get_row(connection, post, written.file, written.row_id)


def apply_scenario(connection: Connection, post: PostKey, scenario_id: int, version: int, user: str) -> Scenario:
    """Make the scenario's changes to the post as one change, in the caller's transaction: every change written
    (a row changed or gone since its change was made is a Conflict), then the post run once with all of them
    and judged as a change of several rows is (`changes.rejects`: a problem in any row the scenario changed
    refuses it whole), then each change recorded in the audit log as a change to the post would be, and the
    post's state kept once. Anything raised leaves the post as it was: the caller rolls back."""
    scenario = _hold(connection, post, scenario_id, version)
    # The post before the scenario: a workload line's "before", and the invoices its comparison is kept against.
    before = steps.state_before(connection, post)
    steps.lock(connection, post)  # once: the scenario is one step of the post's revision
    written: list[_Written] = []
    for change in scenario.changes:
        try:
            written.append(_write(connection, post, change, before))
        except NotFound as e:
            raise Conflict(
                f"change {change.number} of scenario {scenario.name!r}: {e}; nothing was applied", None
            ) from e
        except Conflict as e:
            raise Conflict(
                f"change {change.number} of scenario {scenario.name!r}: {e}; nothing was applied (enter the change "
                "again in the scenario to make it on the row as it is now)",
                e.current,
            ) from e
    run = run_on(connection, post.id)
    afters = [_after(connection, post, w, run) for w in written]
    problems = [
        problem
        for w, after in zip(written, afters, strict=True)
        if w.row_id is not None
        for problem in changes.row_problems(run, w.file, _row_number(connection, post, w))
    ]
    if problems:
        raise Rejected(problems)
    refuse_if_locked(connection, post, run)
    for w, after in zip(written, afters, strict=True):
        audit.record(
            connection,
            user,
            w.action,
            w.entity,
            post=post.code,
            fiscal_year=post.fiscal_year,
            before=w.before,
            after=after,
        )
    stamp = audit.now()
    connection.execute(update(scenarios).where(scenarios.c.id == scenario_id).values(applied_at=stamp, applied_by=user))
    audit.record(
        connection,
        user,
        "apply scenario",
        f"scenario {scenario_id}",
        post=post.code,
        fiscal_year=post.fiscal_year,
        after={
            "name": scenario.name,
            "changes": [_change_record(c) for c in scenario.changes],
            "invoices": _kept_comparison(compare(before.run, run, post.code)),
        },
    )
    keep_state(connection, post.id, PostState(run))  # last: a row written after it would leave it stale
    return get_scenario(connection, post, scenario_id)


def _kept_comparison(compared: Comparison) -> dict[str, Any]:
    """Every agency's invoice by funding source before and after the scenario was applied, as the record keeps
    it (decimal strings): once applied, the post is the scenario, and its page compares it with this."""

    def side(billed: Mapping[str, int] | None) -> dict[str, str] | None:
        return None if billed is None else {f: format_plain(v) for f, v in billed.items()}

    return {
        "fundings": list(compared.fundings),
        "agencies": [
            {"agency": a.agency, "name": a.name, "before": side(a.baseline), "after": side(a.scenario)}
            for a in compared.agencies
        ],
        "before_total": None if compared.baseline_total is None else format_plain(compared.baseline_total),
        "after_total": None if compared.scenario_total is None else format_plain(compared.scenario_total),
    }


def applied_comparison(connection: Connection, post: PostKey, scenario_id: int) -> Comparison | None:
    """The comparison an applied scenario made, kept in the record of its applying (None: not applied, or
    applied before the record kept it)."""
    query = (
        select(audit_log.c.after)
        .where(
            audit_log.c.action == "apply scenario",
            audit_log.c.entity == f"scenario {scenario_id}",
            audit_log.c.post == post.code,
            audit_log.c.fiscal_year == post.fiscal_year,
        )
        .order_by(audit_log.c.id.desc())
        .limit(1)
    )
    after = connection.execute(query).scalar_one_or_none()
    kept = after.get("invoices") if isinstance(after, dict) else None
    if kept is None:
        return None

    def side(billed: Mapping[str, str] | None) -> dict[str, int] | None:
        return None if billed is None else {f: parse_cents(v) for f, v in billed.items()}

    def total(value: str | None) -> int | None:
        return None if value is None else parse_cents(value)

    return Comparison(
        fundings=tuple(kept["fundings"]),
        agencies=tuple(
            AgencyComparison(a["agency"], a["name"], side(a["before"]), side(a["after"])) for a in kept["agencies"]
        ),
        baseline_total=total(kept["before_total"]),
        scenario_total=total(kept["after_total"]),
        baseline_errors=(),
        scenario_errors=(),
    )


def _row_number(connection: Connection, post: PostKey, written: _Written) -> int:
    """The spreadsheet row of a written change's row, as the run's messages name it."""
    assert written.row_id is not None
    table = ROW_TABLES[written.file]
    line = connection.execute(select(table.c.line).where(table.c.id == written.row_id)).scalar_one()
    return steps.row_number(connection, post, written.file, line)


def _change_record(change: Change) -> dict[str, Any]:
    return {
        "number": change.number,
        "resource": change.resource,
        "action": change.action,
        "target": change.target,
        "values": change.values,
    }
