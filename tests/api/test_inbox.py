"""The inbox and what a post awaits on the API (issue 20 §2, icass.api.inbox): the actions of a version's path
as they come and go for each role, who sees what (a committee member its agency's at its post, an
agency's headquarters its agency's everywhere, the FMO its post's, the ISC all), and the people named."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from icass.api import inbox as inbox_api
from icass.model.workload_approval import Dispute
from icass.store import certifications, data_call, workload_approvals
from icass.store.accounts import Account, Grant, create_account
from icass.store.changes import find_post
from icass.store.schema import tdy_invoices
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, KVR, sign_in
from tests.conftest import DEMO_PASSWORD

app, people = test_api.app, test_api.people

OTHER = "1900.0"  # a second agency seated on KVR's committee
PSL = "PSL"  # the lite post, where AGENCY is an agency too
COUNCIL = {"date": "2026-11-20", "minutes": "Council meeting of 20 November, item 3"}


@pytest.fixture
def everyone(app, people):
    with app.state.engine.begin() as connection:
        create_account(connection, "committee2", DEMO_PASSWORD, [Grant("committee", post=KVR, agency=OTHER)])
        create_account(connection, "fmo_psl", DEMO_PASSWORD, [Grant("fmo", post=PSL)])
        create_account(connection, "committee_psl", DEMO_PASSWORD, [Grant("committee", post=PSL, agency=AGENCY)])
    more = {name: sign_in(app, name) for name in ("committee2", "fmo_psl", "committee_psl")}
    return {**people, **more}


def _step(person, post: str, number: int, step: str, **more):
    answer = person.change("POST", f"/api/posts/{post}/{FY}/versions/{number}/steps", json={"step": step, **more})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _made(person, post: str) -> int:
    made = person.change("POST", f"/api/posts/{post}/{FY}/versions", json={"kind": "initial", "comment": ""})
    assert made.status_code == 201, made.text
    return made.json()["number"]


def _inbox(person) -> tuple[int, list[tuple], list[tuple]]:
    answer = person.get("/api/inbox")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["count"] == len(shown["yours"])
    return (
        shown["count"],
        [(a["what"], a["post"], a["agency"], a["version"]) for a in shown["yours"]],
        [(a["what"], a["post"], a["agency"], a["version"]) for a in shown["others"]],
    )


def test_the_inbox_follows_a_version_along_its_path_for_each_role(everyone):
    fmo, admin, hq = everyone["fmo"], everyone["admin"], everyone["hq"]
    committee, committee2 = everyone["committee"], everyone["committee2"]
    for person in everyone.values():
        assert _inbox(person) == (0, [], [])  # the demo has no version yet, and no data call
    number = _made(fmo, KVR)
    assert _inbox(fmo) == (0, [], [])  # a draft is the FMO's own work: it awaits nobody
    _step(fmo, KVR, number, "submit_to_committee")
    theirs = ("recommend", KVR, AGENCY, number)
    seconds = ("recommend", KVR, OTHER, number)
    assert _inbox(committee) == (1, [theirs], [])
    assert _inbox(committee2) == (1, [seconds], [])
    assert _inbox(fmo) == (0, [], [seconds, theirs])  # the FMO follows its post's
    assert _inbox(hq) == (0, [], [])  # its member's, on the post's page, which headquarters does not read
    assert _inbox(admin) == (0, [], [seconds, theirs])
    assert _inbox(everyone["fmo_psl"]) == (0, [], [])
    assert _inbox(everyone["committee_psl"]) == (0, [], [])  # its agency, another post
    _step(committee, KVR, number, "recommend")
    assert _inbox(committee) == (0, [], [])
    assert _inbox(committee2) == (1, [seconds], [])
    _step(committee2, KVR, number, "recommend")
    council = ("record_council_approval", KVR, None, number)
    assert _inbox(fmo) == (1, [council], [])
    assert _inbox(admin) == (0, [], [council])  # the ISC may record it too, but it waits for the FMO
    assert _inbox(committee) == (0, [], [])  # not its agency's
    _step(fmo, KVR, number, "record_council_approval", **COUNCIL)
    assert _inbox(fmo) == (1, [("submit_to_isc", KVR, None, number)], [])
    _step(fmo, KVR, number, "submit_to_isc")
    accept = ("accept_or_return", KVR, None, number)
    assert _inbox(admin) == (1, [accept], [])
    assert _inbox(fmo) == (0, [], [accept])
    _step(admin, KVR, number, "return", comment="the guard's costs are missing")
    # returned: its next revision is a draft that waits for the FMO to correct it and send it again
    again = ("submit_to_committee", KVR, None, number + 1)
    assert _inbox(fmo) == (1, [again], [])
    assert _inbox(admin) == (0, [], [again])
    for person in (committee, committee2, hq, everyone["fmo_psl"], everyone["committee_psl"]):
        assert _inbox(person) == (0, [], [])
    answer = fmo.get("/api/inbox").json()["yours"][0]
    assert "the guard's costs are missing" in answer["words"]
    _step(fmo, KVR, number + 1, "submit_to_committee")
    _step(committee, KVR, number + 1, "recommend", refused=True, comment="the guard's costs are still missing")
    refused = ("submit_to_committee", KVR, None, number + 1)  # back to draft: it waits for the FMO again
    assert _inbox(fmo) == (1, [refused], [])
    assert "was refused" in fmo.get("/api/inbox").json()["yours"][0]["words"]


def test_an_actions_item_says_whose_what_and_where(everyone):
    fmo = everyone["fmo"]
    number = _made(fmo, KVR)
    _step(fmo, KVR, number, "submit_to_committee")
    (item,) = everyone["committee"].get("/api/inbox").json()["yours"]
    assert item == {
        "post": KVR,
        "fiscal_year": FY,
        "what": "recommend",
        "words": f"Recommend version {number} (initial) to the Council, for {AGENCY}",
        "by": ["committee"],
        "agency": AGENCY,
        "who": f"{AGENCY}'s member of the Budget Committee",
        "due": None,
        "late": False,
        "link": f"/posts/{KVR}/{FY}#version-{number}-step",
        "version": number,
        "invoice": None,
        "people": None,
    }


def test_a_posts_awaited_actions_name_the_people_and_only_its_readers_see_them(everyone):
    fmo = everyone["fmo"]
    number = _made(fmo, KVR)
    _step(fmo, KVR, number, "submit_to_committee")
    _made(everyone["fmo_psl"], PSL)  # another post's version: not this post's
    _step(everyone["fmo_psl"], PSL, 1, "submit_to_committee")
    for reader in ("fmo", "committee", "committee2", "admin"):
        answer = everyone[reader].get(f"{BASE}/awaited")
        assert answer.status_code == 200, answer.text
        shown = answer.json()
        assert [(a["what"], a["agency"]) for a in shown] == [("recommend", OTHER), ("recommend", AGENCY)]
        assert [a["people"] for a in shown] == [
            [{"capacity": "committee", "agency": OTHER, "usernames": ["committee2"]}],
            [{"capacity": "committee", "agency": AGENCY, "usernames": ["committee"]}],
        ]
    for outsider in ("hq", "fmo_psl", "committee_psl"):  # they do not read KVR whole
        assert everyone[outsider].get(f"{BASE}/awaited").status_code == 404
    assert everyone["fmo"].get(f"/api/posts/{KVR}/{FY + 1}/awaited").status_code == 404
    _step(everyone["committee"], KVR, number, "recommend")
    _step(everyone["committee2"], KVR, number, "recommend")
    (council,) = fmo.get(f"{BASE}/awaited").json()
    assert council["who"] == "the post's FMO"
    assert council["people"] == [{"capacity": "fmo", "agency": None, "usernames": ["fmo"]}]


def test_a_disabled_member_is_not_waited_for(everyone, app):
    from sqlalchemy import update

    from icass.store.schema import accounts

    fmo = everyone["fmo"]
    number = _made(fmo, KVR)
    _step(fmo, KVR, number, "submit_to_committee")
    with app.state.engine.begin() as connection:
        connection.execute(update(accounts).where(accounts.c.username == "committee2").values(disabled=True))
    assert [a["agency"] for a in fmo.get(f"{BASE}/awaited").json()] == [AGENCY]  # OTHER is no longer seated


def test_the_inbox_needs_a_session(app):
    from fastapi.testclient import TestClient

    assert TestClient(app).get("/api/inbox").status_code == 401
    assert TestClient(app).get(f"{BASE}/awaited").status_code == 401


TODAY = dt.date(2026, 6, 15)  # after the default data call's day for the counts to go to the agencies (June 1)


@pytest.fixture
def data_call_open(app, monkeypatch):
    """Fiscal year FY's data call opened with its default dates, and today between its two dates."""
    monkeypatch.setattr(inbox_api, "today", lambda: TODAY)
    with app.state.engine.begin() as connection:
        return data_call.open_or_change(connection, FY, "admin")


