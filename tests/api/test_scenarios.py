"""What-if scenarios (issue 8 §4, §6): changes kept apart from the post until an FMO applies them, every agency's
invoice beside the baseline, every role's boundary, and an apply that is all or nothing; on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from icass.money import parse_cents
from icass.store import changes, scenarios
from icass.store.cells import stored_cells
from icass.store.compute import run_stored
from icass.store.database import open_database
from tests.api.test_api import AGENCY, BASE, FY, KVR, Person, sign_in
from tests.web import test_web

SCENARIOS = f"{BASE}/scenarios"
LINE = "6150:1931.0:UNIFORMED"  # a derived workload line of the committee's and hq's agency


app = test_web.app  # the whole application (pages and API): `people` signs in to it


@pytest.fixture
def people(app) -> dict[str, Person]:
    return {name: sign_in(app, name) for name in ("admin", "fmo", "committee", "hq")}


def _made(person: Person, name: str = "more uniformed staff") -> dict:
    answer = person.change("POST", SCENARIOS, json={"name": name})
    assert answer.status_code == 201, answer.text
    return answer.json()


def _change(person: Person, scenario: dict, **body) -> dict:
    answer = person.change("POST", f"{SCENARIOS}/{scenario['id']}/changes", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _compared(person: Person, scenario: dict) -> dict:
    answer = person.get(f"{SCENARIOS}/{scenario['id']}/comparison")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _agency(compared: dict, agency: str) -> dict:
    return next(a for a in compared["agencies"] if a["agency"] == agency)


def _invoice_total(person: Person) -> Decimal:
    return Decimal(person.get(f"{BASE}/invoices/{AGENCY}").json()["total"])


def _budget_line(person: Person) -> dict:
    return person.get(f"{BASE}/budget-lines").json()[0]


def test_a_count_changed_in_a_scenario_leaves_the_baseline_until_it_is_applied(people):
    fmo = people["fmo"]
    invoice_before = _invoice_total(fmo)
    record_before = fmo.get("/api/audit").json()
    scenario = _made(fmo)
    assert scenario["changes"] == []
    assert not scenario["post_changed"]
    scenario = _change(fmo, scenario, resource="workload", target=LINE, values={"count": "250"})
    assert [c["target"] for c in scenario["changes"]] == [LINE]
    compared = _compared(fmo, scenario)
    mine = _agency(compared, AGENCY)
    assert Decimal(mine["baseline"]) == invoice_before
    assert Decimal(mine["scenario"]) > invoice_before
    assert Decimal(mine["difference"]) == Decimal(mine["scenario"]) - invoice_before
    # Nothing of the post moved: its invoice, its workload line, its record (but for the scenario's making).
    assert _invoice_total(fmo) == invoice_before
    line = fmo.get(f"{BASE}/workload/{LINE}").json()
    assert (line["count"], line["origin"]) == ("9", "derived")
    record = fmo.get("/api/audit").json()
    assert [e["action"] for e in record[: len(record) - len(record_before)]] == ["change scenario", "create scenario"]

    applied = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": scenario["version"]})
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied_by"] == "fmo"
    assert _invoice_total(fmo) == Decimal(mine["scenario"])
    line = fmo.get(f"{BASE}/workload/{LINE}").json()
    assert (line["count"], line["origin"]) == ("250", "entered")
    newest = fmo.get("/api/audit").json()[:2]
    assert [(e["action"], e["entity"], e["user"]) for e in newest] == [
        ("apply scenario", f"scenario {scenario['id']}", "fmo"),
        ("enter count", f"workload {LINE}", "fmo"),
    ]
    assert newest[1]["after"]["count"] == "250"
    # Applied, it is kept as it was: no more changes, no second apply, no deleting.
    again = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/changes", json={"resource": "workload", "target": LINE})
    assert again.status_code == 422  # a workload change without its count is refused before anything else
    again = fmo.change(
        "POST",
        f"{SCENARIOS}/{scenario['id']}/changes",
        json={"resource": "workload", "target": LINE, "values": {"count": "3"}},
    )
    assert again.status_code == 409
    assert "applied by fmo" in again.json()["detail"]
    version = applied.json()["version"]
    assert fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": version}).status_code == 409
    assert fmo.change("DELETE", f"{SCENARIOS}/{scenario['id']}").status_code == 409


def test_the_comparison_conserves_the_post(people):
    fmo = people["fmo"]
    scenario = _made(fmo)
    budget = _budget_line(fmo)
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "40"})
    scenario = _change(fmo, scenario, resource="budget-lines", target=str(budget["id"]), values={"amount": "500000"})
    compared = _compared(fmo, scenario)
    for side in ("baseline", "scenario"):
        total = parse_cents(compared[f"{side}_total"])
        assert sum(parse_cents(a[side]) for a in compared["agencies"]) == total
        for a in compared["agencies"]:
            assert sum(parse_cents(f[side]) for f in a["by_funding"].values()) == parse_cents(a[side])
    grown = parse_cents("500000") - parse_cents(budget["amount"])
    assert parse_cents(compared["difference"]) == grown
    assert sum(parse_cents(a["difference"]) for a in compared["agencies"]) == grown
    # The comparison's baseline is the invoices the post serves.
    for a in compared["agencies"][:3]:
        bill = fmo.get(f"{BASE}/invoices/{a['agency']}").json()
        assert bill["total"] == a["baseline"]
        assert bill["subtotals"] == {f: v["baseline"] for f, v in a["by_funding"].items() if parse_cents(v["baseline"])}


def test_a_scenario_computes_as_the_post_would_once_applied(people):
    """Counts, a modification and costs (a changed, a new and a deleted budget line): the scenario's invoices
    before applying are exactly the post's after."""
    fmo = people["fmo"]
    scenario = _made(fmo, "several")
    lines = fmo.get(f"{BASE}/budget-lines").json()
    modification = next(
        m for m in fmo.get(f"{BASE}/modifications").json() if (m["cost_center"], m["agency"]) == ("6222", "7200.0")
    )
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "30"})
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "31"})  # replaces the first
    _change(fmo, scenario, resource="modifications", target=str(modification["id"]), values={"modification": "0.3"})
    _change(fmo, scenario, resource="budget-lines", target=str(lines[0]["id"]), values={"amount": "1000.50"})
    _change(fmo, scenario, resource="budget-lines", target=str(lines[1]["id"]), action="delete")
    new = {
        "cost_center": "6150",
        "funding": "RB",
        "soc": "2600",
        "amount": "75000",
        "description": "new",
        "lease": "no",
    }
    scenario = _change(fmo, scenario, resource="budget-lines", action="create", values=new)
    assert [c["number"] for c in scenario["changes"]] == [1, 2, 3, 4, 5]
    assert scenario["changes"][0]["values"] == {"count": "31"}
    compared = _compared(fmo, scenario)
    assert compared["scenario_problems"] == []
    answer = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": scenario["version"]})
    assert answer.status_code == 200, answer.text
    for a in compared["agencies"]:
        assert fmo.get(f"{BASE}/invoices/{a['agency']}").json()["total"] == a["scenario"], a["agency"]
    after = fmo.get(f"{BASE}/budget-lines").json()
    assert lines[1]["id"] not in {r["id"] for r in after}
    assert after[0]["amount"] == "1000.50"
    assert after[-1]["description"] == "new"
    assert fmo.get(f"{BASE}/modifications/{modification['id']}").json()["modification"] == "0.3"
    # Applied: the comparison's baseline is now the scenario, its difference nothing.
    compared = _compared(fmo, scenario)
    assert compared["difference"] == "0.00"


