"""Versions and their path on the API (issue 20 §1, icass.model.approval): the whole path with each role, every
step out of order (409) and every role boundary (403), a return and refusals, a version's invoices unchanged by
later edits, and what changed since the version the Council approved; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from icass.model.approval import STEPS, State
from icass.store.accounts import Grant, create_account
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, KVR, _invoice_total, _line, sign_in
from tests.conftest import DEMO_PASSWORD

app, people = test_api.app, test_api.people  # the API and one signed-in client a role

VERSIONS = f"{BASE}/versions"
OTHER = "1900.0"  # a second agency seated on KVR's committee (State), beside the demo committee's AGENCY
COUNCIL = {"date": "2026-11-20", "minutes": "Council meeting of 20 November, item 3"}


@pytest.fixture
def seated(app, people):
    """The demo's people and a second committee member, so that the committee has two agencies."""
    with app.state.engine.begin() as connection:
        create_account(connection, "committee2", DEMO_PASSWORD, [Grant("committee", post=KVR, agency=OTHER)])
    return {**people, "committee2": sign_in(app, "committee2")}


def _step(person, number: int, step: str, **more):
    return person.change("POST", f"{VERSIONS}/{number}/steps", json={"step": step, **more})


def _made(person, kind: str = "initial") -> dict:
    made = person.change("POST", VERSIONS, json={"kind": kind, "comment": "as the FMO proposes it"})
    assert made.status_code == 201, made.text
    return made.json()


def _walk(seated, number: int, to: State) -> None:
    """Take the version along the path, from where it stands, until it is `to`."""
    while (shown := seated["fmo"].get(f"{VERSIONS}/{number}").json())["state"] != to.value:
        step = next(s for s in STEPS.values() if s.due_in == shown["state"] and s.name != "return")
        who = TAKERS[step.name][0]
        if step.name == "recommend" and AGENCY not in shown["waiting_for"]:
            who = "committee2"
        answer = _step(seated[who], number, step.name, **(COUNCIL if step.name == "record_council_approval" else {}))
        assert answer.status_code == 200, answer.text


def test_the_whole_path_with_each_role(seated):
    fmo, committee, admin = seated["fmo"], seated["committee"], seated["admin"]
    assert committee.change("POST", VERSIONS, json={"kind": "initial"}).status_code == 403
    assert seated["hq"].change("POST", VERSIONS, json={"kind": "initial"}).status_code == 404  # not its post
    assert fmo.change("POST", VERSIONS, json={"kind": "draft"}).status_code == 422
    made = _made(fmo)
    assert made | {"number": 1, "kind": "initial", "revision": 0, "state": "draft", "steps": []} == made
    assert re.fullmatch(r"[0-9a-f]{64}", made["sha256"])
    assert _step(fmo, 1, "submit_to_committee", comment="for the meeting of 12 November").json()["state"] == (
        "with_committee"
    )
    first = _step(committee, 1, "recommend", comment="1931.0 agrees")
    assert first.status_code == 200, first.text
    assert (first.json()["state"], first.json()["waiting_for"]) == ("with_committee", [OTHER])
    assert _step(seated["committee2"], 1, "recommend").json()["state"] == "recommended"
    assert _step(fmo, 1, "record_council_approval", date="2026-11-20").status_code == 422  # no minutes
    assert _step(admin, 1, "record_council_approval", **COUNCIL).json()["state"] == "council_approved"
    assert _step(fmo, 1, "submit_to_isc").json()["state"] == "submitted_to_isc"
    accepted = _step(admin, 1, "accept", comment="in order")
    assert accepted.status_code == 200, accepted.text
    shown = committee.get(f"{VERSIONS}/1").json()
    assert shown == accepted.json()
    assert shown["state"] == "accepted"
    assert (shown["council_date"], shown["council_minutes"]) == (COUNCIL["date"], COUNCIL["minutes"])
    assert [(s["step"], s["user"], s["agency"], s["state"]) for s in shown["steps"]] == [
        ("submit_to_committee", "fmo", None, "with_committee"),
        ("recommend", "committee", AGENCY, "with_committee"),
        ("recommend", "committee2", OTHER, "recommended"),
        ("record_council_approval", "admin", None, "council_approved"),
        ("submit_to_isc", "fmo", None, "submitted_to_isc"),
        ("accept", "admin", None, "accepted"),
    ]
    assert shown["steps"][0]["comment"] == "for the meeting of 12 November"
    assert all(s["at"] for s in shown["steps"])
    record = admin.get("/api/audit").json()
    assert [e["action"] for e in record[:7]] == ["version step"] * 6 + ["create version"]
    assert [v["number"] for v in committee.get(VERSIONS).json()] == [1]
    assert seated["hq"].get(f"{VERSIONS}/1").status_code == 404


