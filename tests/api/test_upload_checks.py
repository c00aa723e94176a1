"""A zip sent for an import is refused before any of it is unpacked when it names one path twice or would
unpack too large in all (issue 16 §4), and no message a person sees names a temporary path of the server."""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path

from icass.api import jobs as job_routes
from icass.api.guard import CSRF_HEADER
from icass.bundle.archive import MAX_ARCHIVE_UNPACKED_BYTES, MAX_MEMBER_BYTES, check_archive
from icass.store import jobs
from icass.store.bundles import Progress
from tests.api.test_jobs import EXAMPLES, Person, _zip
from tests.api.test_jobs import empty_app as empty_app  # the fixture: the workspace with an admin

TEMPORARY = tempfile.gettempdir()


def _members(*members: tuple[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return data.getvalue()


def _twice() -> bytes:
    """The sample bundle with its budget.csv given a second time (zipfile warns, and writes it)."""
    bundle = EXAMPLES / "standard-post"
    data = io.BytesIO(_zip(bundle))
    with zipfile.ZipFile(data, "a") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        archive.writestr("budget.csv", (bundle / "budget.csv").read_bytes())
    return data.getvalue()


def test_a_zip_naming_a_file_twice_is_refused_before_a_job(empty_app):
    admin = Person(empty_app, "admin")
    refused = admin.send("kivara.zip", _twice())
    assert refused.status_code == 422, refused.text
    messages = [p["message"] for p in refused.json()["problems"]]
    assert messages == ["'budget.csv' is in the zip twice: refused, nothing unpacked"]
    assert admin.client.get("/api/jobs").json() == []  # no job was started


def test_a_file_that_is_also_a_folder_is_refused(tmp_path):
    path = tmp_path / "both.zip"
    path.write_bytes(_members(("post.toml", b"[post]\n"), ("a/./b", b"x"), ("a", b"y"), ("c//d", b"z"), ("c/d", b"w")))
    messages = [d.message for d in check_archive(path, "both.zip")]
    assert messages == [
        "'c/d' is in the zip twice: refused, nothing unpacked",
        "'a' is a file and a folder: refused, nothing unpacked",
    ]


def test_a_member_larger_than_a_bundle_file_may_be_is_refused(tmp_path):
    path = tmp_path / "large.zip"
    path.write_bytes(_members(("post.toml", b"[post]\n"), ("people.csv", b"\0" * (MAX_MEMBER_BYTES + 1))))
    messages = [d.message for d in check_archive(path, "large.zip")]
    assert messages == [
        f"'people.csv' would unpack to {MAX_MEMBER_BYTES + 1:,} bytes; a file may be at most "
        f"{MAX_MEMBER_BYTES:,} bytes (64 MiB)"
    ]


def test_many_small_members_that_unpack_beyond_the_bound_are_refused_unread(empty_app):
    mebibyte = b"\0" * 2**20
    count = MAX_ARCHIVE_UNPACKED_BYTES // 2**20 + 1
    bomb = _members(*((f"part-{i:03d}.csv", mebibyte) for i in range(count)))
    assert len(bomb) < 2**20  # small as sent: each member packs 1,000 to 1, under the ratio check's floor
    admin = Person(empty_app, "admin")
    refused = admin.send("world.zip", bomb)
    assert refused.status_code == 422, refused.text
    message = refused.json()["problems"][0]["message"]
    assert f"would unpack to {count * 2**20:,} bytes; at most {MAX_ARCHIVE_UNPACKED_BYTES:,} (100 MiB)" in message
    fits = _members(*((f"part-{i:03d}.csv", mebibyte) for i in range(count - 2)))
    checked = admin.finished(admin.send("world.zip", fits))  # under the bound: unpacked, and refused in the job
    assert checked["state"] == "failed", checked
    assert checked["result"]["problems"][0]["message"].startswith("holds neither a world (world.toml) nor a bundle")


def test_no_message_of_a_job_names_a_temporary_path(empty_app):
    admin = Person(empty_app, "admin")
    broken = (EXAMPLES / "standard-post" / "post.toml").read_text(encoding="utf-8") + "code = \n"
    shown = [admin.finished(admin.send("kivara.zip", _zip(EXAMPLES / "standard-post", changes={"post.toml": broken})))]
    shown.append(admin.finished(admin.send("empty.zip", _members(("notes.txt", b"hello")))))
    engine = empty_app.state.engine

    def work(_progress: Progress) -> jobs.Outcome:
        (Path(TEMPORARY) / "icass-upload-x" / "missing.csv").read_text()  # a file the work expected is gone
        return jobs.Outcome(True, "never")

    broke = jobs.wait(engine, jobs.start(engine, "test", "admin", work).id, timeout=60)
    assert broke.state == jobs.FAILED
    assert "FileNotFoundError" in broke.message
    for job in shown:
        assert job["state"] == "failed", job
    texts = [str(job) for job in shown] + [broke.message, admin.client.get("/imports").text]
    assert all(TEMPORARY not in text and "icass-upload-" not in text for text in texts), texts


def test_an_upload_to_a_full_disk_answers_503_with_a_message(empty_app, monkeypatch):
    # The upload's file is written to /dev/full, where every write fails as on a full disk (ENOSPC, from the
    # kernel itself): its name made absolute puts it there.
    monkeypatch.setattr(job_routes, "upload_name", lambda _sent: "/dev/full")
    admin = Person(empty_app, "admin")
    refused = admin.send("kivara.zip", _zip(EXAMPLES / "standard-post"))
    assert refused.status_code == 503, refused.text
    assert refused.headers["Retry-After"] == "300"
    assert refused.json()["detail"].startswith("the server's disk is full: the file could not be received")
    shown = admin.client.post(
        "/imports",
        files={"file": ("kivara.zip", _zip(EXAMPLES / "standard-post"))},
        headers={CSRF_HEADER: admin.csrf, "HX-Request": "true"},
    )
    assert "the server&#39;s disk is full" in shown.text
    assert admin.client.get("/api/jobs").json() == []  # no job was started