def test_a_change_that_breaks_a_rule_is_refused_and_the_scenario_keeps_its_version(people):
    fmo = people["fmo"]
    scenario = _made(fmo)
    answer = fmo.change(
        "POST",
        f"{SCENARIOS}/{scenario['id']}/changes",
        json={"resource": "workload", "target": LINE, "values": {"count": "x"}},
    )
    assert answer.status_code == 422
    assert "workload.csv" in answer.json()["problems"][0]["where"]
    assert answer.json()["problems"][0]["field"] == "count"
    budget = _budget_line(fmo)
    for body in (
        {"resource": "budget-lines", "target": str(budget["id"]), "values": {"amount": "12.345"}},
        {"resource": "budget-lines", "target": str(budget["id"]), "values": {"colour": "red"}},
        {"resource": "nothing", "target": "1", "values": {"a": "b"}},
        {"resource": "workload", "action": "create", "values": {"count": "1"}},
    ):
        answer = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/changes", json=body)
        assert answer.status_code == 422, body
    for body in (
        {"resource": "budget-lines", "target": "999999", "values": {"amount": "1"}},
        {"resource": "workload", "target": "6150", "values": {"count": "1"}},
        {"resource": "workload", "target": LINE, "action": "delete"},  # a derived line has no count to clear
    ):
        assert fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/changes", json=body).status_code == 404, body
    again = fmo.get(f"{SCENARIOS}/{scenario['id']}").json()
    assert (again["version"], again["changes"]) == (scenario["version"], [])


