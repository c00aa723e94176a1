"""The ISC's AmSal and PAT cost factors of a fiscal year (H-423.1-1 b, H-423.1-2 b; icass.store.central_changes):
read by everyone signed in, since every post of the year is computed with them; changed by the admin alone, a
row at a time with the version it was read at, each change in the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from icass.api.guard import GuardedRoute, account_of, allow, is_isc, signed_in
from icass.api.posts import SCOPED, Responses
from icass.api.schemas import ROW_MODELS, CentralFactorOut, FiscalYear, Message, Refused, RowId
from icass.api.tables import typed_cells
from icass.store import central_changes
from icass.store.central_changes import CentralFactor
from icass.store.central_factors import COLUMNS as COLUMNS  # the pages name the columns by it
from icass.store.central_factors import FILE as FILE

router = APIRouter(route_class=GuardedRoute, tags=["cost factors"])
PATH = "/api/world/{fiscal_year}/cost-factors"
READ = "read the ISC's cost factors (anyone signed in)"
ISC = "change the ISC's cost factors (an admin)"
CHANGED: Responses = {**SCOPED, 409: {"model": Message}, 422: {"model": Refused}}
_, New, Change = ROW_MODELS["cost-factors"]


def _given(body: Any) -> dict[str, str]:
    """The cells a body gives, as a page's typed cells are taken (an amount "$12,000" is "12000.00")."""
    given = {k: str(v) for k, v in body.model_dump().items() if v is not None and k in COLUMNS}
    return typed_cells(FILE, given)


def factors_of(request: Request, fiscal_year: int) -> list[CentralFactor]:
    with request.app.state.engine.connect() as connection:
        return central_changes.list_factors(connection, fiscal_year)


def add_factor(request: Request, fiscal_year: int, values: dict[str, str]) -> CentralFactor:
    with request.app.state.engine.begin() as connection:
        return central_changes.create_factor(connection, fiscal_year, values, account_of(request).username)


def change_factor(
    request: Request, fiscal_year: int, row_id: int, values: dict[str, str], version: int
) -> CentralFactor:
    user = account_of(request).username
    with request.app.state.engine.begin() as connection:
        return central_changes.update_factor(connection, fiscal_year, row_id, values, version, user)


def remove_factor(request: Request, fiscal_year: int, row_id: int, version: int) -> None:
    with request.app.state.engine.begin() as connection:
        central_changes.delete_factor(connection, fiscal_year, row_id, version, account_of(request).username)


@router.get(PATH, responses=SCOPED, summary="The ISC's AmSal and PAT factors of the year, grade by grade")
@allow(signed_in, READ)
def listing(request: Request, fiscal_year: FiscalYear) -> list[CentralFactorOut]:
    return [CentralFactorOut.model_validate(f, from_attributes=True) for f in factors_of(request, fiscal_year)]


@router.get(PATH + "/{row_id}", responses=SCOPED, summary="One grade's factors")
@allow(signed_in, READ)
def one(request: Request, fiscal_year: FiscalYear, row_id: RowId) -> CentralFactorOut:
    with request.app.state.engine.connect() as connection:
        found = central_changes.get_factor(connection, fiscal_year, row_id)
    return CentralFactorOut.model_validate(found, from_attributes=True)


@router.post(PATH, responses=CHANGED, summary="A grade's factors, new in the table")
@allow(is_isc, ISC)
def create(request: Request, fiscal_year: FiscalYear, body: New) -> CentralFactorOut:  # type: ignore[valid-type]
    made = add_factor(request, fiscal_year, _given(body))
    return CentralFactorOut.model_validate(made, from_attributes=True)


@router.put(PATH + "/{row_id}", responses=CHANGED, summary="Change a grade's factors")
@allow(is_isc, ISC)
def replace(request: Request, fiscal_year: FiscalYear, row_id: RowId, body: Change) -> CentralFactorOut:  # type: ignore[valid-type]
    changed = change_factor(request, fiscal_year, row_id, _given(body), body.version)  # type: ignore[attr-defined]
    return CentralFactorOut.model_validate(changed, from_attributes=True)


@router.delete(PATH + "/{row_id}", responses=CHANGED, summary="Delete a grade's factors")
@allow(is_isc, ISC)
def remove(
    request: Request, fiscal_year: FiscalYear, row_id: RowId, version: int = Query(ge=1, le=2**31 - 1)
) -> Message:
    remove_factor(request, fiscal_year, row_id, version)
    return Message(detail=f"row {row_id} of the ISC's cost factors of {fiscal_year} deleted")
