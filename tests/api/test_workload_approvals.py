"""The Agency Workload approval on the API (issue 20 §2, icass.store.workload_approvals): the whole path with
each role, steps out of order (409), role boundaries (403), bad input (422 naming the field), and the lock on
a count typed, a modification and a record behind a derived count, until the FMO reopens; on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from icass.store.accounts import Grant, create_account
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, KVR, _line, sign_in
from tests.conftest import DEMO_PASSWORD

app, people = test_api.app, test_api.people  # the API and one signed-in client a role

APPROVALS = f"{BASE}/workload-approvals"
OTHER = "1900.0"  # State, with its own member on KVR's committee
PERSON = {"person_id": "1931-NEW", "agency": AGENCY, "category": "USDH", "start_date": "2026-03-01"}


@pytest.fixture
def seated(app, people):
    with app.state.engine.begin() as connection:
        create_account(connection, "committee2", DEMO_PASSWORD, [Grant("committee", post=KVR, agency=OTHER)])
    return {**people, "committee2": sign_in(app, "committee2")}


def _decide(person, decision: str, agency: str = AGENCY, **more):
    return person.change("POST", APPROVALS, json={"agency": agency, "decision": decision, **more})


def _reopen(person, comment: str = "a count to correct", agency: str = AGENCY):
    return person.change("POST", f"{APPROVALS}/{agency}/reopen", json={"comment": comment})


def _of(person, agency: str = AGENCY) -> dict:
    return next(a for a in person.get(APPROVALS).json() if a["agency"] == agency)


def _typed(person, cost_center: str, more: int = 1):
    line = _line(person, cost_center, AGENCY)
    wanted = str(Decimal(line["count"]) + more)
    return person.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": wanted, "version": line["version"]})


def _counts(person) -> set[tuple[str, str]]:
    return {(x["id"], x["count"]) for x in person.get(f"{BASE}/workload").json() if x["agency"] == AGENCY}


def test_the_whole_path_with_each_role(seated):
    fmo, committee, hq, admin = seated["fmo"], seated["committee"], seated["hq"], seated["admin"]
    listed = fmo.get(APPROVALS).json()
    assert {a["agency"] for a in listed} >= {AGENCY, OTHER}
    assert {a["state"] for a in listed} == {"awaiting"}
    assert [a["agency"] for a in hq.get(APPROVALS).json()] == [AGENCY]  # hq reads its own agency's only
    disputed = _decide(
        committee,
        "dispute",
        comment="two lines",
        lines=[
            {"cost_center": "6150", "comment": "one of ours left in March"},
            {"cost_center": "6195", "comment": ""},
        ],
    )
    assert disputed.status_code == 200, disputed.text
    shown = disputed.json()
    assert (shown["state"], shown["by"], shown["capacity"]) == ("disputed", "committee", "committee")
    assert shown["disputes"] == [{"cost_center": "6150", "comment": "one of ours left in March"}]
    assert _of(fmo)["disputes"] == shown["disputes"]  # the FMO sees the dispute
    assert _typed(fmo, "6150", -1).status_code == 200  # not approved: the FMO corrects the count
    approved = _decide(hq, "approve", comment="as corrected")
    assert approved.status_code == 200, approved.text
    assert approved.json() | {"state": "approved", "by": "hq", "capacity": "hq", "on_behalf": False} == approved.json()
    assert len(approved.json()["sha256"]) == 64
    locked = _typed(fmo, "6150")
    assert locked.status_code == 409, locked.text
    detail = locked.json()["detail"]
    for said in (AGENCY, "approved by hq", approved.json()["at"], "FMO must reopen", "H-341.1-4"):
        assert said in detail
    assert _decide(committee, "approve").status_code == 409  # approved twice
    assert _decide(committee, "dispute", lines=[{"cost_center": "6150", "comment": "x"}]).status_code == 409
    assert _reopen(fmo, comment=" ").status_code == 422
    reopened = _reopen(fmo)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["state"], reopened.json()["comment"]) == ("reopened", "a count to correct")
    assert _typed(fmo, "6150").status_code == 200  # reopened: the edit goes through
    behalf = _decide(admin, "approve", comment="for the agency, by telephone")
    assert behalf.json() | {"state": "approved", "capacity": "admin", "on_behalf": True} == behalf.json()
    assert behalf.json()["sha256"] != approved.json()["sha256"]  # the count changed between
    assert [(s["step"], s["by"], s["state"]) for s in _of(committee)["steps"]] == [
        ("dispute", "committee", "disputed"),
        ("approve", "hq", "approved"),
        ("reopen", "fmo", "reopened"),
        ("approve", "admin", "approved"),
    ]
    entries = [(e["action"], e["entity"], e["user"]) for e in admin.get("/api/audit").json()]
    assert ("workload reopen", f"workload approval {AGENCY}", "fmo") in entries
    assert ("workload approve", f"workload approval {AGENCY}", "admin") in entries


def test_steps_out_of_order(seated):
    fmo, committee = seated["fmo"], seated["committee"]
    assert _reopen(fmo).status_code == 409  # not approved: nothing to reopen
    assert "awaiting" in _reopen(fmo).json()["detail"]
    assert _decide(committee, "approve").status_code == 200
    twice = _decide(committee, "approve")
    assert twice.status_code == 409
    assert "approved already" in twice.json()["detail"]
    assert _reopen(fmo).status_code == 200
    assert _reopen(fmo).status_code == 409  # reopened twice


def test_role_boundaries(seated):
    fmo, hq, other = seated["fmo"], seated["hq"], seated["committee2"]
    assert _decide(other, "approve").status_code == 403  # another agency's committee member
    assert _decide(fmo, "approve").status_code == 403  # the FMO may not approve for an agency
    assert _decide(hq, "approve", agency=OTHER).status_code == 403  # another agency's headquarters
    assert _decide(other, "approve", agency=OTHER).status_code == 200  # its own
    assert _reopen(seated["committee"], agency=OTHER).status_code == 403  # only the FMO or the ISC reopens
    assert _reopen(hq, agency=OTHER).status_code in (403, 404)
    assert _decide(seated["admin"], "approve", agency="9999.0").status_code == 404


def test_bad_input_names_the_field(seated):
    committee = seated["committee"]
    for lines, field in (
        ([], "lines"),
        ([{"cost_center": "6150", "comment": "  "}], "lines"),
        ([{"cost_center": "5822", "comment": "not ours"}], "lines[0].cost_center"),
        ([{"cost_center": "6150", "comment": "a"}, {"cost_center": "6150", "comment": "b"}], "lines[1].cost_center"),
    ):
        answer = _decide(committee, "dispute", lines=lines)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"].startswith(f"{field}: "), answer.text
    wrong = _decide(committee, "approve", lines=[{"cost_center": "6150", "comment": "x"}])
    assert (wrong.status_code, wrong.json()["detail"][:6]) == (422, "lines:")
    assert _decide(committee, "maybe").status_code == 422
    assert committee.change("POST", APPROVALS, json={"decision": "approve"}).status_code == 422  # no agency
    assert _of(committee)["state"] == "awaiting"  # nothing half-written


def test_the_lock_on_a_modification_and_on_a_record(seated):
    fmo, committee = seated["fmo"], seated["committee"]
    assert _decide(committee, "approve").status_code == 200
    modified = fmo.change(
        "POST",
        f"{BASE}/modifications",
        json={
            "cost_center": "6150",
            "agency": AGENCY,
            "modification": "0.5",
            "justification": "less",
            "bc_approved_on": "2026-06-18",
        },
    )
    assert modified.status_code == 409, modified.text
    assert "modification would go from 1 to 0.5" in modified.json()["detail"]
    person = fmo.change("POST", f"{BASE}/people", json=PERSON)  # a record a derived count comes from
    assert person.status_code == 409, person.text
    assert re.search(r"would (gain a count|go from)", person.json()["detail"]), person.text
    elsewhere = fmo.change("POST", f"{BASE}/people", json={**PERSON, "person_id": "1900-NEW", "agency": OTHER})
    assert elsewhere.status_code == 200, elsewhere.text  # another agency's record: not locked
    before = _counts(fmo)
    assert _reopen(fmo).status_code == 200
    assert fmo.change("POST", f"{BASE}/people", json=PERSON).status_code == 200
    assert _counts(fmo) != before  # the record did change a derived count
    again = _decide(committee, "approve")
    assert again.json()["state"] == "approved"