# Who takes each step, and one who may not (each role boundary is a 403).
TAKERS = {
    "submit_to_committee": ("fmo", ("admin", "committee")),
    "recommend": ("committee", ("fmo",)),
    "record_council_approval": ("fmo", ("committee",)),
    "submit_to_isc": ("fmo", ("admin", "committee")),
    "accept": ("admin", ("fmo", "committee")),
    "return": ("admin", ("fmo", "committee")),
}


def test_every_step_out_of_order_is_a_conflict_and_every_role_boundary_forbidden(seated):
    assert set(TAKERS) == set(STEPS)
    _made(seated["fmo"])
    for state in (State.DRAFT, State.WITH_COMMITTEE, State.RECOMMENDED, State.COUNCIL_APPROVED, State.SUBMITTED_TO_ISC):
        if state != State.DRAFT:
            _walk(seated, 1, state)
        for step, (taker, others) in TAKERS.items():
            for other in others:
                refused = _step(seated[other], 1, step, comment="why", **COUNCIL)
                assert refused.status_code == 403, (state, step, other, refused.text)
            if STEPS[step].due_in == state:
                continue
            late = _step(seated[taker], 1, step, comment="why", **COUNCIL)
            assert late.status_code == 409, (state, step, late.text)
            assert f"the version is {state.value}" in late.json()["detail"]
    _walk(seated, 1, State.ACCEPTED)
    for step, (taker, _) in TAKERS.items():
        assert _step(seated[taker], 1, step, comment="why", **COUNCIL).status_code == 409
    again = _step(seated["committee"], 1, "recommend")
    assert "the version is accepted" in again.json()["detail"]


def test_a_member_recommends_once_and_the_isc_may_override(seated):
    _made(seated["fmo"])
    _step(seated["fmo"], 1, "submit_to_committee")
    assert _step(seated["committee"], 1, "recommend").json()["state"] == "with_committee"
    twice = _step(seated["committee"], 1, "recommend")
    assert twice.status_code == 409
    assert "already recommended" in twice.json()["detail"]
    assert _step(seated["admin"], 1, "recommend").status_code == 422  # an override needs a reason
    override = _step(seated["admin"], 1, "recommend", comment="the committee did not meet before the deadline")
    assert override.json()["state"] == "recommended"
    assert override.json()["steps"][-1] | {"user": "admin", "agency": None} == override.json()["steps"][-1]


def test_refusals_go_back_to_draft_and_a_return_is_a_new_revision(seated):
    fmo, admin = seated["fmo"], seated["admin"]
    made = _made(fmo, "final")
    _step(fmo, 1, "submit_to_committee")
    _step(seated["committee"], 1, "recommend")
    assert _step(seated["committee2"], 1, "recommend", refused=True).status_code == 422  # no comment
    refused = _step(seated["committee2"], 1, "recommend", refused=True, comment="5624 is counted twice")
    assert refused.json()["state"] == "draft"
    assert refused.json()["steps"][-1] | {"refused": True, "agency": OTHER} == refused.json()["steps"][-1]
    # Sent again, it needs every agency's recommendation again.
    assert _step(fmo, 1, "submit_to_committee").json()["waiting_for"] == [OTHER, AGENCY]
    _step(seated["committee"], 1, "recommend")
    _step(seated["committee2"], 1, "recommend")
    council = _step(fmo, 1, "record_council_approval", refused=True, comment="the Council asked for cuts")
    assert council.json()["state"] == "draft"
    _walk(seated, 1, State.SUBMITTED_TO_ISC)
    assert _step(admin, 1, "accept", refused=True, comment="x").status_code == 422  # refusing it is a return
    assert _step(admin, 1, "return").status_code == 422  # a return needs the ISC's comments
    returned = _step(admin, 1, "return", comment="the LGP lines lack their funding")
    assert returned.json()["state"] == "returned"
    revision = fmo.get(f"{VERSIONS}/2").json()
    assert (revision["kind"], revision["revision"], revision["state"]) == ("final", 1, "draft")
    assert revision["sha256"] == made["sha256"]
    assert "the LGP lines lack their funding" in revision["comment"]
    assert _made(fmo, "final")["revision"] == 2
    assert _made(fmo, "initial")["revision"] == 0


