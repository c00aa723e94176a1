"""Jobs after a crash (issue 16 §4): a job left queued or running by a process that died is ended
`interrupted` with a message when the workspace starts, and its temporary folder removed; a job's folder is
removed however the job ends. On SQLite and on PostgreSQL."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from icass.store import jobs
from icass.store.audit import now
from icass.store.bundles import Progress
from icass.store.database import open_database
from icass.store.schema import jobs as jobs_table
from icass.web.app import create_app
from tests.api.test_jobs import EXAMPLES, Person, _zip
from tests.api.test_jobs import empty_app as empty_app  # the fixture: the workspace with an admin


def _folder() -> Path:
    """A job's temporary folder with a file in it, as an upload leaves one."""
    folder = Path(tempfile.mkdtemp(prefix="icass-import-"))
    (folder / "world.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return folder


def _dead_pid() -> int:
    """The id of a process of this host that has ended."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(ended.stdout)


def _left(engine, state: str, owner: str | None, folder: Path) -> int:
    """A job as a process leaves it when it dies: queued or running, with its folder on disk."""
    with engine.begin() as connection:
        values = {"kind": "import", "username": "admin", "state": state, "done": 1, "total": 3, "message": "storing"}
        values |= {"created_at": now(), "owner": owner, "folder": str(folder)}
        return int(connection.execute(jobs_table.insert().returning(jobs_table.c.id), values).scalar_one())


def test_jobs_of_a_dead_process_are_interrupted_when_the_workspace_starts(database_url):
    engine = open_database(database_url)
    host, pid, token = jobs.owner().split(" ")
    folders = {name: _folder() for name in ("dead", "old", "reused", "live", "elsewhere")}
    left = {
        "dead": _left(engine, jobs.RUNNING, f"{host} {_dead_pid()} 0123456789abcdef", folders["dead"]),
        "old": _left(engine, jobs.QUEUED, None, folders["old"]),  # made before jobs named their owner
        "reused": _left(engine, jobs.RUNNING, f"{host} {pid} {'f' * 16}", folders["reused"]),
        "live": _left(engine, jobs.RUNNING, jobs.owner(), folders["live"]),  # this process's: still at work
        "elsewhere": _left(engine, jobs.RUNNING, f"not-{socket.gethostname()} 1 {token}", folders["elsewhere"]),
    }
    try:
        app = create_app(engine, secure_cookies=False)
        ended = {name: jobs.get_job(engine, job_id) for name, job_id in left.items()}
        for name in ("dead", "old", "reused"):
            job = ended[name]
            assert job is not None
            assert (job.state, job.finished, job.percent) == ("interrupted", True, 100), name
            assert job.message.startswith("interrupted: the workspace stopped while this job ran"), job.message
            assert job.finished_at is not None
            assert not folders[name].exists(), name
        for name in ("live", "elsewhere"):
            job = ended[name]
            assert job is not None
            assert job.state == "running", name
            assert folders[name].is_dir(), name
        assert jobs.recover(engine) == []  # a second start finds nothing left
        assert app.state.engine is engine
    finally:
        for folder in folders.values():
            jobs.remove_folder(folder)
        engine.dispose()


def test_recover_removes_only_the_jobs_own_folders(engine, tmp_path):
    outside = tmp_path / "icass-import-kept"  # not in the system's temporary folder
    outside.mkdir()
    foreign = Path(tempfile.mkdtemp(prefix="other-"))  # in it, but not a job's
    try:
        _left(engine, jobs.RUNNING, None, outside)
        _left(engine, jobs.RUNNING, None, foreign)
        assert len(jobs.recover(engine)) == 2
        assert outside.is_dir()
        assert foreign.is_dir()
    finally:
        foreign.rmdir()


@pytest.mark.parametrize("ending", ["done", "failed", "raises"])
def test_a_job_s_folder_is_removed_however_it_ends(empty_app, ending):
    engine = empty_app.state.engine
    folder = _folder()

    def work(_progress: Progress) -> jobs.Outcome:
        if ending == "raises":
            raise RuntimeError("the work broke")
        return jobs.Outcome(ending == "done", ending)

    job = jobs.wait(engine, jobs.start(engine, "test", "admin", work, folder).id, timeout=60)
    assert job.state == ("done" if ending == "done" else "failed")
    assert not folder.exists()


def test_an_import_s_upload_folder_is_gone_when_its_job_ends(empty_app):
    admin = Person(empty_app, "admin")
    done = admin.finished(admin.send("kivara.zip", _zip(EXAMPLES / "standard-post")))
    failed = admin.finished(admin.send("kivara.zip", _zip(EXAMPLES / "standard-post")))  # stored already
    assert (done["state"], failed["state"]) == ("done", "failed")
    with empty_app.state.engine.connect() as connection:
        kept = connection.execute(select(jobs_table.c.owner, jobs_table.c.folder)).all()
    assert [owner for owner, _ in kept] == [jobs.owner(), jobs.owner()]
    assert all(folder is not None and Path(folder).name.startswith("icass-import-") for _, folder in kept)
    assert not any(Path(folder).exists() for _, folder in kept)
