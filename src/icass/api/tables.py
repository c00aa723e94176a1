"""What the pages and the API both do to a post's rows, each in its own connection or transaction: read the rows
of a file, change, add and delete them (a position with its time allocation and cost lines), enter a count, and
record a committee member's decision. The pages call these (icass.web never reads the store itself); a change
the store refuses raises one of REFUSED, which the API answers as 404, 409 or 422 (icass.api.app)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request

from icass.api.posts import computed
from icass.api.schemas import WorkloadOut
from icass.runs.post import PostRun
from icass.store import changes
from icass.store.changes import (
    POSITIONS,
    RESOURCES,
    Conflict,
    Decision,
    NotFound,
    PositionMade,
    PostKey,
    Rejected,
    StoredRow,
    workload_id,
)

__all__ = [
    "POSITIONS",
    "REFUSED",
    "RESOURCES",
    "Conflict",
    "Decision",
    "NotFound",
    "PositionMade",
    "PostKey",
    "Rejected",
    "StoredRow",
    "workload_id",
]

# Every refusal of a change: the row or line is not there, it changed since it was read, or it breaks a rule.
REFUSED = (Conflict, Rejected, NotFound)


def rows_of(request: Request, key: PostKey, file: str) -> list[StoredRow]:
    with request.app.state.engine.connect() as connection:
        return changes.list_rows(connection, key, file)


def row_of(request: Request, key: PostKey, file: str, row_id: int) -> StoredRow:
    with request.app.state.engine.connect() as connection:
        return changes.get_row(connection, key, file, row_id)


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
    with request.app.state.engine.begin() as connection:
        return changes.update_row(connection, key, file, row_id, values, version, user)


def add_row(request: Request, key: PostKey, file: str, values: Mapping[str, str], user: str) -> StoredRow:
    with request.app.state.engine.begin() as connection:
        return changes.create_row(connection, key, file, values, user)


def add_position(
    request: Request,
    key: PostKey,
    values: Mapping[str, str],
    allocation: Sequence[Mapping[str, str]],
    costs: Sequence[Mapping[str, str]],
    user: str,
) -> PositionMade:
    """A new position with its time allocation rows and cost lines, as one change."""
    with request.app.state.engine.begin() as connection:
        return changes.create_position(connection, key, values, allocation, costs, user)


def remove_row(request: Request, key: PostKey, file: str, row_id: int, version: int, user: str) -> None:
    """Delete a row; a position with its time allocation and cost lines."""
    with request.app.state.engine.begin() as connection:
        if file == POSITIONS:
            changes.delete_position(connection, key, row_id, version, user)
        else:
            changes.delete_row(connection, key, file, row_id, version, user)


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
