"""The ISC's AmSal and PAT factors of a fiscal year over the API (H-423.1-1 b: "AmSal factors are programmed
centrally"): the admin alone changes them, each change in the record; everyone signed in reads them; every post
of the year is computed with them. The seeded database holds the sample world of 2027, without a table of
factors until the admin makes one; on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, Person, _invoice_total

app, people = test_api.app, test_api.people
FACTORS = f"/api/world/{FY}/cost-factors"


def _table_from_kvr(admin: Person) -> dict[str, dict]:
    """The ISC's table made, row by row, of KVR's own factors (the sample posts all have the same)."""
    made = {}
    for own in admin.get(f"{BASE}/cost-factors").json():
        cells = {c: str(own[c]) for c in ("grade", "amsal", "pat")}
        answer = admin.change("POST", FACTORS, json=cells)
        assert answer.status_code == 200, answer.text
        made[own["grade"]] = answer.json()
    return made


def _errors(person: Person) -> list[dict]:
    return [p for p in person.get(BASE).json()["problems"] if p["severity"] == "error"]


def test_the_admin_alone_changes_the_table_and_everyone_reads_it(app, people):
    admin = people["admin"]
    assert admin.get(FACTORS).json() == []  # the sample world has none yet
    assert TestClient(app).get(FACTORS).status_code == 401
    cells = {"grade": "FS-01", "amsal": "204700.00", "pat": "45000.00"}
    for person in ("fmo", "committee", "hq"):
        refused = people[person].change("POST", FACTORS, json=cells)
        assert refused.status_code == 403, refused.text
        assert "change the ISC's cost factors (an admin)" in refused.json()["detail"]
    made = _table_from_kvr(admin)
    fs01 = made["FS-01"]
    for person in ("fmo", "committee", "hq"):
        assert people[person].get(FACTORS).status_code == 200
        assert people[person].get(f"{FACTORS}/{fs01['id']}").json() == fs01
        put = people[person].change("PUT", f"{FACTORS}/{fs01['id']}", json={"pat": "1.00", "version": 1})
        assert put.status_code == 403
        gone = people[person].change("DELETE", f"{FACTORS}/{fs01['id']}", params={"version": 1})
        assert gone.status_code == 403
    changed = admin.change("PUT", f"{FACTORS}/{fs01['id']}", json={"amsal": "205000", "version": 1})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["amsal"], changed.json()["version"]) == ("205000.00", 2)
    stale = admin.change("PUT", f"{FACTORS}/{fs01['id']}", json={"amsal": "1.00", "version": 1})
    assert stale.status_code == 409
    twice = admin.change("POST", FACTORS, json=cells)
    assert twice.status_code == 422
    assert twice.json()["problems"][0]["field"] == "grade"
    assert admin.get(f"/api/world/{FY + 3}/cost-factors").status_code == 404
    entry = admin.get("/api/audit", params={"user": "admin", "action": "update"}).json()[0]
    assert (entry["entity"], entry["fiscal_year"]) == (f"cost_factors.csv {fs01['id']} of the world", FY)
    assert (entry["before"]["amsal"], entry["after"]["amsal"]) == ("204700.00", "205000.00")


def test_the_posts_of_the_year_are_computed_with_the_table(people):
    admin, fmo = people["admin"], people["fmo"]
    before = _invoice_total(fmo, AGENCY)
    made = _table_from_kvr(admin)
    assert _errors(fmo) == []
    assert _invoice_total(fmo, AGENCY) == before
    # KVR's own FS-02 left out: it takes the ISC's, which the admin raises.
    own = next(r for r in fmo.get(f"{BASE}/cost-factors").json() if r["grade"] == "FS-02")
    assert (
        fmo.change("DELETE", f"{BASE}/cost-factors/{own['id']}", params={"version": own["version"]}).status_code == 200
    )
    fs02 = made["FS-02"]
    raised = admin.change("PUT", f"{FACTORS}/{fs02['id']}", json={"amsal": "278900.00", "version": 1})
    assert raised.status_code == 200, raised.text
    assert _errors(fmo) == []
    assert _invoice_total(fmo, AGENCY) > before
    # An own factor typed other than the ISC's is refused, beside its field, naming both.
    fs04 = next(r for r in fmo.get(f"{BASE}/cost-factors").json() if r["grade"] == "FS-04")
    typed = {"pat": "45500.00", "version": fs04["version"]}
    refused = fmo.change("PUT", f"{BASE}/cost-factors/{fs04['id']}", json=typed)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["problems"]
    assert (problem["field"], problem["section"]) == ("pat", "H-423.1-1 b")
    assert "grade FS-04's factors (AmSal $141,500.00, PAT $45,500.00)" in problem["message"]
    assert "(AmSal $141,500.00, PAT $45,000.00, the ISC's table of fiscal year 2027)" in problem["message"]
    # The ISC's changed: KVR's own FS-04 now differs, an error of the post until its FMO takes the ISC's.
    changed = admin.change("PUT", f"{FACTORS}/{made['FS-04']['id']}", json={"pat": "45500.00", "version": 1})
    assert changed.status_code == 200, changed.text
    [error] = _errors(fmo)
    assert (error["where"], error["field"], error["section"]) == ("cost_factors.csv, row 6", "pat", "H-423.1-1 b")
    assert "PAT $45,000.00) differ from the ISC's (AmSal $141,500.00, PAT $45,500.00" in error["message"]
    assert fmo.get(f"{BASE}/invoices/{AGENCY}").status_code == 422
    taken = fmo.change("PUT", f"{BASE}/cost-factors/{fs04['id']}", json=typed)
    assert taken.status_code == 200, taken.text
    assert _errors(fmo) == []
