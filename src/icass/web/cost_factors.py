"""The ISC's AmSal and PAT cost factors of a fiscal year (icass.api.cost_factors): one page, read by everyone
signed in; the admin changes a grade's factors in place, adds a grade and deletes one. Each change answers the
table again, with what refused it (a stale version, a malformed or repeated grade) above it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from icass.api import tables
from icass.api.cost_factors import COLUMNS, FILE, ISC, READ, add_factor, change_factor, factors_of, remove_factor
from icass.api.guard import GuardedRoute, account_of, allow, is_isc, signed_in
from icass.api.schemas import FiscalYear, RowId
from icass.web.editors import said
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
PAGE = "/world/{fiscal_year}/cost-factors"


def _table(request: Request, fiscal_year: int, template: str, problems: list[str] | None = None) -> HTMLResponse:
    try:
        factors = factors_of(request, fiscal_year)
    except tables.NotFound as e:
        raise HTTPException(404, str(e)) from None
    editable = account_of(request).is_admin
    return page(request, template, fiscal_year=fiscal_year, factors=factors, editable=editable, problems=problems or [])


async def _cells(request: Request) -> dict[str, str]:
    form = await request.form()
    return {c: str(form[c]) for c in COLUMNS if c in form}


def _changed(request: Request, fiscal_year: int, change: Any) -> HTMLResponse:
    """The table after a change, or as it is with what refused the change."""
    try:
        change()
    except tables.Rejected as e:
        return _table(request, fiscal_year, "cost_factors_table.html", [said(p) for p in e.problems])
    except tables.Conflict as e:
        return _table(request, fiscal_year, "cost_factors_table.html", [f"{e}; the table is shown as it is now"])
    except tables.NotFound as e:
        return _table(request, fiscal_year, "cost_factors_table.html", [str(e)])
    return _table(request, fiscal_year, "cost_factors_table.html")


@router.get(PAGE)
@allow(signed_in, READ)
def cost_factors_page(request: Request, fiscal_year: FiscalYear) -> HTMLResponse:
    return _table(request, fiscal_year, "cost_factors.html")


@router.post(PAGE)
@allow(is_isc, ISC)
async def add(request: Request, fiscal_year: FiscalYear) -> HTMLResponse:
    cells = await _cells(request)
    return _changed(request, fiscal_year, lambda: add_factor(request, fiscal_year, tables.typed_cells(FILE, cells)))


@router.put(PAGE + "/{row_id}")
@allow(is_isc, ISC)
async def change(request: Request, fiscal_year: FiscalYear, row_id: RowId) -> HTMLResponse:
    cells = await _cells(request)
    version = _version((await request.form()).get("version"))

    def changed() -> object:
        return change_factor(request, fiscal_year, row_id, tables.typed_cells(FILE, cells), version)

    return _changed(request, fiscal_year, changed)


@router.delete(PAGE + "/{row_id}")
@allow(is_isc, ISC)
def delete(request: Request, fiscal_year: FiscalYear, row_id: RowId) -> HTMLResponse:
    version = _version(request.query_params.get("version"))
    return _changed(request, fiscal_year, lambda: remove_factor(request, fiscal_year, row_id, version))


def _version(given: object) -> int:
    text = str(given or "")
    if not text.isdigit() or not 1 <= int(text) < 2**31:
        raise HTTPException(400, "the row's version is missing: load the page again")
    return int(text)
