"""A change of several rows of several tables (issue 17 §2): a new position with its time allocation and its
cost lines in one body, judged and recorded as one; a malformed cell in any of them refuses the whole change;
a problem that spans rows (a time allocation that does not yet sum to 100) is stored as the post's problem,
with its section, and blocks the invoices and the recording of an approved version; removing a position
removes its rows. On SQLite and PostgreSQL (the `people` fixture's seeded database)."""

from __future__ import annotations

import re
from decimal import Decimal

from icass.api.guard import CSRF_HEADER
from icass.catalog.budget_rules import budget_rule
from icass.store.database import open_database
from icass.views.post_home import unfiled
from icass.web.app import create_app
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, KVR
from tests.web import test_web

app, people = test_api.app, test_api.people  # the API and one signed-in client a role

POSITION = {"position_id": "L-900", "category": "LE", "grade": "FSN-09", "title": "Budget Analyst"}
ALLOCATION = [{"cost_center": "6211", "percent": "60"}, {"cost_center": "6150", "percent": "40"}]
COSTS = [{"funding": "RB", "soc": "1100", "amount": "30000.00"}, {"funding": "RB", "soc": "1200", "amount": "5000.50"}]


def unlinked(html: str) -> str:
    """A page's HTML without the links of the glossary terms its sentences name (macros.html's `linked`)."""
    return re.sub(r'<a class="icass-term"[^>]*>([^<]*)</a>', r"\1", html)


def _rows(fmo: test_api.Person) -> dict[str, list[dict]]:
    return {name: fmo.get(f"{BASE}/{name}").json() for name in ("positions", "time-allocation", "position-costs")}


def _invoice_total(fmo: test_api.Person) -> Decimal:
    answer = fmo.get(f"{BASE}/invoices/{AGENCY}")
    assert answer.status_code == 200, answer.text
    return Decimal(answer.json()["total"])


def test_a_position_with_its_time_allocation_and_cost_lines_is_one_change(people):
    fmo, admin = people["fmo"], people["admin"]
    total = Decimal(fmo.get(f"{BASE}/distribution").json()["total"])
    before = _invoice_total(fmo)
    made = fmo.change("POST", f"{BASE}/positions", json={**POSITION, "time_allocation": ALLOCATION, "costs": COSTS})
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["position_id"] == "L-900"
    assert [(r["position_id"], r["cost_center"], r["percent"]) for r in body["time_allocation"]] == [
        ("L-900", "6211", "60"),
        ("L-900", "6150", "40"),
    ]
    assert [(r["soc"], r["amount"]) for r in body["costs"]] == [("1100", "30000.00"), ("1200", "5000.50")]
    detail = fmo.get(f"{BASE}").json()
    assert detail["ok"], detail["problems"]
    # The invoices follow: the post distributes the new cost lines, and the agency's invoice moves.
    assert Decimal(fmo.get(f"{BASE}/distribution").json()["total"]) == total + Decimal("35000.50")
    assert _invoice_total(fmo) != before
    # One audit entry a row, in the one change.
    entries = admin.get("/api/audit").json()[:5]
    assert [e["action"] for e in entries] == ["create"] * 5
    assert sorted(e["entity"].split()[0] for e in entries) == [
        "position_costs.csv",
        "position_costs.csv",
        "positions.csv",
        "time_allocation.csv",
        "time_allocation.csv",
    ]

    # Removing the position removes its time allocation and cost lines, each recorded.
    gone = fmo.change("DELETE", f"{BASE}/positions/{body['id']}", params={"version": body["version"]})
    assert gone.status_code == 200, gone.text
    left = _rows(fmo)
    assert all(r["position_id"] != "L-900" for rows in left.values() for r in rows)
    assert Decimal(fmo.get(f"{BASE}/distribution").json()["total"]) == total
    assert _invoice_total(fmo) == before
    removed = admin.get("/api/audit").json()[:5]
    assert [e["action"] for e in removed] == ["delete"] * 5
    assert {e["entity"] for e in removed} == {
        f"positions.csv {body['id']}",
        *(f"time_allocation.csv {r['id']}" for r in body["time_allocation"]),
        *(f"position_costs.csv {r['id']}" for r in body["costs"]),
    }


