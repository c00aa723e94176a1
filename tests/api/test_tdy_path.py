"""TDY invoices through their own path (issue 20 §5) on the API and the TDY page: prepared -> submitted to the ISC
(the FMO; judged on that day) -> approved or rejected (the ISC or the sponsoring agency's hq); every step out of
order, every role boundary, the roll to the next fiscal year (H-363.1-6 c(7)), the refusal without the Council's
approval of the visitor policy (H-362 a), and what the invoice document shows (H-363.1-6 a(2)).

The sample KVR FY 2027 budget bills the visits that end in FY 2028: T01 (1300.0, four travelers, approved by the
agency on 2027-11-12), T05 (8900.0, approved 2028-02-13), T06 (1600.0, with T10), T07 (1900.0) and T11 (1600.0,
below the threshold)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from icass.api import tdy as tdy_api
from icass.store.accounts import Grant, create_account
from icass.store.changes import find_post
from icass.store.database import open_database
from icass.store.schema import audit_log, documents, posts
from icass.store.tdy_path import Awaiting, tdy_awaiting
from icass.web.app import create_app
from tests.api.test_api import BASE, FY, KVR, sign_in
from tests.conftest import DEMO_PASSWORD

INVOICES = f"{BASE}/tdy/invoices"
POLICY = "tdy/policy.toml"


@pytest.fixture
def engine(seeded_url):
    engine = open_database(seeded_url)
    with engine.begin() as connection:
        create_account(connection, "hq-fcs", DEMO_PASSWORD, [Grant("hq", agency="1300.0")])
        create_account(connection, "hq-1600", DEMO_PASSWORD, [Grant("hq", agency="1600.0")])
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def site(engine):
    return create_app(engine, secure_cookies=False)


@pytest.fixture
def day(monkeypatch):
    """Set the day steps are taken on: `day(2028, 7, 1)`."""

    def set_day(*ymd: int) -> None:
        monkeypatch.setattr(tdy_api, "today", lambda: dt.date(*ymd))

    set_day(2028, 7, 1)
    return set_day


def _step(person, invoice: str, step: str, comment: str = ""):
    return person.change("POST", f"{INVOICES}/{invoice}/steps", json={"step": step, "comment": comment})


def _invoice(person, invoice: str, **params) -> dict:
    answer = person.get(INVOICES, params=params)
    assert answer.status_code == 200, answer.text
    return next(i for i in answer.json()["invoices"] if i["invoice"] == invoice)


def test_the_whole_path_with_each_role(site, engine, day):
    fmo, admin, committee = (sign_in(site, n) for n in ("fmo", "admin", "committee"))
    fcs, other_hq = sign_in(site, "hq-fcs"), sign_in(site, "hq-1600")
    t01 = _invoice(fmo, "T01")
    assert (t01["state"], t01["steps"], t01["may_take"]) == ("prepared", [], ["submit_to_isc"])
    assert _invoice(committee, "T01")["may_take"] == []
    # Only the post's FMO submits (403 for everyone else, the ISC included); hq of another agency does not see it.
    for person in (admin, committee, fcs):
        assert _step(person, "T01", "submit_to_isc").status_code == 403
    assert _step(other_hq, "T01", "submit_to_isc").status_code == 404
    # Headquarters' steps before the submission: out of order, said with the state.
    for step in ("approve", "reject"):
        refused = _step(admin, "T01", step, "too early")
        assert refused.status_code == 409
        assert "invoice T01 is prepared" in refused.json()["detail"]
    sent = _step(fmo, "T01", "submit_to_isc", "agency approval attached")
    assert sent.status_code == 200, sent.text
    assert (sent.json()["state"], sent.json()["submitted_on"], sent.json()["judged_on"]) == (
        "submitted_to_isc",
        "2028-07-01",
        "2028-07-01",
    )
    assert [(s["step"], s["user"], s["comment"], s["state"]) for s in sent.json()["steps"]] == [
        ("submit_to_isc", "fmo", "agency approval attached", "submitted_to_isc")
    ]
    again = _step(fmo, "T01", "submit_to_isc")
    assert again.status_code == 409
    assert "invoice T01 is submitted_to_isc" in again.json()["detail"]
    # Headquarters: the ISC or the agency's own hq; not the FMO, not a committee member, not another agency's hq.
    for person in (fmo, committee):
        assert _step(person, "T01", "approve").status_code == 403
    assert _step(other_hq, "T01", "approve").status_code == 404
    assert _invoice(fcs, "T01")["may_take"] == ["approve", "reject"]
    unsaid = _step(fcs, "T01", "reject", "  ")
    assert unsaid.status_code == 422
    assert "reason" in unsaid.json()["detail"]
    rejected = _step(fcs, "T01", "reject", "the eCC number of Ana Ruiz is wrong")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["steps"][-1]["comment"] == "the eCC number of Ana Ruiz is wrong"
    # Back with the post: judged as any invoice not submitted, on the day asked.
    assert _invoice(fmo, "T01", as_of="2028-07-05")["judged_on"] == "2028-07-05"
    assert _step(admin, "T01", "approve").json()["detail"].startswith("invoice T01 is rejected")
    # Corrected and submitted again, on a later day: judged on that day.
    day(2028, 7, 10)
    resent = _step(fmo, "T01", "submit_to_isc", "eCC corrected")
    assert (resent.json()["state"], resent.json()["submitted_on"]) == ("submitted_to_isc", "2028-07-10")
    approved = _step(admin, "T01", "approve", "checked")
    assert approved.status_code == 200, approved.text
    assert [s["step"] for s in approved.json()["steps"]] == ["submit_to_isc", "reject", "submit_to_isc", "approve"]
    assert [s["user"] for s in approved.json()["steps"]] == ["fmo", "hq-fcs", "fmo", "admin"]
    for person, step in ((fmo, "submit_to_isc"), (admin, "approve"), (admin, "reject")):
        done = _step(person, "T01", step, "again")
        assert done.status_code == 409
        assert "invoice T01 is approved" in done.json()["detail"]
    # The agency's hq approves its own invoice.
    assert _step(fmo, "T06", "submit_to_isc").status_code == 200
    assert _step(fcs, "T06", "approve").status_code == 404
    assert _step(other_hq, "T06", "approve").json()["state"] == "approved"
    with engine.connect() as connection:
        logged = connection.execute(select(audit_log.c.username).where(audit_log.c.action == "tdy invoice step"))
        assert [u for (u,) in logged] == ["fmo", "hq-fcs", "fmo", "admin", "fmo", "hq-1600"]


def test_hq_reads_its_own_agencys_invoices_only(site, day):
    assert [i["invoice"] for i in sign_in(site, "hq-fcs").get(INVOICES).json()["invoices"]] == ["T01"]
    assert [i["invoice"] for i in sign_in(site, "hq-1600").get(INVOICES).json()["invoices"]] == ["T06", "T11"]
    assert sign_in(site, "hq-fcs").get(f"/api/posts/{KVR}/{FY - 5}/tdy/invoices").status_code == 404
    assert len(sign_in(site, "committee").get(INVOICES).json()["invoices"]) == 5
    fcs = sign_in(site, "hq-fcs")
    assert _step(fcs, "T99", "approve").status_code == 404
    assert fcs.change("POST", f"{INVOICES}/T01/steps", json={"step": "accept"}).status_code == 422


def test_an_invoice_is_judged_on_its_submission_day(site, day):
    fmo = sign_in(site, "fmo")
    day(2027, 12, 1)  # T05's agency approved it on 2028-02-13: it is held on this day
    held = _step(fmo, "T05", "submit_to_isc")
    assert held.status_code == 409
    assert "approved on 2028-02-13, after 2027-12-01" in held.json()["detail"]
    assert "below the threshold" in _step(fmo, "T11", "submit_to_isc").json()["detail"]
    assert _step(fmo, "T01", "submit_to_isc").status_code == 200
    day(2028, 10, 15)  # after the September 30 deadline (H-363.1-6 b(4))
    late = _step(fmo, "T05", "submit_to_isc")
    assert late.status_code == 409
    assert "after the 2028-09-30 deadline" in late.json()["detail"]
    t01 = _invoice(fmo, "T01", as_of="2028-10-15")
    assert (t01["status"], t01["judged_on"], t01["reasons"]) == ("issued", "2027-12-01", [])
    t05 = _invoice(fmo, "T05", as_of="2028-10-15")
    assert (t05["status"], t05["judged_on"]) == ("rejected", "2028-10-15")


def test_an_invoice_submitted_after_the_final_invoices_rolls_to_the_next_year(site, engine, day):
    fmo, admin = sign_in(site, "fmo"), sign_in(site, "admin")
    final = "/api/world/2028/final-invoices"
    assert fmo.get(final).json() == {"fiscal_year": 2028, "issued_on": None}
    for person in (fmo, sign_in(site, "hq-fcs"), sign_in(site, "committee")):
        assert person.change("PUT", final, json={"issued_on": "2028-06-15"}).status_code == 403
    bad = admin.change("PUT", final, json={"issued_on": "June"})
    assert bad.status_code == 422
    assert "issued_on" in bad.text
    day(2028, 6, 10)
    assert _step(fmo, "T05", "submit_to_isc").status_code == 200
    day(2028, 6, 15)
    assert _step(fmo, "T06", "submit_to_isc").status_code == 200  # the same day: not after
    day(2028, 7, 1)
    assert _step(fmo, "T01", "submit_to_isc").status_code == 200
    assert all(_invoice(fmo, i)["billed_in"] == 2028 for i in ("T01", "T05", "T06"))
    recorded = admin.change("PUT", final, json={"issued_on": "2028-06-15"})
    assert recorded.json() == {"fiscal_year": 2028, "issued_on": "2028-06-15"}
    listed = fmo.get(INVOICES).json()
    assert listed["final_invoices_issued_on"] == "2028-06-15"
    billed = {i["invoice"]: (i["billed_in"], i["billed_in_said"]) for i in listed["invoices"]}
    assert billed["T05"] == (2028, "")
    assert billed["T06"] == (2028, "")
    assert billed["T01"] == (
        2029,
        "submitted on 2028-07-01, after the FY 2028 final headquarters invoices were issued on 2028-06-15: "
        "billed in FY 2029 (H-363.1-6 c(7))",
    )
    page = fmo.client.get(f"/posts/{KVR}/{FY}/tdy")
    assert 'id="tdy-T01-rolled"' in page.text
    assert "billed in FY 2029 (H-363.1-6 c(7))" in page.text
    assert 'id="tdy-T05-rolled"' not in page.text
    with engine.connect() as connection:
        entry = connection.execute(select(audit_log).where(audit_log.c.action == "final invoices issued")).one()
    assert (entry.username, entry.fiscal_year) == ("admin", 2028)


def _policy(engine, text: str) -> None:
    with engine.begin() as connection:
        post_id = connection.execute(select(posts.c.id).where(posts.c.code == KVR, posts.c.fiscal_year == FY))
        mine = (documents.c.post_id == post_id.scalar_one(), documents.c.name == POLICY)
        kept = connection.execute(select(documents.c.text).where(*mine)).scalar_one()
        lines = [line for line in kept.splitlines() if not line.startswith("council_approved_on")]
        lines.insert(lines.index('invoices = "yes"') + 1, text)
        connection.execute(update(documents).where(*mine).values(text="\n".join(lines) + "\n"))


def test_none_is_approved_without_the_councils_approval_of_the_policy(site, engine, day):
    fmo, admin = sign_in(site, "fmo"), sign_in(site, "admin")
    assert fmo.get(INVOICES).json()["council_approved_on"] == "2027-10-05"  # the sample's, stored and read
    _policy(engine, "")
    assert fmo.get(INVOICES).json()["council_approved_on"] is None
    assert _step(fmo, "T01", "submit_to_isc").status_code == 200  # submitting does not need it
    refused = _step(admin, "T01", "approve")
    assert refused.status_code == 409
    assert "no council_approved_on date (H-362 a" in refused.json()["detail"]
    assert "no ICASS Council approval date" in fmo.client.get(f"/posts/{KVR}/{FY}/tdy").text
    _policy(engine, "council_approved_on = 2026-10-05")  # fiscal year 2027, not the invoices' 2028
    assert "is not in FY 2028 (H-362 a" in _step(admin, "T01", "approve").json()["detail"]
    _policy(engine, "council_approved_on = 2028-07-02")  # tomorrow
    assert "is after 2028-07-01 (H-362 a" in _step(admin, "T01", "approve").json()["detail"]
    assert _step(admin, "T01", "reject", "no current policy (H-363.1-6 c(3))").json()["state"] == "rejected"
    _policy(engine, "council_approved_on = 2027-10-05")
    assert _step(fmo, "T01", "submit_to_isc").status_code == 200
    assert _step(admin, "T01", "approve").json()["state"] == "approved"
    _policy(engine, 'council_approved_on = "5 October"')
    broken = fmo.get(INVOICES)
    assert broken.status_code == 422
    assert any(p["field"] == "policy.council_approved_on" for p in broken.json()["problems"])


def test_the_invoice_document_shows_traveler_dates_days_approval_and_path(site, day):
    fmo = sign_in(site, "fmo")
    t01 = _invoice(fmo, "T01")
    assert t01["travelers"][0] == {
        "visit": "T01",
        "traveler": "Ana Ruiz",
        "arrive": "2027-11-02",
        "depart": "2027-11-11",
        "days": 10,
        "ecc": "ECC-4471",
        "approved_on": "2027-11-12",
    }
    assert [v["traveler"] for v in t01["travelers"]] == ["Ana Ruiz", "Ben Okafor", "Carla Mendes", "Dev Patel"]
    _step(fmo, "T01", "submit_to_isc", "signed by <b>FCS</b>")
    page = fmo.client.get(f"/posts/{KVR}/{FY}/tdy").text
    for shown in ("Ana Ruiz", "2027-11-02", "2027-11-11", "ECC-4471", "2027-11-12", 'data-label="Days">10<'):
        assert shown in page
    assert 'id="tdy-T01-steps"' in page
    assert "signed by &lt;b&gt;FCS&lt;/b&gt;" in page  # escaped
    assert "Submitted to the ISC" in page


def test_the_page_offers_each_person_their_steps(site, day):
    from tests.web.test_web import signed_in

    fmo, csrf = signed_in(site, "fmo")
    committee, _ = signed_in(site, "committee")
    fcs, fcs_csrf = signed_in(site, "hq-fcs")
    url = f"/posts/{KVR}/{FY}/tdy"
    assert 'id="tdy-T01-submit_to_isc"' in fmo.get(url).text
    assert 'id="tdy-T01-step"' not in committee.get(url).text
    assert 'id="tdy-T01-approve"' not in fcs.get(url).text
    form = f"{url}/invoices/T01/steps"
    sent = fmo.post(form, data={"step": "submit_to_isc", "comment": ""}, headers={"X-CSRF-Token": csrf})
    assert sent.headers.get("HX-Refresh") == "true", sent.text
    page = fcs.get(url).text
    assert 'id="tdy-T01-approve"' in page
    assert 'id="tdy-T01-reject"' in page
    assert "Invoice T05" not in page  # another agency's
    unsaid = fcs.post(form, data={"step": "reject"}, headers={"X-CSRF-Token": fcs_csrf})
    assert "needs its reason" in unsaid.text
    assert fcs.post(form, data={"step": "approve"}, headers={"X-CSRF-Token": fcs_csrf}).headers["HX-Refresh"]
    assert 'data-state="approved"' in fcs.get(url).text


def test_only_an_invoice_issued_on_the_day_is_offered_for_submission(site, day):
    fmo = sign_in(site, "fmo")
    answer = fmo.get(INVOICES)
    assert answer.status_code == 200, answer.text
    invoices = answer.json()["invoices"]
    assert {i["status"] for i in invoices} > {"issued"}  # the sample holds invoices not issued too
    for found in invoices:
        assert found["may_take"] == (["submit_to_isc"] if found["status"] == "issued" else []), found["invoice"]
        if found["status"] != "issued":
            assert _step(fmo, found["invoice"], "submit_to_isc").status_code == 409


def test_tdy_awaiting_lists_the_invoices_waiting_for_headquarters(site, engine, day):
    fmo = sign_in(site, "fmo")
    _step(fmo, "T01", "submit_to_isc")
    _step(fmo, "T06", "submit_to_isc")
    _step(sign_in(site, "admin"), "T06", "approve")
    with engine.connect() as connection:
        found = tdy_awaiting(connection, find_post(connection, KVR, FY))
    assert found == [Awaiting(KVR, FY, "T01", "1300.0", dt.date(2028, 7, 1))]
