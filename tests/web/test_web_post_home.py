"""A post's home (issue 18): the headline (total, its change since the approved version, the approval state,
the problems), each problem a sentence linked to the row and field that need fixing (never a file name), who
changed what recently, and the figures with names and a total row."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.versions import recommended
from tests.web.test_web import AGENCY, FY, KVR, _total, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
API = f"/api/posts/{KVR}/{FY}"
FILE_NAMES = re.compile(r"\b\w+\.csv\b")


def _headline(html: str) -> str:
    return html.split('id="headline"')[1].split("</ul>")[0]


def test_the_headline_says_the_total_the_approval_and_the_problems(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    html = fmo.get(POST).text
    total = _total(html, "post-total")
    headline = _headline(html)
    assert f"${total:,.2f}" in headline
    assert "No version of this budget has been approved yet" in headline
    assert "<strong>not approved</strong>" in headline
    recommended(app.state.engine, KVR, FY)
    fmo.post(f"{POST}/versions", data={"note": "Council"}, headers={"X-CSRF-Token": csrf})
    line = next(b for b in fmo.get(f"{API}/budget-lines").json() if b["cost_center"] == "6150")
    fmo.put(
        f"{API}/budget-lines/{line['id']}",
        json={"amount": str(Decimal(line["amount"]) + 1000), "version": line["version"]},
        headers={"X-CSRF-Token": csrf},
    )
    headline = _headline(fmo.get(POST).text)
    assert "Since the approved version 1: <strong>+$1,000.00</strong>" in headline
    assert f"(it was ${total:,.2f})" in headline
    assert "the budget changed since" in headline


def test_each_problem_is_a_sentence_linked_to_its_row(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf}
    # An error: a time allocation that no longer adds up to 100; a warning: a count typed over a derived one.
    allocation = fmo.get(f"{API}/time-allocation").json()[0]
    fmo.put(
        f"{API}/time-allocation/{allocation['id']}",
        json={"percent": str(Decimal(allocation["percent"]) + 1), "version": allocation["version"]},
        headers=headers,
    )
    fmo.patch(f"{API}/workload/6150:{AGENCY}:UNIFORMED", json={"count": "7", "version": 0}, headers=headers)
    html = fmo.get(POST).text
    assert "1 error and " in _headline(html)
    problems = html.split('id="problems"')[1].split("</section>")[0]
    assert not FILE_NAMES.search(problems), FILE_NAMES.search(problems)
    items = re.findall(r'<li class="margin-bottom-1 problem">(.*?)</li>', problems, re.S)
    error = next(i for i in items if ">error</span>" in i)
    assert "time allocation sums to 101 percent" in re.sub(r"<[^>]+>", "", error)
    assert '<a class="icass-term" href="/glossary#time-allocation"' in error  # the glossary's terms linked
    assert "(Time allocation)" in error  # the check's file named as its table
    positions = {p["row"]: p for p in fmo.get(f"{API}/positions").json()}
    position = next(p for p in positions.values() if p["position_id"] == allocation["position_id"])
    assert f"ICASS positions, row {position['row']}, " in re.sub(r"<[^>]+>", "", error)
    link = re.search(r'href="([^"]+)">Fix it in the table</a>', error)
    assert link is not None
    assert link.group(1) == f"{POST}/tables/positions?row={position['row']}&amp;field=position_id#row-{position['id']}"
    typed = re.sub(r'<a class="icass-term"[^>]*>([^<]*)</a>', r"\1", next(i for i in items if "typed by hand" in i))
    assert f"Count of State - Marine Security Guard Support ({AGENCY}) in " in typed
    assert ", count: " in typed
    anchor = re.search(r'href="([^"]+)">Fix it on the workload page</a>', typed)
    assert anchor is not None
    # The cost center's lines of the agency (the page renders a cost center's lines only on request), at the line.
    assert anchor.group(1) == f"{POST}/workload?cost_center=6150&amp;agency={AGENCY}#line-6150-1931_0-UNIFORMED"
    assert 'id="line-6150-1931_0-UNIFORMED"' in fmo.get(anchor.group(1).replace("&amp;", "&")).text


def test_who_changed_what_recently_is_said_in_words_to_the_fmo(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    line = next(b for b in fmo.get(f"{API}/budget-lines").json() if b["cost_center"] == "6150")
    fmo.put(
        f"{API}/budget-lines/{line['id']}",
        json={"amount": "95000", "version": line["version"]},
        headers={"X-CSRF-Token": csrf},
    )
    recent = fmo.get(POST).text.split('id="recent"')[1].split("</section>")[0]
    said = re.findall(r"<li><strong>(\w+)</strong> (.*?) <span", recent)
    assert said[0][0] == "fmo"
    assert said[0][1] == (
        f"changed Basic Package Services (6150) budget line {line['row']}: "
        f"amount ${Decimal(line['amount']):,.2f} → $95,000.00"
    )
    assert not FILE_NAMES.search(recent)
    committee, _ = signed_in(app, "committee")
    assert 'id="recent"' not in committee.get(POST).text  # the record is the FMO's and the admin's


def test_the_figures_name_cost_centers_and_total_the_agencies(app):  # noqa: F811
    client, _ = signed_in(app, "committee")
    html = client.get(POST).text
    total = _total(html, "post-total")
    assert _total(html, "agencies-total") == total
    budget = html.split('id="budget"')[1].split("</table>")[0]
    assert '<th scope="row">Basic Package Services (6150)</th>' in budget
    assert "Basic Package Services (6150)" in html.split('id="spec-budget"')[1].split("</script>")[0]
    assert f"Marine Security Guard Support ({AGENCY})" in html.split('id="spec-shares"')[1].split("</script>")[0]


def _warn_on_miscellaneous(fmo, csrf) -> dict:
    """A warning of rule R118: 8790 (Miscellaneous) far above its 5 percent of the budget."""
    made = fmo.post(
        f"{API}/budget-lines",
        json={"cost_center": "8790", "funding": "RB", "soc": "2600", "amount": "9000000", "description": "fees"},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code in (200, 201), made.text
    html = fmo.get(POST).text
    form = re.search(
        r'<input type="hidden" name="rule" value="(R118)"><input type="hidden" name="file" value="([^"]+)">'
        r'<input type="hidden" name="row" value="(\d+)">',
        html,
    )
    assert form is not None, "the warning offers to be left as it is"
    return {"rule": form.group(1), "file": form.group(2), "row": form.group(3)}


def test_the_fmo_leaves_a_warning_as_it_is_with_a_reason_the_committee_reads(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf}
    warning = _warn_on_miscellaneous(fmo, csrf)
    # Also over its RB target (rule R119), a warning left open here.
    assert "2 warnings to look at" in _headline(fmo.get(POST).text)
    refused = fmo.post(f"{POST}/acknowledgements", data=warning | {"reason": "  "}, headers=headers)
    assert 'role="alert"' in refused.text
    assert "say why the warning is left as it is" in refused.text
    done = fmo.post(f"{POST}/acknowledgements", data=warning | {"reason": "Bank fees of the move"}, headers=headers)
    assert done.headers.get("HX-Refresh") == "true"
    html = fmo.get(POST).text
    assert "1 warning to look at</a>; " in _headline(html)
    assert "1 warning left as it is" in _headline(html)
    left = html.split('id="acknowledged"')[1].split("</section>")[0]
    assert "<strong>Left as it is:</strong> Bank fees of the move (fmo, " in left
    committee, _ = signed_in(app, "committee")
    assert "Bank fees of the move (fmo, " in committee.get(POST).text.split('id="acknowledged"')[1]
    assert "Count it as open again" not in committee.get(POST).text  # only who changes the post withdraws
    listed = fmo.get(f"{API}/acknowledgements").json()
    assert [(a["rule"], a["file"], str(a["row"]), a["reason"], a["by"]) for a in listed] == [
        (warning["rule"], warning["file"], warning["row"], "Bank fees of the move", "fmo")
    ]
    assert any(
        e["action"] == "acknowledge" and e["entity"] == f"acknowledgements.csv {listed[0]['id']}"
        for e in fmo.get("/api/audit").json()
    )
    again = fmo.post(f"{POST}/acknowledgements", data=warning | {"reason": "twice"}, headers=headers)
    assert "no open warning of R118" in again.text  # answered already
    withdrawn = fmo.post(f"{POST}/acknowledgements/{listed[0]['id']}/withdrawal", headers=headers)
    assert withdrawn.headers.get("HX-Refresh") == "true"
    assert "2 warnings to look at" in _headline(fmo.get(POST).text)
    assert fmo.get(f"{API}/acknowledgements").json() == []


def test_only_a_warning_raised_now_is_acknowledged_and_only_by_who_changes_the_post(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf}
    nothing = {"rule": "R118", "file": "budget.csv", "row": 2, "reason": "no such warning"}
    answer = fmo.post(f"{API}/acknowledgements", json=nothing, headers=headers)
    assert answer.status_code == 422
    assert "no open warning of R118 on budget.csv, row 2" in answer.text
    committee, committee_csrf = signed_in(app, "committee")
    answer = committee.post(f"{API}/acknowledgements", json=nothing, headers={"X-CSRF-Token": committee_csrf})
    assert answer.status_code == 403


def test_the_budget_summary_worksheet_by_soc_ties_out_to_the_post(app):  # noqa: F811
    committee, _ = signed_in(app, "committee")  # every reader of the post reads it
    html = committee.get(POST).text
    assert f'href="{POST}/budget-summary"' in html
    total = _total(html, "post-total")
    page = committee.get(f"{POST}/budget-summary").text
    assert _total(page, "summary-total") == total
    contracts = page.split('id="contracts"')[1].split("</table>")[0]
    assert "Residential local guard services contract" in contracts
    assert "(5821)" in contracts  # the cost center by its name and code
    answer = committee.get(f"{API}/budget-summary").json()
    assert Decimal(answer["total"]) == total
    assert sum(Decimal(line["total"]) for line in answer["lines"]) == total
    assert {c["cost_center"].split("-")[0] for c in answer["contracts"]} <= {"5821", "5822", "5823", "5826"}
    hq, _ = signed_in(app, "hq")
    assert hq.get(f"{POST}/budget-summary").status_code == 404


def test_the_targets_are_set_against_the_budget_on_the_worksheet_and_the_api(app):  # noqa: F811
    fmo, _ = signed_in(app, "fmo")
    lines = fmo.get(f"{API}/budget-against-targets").json()
    assert {(t["funding"], t["kind"]) for t in lines} == {
        (f, k) for f in ("RB", "OBO", "LGP") for k in ("initial", "final")
    }
    for t in lines:
        assert Decimal(t["operating_allowance"]) == Decimal(t["target"]) - Decimal(t["central_contracts"]) - Decimal(
            t["psu"]
        )
        assert Decimal(t["difference"]) == Decimal(t["budgeted"]) - Decimal(t["target"])
    page = fmo.get(f"{POST}/budget-summary").text
    table = page.split('id="targets"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + len(lines)


def test_the_rules_a_post_cannot_be_judged_by_are_said_once(app, tmp_path):  # noqa: F811
    fmo, _ = signed_in(app, "fmo")
    assert 'id="not-judged"' not in fmo.get(POST).text  # the samples give every fact their rules need
    from icass.api.post_home import rules_not_judged
    from icass.runs.post import run_post
    from tests.bundles import write_bundle

    said = {(file, fact): rules for file, fact, rules in rules_not_judged(run_post(write_bundle(tmp_path / "b")))}
    assert "R09" in said[("post.toml", "guard_force")]
    assert "R39" in said[("post.toml", "furniture_pool")]


def test_the_isc_records_a_posts_targets_which_its_fmo_reads_but_does_not_change(app):  # noqa: F811
    fmo, fmo_csrf = signed_in(app, "fmo")
    rows = fmo.get(f"{API}/targets").json()  # the rows of targets.csv
    rb_final = next(r for r in rows if (r["funding"], r["kind"]) == ("RB", "final"))
    assert 'id="new-row"' not in fmo.get(f"{POST}/tables/targets").text  # read only for the FMO
    change = {"amount": "1.00", "version": rb_final["version"]}
    refused = fmo.put(f"{API}/targets/{rb_final['id']}", json=change, headers={"X-CSRF-Token": fmo_csrf})
    assert refused.status_code == 403
    assert "ICASS Service Center" in refused.json()["detail"]
    admin, admin_csrf = signed_in(app, "admin")
    assert 'id="new-row"' in admin.get(f"{POST}/tables/targets").text
    saved = admin.put(f"{API}/targets/{rb_final['id']}", json=change, headers={"X-CSRF-Token": admin_csrf})
    assert saved.status_code == 200, saved.text
    lines = fmo.get(f"{API}/budget-against-targets").json()
    rb = next(t for t in lines if (t["funding"], t["kind"]) == ("RB", "final"))
    assert Decimal(rb["target"]) == Decimal("1.00")
    assert Decimal(rb["difference"]) > 0
    html = fmo.get(POST).text
    assert "over its final RB target of $1.00" in html  # the post's warning


def test_the_years_steps_are_said_in_words_on_the_dashboard(app):  # noqa: F811
    """A workload approval's entry in the record ("workload approval 1931.0") shares its first word with a count's:
    the dashboard once read it as a count and answered 500 to everyone after an agency disputed its counts."""
    admin, admin_csrf = signed_in(app, "admin")
    assert admin.post(f"/world/{FY}/data-call", data={}, headers={"X-CSRF-Token": admin_csrf}).status_code == 200
    committee, csrf = signed_in(app, "committee")
    said = {"X-CSRF-Token": csrf}
    assert committee.post(f"{POST}/staffing/certifications", data={"agency": AGENCY}, headers=said).status_code == 200
    dispute = {"decision": "dispute", "cost_center": ["5624"], "line_comment": ["Only 7 Marines since March"]}
    assert committee.post(f"{POST}/workload-approval/{AGENCY}", data=dispute, headers=said).status_code == 200
    number = recommended(app.state.engine, KVR, FY)
    fmo, _ = signed_in(app, "fmo")
    shown = fmo.get(POST)
    assert shown.status_code == 200
    recent = shown.text.split('id="recent"')[1].split("</section>")[0]
    said_in_words = [s for _, s in re.findall(r"<li><strong>(.*?)</strong> (.*?) <span", recent)]
    agency = "State - Marine Security Guard Support (1931.0)"
    assert f"disputed the workload counts of {agency}" in said_in_words
    assert f"certified the staffing data of {agency}" in said_in_words
    assert f"recommended version {number} for {agency}" in said_in_words
    assert f"sent version {number} to the Budget Committee" in said_in_words
    assert not any(s.startswith(("workload ", "version ", "certify ")) for s in said_in_words)


def test_a_returned_version_says_why_where_the_fmo_takes_the_next_step(app):  # noqa: F811
    """The ISC's comments on a version it returned were on the old version's page only, and the states read as
    their codes ("submitted to isc"); the versions' table scrolled sideways on a phone where every other stacks."""
    from icass.store.accounts import Account, Grant
    from icass.store.changes import find_post
    from icass.store.versions import take_step

    number = recommended(app.state.engine, KVR, FY)
    fmo_account = Account(0, "fmo", (Grant("fmo", post=KVR),))
    with app.state.engine.begin() as connection:
        key = find_post(connection, KVR, FY)
        take_step(connection, key, number, fmo_account, "record_council_approval", "", council=("2026-11-20", "item 3"))
        take_step(connection, key, number, fmo_account, "submit_to_isc", "")
    fmo, _ = signed_in(app, "fmo")
    table = fmo.get(POST).text.split('id="versions"')[1].split("</table>")[0]
    assert "submitted to the ISC" in table
    assert "usa-table--stacked" in fmo.get(POST).text.split('id="versions"')[0].rsplit("<table", 1)[1]
    assert 'data-label="State"' in table
    with app.state.engine.begin() as connection:
        isc = Account(0, "admin", (Grant("admin"),))
        take_step(connection, find_post(connection, KVR, FY), number, isc, "return", "Guard costs exceed the target")
    shown = fmo.get(POST).text
    table = shown.split('id="versions"')[1].split("</table>")[0]
    assert re.search(rf'data-version="{number}" data-state="returned">.*?returned by the ISC', table)
    step = shown.split(f'id="version-{number + 1}-step"')[1].split("</form>")[0]
    assert "Guard costs exceed the target" in step  # why, beside the step the FMO takes next
    assert "make a new version" in step