def _certify(app, post: str, agency: str, username: str = "committee") -> None:
    with app.state.engine.begin() as connection:
        key = find_post(connection, post, FY)
        certifications.certify(connection, key, Account(0, username, (Grant("hq", agency=agency),)), agency, "")


def test_each_agency_certifies_its_staffing_data_by_the_data_calls_date(everyone, app, data_call_open):
    call = data_call_open
    assert call.counts_to_agencies_by < TODAY < call.counts_agreed_by
    mine = [("certify_staffing", KVR, AGENCY, None), ("approve_counts", KVR, AGENCY, None)]
    assert _inbox(everyone["committee"]) == (2, mine, [])
    certify, approve = everyone["committee"].get("/api/inbox").json()["yours"]
    assert (certify["due"], certify["late"]) == (call.counts_to_agencies_by.isoformat(), True)
    assert (approve["due"], approve["late"]) == (call.counts_agreed_by.isoformat(), False)
    assert certify["by"] == approve["by"] == ["committee", "hq"]
    hqs = _inbox(everyone["hq"])[1]
    assert {(what, agency) for what, _, agency, _ in hqs} == {("certify_staffing", AGENCY), ("approve_counts", AGENCY)}
    assert {KVR, PSL} <= {post for _, post, _, _ in hqs}  # its agency at every post where it is an agency
    count, yours, others = _inbox(everyone["fmo"])
    assert (count, yours) == (0, [])
    assert {(what, post) for what, post, _, _ in others} == {("certify_staffing", KVR), ("approve_counts", KVR)}
    assert {agency for _, _, agency, _ in others} >= {"1900.0", AGENCY}
    _certify(app, KVR, AGENCY)
    assert _inbox(everyone["committee"]) == (1, mine[1:], [])
    assert ("certify_staffing", KVR, AGENCY, None) not in _inbox(everyone["hq"])[1]
    shown = everyone["fmo"].get(f"{BASE}/awaited").json()
    assert ("certify_staffing", AGENCY) not in {(a["what"], a["agency"]) for a in shown}
    people = {(a["what"], a["agency"]): a["people"] for a in shown}
    assert people[("certify_staffing", "1900.0")] == [
        {"capacity": "committee", "agency": "1900.0", "usernames": ["committee2"]},
        {"capacity": "hq", "agency": "1900.0", "usernames": []},
    ]


