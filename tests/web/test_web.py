"""The pages (issue 8 §4): signing in by form, the dashboard, the workload editor's fragment, invoices and the
guard on pages (a redirect to sign in, a 403 page, a 404 for a post one does not read)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from icass.store.database import open_database
from icass.web.app import create_app
from tests.conftest import DEMO_PASSWORD
from tests.versions import recommended

KVR, FY, AGENCY = "KVR", 2027, "1931.0"


@pytest.fixture
def app(seeded_url):
    engine = open_database(seeded_url)
    try:
        yield create_app(engine, secure_cookies=False)
    finally:
        engine.dispose()


def signed_in(app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303
    home = client.get("/")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
    assert csrf is not None
    return client, csrf.group(1)


def _total(html: str, element: str) -> Decimal:
    found = re.search(rf'id="{element}">([^<]+)<', html)
    assert found is not None, html[:500]
    return Decimal(found.group(1).replace(",", ""))


def test_a_page_without_a_session_sends_to_sign_in(app):
    client = TestClient(app)
    answer = client.get(f"/posts/{KVR}/{FY}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    wrong = client.post("/login", data={"username": "fmo", "password": "nope"})
    assert "Wrong username or password" in wrong.text
    assert "vendor/uswds/css/uswds.min.css" in wrong.text
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200


def test_the_fmo_edits_a_count_and_the_invoice_follows(app):
    client, csrf = signed_in(app, "fmo")
    dashboard = client.get(f"/posts/{KVR}/{FY}")
    assert dashboard.status_code == 200
    assert _total(dashboard.text, "post-total") > 0
    before = _total(client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text, "invoice-total")
    page = client.get(f"/posts/{KVR}/{FY}/workload?cost_center=6150")  # its lines (a section, opened)
    found = re.search(rf'hx-patch="(/posts/{KVR}/{FY}/workload/6150:{AGENCY}[^"]*)"', page.text)
    assert found is not None
    url = found.group(1)
    assert client.patch(url, data={"count": "500", "version": "0"}).status_code == 403  # no CSRF token
    row = client.patch(url, data={"count": "500", "version": "0"}, headers={"X-CSRF-Token": csrf})
    assert row.status_code == 200
    assert "saved" in row.text
    assert 'value="500"' in row.text
    assert re.search(r">\s*9\s*<br><button[^>]*>Use the derived count<", row.text)  # the derived count beside
    after = _total(client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text, "invoice-total")
    assert after > before
    stale = client.patch(url, data={"count": "501", "version": "0"}, headers={"X-CSRF-Token": csrf})
    assert "changed by someone else" in stale.text
    bad = client.patch(url, data={"count": "many", "version": "1"}, headers={"X-CSRF-Token": csrf})
    assert 'role="alert"' in bad.text


def test_pages_keep_the_same_scope_as_the_api(app):
    client, _ = signed_in(app, "hq")
    home = client.get("/")
    assert f"/posts/{KVR}/{FY}/invoices/{AGENCY}" in home.text
    assert f'href="/posts/{KVR}/{FY}"' not in home.text
    refused = client.get(f"/posts/{KVR}/{FY}")
    assert refused.status_code == 404  # hq reads the post's invoice of its agency, not the post
    assert "There is no post KVR in fiscal year 2027 for you to see." in refused.text
    assert client.get(f"/posts/{KVR}/{FY}/invoices/1900.0").status_code == 404
    committee, _ = signed_in(app, "committee")
    page = committee.get(f"/posts/{KVR}/{FY}/workload?cost_center=6150")
    assert page.status_code == 200
    assert 'id="line-6150-' in page.text
    assert "hx-patch" not in page.text  # reads the counts, cannot edit them
    admin, _ = signed_in(app, "admin")
    record = admin.get("/audit")
    assert "sign in" in record.text


def test_an_invoice_page_out_of_scope_answers_as_one_that_does_not_exist(app):
    client, _ = signed_in(app, "hq")
    absent = client.get(f"/posts/ZZZ/{FY}/invoices/{AGENCY}")
    not_billed = client.get(f"/posts/ALD/{FY}/invoices/{AGENCY}")
    assert absent.status_code == not_billed.status_code == 404
    assert absent.text.replace("ZZZ", "ALD") == not_billed.text


def _spec(html: str, name: str) -> dict:
    import json

    found = re.search(rf'<script type="application/json" id="spec-{name}">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def _values(spec: dict) -> list[dict]:
    """A chart's rows: Altair keeps them in the spec's datasets, named by the chart's data."""
    return spec["datasets"][spec["data"]["name"]]


