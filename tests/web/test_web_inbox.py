"""The inbox's pages (issue 20 §2): the navigation's count of what waits for the person, read from the stored
states only; the inbox page; the post home's "Awaiting action" section with the people named."""

from __future__ import annotations

import re

from icass.model.approval import Kind
from icass.store import certifications, data_call
from icass.store.accounts import Account, Grant, create_account
from icass.store.changes import find_post
from icass.store.versions import create, take_step
from tests.conftest import DEMO_PASSWORD
from tests.versions import recommended
from tests.web import test_web
from tests.web.test_web import FY, KVR, signed_in

app = test_web.app


def _count(html: str) -> int | None:
    found = re.search(r'<span class="usa-tag bg-secondary-dark" id="inbox-count">(\d+)</span>', html)
    return None if found is None else int(found.group(1))


def test_the_navigation_counts_what_waits_for_the_person(app):
    fmo, _ = signed_in(app, "fmo")
    admin, _ = signed_in(app, "admin")
    page = fmo.get("/")
    assert 'href="/inbox"' in page.text
    assert _count(page.text) is None  # nothing waits: no count shown
    number = recommended(app.state.engine, KVR, FY)
    for path in ("/", f"/posts/{KVR}/{FY}", "/inbox"):
        shown = fmo.get(path)
        assert _count(shown.text) == 1, path  # the Council's approval to record
        assert 'aria-label="Inbox: 1 action waiting for you"' in shown.text
    assert _count(admin.get("/").text) is None
    with app.state.engine.begin() as connection:
        key = find_post(connection, KVR, FY)
        me = Account(0, "fmo", (Grant("fmo", post=KVR),))
        take_step(connection, key, number, me, "record_council_approval", "", council=("2026-11-20", "item 3"))
        take_step(connection, key, number, me, "submit_to_isc", "")
    assert _count(fmo.get("/").text) is None
    assert _count(admin.get("/").text) == 1
    assert _count(admin.get("/inbox").text) == 1


def test_the_inbox_page_lists_yours_and_others(app):
    engine = app.state.engine
    with engine.begin() as connection:
        create_account(connection, "committee2", DEMO_PASSWORD, [Grant("committee", post=KVR, agency="1900.0")])
        key = find_post(connection, KVR, FY)
        me = Account(0, "fmo", (Grant("fmo", post=KVR),))
        number = create(connection, key, "fmo", Kind.INITIAL, "").number
        take_step(connection, key, number, me, "submit_to_committee", "")
    committee, _ = signed_in(app, "committee")
    shown = committee.get("/inbox")
    assert shown.status_code == 200
    assert 'id="inbox-yours"' in shown.text
    assert f"Recommend version {number} (initial) to the Council, for 1931.0" in shown.text
    assert f'href="/posts/{KVR}/{FY}#version-{number}-step"' in shown.text
    assert 'id="inbox-others"' not in shown.text  # 1900.0's recommendation is not its agency's
    fmo, _ = signed_in(app, "fmo")
    shown = fmo.get("/inbox")
    assert 'id="nothing-yours"' in shown.text
    assert 'id="inbox-others"' in shown.text
    assert shown.text.count('data-what="recommend"') == 2
    dashboard = fmo.get(f"/posts/{KVR}/{FY}")
    section = dashboard.text.split('id="awaited"', 1)[1].split("</section>", 1)[0]
    assert "Awaiting action" in section
    assert "1900.0&#39;s member of the Budget Committee: committee2" in section
    assert "1931.0&#39;s member of the Budget Committee: committee" in section
    assert 'data-label="Due"' in section


