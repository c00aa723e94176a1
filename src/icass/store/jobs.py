"""Long work done outside the request (issue 8 §4: "imports, recomputing the world, shows progress and never
blocks other pages"): a job is a row of the `jobs` table (its kind, who started it, its state queued ->
running -> done | failed, its progress `done` of `total` steps with what it is doing, and its result), and
its work runs on a worker thread of the application's process. The request that starts a job answers at once
with the row; the pages poll it.

- Each job's work opens its own connections and transactions (an import stores in one transaction or not at
  all), so a failure writes nothing of the import; the job ends `failed` with every problem found in its
  result, or with the exception's message when the work broke.
- Progress is written to the job's row by a thread of its own, not by the work: on SQLite an import's write
  transaction holds the database's only write lock, and a progress write from the work's thread would wait
  on its own transaction. The writer keeps the latest progress only and writes it when it can (on SQLite,
  once the import's transaction has committed); readers never wait for it (WAL).
- A thread pool in the process fits the embedded case (one process on SQLite). To move the work to a separate
  worker process later, `start` would only insert the row with the work's name and arguments (its kind, the
  upload's path in a folder both processes see, the fiscal year) instead of handing a closure to the pool, and
  a worker would claim queued rows one at a time (`UPDATE jobs SET state='running' WHERE id=:id AND
  state='queued'`, a claim that only one worker can win) and run `run_job` on them. The row already carries
  everything the pages read, so neither the API nor the pages would change.
- A job's row names its owner, the process that runs it (host, process id and a random id of the process),
  and the temporary folder its work uses. The folder is removed however the job ends (done, failed, or its
  work raising). When the workspace starts (`recover`), a job left queued or running by a process of this host
  that no longer lives (its process id is gone, or is this process's under another random id) is ended
  `interrupted`, with a message, and its folder removed. A job owned by another host is left alone: only that
  host can tell whether its process lives (a deployment of several hosts would need a heartbeat).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from icass.diagnostics import Diagnostic
from icass.store.audit import now
from icass.store.bundles import Progress
from icass.store.schema import jobs

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
ENDED = (DONE, FAILED, INTERRUPTED)
INTERRUPTION = (
    "interrupted: the workspace stopped while this job ran; nothing of an import is stored unless the record "
    "has its import entry"
)
WORKERS = 2  # jobs at once in this process; the machine has two cores and the pages need one
MAX_LISTED = 100

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a job's work ends with: whether it did what it was asked, a sentence saying so, and its result
    (JSON: what was stored, or every problem found)."""

    ok: bool
    summary: str
    result: dict[str, Any] = field(default_factory=dict)


Work = Callable[[Progress], Outcome]


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    username: str
    state: str
    done: int
    total: int
    message: str
    result: Any
    created_at: str
    finished_at: str | None

    @property
    def finished(self) -> bool:
        return self.state in ENDED

    @property
    def percent(self) -> int:
        """How far it got, in whole percent: a running job below 100; one that failed where it stopped (issue
        18: a failed job never shows a full bar); one done or interrupted at 100 (it ended)."""
        if self.finished and self.state != FAILED:
            return 100
        reached = self.done * 100 // self.total if self.total else 0
        return min(99, reached)

    @property
    def file(self) -> str | None:
        """The file a job works on (an import's upload, as its sender named it), when it has one."""
        named = self.result.get("file") if isinstance(self.result, dict) else None
        return str(named) if named else None


def problems_of(diagnostics: Iterable[Diagnostic]) -> list[dict[str, str]]:
    """Diagnostics as a job's result keeps them: each with its place, field, message and handbook section."""
    return [
        {"severity": d.severity, "where": str(d.source), "field": d.field, "message": d.message, "section": d.section}
        for d in diagnostics
    ]


_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="icass-job")
_futures: dict[int, Future[None]] = {}
_futures_lock = threading.Lock()


_owners: dict[int, str] = {}


def owner() -> str:
    """This process as a job's row names it: its host, its process id and a random id drawn once per process
    (a later process given the same id by the system is another owner)."""
    pid = os.getpid()
    if pid not in _owners:
        _owners[pid] = f"{socket.gethostname()[:80]} {pid} {secrets.token_hex(8)}"
    return _owners[pid]


def start(
    engine: Engine, kind: str, username: str, work: Work, folder: Path | None = None, file: str | None = None
) -> Job:
    """Queue `work` as a new job of `username` and return its row at once; the work runs on a worker thread.
    `folder`: the temporary folder the work uses, removed when the job ends however it ends; `file`: the file it
    works on, kept in its result from the start (the work's outcome names it again) so its row names it."""
    with engine.begin() as connection:
        job_id = int(
            connection.execute(
                jobs.insert().returning(jobs.c.id),
                {
                    "kind": kind,
                    "username": username,
                    "state": QUEUED,
                    "done": 0,
                    "total": 0,
                    "message": "waiting for a worker",
                    "result": None if file is None else {"file": file},
                    "created_at": now(),
                    "owner": owner(),
                    "folder": None if folder is None else str(folder),
                },
            ).scalar_one()
        )
    queued = get_job(engine, job_id)
    assert queued is not None
    future = _pool.submit(run_job, engine, job_id, work, folder)
    with _futures_lock:
        _futures[job_id] = future
    future.add_done_callback(lambda _: _forget(job_id))
    return queued


def _forget(job_id: int) -> None:
    with _futures_lock:
        _futures.pop(job_id, None)


def run_job(engine: Engine, job_id: int, work: Work, folder: Path | None = None) -> None:
    """Run a job's work and record how it ended. Whatever the work raises ends the job failed, named. Its
    `folder` is removed however it ends (a job whose end cannot be written is left to `recover`)."""
    try:
        _run(engine, job_id, work)
    finally:
        remove_folder(folder)


