"""The API answers the store's typed records (issue 17 §6) with the JSON it answered when the store handed it
dicts: a row's fields in the order id, version, row, its file's columns, extra; a conflict's `current` the row or
workload line as it is now, in the same order. On SQLite and PostgreSQL."""

from __future__ import annotations

from icass.api.schemas import WorkloadOut
from icass.bundle.format import FILES
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE

app, people = test_api.app, test_api.people  # the API and one signed-in client a role


def test_a_stale_change_of_a_row_answers_the_row_as_it_is_now(people):
    fmo = people["fmo"]
    first = fmo.get(f"{BASE}/budget-lines").json()[0]
    changed = fmo.change("PUT", f"{BASE}/budget-lines/{first['id']}", json={"amount": "12.50", "version": 1})
    assert changed.status_code == 200, changed.text
    stale = fmo.change("PUT", f"{BASE}/budget-lines/{first['id']}", json={"amount": "13", "version": 1})
    assert stale.status_code == 409, stale.text
    current = stale.json()["current"]
    assert current == changed.json() == fmo.get(f"{BASE}/budget-lines/{first['id']}").json()
    assert list(current) == ["id", "version", "row", *FILES["budget.csv"].names, "extra"]
    assert (current["amount"], current["version"]) == ("12.50", 2)


def test_a_stale_count_answers_the_workload_line_as_it_is_now(people):
    fmo = people["fmo"]
    line = next(w for w in fmo.get(f"{BASE}/workload").json() if (w["cost_center"], w["agency"]) == ("6150", AGENCY))
    entered = fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": "77", "version": 0})
    assert entered.status_code == 200, entered.text
    stale = fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": "1", "version": 0})
    assert stale.status_code == 409, stale.text
    current = stale.json()["current"]
    assert current == entered.json() == fmo.get(f"{BASE}/workload/{line['id']}").json()
    assert list(current) == list(WorkloadOut.model_fields)
    assert (current["count"], current["origin"], current["version"]) == ("77", "entered", 1)