def test_the_iscs_page_of_the_data_call(app):
    admin, _ = signed_in(app, "admin")
    closed = admin.get(f"/world/{FY}/data-call")
    assert closed.status_code == 200
    assert 'id="data-call-closed"' in closed.text
    assert 'data-post="KVR"' in closed.text
    assert f'href="/world/{FY}/data-call"' in admin.get(f"/world/{FY}").text
    with app.state.engine.begin() as connection:
        data_call.open_or_change(connection, FY, "admin")  # its dates (June 1, July 1 of 2026) have passed
        key = find_post(connection, KVR, FY)
        certifications.certify(connection, key, Account(0, "hq", (Grant("hq", agency="1931.0"),)), "1931.0", "")
    number = recommended(app.state.engine, KVR, FY)
    shown = admin.get(f"/world/{FY}/data-call").text
    assert 'id="data-call-dates"' in shown
    row = shown.split('data-post="KVR"', 1)[1].split("</tr>", 1)[0]
    assert row.startswith(' data-late="true"')
    assert "1 of " in row
    assert " certified</strong>" in row
    certified = row.split('<li data-state="certified">', 1)[1].split("</li>", 1)[0]
    assert '1931.0</span> <span class="text-base-dark">by hq</span>' in certified
    assert "1900.0" in row.split('<li data-state="not_certified">', 1)[1].split("</li>", 1)[0]
    assert "0 of " in row
    assert " approved</strong>" in row
    late = row.split('<li data-late="approve_counts">', 1)[1].split("</li>", 1)[0]
    assert late.startswith("Counts to approve (due 1 Jul 2026): ")  # July 1 has passed
    assert "1931.0" in late
    late = row.split('<li data-late="certify_staffing">', 1)[1].split("</li>", 1)[0]
    assert "1900.0" in late
    assert "1931.0" not in late
    assert f"Record the Council&#39;s approval of version {number} (initial)" in shown
    for person in ("fmo", "committee", "hq"):
        client, _ = signed_in(app, person)
        assert client.get(f"/world/{FY}/data-call").status_code == 403
        assert 'id="data-call-link"' not in client.get(f"/world/{FY}").text


def test_the_isc_opens_and_changes_the_data_call_on_its_page(app):
    admin, csrf = signed_in(app, "admin")
    form = admin.get(f"/world/{FY}/data-call").text
    assert 'id="data-call-form"' in form
    assert 'name="count_date" type="date" value="2026-05-01"' in form  # the default, H-341.1-4 a
    headers = {"X-CSRF-Token": csrf}
    wrong = admin.post(
        f"/world/{FY}/data-call",
        data={"counts_to_agencies_by": "2026-07-10", "counts_agreed_by": "2026-07-01"},
        headers=headers,
    )
    assert "counts_agreed_by" in wrong.text
    assert "HX-Refresh" not in wrong.headers
    opened = admin.post(f"/world/{FY}/data-call", data={"counts_agreed_by": "2026-07-15"}, headers=headers)
    assert opened.headers.get("HX-Refresh") == "true"
    with app.state.engine.connect() as connection:
        call = data_call.get(connection, FY)
    assert call is not None
    assert (call.counts_agreed_by.isoformat(), call.opened_by) == ("2026-07-15", "admin")
    assert "Change the data call" in admin.get(f"/world/{FY}/data-call").text
    fmo, fmo_csrf = signed_in(app, "fmo")
    refused = fmo.post(f"/world/{FY}/data-call", data={}, headers={"X-CSRF-Token": fmo_csrf})
    assert refused.status_code == 403


def test_the_post_home_shows_each_kind_of_the_agencies_actions_in_one_row(app):
    with app.state.engine.begin() as connection:
        data_call.open_or_change(connection, FY, "admin")
    fmo, _ = signed_in(app, "fmo")
    section = fmo.get(f"/posts/{KVR}/{FY}").text.split('id="awaited"', 1)[1].split("</section>", 1)[0]
    assert section.count('data-what="certify_staffing"') == 1
    assert section.count('data-what="approve_counts"') == 1
    row = section.split('data-what="certify_staffing"', 1)[1].split("</tr>", 1)[0]
    assert row.startswith(' data-late="true"')  # June 1, 2026 has passed
    assert f'href="/posts/{KVR}/{FY}/staffing"' in row
    assert "1931.0 (committee, hq)" in row
    unheld = row.split("No one acts yet for ", 1)[1].split("<", 1)[0]
    assert "1900.0" in unheld
    assert "1931.0" not in unheld
    assert "Due" in section
    assert "1 Jun 2026" in row