def test_the_dashboards_charts_picture_its_tables(app):
    """The charts' data add up to the tables beside them: the budget chart to the post total by funding
    source, the shares chart to each agency's total; every tooltip amount is the table's exact text."""
    client, _ = signed_in(app, "committee")
    html = client.get(f"/posts/{KVR}/{FY}").text
    total = _total(html, "post-total")
    budget = _spec(html, "budget")
    assert budget["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    rows = _values(budget)
    assert sum(Decimal(r["amount"].replace(",", "")) for r in rows) == total
    assert {r["funding"] for r in rows} <= {"RB", "OBO", "LGP", "AMSAL", "PAT"}
    shares = _values(_spec(html, "shares"))
    assert sum(Decimal(r["amount"].replace(",", "")) for r in shares) == total
    table = dict(
        re.findall(r"invoices/([0-9.]+)\">[0-9.]+</a></td><td>[^<]*</td><td class=\"text-right\">([^<]+)<", html)
    )
    assert {r["agency"]: r["amount"] for r in shares} == table
    assert "/static/vendor/vega-embed/vega-embed.min.js" in html
    assert client.get("/static/charts.js").status_code == 200


# A row of the dashboard's table of shares: the agency, its total and its share.
SHARE_ROW = re.compile(
    r'invoices/([0-9.]+)">[0-9.]+</a></td><td>[^<]*</td><td class="text-right">([^<]+)</td>'
    r'<td class="text-right">([0-9.]+)%<'
)


def test_the_dashboards_figures_are_made_once_per_state_of_the_post(app, monkeypatch):
    """Every reader of one state of the post is shown the same figures, made once (their charts' specifications
    cost many times the rest of the page); an edit makes them again, from the post as it is now. Each agency's
    share is its total over the post's, rounded as its invoice's lines are (icass.money.percent_of)."""
    import icass.web.posts
    from icass.money import percent_of

    made = []
    make = icass.web.posts.dashboard_charts
    monkeypatch.setattr(icass.web.posts, "dashboard_charts", lambda summary: made.append(summary) or make(summary))
    client, csrf = signed_in(app, "fmo")
    committee, _ = signed_in(app, "committee")
    first = client.get(f"/posts/{KVR}/{FY}").text
    assert client.get(f"/posts/{KVR}/{FY}").text == first
    assert 'id="budget"' in committee.get(f"/posts/{KVR}/{FY}").text
    assert len(made) == 1
    page = client.get(f"/posts/{KVR}/{FY}/workload?cost_center=6150")  # its lines (a section, opened)
    found = re.search(rf'hx-patch="(/posts/{KVR}/{FY}/workload/6150:{AGENCY}[^"]*)"', page.text)
    assert found is not None
    client.patch(found.group(1), data={"count": "700", "version": "0"}, headers={"X-CSRF-Token": csrf})
    after = client.get(f"/posts/{KVR}/{FY}").text
    assert len(made) == 2
    total = _total(after, "post-total")
    shares = SHARE_ROW.findall(after)
    assert shares
    assert shares != SHARE_ROW.findall(first)  # the count moved the agency's share
    for _agency, amount, percent in shares:
        assert Decimal(percent) == percent_of(Decimal(amount.replace(",", "")), total)


def test_an_invoices_derivation_is_made_once_per_state_of_the_post(app, monkeypatch):
    """The invoice page's record (every line with its derivation) is kept with the post's state: read again, it
    is not made again; after a change it is made from the post as it is now."""
    import icass.store.compute

    made = []
    make = icass.store.compute.invoice_view
    monkeypatch.setattr(icass.store.compute, "invoice_view", lambda run, bill: made.append(bill) or make(run, bill))
    client, csrf = signed_in(app, "fmo")
    page = f"/posts/{KVR}/{FY}/invoices/{AGENCY}"
    before = _total(client.get(page).text, "invoice-total")
    assert _total(client.get(page).text, "invoice-total") == before
    assert client.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}").json()["total"] == str(before)
    assert len(made) == 1
    workload = client.get(f"/posts/{KVR}/{FY}/workload?cost_center=6150")
    found = re.search(rf'hx-patch="(/posts/{KVR}/{FY}/workload/6150:{AGENCY}[^"]*)"', workload.text)
    assert found is not None
    client.patch(found.group(1), data={"count": "900", "version": "0"}, headers={"X-CSRF-Token": csrf})
    assert _total(client.get(page).text, "invoice-total") != before
    assert len(made) == 2


def test_the_dashboard_of_a_post_not_stored_is_a_page_that_names_it(app):
    client, _ = signed_in(app, "admin")
    missing = client.get(f"/posts/ZZZ/{FY}")
    assert missing.status_code == 404
    assert f"post ZZZ, fiscal year {FY}, is not in the database" in missing.text