def _approval(app, agency: str, step: str, username: str, lines=()) -> None:
    with app.state.engine.begin() as connection:
        key = find_post(connection, KVR, FY)
        grant = Grant("fmo", post=KVR) if step == "reopen" else Grant("committee", post=KVR, agency=agency)
        workload_approvals.take(connection, key, agency, Account(0, username, (grant,)), step, "why", lines)


def test_an_approval_ends_the_wait_a_dispute_waits_for_the_fmo_a_reopening_for_the_agency(
    everyone, app, data_call_open
):
    approve_mine = ("approve_counts", KVR, AGENCY, None)
    assert approve_mine in _inbox(everyone["committee"])[1]
    _approval(app, AGENCY, "approve", "committee")
    assert approve_mine not in _inbox(everyone["committee"])[1]
    assert approve_mine not in _inbox(everyone["fmo"])[2]
    line = next(x for x in everyone["fmo"].get(f"{BASE}/workload").json() if x["agency"] == OTHER)
    _approval(app, OTHER, "dispute", "committee2", [Dispute(line["cost_center"], "we have 3 fewer")])
    dispute = ("resolve_dispute", KVR, OTHER, None)
    assert _inbox(everyone["fmo"])[:2] == (1, [dispute])
    assert ("approve_counts", KVR, OTHER, None) not in _inbox(everyone["committee2"])[1]
    assert dispute in _inbox(everyone["committee2"])[2]  # its agency's dispute: it follows it
    _approval(app, AGENCY, "reopen", "fmo")
    (item,) = [a for a in everyone["committee"].get("/api/inbox").json()["yours"] if a["what"] == "approve_counts"]
    assert item["words"] == f"Approve or dispute {AGENCY}'s workload counts again (the FMO reopened them)"
    assert item["link"] == f"/posts/{KVR}/{FY}/workload-approval/{AGENCY}"