def test_an_apply_that_conflicts_writes_nothing(people):
    fmo, admin = people["fmo"], people["admin"]
    scenario = _made(fmo)
    budget = _budget_line(fmo)
    _change(fmo, scenario, resource="budget-lines", target=str(budget["id"]), values={"amount": "1.00"})
    scenario = _change(fmo, scenario, resource="workload", target=LINE, values={"count": "77"})
    # Meanwhile the admin enters that count on the post itself.
    assert admin.change("PATCH", f"{BASE}/workload/{LINE}", json={"count": "12", "version": 0}).status_code == 200
    record_before = fmo.get("/api/audit").json()
    shown = fmo.get(f"{SCENARIOS}/{scenario['id']}").json()
    assert shown["post_changed"]
    assert [c["stale"] for c in shown["changes"]] == [False, True]
    compared = _compared(fmo, scenario)  # still computes, on the post as it is now
    assert compared["post_changed"]
    assert parse_cents(_agency(compared, AGENCY)["difference"]) > 0
    answer = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": scenario["version"]})
    assert answer.status_code == 409
    assert "change 2" in answer.json()["detail"]
    assert "nothing was applied" in answer.json()["detail"]
    assert _budget_line(fmo)["amount"] == budget["amount"]  # change 1 was rolled back with the rest
    assert fmo.get(f"{BASE}/workload/{LINE}").json()["count"] == "12"
    assert fmo.get("/api/audit").json() == record_before
    assert fmo.get(f"{SCENARIOS}/{scenario['id']}").json()["applied_at"] is None
    # Entered again on the row as it is now, the change applies.
    scenario = _change(fmo, scenario, resource="workload", target=LINE, values={"count": "77"})
    assert [c["stale"] for c in scenario["changes"]] == [False, False]
    answer = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": scenario["version"]})
    assert answer.status_code == 200, answer.text
    assert fmo.get(f"{BASE}/workload/{LINE}").json()["count"] == "77"


def test_a_stale_scenario_version_and_a_row_gone_are_conflicts(people):
    fmo = people["fmo"]
    scenario = _made(fmo)
    budget = _budget_line(fmo)
    changed = _change(fmo, scenario, resource="budget-lines", target=str(budget["id"]), values={"amount": "9.00"})
    answer = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": scenario["version"]})
    assert answer.status_code == 409
    assert "changed since you read it" in answer.json()["detail"]
    deleted = fmo.change("DELETE", f"{BASE}/budget-lines/{budget['id']}?version={budget['version']}")
    assert deleted.status_code == 200
    shown = fmo.get(f"{SCENARIOS}/{scenario['id']}").json()
    assert shown["changes"][0]["skipped"] == f"budget.csv: row {budget['id']} is no longer in the post"
    assert shown["changes"][0]["stale"]
    assert _compared(fmo, scenario)["scenario_total"] == _compared(fmo, scenario)["baseline_total"]
    answer = fmo.change("POST", f"{SCENARIOS}/{scenario['id']}/apply", json={"version": changed["version"]})
    assert answer.status_code == 409
    assert "no row" in answer.json()["detail"]


def test_changes_come_out_and_scenarios_go(people):
    fmo = people["fmo"]
    scenario = _made(fmo)
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "5"})
    scenario = _change(fmo, scenario, resource="workload", target="6150:1931.0:UNIFORMED", values={"count": "6"})
    assert len(scenario["changes"]) == 1
    out = fmo.change("DELETE", f"{SCENARIOS}/{scenario['id']}/changes/1")
    assert out.status_code == 200
    assert out.json()["changes"] == []
    assert fmo.change("DELETE", f"{SCENARIOS}/{scenario['id']}/changes/1").status_code == 404
    assert [s["name"] for s in fmo.get(SCENARIOS).json()] == ["more uniformed staff"]
    assert fmo.change("DELETE", f"{SCENARIOS}/{scenario['id']}").status_code == 200
    assert fmo.get(SCENARIOS).json() == []
    assert fmo.get(f"{SCENARIOS}/{scenario['id']}").status_code == 404
    assert fmo.get("/api/audit").json()[0]["action"] == "delete scenario"