def test_an_unknown_post_is_not_found_for_everyone(app):
    """Issue 18: an unknown post once answered an FMO "403 fmo may not do this: read the post". Not found, for
    every role; and a stored post one does not read answers the same, so the answer tells no one which posts
    exist (as an invoice's does: icass.api.posts.no_invoice)."""
    for role in ("admin", "fmo", "committee", "hq"):
        client, _ = signed_in(app, role)
        for path in (f"/posts/ZZZ/{FY}", f"/posts/ZZZ/{FY}/workload", f"/posts/ZZZ/{FY}/tables/budget-lines"):
            missing = client.get(path)
            assert missing.status_code == 404, (role, path)
            assert "Not found" in missing.text, (role, path)
            assert "may not" not in missing.text, (role, path)
        assert client.get(f"/api/posts/ZZZ/{FY}/distribution").status_code == 404, role
    fmo, _ = signed_in(app, "fmo")
    unknown, stored = fmo.get(f"/posts/ZZZ/{FY}"), fmo.get(f"/posts/PSL/{FY}")  # PSL is stored, not fmo's
    assert stored.status_code == unknown.status_code == 404
    assert stored.text.replace("PSL", "ZZZ") == unknown.text


def test_a_post_without_visitors_says_so_on_its_tdy_page(app):
    """ALD's bundle has no TDY folder: its dashboard's TDY link once answered the API's 422 as JSON."""
    client, _ = signed_in(app, "admin")
    answer = client.get(f"/posts/ALD/{FY}/tdy")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="no-tdy"' in answer.text
    assert "no tdy/ folder" in answer.text