def test_a_time_allocation_that_does_not_sum_to_100_is_the_posts_problem(people):
    fmo = people["fmo"]
    made = fmo.change("POST", f"{BASE}/positions", json={**POSITION, "time_allocation": ALLOCATION[:1], "costs": COSTS})
    assert made.status_code == 200, made.text  # stored: the FMO finishes the allocation next
    detail = fmo.get(f"{BASE}").json()
    assert not detail["ok"]
    errors = [p for p in detail["problems"] if p["severity"] == "error"]
    assert [p["message"] for p in errors] == [
        "position L-900: time allocation sums to 60 percent, not 100 (time_allocation.csv). "
        f"{budget_rule('R52').message} (rule R52)"
    ]
    assert errors[0]["field"] == "position_id"
    assert errors[0]["where"] == f"positions.csv, row {made.json()['row']}"
    # It blocks the invoices (422 with the error, never a 500), and making a version of the budget.
    for url in (f"{BASE}/distribution", f"{BASE}/invoices/{AGENCY}", f"{BASE}/invoices/{AGENCY}?format=pdf"):
        refused = fmo.get(url)
        assert refused.status_code == 422, (url, refused.text)
        assert [p["message"] for p in refused.json()["problems"]] == [errors[0]["message"]]
    versions = fmo.get(f"{BASE}/versions").json()
    approval = fmo.change("POST", f"{BASE}/versions", json={"kind": "initial", "comment": "for the committee"})
    assert approval.status_code == 422, approval.text
    assert [p["message"] for p in approval.json()["problems"]] == [errors[0]["message"]]
    assert fmo.get(f"{BASE}/versions").json() == versions
    # Fixed by adding the rest of the allocation, row by row: then the post is whole again and may be made a version.
    rest = fmo.change("POST", f"{BASE}/time-allocation", json={"position_id": "L-900", **ALLOCATION[1]})
    assert rest.status_code == 200, rest.text
    assert fmo.get(f"{BASE}").json()["ok"]
    assert fmo.change("POST", f"{BASE}/versions", json={"kind": "initial"}).status_code == 201


def test_a_section_is_shown_with_a_problem_that_spans_rows(people):
    # A dual position all on 0000: a rule with its handbook section, found across rows, and stored.
    fmo = people["fmo"]
    made = fmo.change(
        "POST",
        f"{BASE}/positions",
        json={
            **POSITION,
            "dual_function": "yes",
            "dual_approved_on": "2026-02-03",
            "time_allocation": [{"cost_center": "0000", "percent": "100"}],
            "costs": COSTS,
        },
    )
    assert made.status_code == 200, made.text
    errors = [p for p in fmo.get(f"{BASE}").json()["problems"] if p["severity"] == "error"]
    assert len(errors) == 1
    assert errors[0]["section"]
    assert "0000" in errors[0]["message"]


def test_a_time_allocation_row_of_a_position_not_there_yet_is_stored(people):
    fmo = people["fmo"]
    early = fmo.change("POST", f"{BASE}/time-allocation", json={"position_id": "L-901", **ALLOCATION[0]})
    assert early.status_code == 200, early.text
    problems = fmo.get(f"{BASE}").json()["problems"]
    assert "unknown position 'L-901'" in [p["message"] for p in problems]