def test_adding_and_removing_a_change_is_recorded(people):
    """Issue 16 §5: a scenario's change is stored, so its making, its replacing and its taking out are recorded."""
    fmo = people["fmo"]
    scenario = _made(fmo)
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "5"})
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "6"})
    assert fmo.change("DELETE", f"{SCENARIOS}/{scenario['id']}/changes/1").status_code == 200
    newest = fmo.get("/api/audit").json()[:3]
    entity = f"scenario {scenario['id']} change 1"
    assert [(e["action"], e["entity"], e["user"], e["post"]) for e in newest] == [
        ("remove scenario change", entity, "fmo", KVR),
        ("change scenario", entity, "fmo", KVR),
        ("change scenario", entity, "fmo", KVR),
    ]
    assert newest[0]["before"]["values"] == {"count": "6"}
    assert newest[0]["after"] is None
    assert (newest[1]["before"]["values"], newest[1]["after"]["values"]) == ({"count": "5"}, {"count": "6"})
    assert (newest[2]["before"], newest[2]["after"]["target"]) == (None, LINE)


def test_a_change_removed_on_the_page_is_recorded(app):
    from icass.api.guard import CSRF_HEADER
    from tests.web.test_web import signed_in

    fmo = sign_in(app, "fmo")
    scenario = _made(fmo)
    _change(fmo, scenario, resource="workload", target=LINE, values={"count": "5"})
    page, csrf = signed_in(app, "fmo")
    here = f"/posts/{KVR}/{FY}/scenarios/{scenario['id']}"
    removed = page.delete(here + "/changes/1", headers={CSRF_HEADER: csrf, "HX-Request": "true"})
    assert removed.status_code == 200, removed.text
    newest = fmo.get("/api/audit").json()[0]
    assert (newest["action"], newest["entity"], newest["user"]) == (
        "remove scenario change",
        f"scenario {scenario['id']} change 1",
        "fmo",
    )


def test_every_role_boundary(app, people):
    fmo, admin, committee, hq = people["fmo"], people["admin"], people["committee"], people["hq"]
    scenario = _made(admin, "the admin's")
    one = f"{SCENARIOS}/{scenario['id']}"
    body = {"resource": "workload", "target": LINE, "values": {"count": "3"}}
    # The committee reads, and changes nothing: not its own scenario, not the FMO's, and never applies.
    for url in (SCENARIOS, one, one + "/comparison"):
        assert committee.get(url).status_code == 200, url
    for method, url, json in (
        ("POST", SCENARIOS, {"name": "mine"}),
        ("POST", one + "/changes", body),
        ("DELETE", one + "/changes/1", None),
        ("POST", one + "/apply", {"version": scenario["version"]}),
        ("DELETE", one, None),
    ):
        answer = committee.change(method, url, json=json)
        assert answer.status_code == 403, (method, url)
        assert "admin or FMO" in answer.json()["detail"]
        # hq has no access at all (not found: it does not read the post); signed out, nothing.
        assert hq.change(method, url, json=json).status_code == 404, (method, url)
        assert TestClient(app).request(method, url, content=b"{bad").status_code == 401
    for url in (SCENARIOS, one, one + "/comparison"):
        assert hq.get(url).status_code == 404, url
    # The FMO of one post touches no other post's scenarios.
    other = next(p for p in admin.get("/api/posts").json() if p["code"] != KVR)
    elsewhere = f"/api/posts/{other['code']}/{other['fiscal_year']}/scenarios"
    assert fmo.get(elsewhere).status_code == 404
    assert fmo.change("POST", elsewhere, json={"name": "x"}).status_code == 404
    made = admin.change("POST", elsewhere, json={"name": "x"})
    assert made.status_code == 201
    # A scenario is found only under its own post.
    assert fmo.get(f"{SCENARIOS}/{made.json()['id']}").status_code == 404
    # The admin's scenario is the post's: its FMO changes and applies it.
    changed = _change(fmo, scenario, **body)
    assert fmo.change("POST", one + "/apply", json={"version": changed["version"]}).status_code == 200
    # 403 before the body is read: a malformed body from the committee is still 403, not 422.
    assert committee.change("POST", one + "/changes", content=b"{bad").status_code == 403


