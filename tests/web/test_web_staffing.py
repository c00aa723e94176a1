"""The staffing certification page (issue 20 §2): linked from the post's home; each agency's people on the count
date by category and its certification; a Certify button only for who may certify; a certification made through
its form; the people editor saying which certification an edit cleared."""

from __future__ import annotations

import re

from tests.web.test_web import AGENCY, FY, KVR, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
PAGE = f"{POST}/staffing"
API = f"/api/posts/{KVR}/{FY}"
STATE = "1900.0"


def _open(app):  # noqa: F811
    admin, csrf = signed_in(app, "admin")
    assert admin.put(f"/api/world/{FY}/data-call", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    return admin, csrf


def _row(html: str, agency: str) -> str:
    return html.split(f'data-agency="{agency}"')[1].split("</tr>")[0]


def test_the_page_lists_each_agency_s_people_and_who_may_certify(app):  # noqa: F811
    fmo, _ = signed_in(app, "fmo")
    assert f'href="{PAGE}"' in fmo.get(POST).text  # the post's home leads there
    before = fmo.get(PAGE)
    assert before.status_code == 200
    assert 'id="data-call-not-opened"' in before.text
    _open(app)
    shown = fmo.get(PAGE).text
    assert "1 May 2026" in shown
    state = _row(shown, STATE)
    assert re.search(r"<strong>\d+</strong>: .*USDH \d+", state)
    assert 'data-state="not_certified"' in shown
    assert "<form" not in shown  # the FMO certifies nothing
    hq, _ = signed_in(app, "hq")
    own = hq.get(PAGE).text
    assert re.findall(r'data-agency="([^"]+)"', own) == [AGENCY]  # its own agency only
    assert 'id="certify-1"' in own
    assert hq.get(f"/posts/ALD/{FY}/staffing").status_code == 404  # a post where its agency is not


def test_a_certification_through_the_form_and_an_edit_that_clears_it(app):  # noqa: F811
    _open(app)
    hq, hq_csrf = signed_in(app, "hq")
    refused = hq.post(f"{PAGE}/certifications", data={"agency": STATE}, headers={"X-CSRF-Token": hq_csrf})
    assert "may not certify 1900.0" in refused.text  # said in the form
    done = hq.post(
        f"{PAGE}/certifications", data={"agency": AGENCY, "comment": "checked"}, headers={"X-CSRF-Token": hq_csrf}
    )
    assert done.headers.get("HX-Refresh") == "true"
    assert 'data-state="certified"' in _row(hq.get(PAGE).text, AGENCY)
    admin, csrf = signed_in(app, "admin")
    admin.post(f"{PAGE}/certifications", data={"agency": STATE}, headers={"X-CSRF-Token": csrf})
    fmo, fmo_csrf = signed_in(app, "fmo")
    row = next(r for r in fmo.get(f"{API}/people").json() if r["agency"] == STATE and not r["end_date"])
    changed = fmo.put(
        f"{POST}/tables/people/{row['id']}",
        data={"version": str(row["version"]), "end_date": "2026-04-01"},
        headers={"X-CSRF-Token": fmo_csrf, "HX-Request": "true"},
    )
    assert changed.status_code == 200, changed.text
    assert re.search(
        r"1900\.0&#39;s staffing certification of \d{4}-\d\d-\d\d was cleared by this change", changed.text
    )
    cleared = _row(fmo.get(PAGE).text, STATE)
    assert 'data-state="cleared"' in cleared
    assert "its people records changed" in cleared


def test_a_row_deleted_in_the_editor_says_which_certification_it_cleared(app):  # noqa: F811
    admin, csrf = _open(app)
    admin.post(f"{PAGE}/certifications", data={"agency": STATE}, headers={"X-CSRF-Token": csrf})
    fmo, fmo_csrf = signed_in(app, "fmo")
    row = next(r for r in fmo.get(f"{API}/people").json() if r["agency"] == STATE and not r["end_date"])
    gone = fmo.delete(
        f"{POST}/tables/people/{row['id']}",
        params={"version": row["version"]},
        headers={"X-CSRF-Token": fmo_csrf, "HX-Request": "true"},
    )
    assert gone.status_code == 200, gone.text
    assert "Row deleted. 1900.0&#39;s staffing certification of" in gone.text
    assert 'data-state="cleared"' in _row(fmo.get(PAGE).text, STATE)
    other = next(r for r in fmo.get(f"{API}/people").json() if r["agency"] == "7500.0" and not r["end_date"])
    quiet = fmo.delete(
        f"{POST}/tables/people/{other['id']}",
        params={"version": other["version"]},
        headers={"X-CSRF-Token": fmo_csrf, "HX-Request": "true"},
    )
    assert "certification" not in quiet.text  # nothing certified was changed: nothing said
