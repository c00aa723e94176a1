"""Long work as jobs (icass.store.jobs): POST /api/imports (a workbook, or a zip of a bundle or world folder)
and POST /api/world/{fiscal_year}/recompute start one and answer at once (202) with its row; GET /api/jobs and
GET /api/jobs/{id} show how far it is and how it ended."""

from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from icass.api.guard import GuardedRoute, account_of, allow, signed_in
from icass.api.posts import problem
from icass.api.schemas import FiscalYear, Message, Problem
from icass.bundle.archive import MAX_ARCHIVE_BYTES
from icass.diagnostics import Diagnostic
from icass.store import jobs
from icass.store.accounts import Account
from icass.store.bundles import NotStored, Progress
from icass.store.failures import FULL
from icass.store.uploads import check_upload, import_upload, upload_name
from icass.store.worlds import run_stored_world, stored_world_years

router = APIRouter(route_class=GuardedRoute, tags=["jobs"])
ADMIN = "start long work (the ICASS Service Center: admin)"
IMPORT, RECOMPUTE = "import", "recompute world"
# The form around the file: its boundary and fields are small; the file itself is held to MAX_ARCHIVE_BYTES.
FORM_SLACK = 64 * 1024
# The uploads' body limit in place of the application's 1 MiB: receive_upload refuses a longer declared length
# first, with its own message; this bound only stops a body longer than its declared length.
UPLOAD_BODY_BYTES = 2 * (MAX_ARCHIVE_BYTES + FORM_SLACK)
JobId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def administers(account: Account, _path: Any) -> bool:
    return account.is_admin


class JobOut(BaseModel):
    id: int
    kind: str
    file: str | None = None  # the file the job works on (an import's upload)
    user: str
    state: str
    done: int
    total: int
    percent: int
    message: str
    result: Any
    created_at: str
    finished_at: str | None


class Refused(BaseModel):
    detail: str
    problems: list[Problem]


def job_out(job: jobs.Job) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        file=job.file,
        user=job.username,
        state=job.state,
        done=job.done,
        total=job.total,
        percent=job.percent,
        message=job.message,
        result=job.result,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


class UploadRefused(Exception):
    """The file sent cannot be imported (HTTP 413 or 422; 503 when the server's disk is full): each problem
    named."""

    def __init__(self, status: int, detail: str, problems: list[Diagnostic]) -> None:
        super().__init__(detail)
        self.status, self.detail, self.problems = status, detail, problems


