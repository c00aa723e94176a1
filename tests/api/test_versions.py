"""Approved versions and what changed since (issue 8 §4, icass.store.versions): who may record an approval,
the rows changed since, and each agency's invoice then and now, exact to the cent; on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, _invoice_total, _line

app, people = test_api.app, test_api.people  # the API and one signed-in client a role

VERSIONS = f"{BASE}/versions"


def test_who_may_record_an_approval_and_read_versions(people):
    assert people["fmo"].get(VERSIONS).json() == []
    assert people["committee"].change("POST", VERSIONS, json={"note": "x"}).status_code == 403
    assert people["hq"].change("POST", VERSIONS, json={}).status_code == 404  # hq does not read the post
    assert people["hq"].get(VERSIONS).status_code == 404
    made = people["fmo"].change("POST", VERSIONS, json={"note": "Council, 20 November"})
    assert made.status_code == 200, made.text
    assert made.json() | {"number": 1, "approved_by": "fmo", "note": "Council, 20 November"} == made.json()
    assert people["admin"].change("POST", VERSIONS, json={}).json()["number"] == 2
    assert [v["number"] for v in people["committee"].get(VERSIONS).json()] == [2, 1]  # newest first
    record = people["admin"].get("/api/audit").json()
    assert [e["entity"] for e in record if e["action"] == "approve version"] == ["version 2", "version 1"]
    assert people["fmo"].get(f"{VERSIONS}/9/changes").status_code == 404


def test_changes_since_the_approved_version(people):
    fmo = people["fmo"]
    assert fmo.change("POST", VERSIONS, json={}).status_code == 200
    nothing = fmo.get(f"{VERSIONS}/1/changes").json()
    assert nothing["files"] == []
    assert nothing["agencies"] == []
    assert nothing["then_total"] == nothing["now_total"]
    before = _invoice_total(fmo, AGENCY)
    line = _line(fmo, "6150", AGENCY)
    wanted = str(Decimal(line["count"]) + 40)
    assert fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": wanted, "version": 0}).status_code == 200
    since = people["committee"].get(f"{VERSIONS}/1/changes").json()
    (workload,) = since["files"]
    assert workload["file"] == "workload.csv"
    assert workload["removed"] == []
    (added,) = workload["added"]
    assert dict(zip(workload["header"], added, strict=True)) | {"cost_center": "6150", "agency": AGENCY} == dict(
        zip(workload["header"], added, strict=True)
    )
    moved = {a["agency"]: a for a in since["agencies"]}
    now = _invoice_total(fmo, AGENCY)
    assert Decimal(moved[AGENCY]["then"]) == before
    assert Decimal(moved[AGENCY]["now"]) == now
    assert Decimal(moved[AGENCY]["difference"]) == now - before > 0
    for agency, change in moved.items():  # every agency's figures are its invoices', to the cent
        assert Decimal(change["now"]) == _invoice_total(fmo, agency)
    # The post's total is shared differently, not changed: the differences cancel exactly.
    assert sum(Decimal(a["difference"]) for a in since["agencies"]) == 0
    # A count changed, nothing else: the whole difference is a count effect (icass variance).
    for change in moved.values():
        assert Decimal(change["count_effect"]) == Decimal(change["difference"])
        assert Decimal(change["cost_effect"]) == Decimal(change["modification_effect"]) == 0
    assert any(f"because {AGENCY}" in told or "count rose" in told for told in since["largest_changes"])
    assert since["then_total"] == since["now_total"]
