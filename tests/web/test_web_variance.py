"""The variance page (issue 20 §3): a version against the live rows, by agency and cost center, with the largest
changes; the default comparison; a budget the post does not have."""

from __future__ import annotations

from tests.web.test_web import AGENCY, FY, KVR, app, signed_in  # noqa: F401 (app is a fixture)

PAGE = f"/posts/{KVR}/{FY}/variance"
API = f"/api/posts/{KVR}/{FY}"


def test_the_page_compares_a_version_with_the_live_rows(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf}
    assert 'id="no-default"' in fmo.get(PAGE).text  # no approved version yet: the person chooses
    made = fmo.post(f"{API}/versions", json={"kind": "initial", "comment": ""}, headers=headers)
    number = made.json()["number"]
    line = fmo.post(
        f"{API}/budget-lines",
        json={"cost_center": "5624", "funding": "RB", "soc": "2600", "amount": "40000.00", "description": "supplies"},
        headers=headers,
    )
    assert line.status_code in (200, 201), line.text
    page = fmo.get(PAGE, params={"old": f"{FY}:{number}", "new": f"{FY}:live"})
    assert page.status_code == 200
    assert f"<strong>OLD:</strong> FY {FY}, version {number} (initial, draft)" in page.text
    assert f'<tr data-code="{AGENCY}">' in page.text
    assert 'id="largest-changes"' in page.text
    assert "because 5624&#39;s cost rose" in page.text or "because 5624's cost rose" in page.text
    assert f"{API}/variance?old_fiscal_year={FY}&amp;old_version={number}&amp;format=csv" in page.text
    assert fmo.get(PAGE, params={"old": "1999:live"}).status_code == 422
    hq, _ = signed_in(app, "hq")
    assert hq.get(PAGE).status_code == 404  # not its post to see