def test_the_old_favicon_address_leads_to_the_icon(app):
    """Chromium asks for /favicon.ico when a page is left before its icon link is read: a 404 was a console error."""
    answer = TestClient(app).get("/favicon.ico", follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "/static/favicon.svg"


def test_the_dashboard_says_what_changed_since_the_approved_version(app):
    client, csrf = signed_in(app, "fmo")
    assert "No version of this budget has been recorded as approved yet" in client.get(f"/posts/{KVR}/{FY}").text
    committee, committee_csrf = signed_in(app, "committee")
    refused = committee.post(
        f"/posts/{KVR}/{FY}/versions", data={"note": "x"}, headers={"X-CSRF-Token": committee_csrf}
    )
    assert refused.status_code == 403
    none_awaits = client.post(f"/posts/{KVR}/{FY}/versions", data={"note": "x"}, headers={"X-CSRF-Token": csrf})
    assert none_awaits.status_code == 409
    assert 'id="approve-version"' not in client.get(f"/posts/{KVR}/{FY}").text
    recommended(app.state.engine, KVR, FY)
    assert 'id="approve-version"' not in committee.get(f"/posts/{KVR}/{FY}").text
    assert 'id="approve-version"' in client.get(f"/posts/{KVR}/{FY}").text
    recorded = client.post(
        f"/posts/{KVR}/{FY}/versions",
        data={"note": "Council, 20 November", "date": "2026-11-20"},
        headers={"X-CSRF-Token": csrf},
    )
    assert recorded.status_code == 200  # followed the redirect to the dashboard
    assert "Since the approved version 1" in recorded.text
    assert "Nothing has changed since." in recorded.text
    page = client.get(f"/posts/{KVR}/{FY}/workload?cost_center=6150")  # its lines (a section, opened)
    found = re.search(rf'hx-patch="(/posts/{KVR}/{FY}/workload/6150:{AGENCY}[^"]*)"', page.text)
    assert found is not None
    client.patch(found.group(1), data={"count": "500", "version": "0"}, headers={"X-CSRF-Token": csrf})
    line = next(b for b in client.get(f"/api/posts/{KVR}/{FY}/budget-lines").json() if b["cost_center"] == "6150")
    client.put(
        f"/api/posts/{KVR}/{FY}/budget-lines/{line['id']}",
        json={"amount": "95000", "version": line["version"]},
        headers={"X-CSRF-Token": csrf},
    )
    html = committee.get(f"/posts/{KVR}/{FY}").text
    # Row by row, in words: the count typed by hand is a row added; the budget line edited, its amount then and now.
    rows = re.findall(r'<li class="row-change" data-kind="(\w+)">(.*?)</li>', html, re.S)
    assert any(
        k == "added" and t.startswith(f"Count of State - Marine Security Guard Support ({AGENCY}) in ") for k, t in rows
    )
    edited = [t for k, t in rows if k == "changed"]
    assert len(edited) == 1
    assert f"amount ${Decimal(line['amount']):,.2f} → $95,000.00" in edited[0]
    assert "(6150) budget line" in edited[0]
    assert "workload.csv" not in html.split('id="since-approved"')[1].split('id="moved"')[0]
    moved = re.search(rf'<tr data-agency="{re.escape(AGENCY)}">(.*?)</tr>', html.split('id="moved"')[1], re.S)
    assert moved is not None
    cells = [Decimal(x.replace(",", "")) for x in re.findall(r">([-0-9,.]+)<", moved.group(1))]
    then, now, difference, costs, counts, modifications = cells
    assert now - then == difference > 0
    assert costs + counts + modifications == difference  # what made it: the MSG's new count, and the 6150 line
    assert counts != 0
    assert 'id="largest-changes"' in html


def test_the_world_and_tdy_pages(app):
    hq, _ = signed_in(app, "hq")
    home = hq.get("/")
    assert 'href="/world"' in home.text
    world = hq.get("/world")  # the newest stored world
    assert world.status_code == 200
    assert f'href="/world/{FY}/invoices/{AGENCY}"' in world.text
    bill = hq.get(f"/world/{FY}/invoices/{AGENCY}")
    assert bill.status_code == 200
    api = TestClient(app)
    api.post("/api/session", json={"username": "hq", "password": DEMO_PASSWORD})
    expected = Decimal(api.get(f"/api/world/{FY}/invoices/{AGENCY}").json()["total"])
    assert _total(bill.text, "world-total") == expected
    assert "Below the line (H-424 b)" in bill.text
    own = hq.get(f"/posts/{KVR}/{FY}/tdy")  # hq reads its own agency's TDY invoices only: none at KVR
    assert own.status_code == 200
    assert "Invoice T01" not in own.text
    fmo, _ = signed_in(app, "fmo")
    assert 'href="/world"' not in fmo.get("/").text
    assert fmo.get(f"/world/{FY}/invoices/{AGENCY}").status_code == 403
    tdy = fmo.get(f"/posts/{KVR}/{FY}/tdy", params={"as_of": "2028-01-31"})
    assert tdy.status_code == 200
    assert "Invoice T01" in tdy.text
    assert "Issued" in tdy.text  # issue 18: a status in words, never the code (below_threshold)
    assert "below_threshold" not in tdy.text
    assert "Not billed: below the threshold" in tdy.text


def test_the_dashboard_takes_a_version_along_its_path(app):
    fmo, csrf = signed_in(app, "fmo")
    committee, committee_csrf = signed_in(app, "committee")
    base = f"/posts/{KVR}/{FY}/versions"
    assert 'id="make-version"' not in committee.get(f"/posts/{KVR}/{FY}").text
    made = fmo.post(f"{base}/new", data={"kind": "initial", "comment": "for November"}, headers={"X-CSRF-Token": csrf})
    assert made.headers.get("HX-Refresh") == "true", made.text
    page = fmo.get(f"/posts/{KVR}/{FY}").text
    assert 'data-version="1" data-state="draft"' in page
    assert 'id="version-1-submit_to_committee"' in page
    assert 'id="version-1-submit_to_committee"' not in committee.get(f"/posts/{KVR}/{FY}").text
    out_of_order = fmo.post(f"{base}/1/steps", data={"step": "submit_to_isc"}, headers={"X-CSRF-Token": csrf})
    assert "the version is draft" in out_of_order.text  # said in the form
    sent = fmo.post(f"{base}/1/steps", data={"step": "submit_to_committee"}, headers={"X-CSRF-Token": csrf})
    assert sent.headers.get("HX-Refresh") == "true", sent.text
    page = committee.get(f"/posts/{KVR}/{FY}").text
    assert f"waiting for {AGENCY}" in page
    assert 'id="version-1-recommend"' in page
    headers = {"X-CSRF-Token": committee_csrf}
    unsaid = committee.post(f"{base}/1/steps", data={"step": "recommend", "refused": "true"}, headers=headers)
    assert "a refusal needs a comment" in unsaid.text
    not_theirs = committee.post(f"{base}/1/steps", data={"step": "submit_to_isc"}, headers=headers)
    assert "may not do this" in not_theirs.text
    assert committee.post(f"{base}/1/steps", data={"step": "recommend"}, headers=headers).headers["HX-Refresh"]
    page = fmo.get(f"/posts/{KVR}/{FY}").text
    assert 'data-version="1" data-state="recommended"' in page
    assert 'id="approve-version"' in page
    assert 'id="version-1-recommend"' not in committee.get(f"/posts/{KVR}/{FY}").text
