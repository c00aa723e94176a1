"""Long work as jobs (issue 8 §4): imports sent to the workspace and the world recomputed run on a worker,
report their progress, end done or failed with every problem (nothing stored), and never hold up another
request; uploads are checked before anything is unpacked; only the ICASS Service Center starts them."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from icass.api.guard import CSRF_HEADER
from icass.bundle.archive import MAX_ARCHIVE_BYTES
from icass.bundle.workbook import read_folder
from icass.bundle.workbook_writer import write_workbook
from icass.store import jobs
from icass.store.accounts import Grant, create_account
from icass.store.bundles import Progress
from icass.store.database import open_database
from icass.web.app import create_app
from tests.conftest import DEMO_PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _zip(folder: Path, prefix: str = "", changes: dict[str, str] | None = None) -> bytes:
    """The folder as a zip, its files under `prefix`, with some files' text replaced."""
    changes = changes or {}
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.writestr(prefix + name, changes.get(name, path.read_bytes()))
    return data.getvalue()


class Person:
    def __init__(self, app, username: str) -> None:
        self.client = TestClient(app)
        answer = self.client.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]

    def send(self, name: str, content: bytes, replace: bool = False, url: str = "/api/imports"):
        data = {"replace": "true"} if replace else {}
        return self.client.post(url, files={"file": (name, content)}, data=data, headers={CSRF_HEADER: self.csrf})

    def finished(self, answer) -> dict:
        """The job an answer started, once its work has ended, as GET /api/jobs/{id} shows it."""
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["id"]
        jobs.wait(self.client.app.state.engine, job_id, timeout=300)
        shown = self.client.get(f"/api/jobs/{job_id}")
        assert shown.status_code == 200
        return shown.json()


@pytest.fixture
def empty_app(database_url):
    """The workspace on an empty database with an admin and an FMO."""
    engine = open_database(database_url)
    with engine.begin() as connection:
        create_account(connection, "admin", DEMO_PASSWORD, [Grant("admin")])
        create_account(connection, "fmo", DEMO_PASSWORD, [Grant("fmo", "KVR")])
    try:
        yield create_app(engine, secure_cookies=False)
    finally:
        engine.dispose()


def test_a_bundle_imported_as_a_job_ends_done_with_its_progress(empty_app):
    admin = Person(empty_app, "admin")
    job = admin.finished(admin.send("kivara.zip", _zip(EXAMPLES / "standard-post", "standard-post/")))
    assert job["state"] == "done", job
    assert job["kind"] == "import"
    assert job["user"] == "admin"
    assert job["total"] > 0
    assert job["done"] == job["total"]
    assert job["percent"] == 100
    assert job["result"]["stored"] == "post KVR 2027"
    assert [(p["code"], p["fiscal_year"]) for p in admin.client.get("/api/posts").json()] == [("KVR", 2027)]
    record = admin.client.get("/api/audit").json()
    assert any(e["action"] == "import" and e["entity"] == "post KVR 2027" for e in record)


def test_a_bad_bundle_ends_failed_with_every_problem_and_stores_nothing(empty_app):
    admin = Person(empty_app, "admin")
    budget = (EXAMPLES / "standard-post" / "budget.csv").read_text(encoding="utf-8").splitlines()
    budget[1] = "5458,RB,2330,lots,Internet service,no"
    budget[3] = "5458,XX,3100,185000.00,IT equipment,no"
    bad = _zip(EXAMPLES / "standard-post", changes={"budget.csv": "\n".join(budget) + "\n"})
    job = admin.finished(admin.send("kivara.zip", bad))
    assert job["state"] == "failed", job
    assert job["message"].startswith("nothing stored")
    where = [(p["where"], p["field"]) for p in job["result"]["problems"] if p["severity"] == "error"]
    assert ("budget.csv, row 2", "amount") in where
    assert ("budget.csv, row 4", "funding") in where
    assert admin.client.get("/api/posts").json() == []


def test_a_world_imports_post_by_post_and_is_recomputed_and_a_workbook_imports(empty_app, tmp_path):
    admin = Person(empty_app, "admin")
    world = admin.finished(admin.send("world.zip", _zip(EXAMPLES / "world")))
    assert world["state"] == "done", world
    stored = {(p["code"], p["fiscal_year"]) for p in admin.client.get("/api/posts").json()}
    posts = len([p for p in (EXAMPLES / "world" / "posts").iterdir() if p.is_dir()])
    tdy = len([p for p in (EXAMPLES / "world" / "tdy").iterdir() if p.is_dir()])
    assert len(stored) == posts + tdy
    assert world["total"] == 1 + posts + 2 * (posts + tdy)  # the world's check, then post by post
    recomputed = admin.finished(admin.client.post("/api/world/2027/recompute", headers={CSRF_HEADER: admin.csrf}))
    assert recomputed["state"] == "done", recomputed
    assert recomputed["kind"] == "recompute world"
    assert recomputed["result"]["posts"] == posts
    missing = admin.client.post("/api/world/2031/recompute", headers={CSRF_HEADER: admin.csrf})
    assert missing.status_code == 404
    assert "2031" in missing.json()["detail"]
    contents, _ = read_folder(EXAMPLES / "standard-post")
    assert contents is not None
    write_workbook(contents, tmp_path / "kivara.xlsx")
    book = admin.finished(admin.send("kivara.xlsx", (tmp_path / "kivara.xlsx").read_bytes(), replace=True))
    assert book["state"] == "done", book
    assert book["total"] == 4


