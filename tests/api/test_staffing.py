"""The data call and staffing certification on the API (issue 20 §2): the ISC alone opens the data call, anyone
signed in reads it (404 before it is opened); each agency's committee member, headquarters or the ISC certifies
its staffing, nobody else (403); the hash is of exactly the agency's rows; an edit clears it and says so."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from icass.store.accounts import Grant, create_account
from icass.store.schema import posts
from icass.views.staffing import COLUMNS, agency_rows, rows_sha256
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, KVR, sign_in
from tests.conftest import DEMO_PASSWORD

app, people = test_api.app, test_api.people  # the API and one signed-in client a role

CALL = f"/api/world/{FY}/data-call"
CERTIFICATIONS = f"{BASE}/certifications"
STATE = "1900.0"  # another agency at KVR, with people


@pytest.fixture
def seated(app, people):
    """The demo's people, State's member of KVR's committee and State's headquarters."""
    with app.state.engine.begin() as connection:
        create_account(connection, "committee2", DEMO_PASSWORD, [Grant("committee", post=KVR, agency=STATE)])
        create_account(connection, "statehq", DEMO_PASSWORD, [Grant("hq", agency=STATE)])
    return {**people, "committee2": sign_in(app, "committee2"), "statehq": sign_in(app, "statehq")}


def _opened(admin, **dates):
    answer = admin.change("PUT", CALL, json=dates)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _certify(person, agency, comment=""):
    return person.change("POST", CERTIFICATIONS, json={"agency": agency, "comment": comment})


def _of(person, agency):
    answer = person.get(CERTIFICATIONS)
    assert answer.status_code == 200, answer.text
    return next(a for a in answer.json()["agencies"] if a["agency"] == agency)


def test_the_data_call_is_not_found_until_the_isc_opens_it_with_the_defaults(seated):
    admin, fmo, hq = seated["admin"], seated["fmo"], seated["hq"]
    missing = hq.get(CALL)
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"the ISC has not opened the data call of fiscal year {FY}"
    for who in ("fmo", "committee", "hq"):
        assert seated[who].change("PUT", CALL, json={}).status_code == 403
    assert admin.get(CALL).status_code == 404  # a refused change opened nothing
    opened = _opened(admin)
    assert {k: v for k, v in opened.items() if k not in ("opened_at",)} == {
        "fiscal_year": FY,
        "count_date": "2026-05-01",
        "window_start": "2025-05-01",
        "window_end": "2026-04-30",
        "counts_to_agencies_by": "2026-06-01",
        "counts_agreed_by": "2026-07-01",
        "opened_by": "admin",
    }
    assert fmo.get(CALL).json() == hq.get(CALL).json() == opened
    changed = _opened(admin, count_date="2026-04-15")
    assert (changed["window_start"], changed["window_end"]) == ("2025-04-15", "2026-04-14")
    assert changed["counts_agreed_by"] == "2026-07-01"  # what the change did not give stays
    assert seated["committee"].get(f"/api/world/{FY + 1}/data-call").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"counts_agreed_by": "2026-05-15"}, "counts_agreed_by"),
        ({"window_end": "2026-05-01"}, "count_date"),
        (
            {"count_date": "2026-10-01", "counts_to_agencies_by": "2026-11-01", "counts_agreed_by": "2026-12-01"},
            "count_date",
        ),
        ({"count_date": "not a date"}, "count_date"),
        ({"opened_by": "someone"}, "opened_by"),
    ],
)
def test_a_data_call_out_of_order_is_refused_naming_the_date(seated, body, field):
    answer = seated["admin"].change("PUT", CALL, json=body)
    assert answer.status_code == 422, answer.text
    assert field in answer.text
    assert seated["admin"].get(CALL).status_code == 404


def test_who_may_certify_an_agency_s_staffing(seated):
    admin, fmo, committee, hq = seated["admin"], seated["fmo"], seated["committee"], seated["hq"]
    early = _certify(hq, AGENCY)
    assert early.status_code == 409
    assert "has not opened the data call" in early.json()["detail"]
    _opened(admin)
    assert _certify(fmo, STATE).status_code == 403  # the FMO prepares the data, the agency certifies it
    assert _certify(committee, STATE).status_code == 403  # another agency's member
    assert _certify(hq, STATE).status_code == 403  # another agency's headquarters
    assert _certify(admin, "0000.0").status_code == 422  # not at the post
    assert _certify(admin, "not a code").status_code == 422
    mine = _certify(hq, AGENCY, "as the system of record has it")
    assert mine.status_code == 201, mine.text
    assert (mine.json()["state"], mine.json()["by"], mine.json()["comment"]) == (
        "certified",
        "hq",
        "as the system of record has it",
    )
    assert _certify(seated["committee2"], STATE).json()["by"] == "committee2"
    assert _certify(seated["statehq"], STATE).status_code == 201
    assert _certify(admin, STATE).json()["by"] == "admin"
    shown = {a["agency"]: a for a in fmo.get(CERTIFICATIONS).json()["agencies"]}
    assert (shown[AGENCY]["state"], shown[STATE]["state"]) == ("certified", "certified")
    assert not any(a["may_certify"] for a in shown.values())  # the FMO certifies none
    assert all(a["may_certify"] for a in admin.get(CERTIFICATIONS).json()["agencies"])
    # A headquarters sees its own agencies only, and of a post where none of them is, what it sees of no post.
    assert [a["agency"] for a in hq.get(CERTIFICATIONS).json()["agencies"]] == [AGENCY]
    absent, elsewhere = hq.get(f"/api/posts/ZZZ/{FY}/certifications"), hq.get(f"/api/posts/ALD/{FY}/certifications")
    assert absent.status_code == elsewhere.status_code == 404
    assert absent.json()["detail"].replace("ZZZ", "ALD") == elsewhere.json()["detail"]
    outsider = seated["committee2"].get(f"/api/posts/ALD/{FY}/certifications")
    assert outsider.status_code == 404


def _people_rows(person) -> list[list[str]]:
    listed = person.get(f"{BASE}/people")
    assert listed.status_code == 200, listed.text
    return [["" if r[c] is None else str(r[c]) for c in COLUMNS] for r in listed.json()]


def test_the_hash_is_of_exactly_the_agency_s_rows_on_the_count_date(seated):
    import datetime as dt

    admin = seated["admin"]
    _opened(admin)
    done = _certify(admin, STATE).json()
    rows = agency_rows(_people_rows(admin), STATE, dt.date(2026, 5, 1))
    assert done["sha256"] == done["current_sha256"] == rows_sha256(rows)
    assert done["certified_rows"] == done["rows"] == len(rows) > 0
    assert sum(done["by_category"].values()) == len(rows)


def test_an_edit_clears_the_certification_and_says_so(seated):
    admin, fmo = seated["admin"], seated["fmo"]
    _opened(admin)
    certified = _certify(admin, STATE).json()
    _certify(seated["hq"], AGENCY)
    row = next(r for r in fmo.get(f"{BASE}/people").json() if r["agency"] == STATE and not r["end_date"])
    changed = fmo.change(
        "PUT", f"{BASE}/people/{row['id']}", json={"version": row["version"], "end_date": "2026-04-01"}
    )
    assert changed.status_code == 200, changed.text
    said = f"{STATE}'s staffing certification of {certified['at'][:10]} was cleared by this change"
    assert changed.json()["notices"] == [said]
    cleared = _of(fmo, STATE)
    assert (cleared["state"], cleared["cleared_by"], cleared["reason"]) == (
        "cleared",
        "fmo",
        "its people records changed",
    )
    assert cleared["cleared_at"] >= certified["at"]
    assert cleared["current_sha256"] != cleared["sha256"] == certified["sha256"]
    assert _of(fmo, AGENCY)["state"] == "certified"  # another agency's stands
    again = fmo.change("PUT", f"{BASE}/people/{row['id']}", json={"version": row["version"] + 1, "end_date": ""})
    assert again.json()["notices"] == []  # said once; a cleared certification stays cleared
    assert _of(fmo, STATE)["state"] == "cleared"
    recertified = _certify(admin, STATE).json()
    assert recertified["state"] == "certified"
    gone = fmo.change("DELETE", f"{BASE}/people/{row['id']}", params={"version": row["version"] + 2})
    assert gone.status_code == 200, gone.text
    assert gone.json()["detail"].endswith(
        f"{STATE}'s staffing certification of {recertified['at'][:10]} was cleared by this change"
    )


def test_a_post_count_date_other_than_the_data_call_s_is_warned_of(seated, app):
    admin = seated["admin"]
    _opened(admin)
    assert admin.get(CERTIFICATIONS).json()["warning"] is None
    with app.state.engine.begin() as connection:
        connection.execute(
            update(posts).where(posts.c.code == KVR, posts.c.fiscal_year == FY).values(count_date="2026-04-15")
        )
    shown = admin.get(CERTIFICATIONS).json()
    assert shown["post_count_date"] == "2026-04-15"
    assert shown["warning"].startswith("post.toml's count_date (2026-04-15) differs from the data call's (2026-05-01)")