def test_the_iscs_status_of_the_data_call(everyone, app, data_call_open):
    status = f"/api/world/{FY}/data-call/status"
    for person in ("fmo", "committee", "hq"):
        assert everyone[person].get(status).status_code == 403
    _certify(app, KVR, AGENCY)
    shown = everyone["admin"].get(status).json()
    assert shown["data_call"]["counts_to_agencies_by"] == data_call_open.counts_to_agencies_by.isoformat()
    posts = {p["post"]: p for p in shown["posts"]}
    assert {KVR, PSL} <= set(posts)
    kvr = {a["agency"]: a for a in posts[KVR]["agencies"]}
    assert (kvr[AGENCY]["certified"], kvr[AGENCY]["certified_by"], kvr[AGENCY]["late"]) == (
        "certified",
        "committee",
        [],
    )
    assert kvr["1900.0"]["certified"] == "not_certified"
    assert kvr["1900.0"]["late"] == ["Certify 1900.0's staffing data as of the count date"]
    assert posts[KVR]["late"] == len(kvr) - 1
    assert shown["late"] == sum(p["late"] for p in shown["posts"])
    empty = everyone["admin"].get(f"/api/world/{FY + 5}/data-call/status").json()
    assert empty == {"fiscal_year": FY + 5, "data_call": None, "posts": [], "late": 0}


def test_without_a_data_call_nothing_is_awaited_of_the_agencies(everyone):
    shown = everyone["admin"].get(f"/api/world/{FY}/data-call/status").json()
    assert shown["data_call"] is None
    assert shown["late"] == 0
    assert all(p["awaited"] == [] for p in shown["posts"])
    assert all(a["certified"] == "not_certified" for p in shown["posts"] for a in p["agencies"])


def test_a_tdy_invoice_submitted_waits_for_its_agencys_headquarters(everyone, app):
    with app.state.engine.begin() as connection:
        key = find_post(connection, KVR, FY)
        for invoice, state in (("V-1", "submitted_to_isc"), ("V-2", "approved"), ("V-3", "prepared")):
            submitted = None if state == "prepared" else "2026-10-03"
            connection.execute(
                insert(tdy_invoices).values(
                    post_id=key.id, invoice=invoice, agency=AGENCY, state=state, submitted_on=submitted
                )
            )
    tdy = ("approve_tdy_invoice", KVR, AGENCY, None)
    assert _inbox(everyone["hq"]) == (1, [tdy], [])
    (item,) = everyone["hq"].get("/api/inbox").json()["yours"]
    assert (item["invoice"], item["link"]) == ("V-1", f"/posts/{KVR}/{FY}/tdy")
    assert item["words"] == f"Approve or reject TDY invoice V-1 of {AGENCY}, submitted 2026-10-03"
    assert _inbox(everyone["fmo"]) == (0, [], [tdy])
    assert _inbox(everyone["committee"]) == (0, [], [tdy])  # its agency's, at its post
    assert _inbox(everyone["committee2"]) == (0, [], [])
    assert _inbox(everyone["admin"]) == (0, [], [tdy])


def test_the_inbox_reads_stored_states_and_computes_no_post(everyone, app, data_call_open, monkeypatch):
    number = _made(everyone["fmo"], KVR)  # a version is made from a computed post: before the guard below
    _step(everyone["fmo"], KVR, number, "submit_to_committee")
    _certify(app, KVR, AGENCY)

    def refused(*_args, **_kwargs):
        raise AssertionError("the inbox computed a post")

    from icass.store import compute, versions

    for name in ("run_records", "run_derived"):
        monkeypatch.setattr(compute, name, refused)
    monkeypatch.setattr(versions, "run_post", refused)
    for person in everyone.values():
        assert person.get("/api/inbox").status_code == 200
    assert everyone["fmo"].get(f"{BASE}/awaited").status_code == 200
    assert everyone["admin"].get(f"/api/world/{FY}/data-call/status").status_code == 200
    assert _inbox(everyone["committee"])[1] == [("approve_counts", KVR, AGENCY, None), ("recommend", KVR, AGENCY, 1)]
