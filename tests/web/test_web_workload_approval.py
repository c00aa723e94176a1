"""The Agency Workload approval's pages (issue 20 §2): the agency's counts with the records behind each, the
Approve button and the Dispute form for whoever speaks for it, the FMO's view of the disputes and its Reopen
form, each refusal said in its form; and the post's page links to them."""

from __future__ import annotations

import re

from tests.web.test_web import AGENCY, FY, KVR, app, signed_in  # noqa: F401 (fixture)

POST = f"/posts/{KVR}/{FY}"
PAGE = f"{POST}/workload-approval/{AGENCY}"


def _post(client, csrf: str, data: dict):
    return client.post(PAGE, data=data, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})


def test_the_agency_disputes_then_approves_and_the_fmo_reopens(app):  # noqa: F811
    member, member_csrf = signed_in(app, "committee")
    assert 'href="/posts/KVR/2027/workload-approval"' in member.get(POST).text  # the post's page links to it
    listed = member.get(f"{POST}/workload-approval").text
    assert re.search(rf'data-agency="{re.escape(AGENCY)}" data-state="awaiting"', listed)
    html = member.get(PAGE).text
    assert 'data-state="awaiting"' in html
    assert 'data-line="6150:1931.0' in html  # its counts
    assert 'id="records-6150-1931_0' in html  # with the records behind each
    assert "The records counted" in html
    assert 'id="approve-button"' in html
    assert 'id="dispute-form"' in html
    assert 'id="reopen-form"' not in html
    cost_centers = re.findall(r'name="cost_center" value="([^"]+)"', html)
    assert "6150" in cost_centers
    comments = ["" if c != "6150" else "one of ours left in March" for c in cost_centers]
    empty = _post(
        member,
        member_csrf,
        {"decision": "dispute", "cost_center": cost_centers, "line_comment": [""] * len(cost_centers)},
    )
    assert "lines: a dispute needs at least one line with a comment" in empty.text
    disputed = _post(
        member, member_csrf, {"decision": "dispute", "cost_center": cost_centers, "line_comment": comments}
    )
    assert disputed.headers.get("HX-Refresh") == "true", disputed.text
    fmo, fmo_csrf = signed_in(app, "fmo")
    seen = fmo.get(PAGE).text
    assert 'data-state="disputed"' in seen
    assert "one of ours left in March" in seen  # the FMO sees the dispute
    assert 'id="approve-button"' not in seen  # the FMO does not approve for an agency
    refused = _post(fmo, fmo_csrf, {"decision": "approve"})
    assert "fmo may not do this" in refused.text
    assert _post(member, member_csrf, {"decision": "approve", "comment": "as counted"}).headers.get("HX-Refresh")
    seen = fmo.get(PAGE).text
    assert 'data-state="approved"' in seen
    assert "locked" in seen
    assert 'id="reopen-form"' in seen
    assert "must first reopen" in _post(member, member_csrf, {"decision": "approve"}).text
    assert _post(fmo, fmo_csrf, {"decision": "reopen", "comment": "a count to correct"}).headers.get("HX-Refresh")
    assert 'data-state="reopened"' in member.get(PAGE).text


def test_headquarters_reads_its_own_agency_only(app):  # noqa: F811
    hq, _ = signed_in(app, "hq")
    assert hq.get(PAGE).status_code == 200
    assert hq.get(f"{POST}/workload-approval/1900.0").status_code == 404  # not its agency: not its post either
    assert hq.get(f"{POST}/workload-approval/9999.0").status_code == 404
    member, _ = signed_in(app, "committee")
    assert member.get(f"{POST}/workload-approval/9999.0").status_code == 404


def test_a_dispute_says_what_happens_next_and_in_words(app):  # noqa: F811
    """The FMO opening a disputed approval found no form and no hint (reopening is for approved counts only); the
    state read "The counts are AWAITING"."""
    member, member_csrf = signed_in(app, "committee")
    html = member.get(PAGE).text
    assert re.search(r'data-state="awaiting">awaiting approval</span>', html)
    assert 'id="dispute-next"' not in html
    lines = {"decision": "dispute", "cost_center": ["6150"], "line_comment": ["one of ours left in March"]}
    assert _post(member, member_csrf, lines).headers.get("HX-Refresh") == "true"
    fmo, _ = signed_in(app, "fmo")
    nxt = fmo.get(PAGE).text.split('id="dispute-next"')[1].split("</p>")[0]
    assert "you correct the lines disputed" in nxt
    assert f'href="{POST}/workload"' in nxt
    assert "or answer the agency's comments" in nxt
    assert "approves or disputes again" in nxt
    nxt = member.get(PAGE).text.split('id="dispute-next"')[1].split("</p>")[0]
    assert "the post's FMO corrects the lines disputed" in nxt
    assert ">awaiting approval</span>" in member.get(f"{POST}/workload-approval").text
