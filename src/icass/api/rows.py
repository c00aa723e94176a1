"""The rows of a post, resource by resource (budget lines, positions, time allocation, source records,
modifications, TDY visits...): GET a list or one row, POST a new row, PUT a change with the version it was
read at, DELETE with that version. The workload is the lines the post distributes by, derived or entered:
PATCH enters a count by hand. A budget committee member records a decision on a modification."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from icass.api import tables
from icass.api.guard import (
    ISC_TABLES,
    GuardedRoute,
    account_of,
    allow,
    edits_post,
    is_isc,
    reads_post,
    sits_on_committee,
)
from icass.api.posts import SCOPED, Responses, post_key
from icass.api.schemas import (
    POSITION_MADE,
    POSITION_NEW,
    ROW_MODELS,
    ApprovalIn,
    ApprovalOut,
    FiscalYear,
    Message,
    Refused,
    RowId,
    WorkloadNew,
    WorkloadOut,
    WorkloadPatch,
)
from icass.diagnostics import error
from icass.model import Source
from icass.store import changes
from icass.store.changes import RESOURCES, workload_id
from icass.views.staffing import PEOPLE

router = APIRouter(route_class=GuardedRoute)
READ = "read the post (its admin, FMO or budget committee)"
EDIT = "change the post (its admin or FMO)"
ISC = "record what the ICASS Service Center sets (an admin)"
CHANGED: Responses = {**SCOPED, 409: {"model": Message}, 422: {"model": Refused}}


def _register(resource: str) -> None:
    """The five routes of one resource (a closure each, so that each has its own models in the schema)."""
    file = RESOURCES[resource]
    out, new, changed = ROW_MODELS[resource]
    made = out
    if file == changes.POSITIONS:  # a new position may come with its own rows of other tables (create_position)
        new, made = POSITION_NEW, POSITION_MADE
    base = f"/api/posts/{{post}}/{{fiscal_year}}/{resource}"
    tags: list[str | Enum] = [resource]

    def listing(request: Request, post: str, fiscal_year: FiscalYear) -> list[Any]:
        return tables.rows_of(request, post_key(request, post, fiscal_year), file)

    def one(request: Request, post: str, fiscal_year: FiscalYear, row_id: RowId) -> Any:
        return tables.row_of(request, post_key(request, post, fiscal_year), file, row_id)

    def create(request: Request, post: str, fiscal_year: FiscalYear, body: new) -> Any:  # type: ignore[valid-type]
        key = post_key(request, post, fiscal_year)
        cells = body.model_dump()  # type: ignore[attr-defined]
        rows = {name: cells.pop(name, None) for name in ("time_allocation", "costs")}
        values = {k: v for k, v in cells.items() if v is not None}
        if not any(v.strip() for v in values.values()):
            # A file skips a blank line, but a stored row is read whatever it holds: an empty one broke the reading.
            raise changes.Rejected([error(Source(file), "a new row needs at least one cell")])
        user = account_of(request).username
        with request.app.state.engine.begin() as connection:
            if file != changes.POSITIONS:
                held = tables.held_certifications(connection, key, file)
                row = changes.create_row(connection, key, file, values, user)
                tables.clear_certifications(request, connection, key, file, user, held)
                return _told(request, file, row)
            if rows["time_allocation"] is None and rows["costs"] is None:
                return _made(changes.PositionMade(changes.create_row(connection, key, file, values, user), (), ()))
            allocation, costs = ([_given(r) for r in rows[name] or []] for name in ("time_allocation", "costs"))
            return _made(changes.create_position(connection, key, values, allocation, costs, user))

    def replace(request: Request, post: str, fiscal_year: FiscalYear, row_id: RowId, body: changed) -> Any:  # type: ignore[valid-type]
        key = post_key(request, post, fiscal_year)
        values = {k: v for k, v in body.model_dump().items() if v is not None and k != "version"}  # type: ignore[attr-defined]
        version = body.version  # type: ignore[attr-defined]
        row = tables.change_row(request, key, file, row_id, values, version, account_of(request).username)
        return _told(request, file, row)

    def remove(
        request: Request, post: str, fiscal_year: FiscalYear, row_id: RowId, version: int = Query(ge=1, le=2**31 - 1)
    ) -> Message:
        key = post_key(request, post, fiscal_year)
        tables.remove_row(request, key, file, row_id, version, account_of(request).username)
        if file == changes.POSITIONS:
            return Message(detail=f"{file}: row {row_id} deleted, with its time allocation and cost lines")
        return Message(detail="; ".join([f"{file}: row {row_id} deleted", *tables.cleared(request)]))

    # The models are made at run time, so the annotations (strings under `from __future__ import annotations`)
    # are set to the classes themselves for FastAPI to read.
    create.__annotations__["body"] = new
    replace.__annotations__["body"] = changed
    routes: list[tuple[str, str, Callable[..., Any], Any, Callable[..., Any], str, str]] = [
        ("GET", base, listing, list[out], reads_post, READ, f"Every row of {file}"),  # type: ignore[valid-type]
        ("GET", base + "/{row_id}", one, out, reads_post, READ, f"One row of {file}"),
        ("POST", base, create, made, edits_post, EDIT, f"A new row of {file}"),
        ("PUT", base + "/{row_id}", replace, out, edits_post, EDIT, f"Change a row of {file}"),
        ("DELETE", base + "/{row_id}", remove, Message, edits_post, EDIT, f"Delete a row of {file}"),
    ]
    if resource in ISC_TABLES:  # the ISC's (H-422): its FMO reads them, the admin alone changes them
        routes = [
            (m, p, e, model_, rule if m == "GET" else is_isc, why if m == "GET" else ISC, s)
            for m, p, e, model_, rule, why, s in routes
        ]
    for method, path, endpoint, model, rule, why, summary in routes:
        endpoint.__name__ = f"{endpoint.__name__}_{resource.replace('-', '_')}"
        allow(rule, why)(endpoint)
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_model=model,
            responses=CHANGED if method != "GET" else SCOPED,
            summary=summary,
            tags=tags,
        )


def _told(request: Request, file: str, row: changes.StoredRow) -> Any:
    """A changed row of people.csv as the API answers it: with what the change cleared (`notices`)."""
    if file != PEOPLE:
        return row
    return {**dataclasses.asdict(row), "notices": tables.cleared(request)}


def _made(made: changes.PositionMade) -> dict[str, Any]:
    """A new position as the API answers it (POSITION_MADE): the position's row, with the rows made with it."""
    return {**dataclasses.asdict(made.position), "time_allocation": made.time_allocation, "costs": made.costs}