def test_the_overlay_leaves_the_post_cells_and_names_each_changed_row(seeded_url):
    engine = open_database(seeded_url)
    try:
        with engine.begin() as connection:
            post = changes.find_post(connection, KVR, FY)
            before = stored_cells(connection, post.id)
            made = scenarios.create_scenario(connection, post, "overlay", "fmo")
            first = changes.list_rows(connection, post, "budget.csv")[0]
            scenarios.add_change(
                connection, post, made.id, "budget-lines", "set", str(first.id), {"amount": "2.5"}, "fmo"
            )
            scenarios.add_change(connection, post, made.id, "workload", "set", LINE, {"count": "8"}, "fmo")
            scenario = scenarios.get_scenario(connection, post, made.id)
            found = scenarios.run_scenario(connection, post, scenario)
            assert stored_cells(connection, post.id) == before
        budget = before.files["budget.csv"]
        assert found.rows[1] == ("budget.csv", 2)
        file, number = found.rows[2]
        assert (file, number) == ("workload.csv", len(before.files["workload.csv"].records) + 2)
        assert found.run.bundle is not None
        billed = [
            w for w in found.run.bundle.workload if (w.cost_center, w.agency, w.factor) == ("6150", AGENCY, "UNIFORMED")
        ]
        assert [str(w.count) for w in billed] == ["8"]
        assert budget.records[0][budget.header.index("amount")] == first.cells()["amount"]
        assert found.run.bundle.budget[0].amount == 250  # "2.5" is read as the cells are: 2.50
        assert run_stored(engine, post.id).bundle.budget[0].amount == parse_cents(first.cells()["amount"])
    finally:
        engine.dispose()


def test_the_pages_ask_what_the_api_asks(app):
    from icass.api.guard import CSRF_HEADER
    from tests.web.test_web import signed_in

    pages = f"/posts/{KVR}/{FY}/scenarios"
    assert TestClient(app).get(pages, follow_redirects=False).headers["location"] == "/login"
    fmo, csrf = signed_in(app, "fmo")
    assert f'href="{pages}"' in fmo.get(f"/posts/{KVR}/{FY}").text  # from the dashboard
    assert fmo.post(pages, data={"name": "page"}).status_code == 403  # no CSRF token
    made = fmo.post(pages, data={"name": "page"}, headers={CSRF_HEADER: csrf, "HX-Request": "true"})
    assert made.status_code == 201
    here = made.headers["HX-Redirect"]
    assert "page" in fmo.get(pages).text
    shown = fmo.get(here)
    assert f'<option value="{LINE}">' in shown.text  # the line is picked by its name, its id the option's value
    assert 'id="review-apply"' not in shown.text  # nothing to apply yet
    headers = {CSRF_HEADER: csrf, "HX-Request": "true"}
    form = {"resource": "workload", "target": LINE, "column": "count", "value": "x"}
    refused = fmo.post(here + "/changes", data=form, headers=headers)
    assert refused.status_code == 200
    assert 'id="change-error"' in refused.text  # beside the field, in words
    assert "not a plain decimal number" in refused.text
    changed = fmo.post(here + "/changes", data={**form, "value": "250"}, headers=headers)
    assert 'id="scenario-saved"' in changed.text
    assert 'id="review-apply"' in changed.text
    # The committee reads the page, with no field to change and no Apply; hq is refused.
    committee, committee_csrf = signed_in(app, "committee")
    read = committee.get(here)
    assert read.status_code == 200
    assert "250" in read.text
    assert 'id="change-workload"' not in read.text
    assert 'id="review-apply"' not in read.text
    assert committee.get(here + "/apply").status_code == 403
    assert "Create" not in committee.get(pages).text
    tried = committee.post(here + "/apply", data={"version": 1}, headers={CSRF_HEADER: committee_csrf})
    assert tried.status_code == 403
    hq, _ = signed_in(app, "hq")
    assert hq.get(here).status_code == 404
    assert hq.get(pages).status_code == 404
    # The post changes under the scenario: the page says so.
    client = sign_in(app, "admin")
    assert client.change("PATCH", f"{BASE}/workload/{LINE}", json={"count": "12", "version": 0}).status_code == 200
    stale = fmo.get(here).text
    assert 'id="post-changed"' in stale
    assert "row changed since" in stale
    version = re.search(r'"version": "(\d+)"', fmo.get(here + "/apply").text)
    assert version is not None
    refused = fmo.post(here + "/apply", data={"version": version.group(1)}, headers=headers)
    assert "nothing was applied" in refused.text
    fmo.post(here + "/changes", data={**form, "value": "250"}, headers=headers)
    version = re.search(r'"version": "(\d+)"', fmo.get(here + "/apply").text)
    assert version is not None
    applied = fmo.post(here + "/apply", data={"version": version.group(1)}, headers=headers)
    assert applied.headers["HX-Redirect"] == here
    applied = fmo.get(here)
    assert 'id="applied"' in applied.text
    assert 'id="change-workload"' not in applied.text