def test_a_malformed_cell_in_any_row_refuses_the_whole_change(people):
    fmo = people["fmo"]
    before = _rows(fmo)
    wrong = [
        ({**POSITION, "category": "XX"}, ALLOCATION, COSTS, "category"),  # an unknown category, read back
        (POSITION, [ALLOCATION[0], {"cost_center": "6150", "percent": "forty"}], COSTS, "percent"),
        (POSITION, [ALLOCATION[0], {"cost_center": "9999", "percent": "40"}], COSTS, "cost_center"),
        (POSITION, ALLOCATION, [COSTS[0], {"funding": "RB", "soc": "1200", "amount": "12.345"}], "amount"),
        (POSITION, ALLOCATION, [{**COSTS[0], "funding": "AMSAL"}], "funding"),
        (POSITION, [{**ALLOCATION[0], "position_id": "M-001"}, ALLOCATION[1]], COSTS, "position_id"),
    ]
    for position, allocation, costs, field in wrong:
        answer = fmo.change(
            "POST", f"{BASE}/positions", json={**position, "time_allocation": allocation, "costs": costs}
        )
        assert answer.status_code == 422, (field, answer.text)
        assert field in {p["field"] for p in answer.json()["problems"]}, answer.text
        assert _rows(fmo) == before  # nothing of it was stored
    assert fmo.get(f"{BASE}").json()["ok"]


def test_a_position_without_its_rows_is_still_one_row(people):
    fmo = people["fmo"]
    made = fmo.change("POST", f"{BASE}/positions", json=POSITION)
    assert made.status_code == 200, made.text
    assert made.json()["time_allocation"] == []
    assert made.json()["costs"] == []
    listed = [r for r in fmo.get(f"{BASE}/positions").json() if r["position_id"] == "L-900"]
    assert listed == [{k: v for k, v in made.json().items() if k not in ("time_allocation", "costs")}]


def test_a_post_with_a_problem_across_rows_answers_with_it_everywhere(seeded_url):
    engine = open_database(seeded_url)
    try:
        site = create_app(engine, secure_cookies=False)
        fmo, admin = test_api.sign_in(site, "fmo"), test_api.sign_in(site, "admin")
        made = fmo.change("POST", f"{BASE}/positions", json={**POSITION, "time_allocation": ALLOCATION[:1]})
        assert made.status_code == 200, made.text
        message = (
            "position L-900: time allocation sums to 60 percent, not 100 (time_allocation.csv). "
            f"{budget_rule('R52').message} (rule R52)"
        )
        dashboard = fmo.get(f"/posts/{KVR}/{FY}")
        assert dashboard.status_code == 200
        assert unfiled(message) in unlinked(dashboard.text)  # the page names the table, not its file
        assert unfiled(message) != message
        assert 'id="approve-version"' not in dashboard.text
        assert 'id="approval-blocked"' in dashboard.text
        page = fmo.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
        assert page.status_code == 422
        assert message in page.text
        world = admin.get(f"/api/world/{FY}/invoices")
        assert world.status_code == 422, world.text
        assert message in [p["message"] for p in world.json()["problems"]]
        assert admin.get(f"/world/{FY}").status_code == 422
    finally:
        engine.dispose()


def test_the_fmo_adds_a_position_with_its_rows_in_one_form(seeded_url):
    engine = open_database(seeded_url)
    try:
        site = create_app(engine, secure_cookies=False)
        client, csrf = test_web.signed_in(site, "fmo")
        url = f"/posts/{KVR}/{FY}/tables/positions"
        assert 'name="time_allocation.percent"' in client.get(url).text
        form = {
            **POSITION,
            "time_allocation.cost_center": "6211",
            "time_allocation.percent": "100",
            "costs.funding": "RB",
            "costs.soc": "1100",
            "costs.amount": "12000.00",
        }
        headers = {CSRF_HEADER: csrf, "HX-Request": "true"}
        wrong = client.post(url, data={**form, "time_allocation.percent": "all"}, headers=headers)
        assert "Nothing was saved" in wrong.text
        said = unlinked(wrong.text)
        assert "Time allocation: Percent: &#39;all&#39; is not" in said  # the table and field by their labels
        assert "<input" not in wrong.text  # only the problems: the form keeps what was typed
        added = client.post(url, data=form, headers=headers)
        assert added.status_code == 200
        assert "L-900" in added.text
        api = f"/api/posts/{KVR}/{FY}"
        assert [(r["cost_center"], r["percent"]) for r in client.get(f"{api}/time-allocation").json()[-1:]] == [
            ("6211", "100")
        ]
        assert client.get(f"{api}/position-costs").json()[-1]["amount"] == "12000.00"
        assert client.get(api).json()["ok"]
    finally:
        engine.dispose()