def _run(engine: Engine, job_id: int, work: Work) -> None:
    _set(engine, job_id, state=RUNNING, message="started")
    reporter = _Reporter(engine, job_id)
    try:
        outcome = work(reporter.report)
    except Exception as problem:  # the job must end, whatever broke: the message says what
        log.exception("job %s failed", job_id)
        outcome = Outcome(False, f"the job stopped: {type(problem).__name__}: {_shown(problem)}", {"problems": []})
    finally:
        reporter.close()
    total = max(reporter.total, 1)
    values: dict[str, Any] = {"state": DONE if outcome.ok else FAILED, "message": outcome.summary}
    values.update(result=outcome.result, finished_at=now(), total=total)
    if outcome.ok:
        values["done"] = total
    _set(engine, job_id, **values)


def remove_folder(folder: Path | None) -> None:
    """Remove a job's temporary folder: only a folder of the jobs' own (icass-...) in the system's temporary
    folder, whatever a row names."""
    if folder is None:
        return
    temporary = Path(tempfile.gettempdir()).resolve()
    resolved = folder.resolve()
    if resolved.parent == temporary and resolved.name.startswith("icass-") and resolved.is_dir():
        shutil.rmtree(resolved, ignore_errors=True)


def recover(engine: Engine) -> list[int]:
    """End the jobs a dead process of this host left queued or running as interrupted, and remove their
    folders (see the module's notes); the ids of those ended. Called when the workspace starts."""
    with engine.begin() as connection:
        left = connection.execute(
            select(jobs.c.id, jobs.c.owner, jobs.c.folder).where(jobs.c.state.in_((QUEUED, RUNNING)))
        ).all()
        ended = [job for job in left if _owner_died(job.owner)]
        for job in ended:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job.id, jobs.c.state.in_((QUEUED, RUNNING)))
                .values(state=INTERRUPTED, message=INTERRUPTION, finished_at=now())
            )
    for job in ended:
        log.warning("job %s was left unfinished by a process that stopped: interrupted", job.id)
        remove_folder(None if job.folder is None else Path(job.folder))
    return [job.id for job in ended]


def _owner_died(owner_of_job: str | None) -> bool:
    if owner_of_job is None:  # made before jobs named their owner (migration 0007): by a process gone since
        return True
    if owner_of_job == owner():
        return False
    host, _, rest = owner_of_job.partition(" ")
    pid, _, _ = rest.partition(" ")
    if host != socket.gethostname()[:80]:
        return False  # another host's process: only that host can tell whether it lives
    if not pid.isdigit() or int(pid) == os.getpid():
        return True  # this process's id with another random id: an earlier process that had the same id
    return not _alive(int(pid))


def _alive(pid: int) -> bool:
    if os.name != "posix":  # signal 0 probes a process only on POSIX (on Windows os.kill would end it)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it lives, as another user's process
        return True
    return True


# A path in the server's temporary folder (an upload's, a job's scratch folder): the server's layout, which
# is no business of the person reading the job's message.
_TEMPORARY_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"[^\s'\"]*")


def _shown(problem: Exception) -> str:
    """The exception's message as a person may read it: a temporary path replaced by its last name."""
    return _TEMPORARY_PATH.sub(lambda found: f"<{Path(found.group()).name}>", str(problem))


def _set(engine: Engine, job_id: int, **values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(update(jobs).where(jobs.c.id == job_id).values(**values))


class _Reporter:
    """Writes a running job's progress from a thread of its own, the latest only (see the module's notes)."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine, self.job_id = engine, job_id
        self.total = 0
        self._latest: tuple[int, int, str] | None = None
        self._closing = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._write, name=f"icass-job-{job_id}-progress", daemon=True)
        self._thread.start()

    def report(self, done: int, total: int, what: str) -> None:
        with self._lock:
            self._latest = (done, total, what[:500])
            self.total = max(self.total, total)
        self._wake.set()

    def close(self) -> None:
        """Write what is left and stop."""
        with self._lock:
            self._closing = True
        self._wake.set()
        self._thread.join()

    def _write(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                latest, closing, self._latest = self._latest, self._closing, None
            if latest is not None:
                done, total, what = latest
                try:
                    with self.engine.begin() as connection:
                        connection.execute(
                            update(jobs)
                            .where(jobs.c.id == self.job_id, jobs.c.state == RUNNING)
                            .values(done=done, total=total, message=what)
                        )
                except Exception:  # progress is a courtesy: a write that fails is logged and the next one tried
                    log.warning("job %s: its progress could not be written", self.job_id, exc_info=True)
            if closing:
                return


def wait(engine: Engine, job_id: int, timeout: float | None = None) -> Job:
    """The job once its work in this process has ended (at once when it is not running here)."""
    with _futures_lock:
        future = _futures.get(job_id)
    if future is not None:
        future.result(timeout)
    found = get_job(engine, job_id)
    assert found is not None
    return found


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        username=row.username,
        state=row.state,
        done=row.done,
        total=row.total,
        message=row.message,
        result=row.result,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def get_job(engine: Engine, job_id: int) -> Job | None:
    with engine.connect() as connection:
        row = connection.execute(select(jobs).where(jobs.c.id == job_id)).one_or_none()
    return None if row is None else _job(row)


def list_jobs(engine: Engine, username: str | None, limit: int = MAX_LISTED) -> list[Job]:
    """The newest jobs first: `username`'s, or everyone's when None (the ICASS Service Center's view)."""
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if username is not None:
        query = query.where(jobs.c.username == username)
    with engine.connect() as connection:
        return [_job(row) for row in connection.execute(query)]
