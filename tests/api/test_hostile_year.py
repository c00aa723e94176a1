"""The ICASS year's routes and pages (issue 20) as a hostile signed-in user would try them (OWASP ASVS level 2):
each defect found is pinned here by the test that failed before its fix."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from icass.api.guard import CSRF_HEADER
from tests.api.test_api import AGENCY, BASE, FY, KVR, sign_in
from tests.web.test_web import app, signed_in

__all__ = ["app"]  # the whole application (API and pages), from tests.web.test_web

APPROVALS = f"{BASE}/workload-approvals"
DASHBOARD = f"/posts/{KVR}/{FY}"


def _person(app, username: str) -> tuple[TestClient, dict[str, str]]:
    client, csrf = signed_in(app, username)
    return client, {CSRF_HEADER: csrf}


def test_the_dashboard_tells_an_agencys_workload_step_among_the_recent_changes(app):
    # An entry of the Agency Workload approval ("workload approval 1931.0") was read as a workload row's change:
    # one dispute by a committee member made the post's home a 500 for everyone at the post.
    committee, csrf = _person(app, "committee")
    lines = [{"cost_center": "6150", "comment": "one left in March"}]
    body = {"agency": AGENCY, "decision": "dispute", "comment": "see the line", "lines": lines}
    disputed = committee.post(APPROVALS, json=body, headers=csrf)
    assert disputed.status_code == 200, disputed.text
    fmo, _ = _person(app, "fmo")
    home = fmo.get(DASHBOARD)
    assert home.status_code == 200, home.text[:300]
    assert "disputed the workload counts of" in home.text


def test_a_data_call_of_the_first_day_of_the_calendar_is_refused_naming_the_count_date(app):
    # The window before a count date of 0001-01-01 begins in year 0: a ValueError was the ISC's 500.
    admin, csrf = _person(app, "admin")
    for day in ("0001-01-01", "0001-12-31"):
        refused = admin.put(f"/api/world/{FY}/data-call", json={"count_date": day}, headers=csrf)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith("count_date: ")


def test_a_form_with_a_nul_character_is_refused_on_every_page_of_the_year(app):
    # The API's bodies refuse NUL (icass.api.schemas.TEXT), which PostgreSQL's text cannot store; the pages'
    # forms did not, and a NUL in a comment reached the database: a 500 on PostgreSQL.
    nul = "a\x00b"
    fmo, fmo_csrf = _person(app, "fmo")
    made = fmo.post(f"{DASHBOARD}/versions/new", data={"kind": "initial", "comment": nul}, headers=fmo_csrf)
    assert made.status_code == 422, made.text
    made = fmo.post(f"{DASHBOARD}/versions/new", data={"kind": "initial"}, headers=fmo_csrf)
    assert made.status_code == 200, made.text
    step = {"step": "submit_to_committee", "comment": nul}
    assert fmo.post(f"{DASHBOARD}/versions/1/steps", data=step, headers=fmo_csrf).status_code == 422
    committee, csrf = _person(app, "committee")
    certify = {"agency": AGENCY, "comment": nul}
    assert committee.post(f"{DASHBOARD}/staffing/certifications", data=certify, headers=csrf).status_code == 422
    page = f"{DASHBOARD}/workload-approval/{AGENCY}"
    approve = {"decision": "approve", "comment": nul}
    assert committee.post(page, data=approve, headers=csrf).status_code == 422
    dispute = {"decision": "dispute", "cost_center": ["6150"], "line_comment": [nul]}
    assert committee.post(page, data=dispute, headers=csrf).status_code == 422
    council = {"note": nul, "date": "2027-01-05"}
    assert fmo.post(f"{DASHBOARD}/versions", data=council, headers=fmo_csrf).status_code == 422
    tdy = {"step": "reject", "comment": nul}
    admin, admin_csrf = _person(app, "admin")
    assert admin.post(f"{DASHBOARD}/tdy/invoices/T01/steps", data=tdy, headers=admin_csrf).status_code == 422


def test_two_versions_made_at_once_are_both_made_with_their_own_numbers(seeded_url, monkeypatch):
    # A version's number is one more than the post's greatest: read before any write, two made at once both took
    # the same number and the second failed on the unique (post, number) as a database error.
    from icass.model.approval import Kind
    from icass.store import versions
    from icass.store.changes import find_post
    from icass.store.database import open_database

    engine = open_database(seeded_url)
    both = threading.Barrier(2, timeout=2)
    frozen = versions._frozen

    def _frozen_together(connection, post):
        # The two are past their reads of the post, neither has written; or the other waits on the post's lock
        # and comes after, as it should (the barrier breaks).
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait()
        return frozen(connection, post)

    monkeypatch.setattr(versions, "_frozen", _frozen_together)
    made: list[object] = []

    def make() -> None:
        try:
            with engine.begin() as connection:
                key = find_post(connection, KVR, FY)
                made.append(versions.create(connection, key, "fmo", Kind.INITIAL, "").number)
        except Exception as e:  # the failure is what the test looks for
            made.append(e)

    try:
        threads = [threading.Thread(target=make) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        engine.dispose()
    assert sorted(map(str, made)) == ["1", "2"], made


def test_the_record_keeps_the_comment_of_a_staffing_certification(app):
    # Every other step of the year records its comment in the record; a certification's was left out.
    admin, admin_csrf = _person(app, "admin")
    assert admin.put(f"/api/world/{FY}/data-call", json={}, headers=admin_csrf).status_code == 200
    committee, csrf = _person(app, "committee")
    body = {"agency": AGENCY, "comment": "as of May 1, two arrivals left out"}
    assert committee.post(f"{BASE}/certifications", json=body, headers=csrf).status_code == 201
    entries = admin.get("/api/audit", params={"action": "certify staffing"}).json()
    assert [e["after"]["comment"] for e in entries] == ["as of May 1, two arrivals left out"]


def test_an_import_in_place_of_a_post_keeps_to_the_counts_an_agency_approved(seeded_url, tmp_path):
    # The ISC's import with replace wrote new counts over an agency's approved ones, the approval standing as
    # "approved" beside counts it never saw; the post's FMO must reopen it first, as for any other change.
    import re
    import shutil

    from icass.store import workload_approvals
    from icass.store.accounts import Account, Grant
    from icass.store.bundles import bundle_texts
    from icass.store.changes import find_post
    from icass.store.database import open_database
    from icass.store.uploads import import_upload

    engine = open_database(seeded_url)
    folder = tmp_path / "bundle"

    def upload(name: str) -> object:  # as the Imports page sends it: a zip alone in its folder
        (tmp_path / name).mkdir()
        archive = shutil.make_archive(str(tmp_path / name / "kvr"), "zip", folder)
        return import_upload(engine, Path(archive), "admin", True, lambda _d, _t, _what: None)

    try:
        hq = Account(0, "hq", (Grant("hq", agency=AGENCY),))
        with engine.begin() as connection:
            key = find_post(connection, KVR, FY)
            workload_approvals.take(connection, key, AGENCY, hq, "approve", "", [])
            texts = bundle_texts(connection, key.id)
        for name, text in texts.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        same = upload("same")
        assert same.ok, same  # the same counts: the approval holds them still
        workload = folder / "workload.csv"
        line = re.compile(rf"^(5826,{re.escape(AGENCY)},)([0-9.]+)", re.MULTILINE)
        assert line.search(workload.read_text(encoding="utf-8"))
        workload.write_text(line.sub(lambda m: m.group(1) + str(int(float(m.group(2))) + 5), workload.read_text()))
        refused = upload("changed")
        assert not refused.ok
        assert "approved" in str(refused.result), refused
        with engine.connect() as connection:
            key = find_post(connection, KVR, FY)
            assert workload_approvals.status(connection, key)[AGENCY].state == "approved"
    finally:
        engine.dispose()


def test_a_world_imported_in_place_keeps_to_the_counts_an_agency_approved(seeded_url, tmp_path):
    # As a post's own import: a world's import with replace wrote its posts' counts over an approved agency's.
    import re
    import shutil

    from icass.store import workload_approvals
    from icass.store.accounts import Account, Grant
    from icass.store.changes import find_post
    from icass.store.database import open_database
    from icass.store.worlds import import_world

    world = tmp_path / "world"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "world", world)
    workload = world / "posts" / "kivara" / "workload.csv"
    line = re.compile(rf"^(5826,{re.escape(AGENCY)},)([0-9]+)", re.MULTILINE)
    assert line.search(workload.read_text(encoding="utf-8"))
    workload.write_text(line.sub(lambda m: m.group(1) + str(int(m.group(2)) + 5), workload.read_text()))
    engine = open_database(seeded_url)
    try:
        hq = Account(0, "hq", (Grant("hq", agency=AGENCY),))
        with engine.begin() as connection:
            key = find_post(connection, KVR, FY)
            workload_approvals.take(connection, key, AGENCY, hq, "approve", "", [])
        stored, problems = import_world(engine, world, replace=True, user="admin")
        assert stored is None
        assert any("approved" in p.message and AGENCY in p.message for p in problems), problems
        with engine.connect() as connection:
            key = find_post(connection, KVR, FY)
            assert workload_approvals.status(connection, key)[AGENCY].state == "approved"
    finally:
        engine.dispose()


def test_a_headquarters_is_not_told_the_problems_of_a_post_it_does_not_read(app):
    # The TDY invoices of a post with errors answered every reader its problems, each with its row's values:
    # an agency's headquarters, which reads no post whole, read every other agency's rows in them.
    admin, csrf = _person(app, "admin")
    secret = {"cost_center": "6150", "agency": "9876.5", "count": "3"}
    assert admin.post(f"{BASE}/workload", json=secret, headers=csrf).status_code == 200
    told = admin.get(f"{BASE}/tdy/invoices")
    assert told.status_code == 422
    assert "9876.5" in told.text  # the post's readers see its problems
    hq = sign_in(app, "hq")
    invoices = (
        f"{BASE}/invoices/{AGENCY}",
        f"{BASE}/invoices/{AGENCY}?format=pdf",
        f"/api/world/{FY}/invoices/{AGENCY}",
    )
    for path in (f"{BASE}/tdy/invoices", f"{DASHBOARD}/tdy", *invoices):
        answer = hq.client.get(path)
        assert answer.status_code in (200, 422), answer.text[:300]
        assert "9876.5" not in answer.text
