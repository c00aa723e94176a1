"""Variance explained on stored posts (issue 20 §3): the API compares a version with the live rows (or two
versions), its CSV is `icass variance`'s; who may read it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, _line

app, people = test_api.app, test_api.people  # the API and one signed-in client a role

VARIANCE = f"{BASE}/variance"


def _version(fmo) -> int:
    made = fmo.change("POST", f"{BASE}/versions", json={"kind": "initial", "comment": "as of today"})
    assert made.status_code == 201, made.text
    return made.json()["number"]


def test_the_change_since_a_version_by_what_made_it(people):
    fmo = people["fmo"]
    number = _version(fmo)
    line = _line(fmo, "6150", AGENCY)
    wanted = str(Decimal(line["count"]) + 40)
    assert fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": wanted, "version": 0}).status_code == 200
    found = people["committee"].get(VARIANCE, params={"old_version": number})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["old"].startswith(f"FY {FY}, version {number} (initial, draft), ")
    assert body["new"] == f"FY {FY}, live"
    for line in body["lines"]:  # a count changed, nothing else
        assert Decimal(line["count_effect"]) == Decimal(line["new"]) - Decimal(line["old"])
        assert Decimal(line["cost_effect"]) == Decimal(line["modification_effect"]) == 0
    by_agency = {a["code"]: a for a in body["by_agency"]}
    assert Decimal(by_agency[AGENCY]["change"]) > 0
    assert sum(Decimal(a["change"]) for a in body["by_agency"]) == 0  # the total is shared, not changed
    assert any("count rose" in told for told in body["largest_changes"])
    printed = fmo.get(VARIANCE, params={"old_version": number, "format": "csv", "agency": AGENCY})
    assert printed.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(printed.text)))
    assert rows
    assert {r["agency"] for r in rows} == {AGENCY}
    assert (
        printed.text.splitlines()[0]
        == "agency,cost_center,funding,old,new,cost_effect,count_effect,modification_effect"
    )


def test_same_budget_unknown_version_and_other_people(people):
    fmo = people["fmo"]
    assert fmo.get(VARIANCE).status_code == 409  # OLD would be NEW
    assert fmo.get(VARIANCE, params={"old_version": 999}).status_code == 404
    assert fmo.get(VARIANCE, params={"old_fiscal_year": FY - 5}).status_code == 404
    assert people["hq"].get(VARIANCE, params={"old_version": 1}).status_code == 404  # not its post to see