def test_other_requests_answer_while_a_job_runs(empty_app):
    admin = Person(empty_app, "admin")
    engine = empty_app.state.engine
    started, release = threading.Event(), threading.Event()

    def work(progress: Progress) -> jobs.Outcome:
        progress(1, 2, "halfway")
        started.set()
        assert release.wait(60)
        return jobs.Outcome(True, "finished")

    job = jobs.start(engine, "test", "admin", work)
    assert job.state == jobs.QUEUED
    assert started.wait(60)
    try:
        assert admin.client.get("/api/posts").status_code == 200
        running = admin.client.get(f"/api/jobs/{job.id}").json()
        assert running["state"] == "running"
        assert running["finished_at"] is None
        page = admin.client.get("/imports")
        assert f'hx-get="/jobs/{job.id}/row" hx-trigger="every 1s"' in page.text
    finally:
        release.set()
    done = jobs.wait(engine, job.id, timeout=60)
    assert (done.state, done.done, done.total, done.message) == (jobs.DONE, 2, 2, "finished")
    row = admin.client.get(f"/jobs/{job.id}/row")
    assert "hx-trigger" not in row.text  # a finished job's row stops polling
    assert "done" in row.text


def test_a_job_whose_work_breaks_ends_failed_and_named(empty_app):
    engine = empty_app.state.engine

    def work(_progress: Progress) -> jobs.Outcome:
        raise RuntimeError("the disk is full")

    job = jobs.wait(engine, jobs.start(engine, "test", "admin", work).id, timeout=60)
    assert job.state == jobs.FAILED
    assert "RuntimeError: the disk is full" in job.message


def test_only_the_service_center_starts_jobs_and_each_sees_their_own(empty_app):
    admin, fmo = Person(empty_app, "admin"), Person(empty_app, "fmo")
    refused = fmo.send("kivara.zip", _zip(EXAMPLES / "standard-post"))
    assert refused.status_code == 403
    assert "admin" in refused.json()["detail"]
    assert fmo.client.post("/api/world/2027/recompute", headers={CSRF_HEADER: fmo.csrf}).status_code == 403
    assert fmo.client.get("/imports").status_code == 403
    job = admin.finished(admin.send("kivara.zip", _zip(EXAMPLES / "standard-post")))
    assert fmo.client.get("/api/jobs").json() == []
    assert fmo.client.get(f"/api/jobs/{job['id']}").status_code == 404
    assert [j["id"] for j in admin.client.get("/api/jobs").json()] == [job["id"]]
    assert TestClient(empty_app).get("/api/jobs").status_code == 401
    assert "Imports" in admin.client.get("/").text
    assert "Imports" not in fmo.client.get("/").text


def _bomb() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("post.toml", b"\0" * (8 * 1024 * 1024))
    return data.getvalue()


def _climbing() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("post.toml", "[post]\n")
        archive.writestr("../../etc/cron.d/icass", "* * * * * root true\n")
        archive.writestr("/tmp/icass-absolute", "x\n")
    return data.getvalue()


def test_a_zip_that_climbs_out_or_a_bomb_is_refused_unread(empty_app):
    admin = Person(empty_app, "admin")
    climbing = admin.send("world.zip", _climbing())
    assert climbing.status_code == 422
    messages = [p["message"] for p in climbing.json()["problems"]]
    assert any("'../../etc/cron.d/icass' climbs out of the folder" in m for m in messages), messages
    assert any("'/tmp/icass-absolute' is an absolute path" in m for m in messages), messages
    assert "nothing was stored" in climbing.json()["detail"]
    bomb = admin.send("world.zip", _bomb())
    assert bomb.status_code == 422
    assert "zip bomb" in bomb.json()["problems"][0]["message"]
    large = admin.send("world.zip", b"\0" * (MAX_ARCHIVE_BYTES + 128 * 1024))
    assert large.status_code == 413
    assert "at most" in large.json()["detail"]
    other = admin.send("notes.txt", b"hello")
    assert other.status_code == 422
    assert ".xlsx" in other.json()["problems"][0]["message"]
    assert admin.client.get("/api/jobs").json() == []  # no job was started
    assert not Path("/tmp/icass-absolute").exists()


def test_the_page_starts_an_import_and_shows_a_refusal(empty_app):
    admin = Person(empty_app, "admin")
    headers = {CSRF_HEADER: admin.csrf, "HX-Request": "true"}
    started = admin.client.post(
        "/imports", files={"file": ("kivara.zip", _zip(EXAMPLES / "standard-post"))}, headers=headers
    )
    assert started.status_code == 200
    found = re.search(r'id="job-(\d+)"', started.text)
    assert found is not None
    jobs.wait(empty_app.state.engine, int(found.group(1)), timeout=300)
    assert "done" in admin.client.get(f"/jobs/{found.group(1)}/row").text
    refused = admin.client.post("/imports", files={"file": ("bad.zip", _climbing())}, headers=headers)
    assert refused.status_code == 200
    assert "usa-alert--error" in refused.text
    assert "climbs out of the folder" in refused.text