def test_a_version_and_its_invoices_do_not_change_with_the_post(seated):
    fmo = seated["fmo"]
    made = _made(fmo)
    url = f"{VERSIONS}/1/invoices/{AGENCY}"
    before = fmo.get(url).json()
    assert before | {"version": 1, "kind": "initial", "revision": 0, "state": "draft", "sha256": made["sha256"]} == (
        before
    )
    live = fmo.get(f"{BASE}/invoices/{AGENCY}").json()
    assert {k: v for k, v in before.items() if k in live} == live  # shaped as the live one, with the version
    line = _line(fmo, "6150", AGENCY)
    wanted = str(Decimal(line["count"]) + 40)
    assert fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": wanted, "version": 0}).status_code == 200
    assert _invoice_total(fmo, AGENCY) > Decimal(before["total"])
    assert fmo.get(url).json() == before
    assert fmo.get(f"{VERSIONS}/1").json()["sha256"] == made["sha256"]
    assert seated["hq"].get(url).json() == before  # the agency's headquarters reads it too
    pdf = fmo.get(url, params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert fmo.get(f"{VERSIONS}/9/invoices/{AGENCY}").status_code == 404


def test_changes_since_the_version_the_council_approved(seated):
    fmo = seated["fmo"]
    _made(fmo)
    _walk(seated, 1, State.COUNCIL_APPROVED)
    _made(fmo)  # a draft made after: not the approved version
    nothing = fmo.get(f"{VERSIONS}/1/changes").json()
    assert nothing["version"] | {"number": 1, "approved_by": "fmo", "note": COUNCIL["minutes"]} == nothing["version"]
    assert nothing["files"] == []
    assert nothing["agencies"] == []
    assert nothing["then_total"] == nothing["now_total"]
    before = _invoice_total(fmo, AGENCY)
    line = _line(fmo, "6150", AGENCY)
    wanted = str(Decimal(line["count"]) + 40)
    assert fmo.change("PATCH", f"{BASE}/workload/{line['id']}", json={"count": wanted, "version": 0}).status_code == 200
    since = seated["committee"].get(f"{VERSIONS}/1/changes").json()
    (workload,) = since["files"]
    assert workload["file"] == "workload.csv"
    assert workload["removed"] == []
    moved = {a["agency"]: a for a in since["agencies"]}
    now = _invoice_total(fmo, AGENCY)
    assert Decimal(moved[AGENCY]["then"]) == before
    assert Decimal(moved[AGENCY]["now"]) == now
    for agency, change in moved.items():  # every agency's figures are its invoices', to the cent
        assert Decimal(change["now"]) == _invoice_total(fmo, agency)
    assert sum(Decimal(a["difference"]) for a in since["agencies"]) == 0
    # A count changed, nothing else: the whole difference is a count effect (icass variance).
    for change in moved.values():
        assert Decimal(change["count_effect"]) == Decimal(change["difference"])
        assert Decimal(change["cost_effect"]) == Decimal(change["modification_effect"]) == 0
    assert any(f"because {AGENCY}" in told or "count rose" in told for told in since["largest_changes"])
    assert since["then_total"] == since["now_total"]
    assert fmo.get(f"{VERSIONS}/9/changes").status_code == 404
