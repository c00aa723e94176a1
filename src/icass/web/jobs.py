"""The Imports page (admin): send a workbook or a zip of a bundle or world folder, recompute a stored world,
and watch the jobs: each running job's row polls its own state every second (htmx) until it is done or failed.
Every action is the API's (icass.api.jobs): the same guard, the same checks, the same jobs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from icass.api.guard import GuardedRoute, allow, signed_in
from icass.api.jobs import (
    ADMIN,
    UPLOAD_BODY_BYTES,
    JobId,
    UploadRefused,
    administers,
    receive_upload,
    start_import,
    start_recompute,
    visible_job,
    visible_jobs,
)
from icass.api.schemas import FiscalYear
from icass.api.world import world_years
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@router.get("/imports")
@allow(administers, ADMIN)
def imports_page(request: Request) -> HTMLResponse:
    years = world_years(request)
    return page(request, "jobs.html", jobs=visible_jobs(request), years=years)


@router.post("/imports", max_body_size=UPLOAD_BODY_BYTES)
@allow(administers, ADMIN)
async def send_import(request: Request) -> HTMLResponse:
    """The new job's row, or the reasons the file was refused (htmx swaps only a 200 answer, so a refusal is
    one, shown as an alert where the row would go)."""
    try:
        path, replace = await receive_upload(request)
    except UploadRefused as e:
        return page(request, "job_refused.html", detail=e.detail, problems=[str(p) for p in e.problems])
    job = await run_in_threadpool(start_import, request, path, replace)
    return page(request, "job_row.html", job=job)


@router.post("/imports/world/{fiscal_year}/recompute")
@allow(administers, ADMIN)
def send_recompute(request: Request, fiscal_year: FiscalYear) -> HTMLResponse:
    return page(request, "job_row.html", job=start_recompute(request, fiscal_year))


@router.get("/jobs/{job_id}/row")
@allow(signed_in)
def job_row(request: Request, job_id: JobId) -> HTMLResponse:
    return page(request, "job_row.html", job=visible_job(request, job_id))
