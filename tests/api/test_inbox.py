"""The inbox and what a post awaits on the API (issue 20 §2, icass.api.inbox): the actions of a version's path
as they come and go for each role, who sees what (a committee member its agency's at its post, an
agency's headquarters its agency's everywhere, the FMO its post's, the ISC all), and the people named."""

from __future__ import annotations

import pytest

from icass.store.accounts import Grant, create_account
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
    assert _inbox(hq) == (0, [], [theirs])  # its agency's, taken by its member at the post
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
    for person in everyone.values():  # returned: its next revision is a draft again, the FMO's own work
        assert _inbox(person) == (0, [], [])


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
