"""A busy or full database (issue 16 §1 and §4): edits during an import are stored or answered 409/503, never
500; a write that cannot get the lock in time, or finds the disk full, answers 503 with Retry-After and a
message (JSON under /api, a page or fragment otherwise) and stores nothing, while reads go on answering. On
SQLite and on PostgreSQL (the disk full on SQLite, where a database can be made full honestly)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import OperationalError

from icass.store import changes, jobs
from icass.store.audit import entries
from icass.store.database import open_database
from icass.store.failures import BUSY, FULL, unavailable
from icass.store.schema import posts, sessions
from icass.store.throttle import stamp
from icass.web.app import create_app
from tests.api.test_api import BASE, FY, KVR, Person, sign_in
from tests.api.test_jobs import Person as Admin
from tests.api.test_jobs import _zip
from tests.conftest import DEMO_PASSWORD
from tests.store.test_job_recovery import _left
from tests.web.test_web import app as app  # the fixture: the whole application on a seeded database
from tests.web.test_web import signed_in

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_world import write_synthetic_world  # a script folder: imported by path

LINES = [("6150", "1931.0"), ("6150", "1900.0"), ("6150", "1901.0")]


def _wait_briefly(engine) -> None:
    """Requests give up waiting for a lock after 0.3 s instead of a minute, so that a test meets the limit
    without waiting it out; the jobs' threads (an import) keep the full wait."""

    def briefly(connection, _record, _proxy) -> None:
        wait = 60_000 if threading.current_thread().name.startswith("icass-job") else 300
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout={wait}")
        else:
            cursor.execute(f"SET lock_timeout = {wait}")
            connection.commit()
        cursor.close()

    event.listen(engine, "checkout", briefly)