def _given(cells: dict[str, Any]) -> dict[str, str]:
    """The cells given of a row in a list of a change (those left out, None, are not given)."""
    return {k: v for k, v in cells.items() if v is not None}


for _resource in RESOURCES:
    _register(_resource)


WORKLOAD = "/api/posts/{post}/{fiscal_year}/workload"


@router.get(WORKLOAD, responses=SCOPED, tags=["workload"], summary="Every workload line the post distributes by")
@allow(reads_post, READ)
def list_workload(request: Request, post: str, fiscal_year: FiscalYear) -> list[WorkloadOut]:
    return tables.workload_lines(request, post_key(request, post, fiscal_year))


@router.get(WORKLOAD + "/{line_id}", responses=SCOPED, tags=["workload"], summary="One workload line")
@allow(reads_post, READ)
def get_workload(request: Request, post: str, fiscal_year: FiscalYear, line_id: str) -> WorkloadOut:
    key = post_key(request, post, fiscal_year)
    try:
        return tables.workload_line(request, key, line_id)
    except changes.NotFound as e:
        raise HTTPException(404, str(e)) from None


def _enter(
    request: Request, post: str, fiscal_year: FiscalYear, line_id: str, count: str, version: int, mod: str | None
) -> WorkloadOut:
    key = post_key(request, post, fiscal_year)
    return tables.enter_count(request, key, line_id, count, version, account_of(request).username, mod)


@router.patch(WORKLOAD + "/{line_id}", responses=CHANGED, tags=["workload"], summary="Enter a count by hand")
@allow(edits_post, EDIT)
def patch_workload(
    request: Request, post: str, fiscal_year: FiscalYear, line_id: str, body: WorkloadPatch
) -> WorkloadOut:
    return _enter(request, post, fiscal_year, line_id, body.count, body.version, body.modification)


@router.put(WORKLOAD + "/{line_id}", responses=CHANGED, tags=["workload"], summary="Enter a count by hand")
@allow(edits_post, EDIT)
def put_workload(
    request: Request, post: str, fiscal_year: FiscalYear, line_id: str, body: WorkloadPatch
) -> WorkloadOut:
    return _enter(request, post, fiscal_year, line_id, body.count, body.version, body.modification)


@router.post(WORKLOAD, responses=CHANGED, tags=["workload"], summary="Enter a count for a line the records do not give")
@allow(edits_post, EDIT)
def post_workload(request: Request, post: str, fiscal_year: FiscalYear, body: WorkloadNew) -> WorkloadOut:
    line_id = workload_id(body.cost_center, body.agency, body.factor)
    return _enter(request, post, fiscal_year, line_id, body.count, 0, body.modification)


@router.delete(WORKLOAD + "/{line_id}", responses=CHANGED, tags=["workload"], summary="Remove a count entered by hand")
@allow(edits_post, EDIT)
def delete_workload(
    request: Request, post: str, fiscal_year: FiscalYear, line_id: str, version: int = Query(ge=1, le=2**31 - 1)
) -> Message:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.begin() as connection:
        changes.clear_count(connection, key, line_id, version, account_of(request).username)
    return Message(detail=f"workload {line_id}: the count entered by hand is removed")


class _Decisions(BaseModel):
    decisions: list[dict[str, str]]


@router.post(
    "/api/posts/{post}/{fiscal_year}/modifications/{modification_id}/approval",
    responses=CHANGED,
    tags=["modifications"],
    summary="A budget committee member approves or rejects a modification for their agency",
)
@allow(sits_on_committee, "sit on the post's budget committee")
def approve(
    request: Request, post: str, fiscal_year: FiscalYear, modification_id: RowId, body: ApprovalIn
) -> ApprovalOut:
    key = post_key(request, post, fiscal_year)
    account = account_of(request)
    agency = account.committee_agency(post)
    assert agency is not None  # the route's rule
    decided = tables.decide(request, key, modification_id, agency, body.decision, body.note, account.username)
    return ApprovalOut.model_validate(decided, from_attributes=True)


@router.get(
    "/api/posts/{post}/{fiscal_year}/modifications/{modification_id}/approval",
    responses=SCOPED,
    tags=["modifications"],
    summary="Each agency's latest decision on a modification",
)
@allow(reads_post, READ)
def decisions(request: Request, post: str, fiscal_year: FiscalYear, modification_id: RowId) -> list[ApprovalOut]:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        changes.get_row(connection, key, "modifications.csv", modification_id)
        return [
            ApprovalOut.model_validate(d, from_attributes=True) for d in changes.decisions(connection, modification_id)
        ]
