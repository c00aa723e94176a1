"""The ISC's AmSal and PAT cost factors page (icass.web.cost_factors): the admin makes and changes the table
of the year in place, each change recorded; everyone else reads it, and is refused a change; the pages the
admin finds worlds on link to it."""

from __future__ import annotations

import re

from tests.web.test_web import FY, app, signed_in  # noqa: F401 (fixture)

PAGE = f"/world/{FY}/cost-factors"


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="factor-(\d+)">', html)


def test_the_admin_makes_and_changes_the_table(app):  # noqa: F811
    admin, csrf = signed_in(app, "admin")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    first = admin.get(PAGE)
    assert first.status_code == 200
    assert "There is no table of fiscal year 2027 yet" in first.text
    assert 'id="new-factor"' in first.text
    assert f'href="{PAGE}"' in admin.get("/imports").text
    added = admin.post(PAGE, data={"grade": "FS-01", "amsal": "$204,700", "pat": "45000"}, headers=headers)
    assert added.status_code == 200
    [row_id] = _rows(added.text)
    assert 'value="204,700.00"' in added.text
    assert "There is no table" not in added.text
    put = f"{PAGE}/{row_id}"
    changed = admin.put(
        put, data={"grade": "FS-01", "amsal": "205,000.00", "pat": "45,000.00", "version": "1"}, headers=headers
    )
    assert 'value="205,000.00"' in changed.text
    stale = admin.put(put, data={"grade": "FS-01", "amsal": "1", "pat": "1", "version": "1"}, headers=headers)
    assert "was changed since" in stale.text
    assert 'value="205,000.00"' in stale.text
    twice = admin.post(PAGE, data={"grade": "FS-01", "amsal": "1", "pat": "1"}, headers=headers)
    assert "grade FS-01 has factors in the table already" in twice.text
    bad = admin.post(PAGE, data={"grade": "FS-02", "amsal": "lots", "pat": "1"}, headers=headers)
    assert 'role="alert"' in bad.text
    assert len(_rows(bad.text)) == 1
    record = admin.get("/audit").text
    assert f"cost_factors.csv {row_id} of the world" in record
    gone = admin.delete(f"{put}?version=2", headers=headers)
    assert _rows(gone.text) == []


def test_others_read_the_table_and_are_refused_a_change(app):  # noqa: F811
    # Signed in first: hq's home is the worldwide invoice, which a table of one grade leaves in error.
    others = {person: signed_in(app, person) for person in ("fmo", "committee", "hq")}
    admin, csrf = signed_in(app, "admin")
    admin.post(PAGE, data={"grade": "FS-01", "amsal": "204700", "pat": "45000"}, headers={"X-CSRF-Token": csrf})
    for client, token in others.values():
        shown = client.get(PAGE)
        assert shown.status_code == 200
        assert '<th scope="row">FS-01</th><td class="text-right">204,700.00</td>' in shown.text
        assert 'id="new-factor"' not in shown.text
        assert _rows(shown.text) == []
        refused = client.post(PAGE, data={"grade": "FS-02", "amsal": "1", "pat": "1"}, headers={"X-CSRF-Token": token})
        assert refused.status_code == 403
    assert admin.get(f"/world/{FY + 3}/cost-factors").status_code == 404