async def receive_upload(request: Request) -> tuple[Path, bool]:
    """The file of a multipart form (`file`, and `replace` = true to replace what is stored), saved in a new
    folder of its own and checked (icass.store.uploads.check_upload); UploadRefused when it is too large (its
    length is read from the header before any of the body) or may not be imported."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise UploadRefused(411, "send the file with its length (Content-Length)", [])
    if int(declared) > MAX_ARCHIVE_BYTES + FORM_SLACK:
        limit = f"{MAX_ARCHIVE_BYTES:,} bytes ({MAX_ARCHIVE_BYTES // 2**20} MiB)"
        raise UploadRefused(413, f"the upload is {int(declared):,} bytes; a file may be at most {limit}", [])
    try:
        form = await request.form(max_files=1, max_fields=2)
    except OSError as e:  # the form's file spooled to a disk that is full
        raise _disk_full(e) from None
    except Exception as e:  # Starlette's parser refuses a malformed form with its own exceptions
        raise UploadRefused(422, f"send a multipart form with the field file ({e})", []) from None
    try:
        folder = Path(tempfile.mkdtemp(prefix="icass-import-"))
    except OSError as e:
        await form.close()
        raise _disk_full(e) from None
    try:
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise UploadRefused(422, "send a multipart form with the file in its field `file`", [])
        replace = str(form.get("replace", "")).lower() in ("true", "on", "1", "yes")
        name = upload_name(sent.filename)
        path = folder / name
        with path.open("wb") as written:
            while chunk := await sent.read(1024 * 1024):
                written.write(chunk)
        problems = await run_in_threadpool(check_upload, path, name)
    except OSError as e:
        shutil.rmtree(folder, ignore_errors=True)
        raise _disk_full(e) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        await form.close()  # the spooled file of the form, which Starlette does not close by itself
    if problems:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadRefused(422, f"{name} cannot be imported: nothing was stored", problems)
    return path, replace


def _disk_full(e: OSError) -> BaseException:
    """The upload could not be kept: a full disk (or quota) is a 503 that says so; any other error stays one."""
    if e.errno not in (errno.ENOSPC, errno.EDQUOT):
        return e
    message = "the server's disk is full: the file could not be received and nothing was stored; tell the ICASS "
    return UploadRefused(503, message + "Service Center, who must free space", [])


def start_import(request: Request, path: Path, replace: bool) -> jobs.Job:
    engine, username = request.app.state.engine, account_of(request).username

    def work(progress: Progress) -> jobs.Outcome:
        return import_upload(engine, path, username, replace, progress)

    try:
        return jobs.start(engine, IMPORT, username, work, path.parent, file=path.name)
    except BaseException:  # no job took the upload's folder: it is removed here
        shutil.rmtree(path.parent, ignore_errors=True)
        raise


def start_recompute(request: Request, fiscal_year: int) -> jobs.Job:
    """A job that computes the stored world of `fiscal_year` (and so keeps its run for the pages); 404 when
    the database has no world of that year."""
    engine = request.app.state.engine
    if fiscal_year not in stored_world_years(engine):
        raise HTTPException(404, f"the world of fiscal year {fiscal_year} is not in the database")

    def work(progress: Progress) -> jobs.Outcome:
        progress(0, 1, f"computing the world of {fiscal_year}")
        try:
            run = run_stored_world(engine, fiscal_year)
        except NotStored as e:
            return jobs.Outcome(False, str(e), {"problems": []})
        errors = [d for d in run.diagnostics if d.severity == "error"]
        found = {"posts": len(run.posts), "problems": jobs.problems_of(run.diagnostics)}
        if errors:
            return jobs.Outcome(False, f"the world of {fiscal_year} has {len(errors)} error(s)", found)
        return jobs.Outcome(True, f"computed the world of {fiscal_year}: {len(run.posts)} posts", found)

    return jobs.start(engine, RECOMPUTE, account_of(request).username, work)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "a .xlsx workbook or a .zip"},
                        "replace": {"type": "boolean", "default": False},
                    },
                }
            }
        },
    }
}
REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": Message},
    403: {"model": Message},
    411: {"model": Refused},
    413: {"model": Refused},
    422: {"model": Refused},
    503: {"model": Refused},
}


@router.post(
    "/api/imports",
    max_body_size=UPLOAD_BODY_BYTES,
    status_code=202,
    responses=REFUSED,
    openapi_extra=UPLOAD_BODY,
    summary="Import a post's workbook (.xlsx), or a zip of a bundle or world folder, as a job",
    response_model=JobOut,
)
@allow(administers, ADMIN)
async def post_import(request: Request) -> Any:
    try:
        path, replace = await receive_upload(request)
    except UploadRefused as e:
        refused = Refused(detail=e.detail, problems=[problem(p) for p in e.problems])
        retry = {"Retry-After": str(FULL.retry_after)} if e.status == 503 else None
        return JSONResponse(refused.model_dump(), e.status, headers=retry)
    job = await run_in_threadpool(start_import, request, path, replace)
    return job_out(job)


@router.post(
    "/api/world/{fiscal_year}/recompute",
    status_code=202,
    responses={401: {"model": Message}, 403: {"model": Message}, 404: {"model": Message}},
    summary="Compute the stored world of a fiscal year as a job (its run is then kept for every page)",
)
@allow(administers, ADMIN)
def recompute_world(request: Request, fiscal_year: FiscalYear) -> JobOut:
    return job_out(start_recompute(request, fiscal_year))


def visible_jobs(request: Request) -> list[jobs.Job]:
    account = account_of(request)
    return jobs.list_jobs(request.app.state.engine, None if account.is_admin else account.username)


def visible_job(request: Request, job_id: int) -> jobs.Job:
    """The job, when it is the signed-in person's (admin: anyone's); 404 otherwise, as for a job that is not."""
    account = account_of(request)
    job = jobs.get_job(request.app.state.engine, job_id)
    if job is None or not (account.is_admin or job.username == account.username):
        raise HTTPException(404, f"no job {job_id} of yours")
    return job


@router.get("/api/jobs", responses={401: {"model": Message}}, summary="The newest jobs: one's own (admin: all)")
@allow(signed_in)
def list_jobs(request: Request) -> list[JobOut]:
    return [job_out(j) for j in visible_jobs(request)]


@router.get(
    "/api/jobs/{job_id}",
    responses={401: {"model": Message}, 404: {"model": Message}},
    summary="One job: its state, progress and result",
)
@allow(signed_in)
def get_job(request: Request, job_id: JobId) -> JobOut:
    return job_out(visible_job(request, job_id))