def _editor(app) -> Person:
    """fmo signed in, whose client answers a server error as a 500 rather than raising it in the test."""
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.post("/api/session", json={"username": "fmo", "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return Person(client, answer.json()["csrf_token"])


def _line(person: Person, cost_center: str, agency: str) -> dict:
    lines = person.get(f"{BASE}/workload").json()
    return next(x for x in lines if x["cost_center"] == cost_center and x["agency"] == agency)


def _held(engine, url: str) -> Iterator[None]:
    """Another writer holds the lock the posts' changes need, until the block ends."""
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with engine.connect() as other:
        other.execute(text("LOCK TABLE posts, sessions, jobs IN EXCLUSIVE MODE"))  # readers go on; writers wait
        try:
            yield
        finally:
            other.rollback()


def test_a_write_that_cannot_get_the_lock_answers_503_and_stores_nothing(app, seeded_url, tmp_path):
    engine = app.state.engine
    fmo, leaving = sign_in(app, "fmo"), sign_in(app, "fmo")
    page, csrf = signed_in(app, "fmo")
    line = _line(fmo, *LINES[0])
    left = _left(engine, jobs.RUNNING, None, tmp_path / "icass-import-left")  # a dead process's job
    _wait_briefly(engine)
    held = _held(engine, seeded_url)
    next(held)
    try:
        busy = fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": "77", "version": 0})
        assert busy.status_code == 503, busy.text
        assert busy.headers["Retry-After"] == "5"
        assert busy.json() == {"detail": BUSY.message}
        fragment = page.post(
            f"/posts/{KVR}/{FY}/scenarios", data={"name": "busy"}, headers={"X-CSRF-Token": csrf, "HX-Request": "true"}
        )
        assert fragment.status_code == 503
        assert fragment.headers["Retry-After"] == "5"
        assert "the database is busy with other changes" in fragment.text
        assert 'role="alert"' in fragment.text
        assert fmo.get(f"{BASE}/workload").status_code == 200  # reads go on
        assert page.get(f"/posts/{KVR}/{FY}").status_code == 200
        out = leaving.change("DELETE", "/api/session")  # the session's row cannot be changed now
        assert out.status_code == 503, out.text
        assert out.json()["detail"].startswith("signed out of this browser (its cookie is cleared)")
        assert 'icass_session=""' in out.headers["set-cookie"]
        assert "icass_session" not in leaving.client.cookies
        assert leaving.get("/api/session").status_code == 401
        started = create_app(engine, secure_cookies=False)  # the left job cannot be ended now: it starts anyway
        assert started.state.engine is engine
        assert jobs.wait(engine, left).state == jobs.RUNNING
    finally:
        next(held, None)
    assert _line(fmo, *LINES[0])["count"] == line["count"]  # nothing of it stored
    done = fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": "77", "version": 0})
    assert done.status_code == 200, done.text
    assert jobs.recover(engine) == [left]


def test_a_reader_whose_idle_clock_is_due_still_reads_while_the_database_is_busy(app, seeded_url):
    """The guard moves a session's idle clock on once a minute, a write: while another holds the write lock (or
    the disk is full) that write cannot be made, and the person must still read, not get a 503."""
    engine = app.state.engine
    fmo = sign_in(app, "fmo")
    moment = dt.datetime.now(dt.UTC)
    due = stamp(moment - dt.timedelta(minutes=2))  # last seen two minutes ago: the guard writes
    with engine.begin() as connection:
        connection.execute(update(sessions).values(seen_at=due))
    _wait_briefly(engine)
    held = _held(engine, seeded_url)
    next(held)
    try:
        assert fmo.get(f"{BASE}/workload").status_code == 200
    finally:
        next(held, None)
    with engine.connect() as connection:
        assert set(connection.execute(select(sessions.c.seen_at)).scalars()) == {due}
    assert fmo.get(f"{BASE}/workload").status_code == 200  # the next request that can write moves it on
    with engine.connect() as connection:
        assert all(seen >= stamp(moment) for seen in connection.execute(select(sessions.c.seen_at)).scalars())


def test_edits_during_a_world_import_are_stored_or_refused_never_a_server_error(app, tmp_path):
    """The import's transaction holds the write lock (SQLite: the only one) while fmo's edits queue behind it,
    each waiting at most 0.3 s: each answers 200, 409 (another edit came first) or 503 (the lock not granted in
    time), and every 200 is stored with its entry of the record."""
    engine = app.state.engine
    world = write_synthetic_world(tmp_path / "world", posts=20)
    admin = Admin(app, "admin")
    editors = [_editor(app) for _ in LINES]
    _wait_briefly(engine)
    answers: list[tuple[str, int, str, int]] = []  # line, status, count sent, version answered
    started = threading.Barrier(len(editors) + 1)
    over = threading.Event()

    def edit(person: Person, cost_center: str, agency: str) -> None:
        started.wait()
        sent = 0
        while not over.is_set() or sent < 3:
            line = _line(person, cost_center, agency)
            count = str(100 + sent)
            answer = person.change(
                "PATCH", f"{BASE}/workload/{line['id']}", json={"count": count, "version": line["version"]}
            )
            version = answer.json()["version"] if answer.status_code == 200 else -1
            answers.append((line["id"], answer.status_code, count, version))
            sent += 1

    threads = [threading.Thread(target=edit, args=(p, *line)) for p, line in zip(editors, LINES, strict=True)]
    for thread in threads:
        thread.start()
    try:
        started.wait()
        job = admin.finished(admin.send("world.zip", _zip(world), replace=True))
    finally:
        over.set()
        for thread in threads:
            thread.join()
    assert job["state"] == "done", job
    statuses = [status for _, status, _, _ in answers]
    assert set(statuses) <= {200, 409, 503}, statuses
    stored = [a for a in answers if a[1] == 200]
    assert stored
    fmo = editors[0]
    for cost_center, agency in LINES:
        line = _line(fmo, cost_center, agency)
        last = max((a for a in stored if a[0] == line["id"]), key=lambda a: a[3], default=None)
        assert last is not None
        assert (Decimal(line["count"]), line["version"]) == (Decimal(last[2]), last[3])
    with engine.connect() as connection:
        recorded = [e for e in entries(connection, limit=10_000) if e.action == "enter count"]
    assert len(recorded) == len(stored)


def _filled(engine) -> None:
    """SQLite's database may grow no further than it is now: the next write that needs a page finds it full
    (SQLITE_FULL, as on a full disk)."""
    with engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()

    def full(connection, _record) -> None:
        connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(engine, "connect", full)
    engine.dispose()


def test_a_full_disk_answers_503_to_writes_and_reads_go_on(tmp_path):
    from tests.conftest import _seed

    url = f"sqlite:///{tmp_path / 'icass.db'}"
    _seed(url)
    engine = open_database(url)
    try:
        app = create_app(engine, secure_cookies=False)
        fmo = sign_in(app, "fmo")
        page, csrf = signed_in(app, "fmo")
        _filled(engine)
        statuses: list[int] = []
        first = fmo.get(f"{BASE}/budget-lines").json()[0]
        version = first["version"]
        for attempt in range(200):  # the free room in the database's last pages is used up first
            description = f"{attempt:03d} " + "x" * 400
            answer = fmo.change(
                "PUT", f"{BASE}/budget-lines/{first['id']}", json={"description": description, "version": version}
            )
            statuses.append(answer.status_code)
            if answer.status_code != 200:
                break
            version = answer.json()["version"]
        assert statuses[-1] == 503, statuses  # the writes before it found room: 200
        assert set(statuses[:-1]) <= {200}, statuses
        assert answer.headers["Retry-After"] == "300"
        assert answer.json() == {"detail": FULL.message}
        assert "disk is full" in answer.json()["detail"]
        kept = fmo.get(f"{BASE}/budget-lines/{first['id']}").json()  # the refused change left nothing
        assert kept["version"] == version
        assert kept["description"] != description
        for attempt in range(50):  # a scenario and its entry may still find room in a page: until one does not
            name = f"{attempt:02d} " + "x" * 150
            shown = page.post(f"/posts/{KVR}/{FY}/scenarios", data={"name": name}, headers={"X-CSRF-Token": csrf})
            if shown.status_code != 201:
                break
        assert shown.status_code == 503, shown.text
        assert "disk is full" in shown.text
        assert "<html" in shown.text  # a page, not a bare error
        assert fmo.get(f"{BASE}/workload").status_code == 200
        assert page.get(f"/posts/{KVR}/{FY}").status_code == 200
    finally:
        engine.dispose()


def test_postgresql_s_disk_full_and_lock_timeout_are_503(app, monkeypatch):
    def failing(state: type[psycopg.Error]):
        def update_row(*_args, **_kwargs):
            raise OperationalError("UPDATE posts ...", {}, state("the server says no"))

        return update_row

    fmo = sign_in(app, "fmo")
    first = fmo.get(f"{BASE}/budget-lines").json()[0]
    for state, expected in ((psycopg.errors.DiskFull, FULL), (psycopg.errors.LockNotAvailable, BUSY)):
        monkeypatch.setattr(changes, "update_row", failing(state))
        answer = fmo.change("PUT", f"{BASE}/budget-lines/{first['id']}", json={"version": first["version"]})
        assert answer.status_code == 503, answer.text
        assert answer.json() == {"detail": expected.message}
    other = OperationalError("SELECT 1", {}, psycopg.errors.SyntaxError("no"))
    assert unavailable(other) is None
    monkeypatch.setattr(changes, "update_row", failing(psycopg.errors.SyntaxError))
    with pytest.raises(OperationalError):  # any other database error stays a server error
        fmo.change("PUT", f"{BASE}/budget-lines/{first['id']}", json={"version": first["version"]})
    with app.state.engine.connect() as connection:
        assert KVR in connection.execute(select(posts.c.code)).scalars().all()
    assert jobs.recover(app.state.engine) == []
