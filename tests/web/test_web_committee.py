"""The budget committee's review queue (issue 18): every modification awaiting the member's decision, with the
agency and cost center by name, the count before and after, the dollars it moves on every agency's invoice and
its justification; a decision with a note, recorded for the member's agency; the decisions listed with their
notes. Only a committee member has the queue."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.web.test_web import FY, KVR, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
API = f"/api/posts/{KVR}/{FY}"
QUEUE = f"{POST}/committee"


def _amount(text: str) -> Decimal:
    return Decimal(text.strip().lstrip("+").replace(",", ""))


def test_the_queue_shows_each_modification_with_its_effect_on_every_agency(app):  # noqa: F811
    committee, _ = signed_in(app, "committee")
    modifications = committee.get(f"{API}/modifications").json()
    page = committee.get(QUEUE)
    assert page.status_code == 200
    html = page.text
    assert f'href="{QUEUE}"' in committee.get(POST).text  # the dashboard leads there
    sections = re.findall(r'<section [^>]*id="modification-(\d+)"', html)
    assert sorted(map(int, sections)) == sorted(m["id"] for m in modifications)  # nothing decided yet
    usaid = next(m for m in modifications if (m["cost_center"], m["agency"]) == ("6222", "7200.0"))
    section = html.split(f'id="modification-{usaid["id"]}"')[1].split("</section>")[0]
    assert "U.S. Agency for International Development - Mission (7200.0)" in section  # names, not only codes
    assert re.search(r"[A-Za-z] \(6222\)", section)  # the cost center by its name
    assert usaid["justification"] in section
    before, after = re.search(r'class="count">([0-9.,]+) before, ([0-9.,]+) after', section).groups()
    assert _amount(after) == _amount(before) * Decimal(usaid["modification"])
    effects = dict(
        re.findall(r'data-agency="([^"]+)">.*?<td class="text-right difference">([^<]+)</td>', section, re.S)
    )
    assert set(effects) == {a["code"] for a in committee.get(f"{API}/agencies").json()}
    moved = {a: _amount(d) for a, d in effects.items() if d != "—"}
    assert moved["7200.0"] < 0  # a modification below 1 lowers the agency's count, so its invoice
    assert sum(moved.values()) == 0  # what one agency no longer pays, the others do
    # Each effect is the post's invoice now less the post's invoice without the modification.
    now = {a["agency"]: Decimal(a["total"]) for a in _totals(committee)}
    with_it = re.findall(
        r'data-agency="7200.0"><th[^>]*>[^<]*</th><td class="text-right">([^<]+)</td><td class="text-right">([^<]+)<',
        section,
    )
    assert _amount(with_it[0][1]) == now["7200.0"]
    assert _amount(with_it[0][1]) - _amount(with_it[0][0]) == moved["7200.0"]
    assert 'id="note-' in section
    assert "data-open-modal" in section
    assert 'class="usa-modal"' in section


def _totals(client) -> list[dict[str, str]]:
    lines = client.get(f"{API}/distribution").json()["lines"]
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line["agency"]] = totals.get(line["agency"], Decimal(0)) + Decimal(line["total"])
    return [{"agency": a, "total": str(t)} for a, t in totals.items()]


def test_a_decision_with_a_note_leaves_the_queue_and_is_listed_with_it(app):  # noqa: F811
    committee, csrf = signed_in(app, "committee")
    (grant,) = committee.get("/api/session").json()["roles"]
    agency = grant["agency"]
    modification = committee.get(f"{API}/modifications").json()[0]
    url = f"{QUEUE}/{modification['id']}"
    form = {"decision": "reject", "note": "  Ask the post for last year's figures  "}
    assert committee.post(url, data=form).status_code == 403  # no CSRF token
    decided = committee.post(url, data=form, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert decided.status_code == 200
    assert decided.headers["HX-Redirect"] == f"{QUEUE}?decided={modification['id']}"
    recorded = committee.get(f"{API}/modifications/{modification['id']}/approval").json()
    assert [(d["agency"], d["decision"], d["note"]) for d in recorded] == [
        (agency, "reject", "Ask the post for last year's figures")
    ]
    html = committee.get(decided.headers["HX-Redirect"]).text
    assert 'id="decided-now"' in html
    assert "Rejected for" in html
    assert f'id="modification-{modification["id"]}"' not in html  # no longer awaiting
    row = html.split(f'id="decided-{modification["id"]}"')[1].split("</tr>")[0]
    assert "Rejected" in row
    assert "Ask the post for last year&#39;s figures" in row
    # The decision is in the record with its note.
    fmo, _ = signed_in(app, "fmo")
    entry = next(e for e in fmo.get("/api/audit").json() if e["action"] == "reject")
    assert entry["after"]["note"] == "Ask the post for last year's figures"
    # Every modification's decisions show on its table too, for whoever reads it.
    assert f"{agency}: <strong>reject</strong>" in fmo.get(f"{POST}/tables/modifications").text


def test_only_a_committee_member_has_the_queue(app):  # noqa: F811
    committee, committee_csrf = signed_in(app, "committee")
    modification = committee.get(f"{API}/modifications").json()[0]
    for role in ("fmo", "admin"):
        client, csrf = signed_in(app, role)
        assert client.get(QUEUE).status_code == 403, role
        refused = client.post(
            f"{QUEUE}/{modification['id']}", data={"decision": "approve"}, headers={"X-CSRF-Token": csrf}
        )
        assert refused.status_code == 403, role
        assert f'href="{QUEUE}"' not in client.get(POST).text
    hq, _ = signed_in(app, "hq")
    assert hq.get(QUEUE).status_code == 404  # hq does not read the post
    missing = committee.post(f"{QUEUE}/999999", data={"decision": "approve"}, headers={"X-CSRF-Token": committee_csrf})
    assert missing.status_code == 404
