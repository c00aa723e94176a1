"""The position page (issue 18, "for the FMO"): a position made with its time allocation and cost lines in one
form, every problem beside its field at once and nothing saved while there is one; each position's cost pool
and where its time goes, by cost center name, percent and dollars; a position removed with its lines after a
confirmation."""

from __future__ import annotations

import re

from tests.web.test_web import FY, KVR, _total, app, signed_in  # noqa: F401 (fixture)

PAGE = f"/posts/{KVR}/{FY}/positions"

NEW = {
    "position_id": "G-900",
    "category": "LE",
    "grade": "FSN-9",
    "title": "Motor pool dispatcher",
    "time_allocation-rows": "3",
    "time_allocation-0-cost_center": "6150",
    "time_allocation-0-percent": "60",
    "time_allocation-1-cost_center": "",
    "time_allocation-1-percent": "",
    "time_allocation-2-cost_center": "6134",
    "time_allocation-2-percent": "40",
    "costs-rows": "2",
    "costs-0-funding": "RB",
    "costs-0-soc": "1100",
    "costs-0-amount": "$12,000.00",
    "costs-1-funding": "",
    "costs-1-soc": "",
    "costs-1-amount": "",
}


def _rows(client, resource: str) -> list[dict]:
    return client.get(f"/api/posts/{KVR}/{FY}/{resource}").json()


def test_a_position_is_made_with_its_time_and_costs_in_one_form_and_the_invoices_follow(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    tables = client.get(f"/posts/{KVR}/{FY}/tables")
    assert f'href="{PAGE}"' in tables.text  # found from the post's list of tables
    before = _total(client.get(f"/posts/{KVR}/{FY}").text, "post-total")
    form = client.get(PAGE)
    assert form.status_code == 200
    assert '<option value="6150">6150 Basic Package Services</option>' in form.text  # codes as names
    assert '<option value="RB">RB Regional bureau</option>' in form.text
    assert 'for="costs-0-amount">Amount in dollars 1<' in form.text  # labels in words
    assert client.post(PAGE, data=NEW).status_code == 403  # no CSRF token
    made = client.post(PAGE, data=NEW, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert made.status_code == 204, made.text
    assert made.headers["HX-Redirect"].startswith(f"{PAGE}?made=G-900#position-row-")
    allocation = [r for r in _rows(client, "time-allocation") if r["position_id"] == "G-900"]
    assert sorted((r["cost_center"], r["percent"]) for r in allocation) == [("6134", "40"), ("6150", "60")]
    costs = [r for r in _rows(client, "position-costs") if r["position_id"] == "G-900"]
    assert [(r["funding"], r["soc"], r["amount"]) for r in costs] == [("RB", "1100", "12000.00")]  # "$12,000.00"
    shown = client.get(made.headers["HX-Redirect"].split("#")[0])
    assert "Position G-900 was added with its time allocation over 2 cost centers and a cost pool of $12,000.00" in (
        shown.text
    )
    card = shown.text[shown.text.index("G-900 Motor pool dispatcher") :]
    # Where its time goes: each cost center by name, its percent and the pool's dollars that follow it.
    assert re.search(r"6134 <span[^>]*>Procurement Services</span></th><td[^>]*>40%</td><td[^>]*>4,800.00<", card)
    assert re.search(r"6150 <span[^>]*>Basic Package Services</span></th><td[^>]*>60%</td><td[^>]*>7,200.00<", card)
    after = _total(client.get(f"/posts/{KVR}/{FY}").text, "post-total")
    assert after - before == 12000  # the post's total grows by the new pool


def test_every_problem_of_the_form_is_shown_beside_its_field_and_nothing_is_saved(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    positions_before = len(_rows(client, "positions"))
    bad = {
        **NEW,
        "category": "",  # left as "- Choose -"
        "time_allocation-2-percent": "30",  # 60 + 30: not 100
        "costs-0-amount": "twelve",
        "costs-1-funding": "OBO",  # a second line left without its amount
        "costs-1-soc": "2100",
    }
    answer = client.post(PAGE, data=bad, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert answer.status_code == 200
    html = answer.text
    assert 'id="position-refused"' in html
    assert "Nothing was saved." in html

    def beside(field: str) -> str:
        found = re.search(rf'<span class="usa-error-message" id="{field}-error">([^<]*)</span>', html)
        assert found is not None, f"no problem beside {field}"
        return found.group(1)

    assert "not an amount" in beside("costs-1-amount")
    assert beside("category") == "is empty"  # found with the cells' types, not after they are fixed
    assert "not an amount" in beside("costs-0-amount")
    assert "adds up to 90 percent, not 100" in beside("time_allocation-0-percent")
    assert 'value="twelve"' in html  # what was typed stays, to correct
    assert 'aria-invalid="true"' in html
    assert len(_rows(client, "positions")) == positions_before


def test_a_position_is_removed_with_its_lines_after_a_confirmation(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    assert client.post(PAGE, data=NEW, headers=headers).status_code == 204
    (row,) = [r for r in _rows(client, "positions") if r["position_id"] == "G-900"]
    page = client.get(PAGE, params={"q": "G-900"})  # the positions come 25 a page; the new one is the last
    assert f'hx-get="{PAGE}/{row["id"]}/remove"' in page.text
    confirm = client.get(f"{PAGE}/{row['id']}/remove", headers=headers)
    assert "Remove position G-900 (Motor pool dispatcher), with its 2 time allocation rows and 1 cost line?" in (
        confirm.text
    )
    kept = client.get(f"{PAGE}/{row['id']}/keep", headers=headers)
    assert f'hx-get="{PAGE}/{row["id"]}/remove"' in kept.text  # the button back, nothing removed
    stale = client.delete(f"{PAGE}/{row['id']}?version={row['version'] + 1}", headers=headers)
    assert "Nothing was removed." in stale.text
    removed = client.delete(f"{PAGE}/{row['id']}?version={row['version']}", headers=headers)
    assert removed.status_code == 204
    assert removed.headers["HX-Redirect"] == f"{PAGE}?removed=G-900"
    assert not [r for r in _rows(client, "time-allocation") if r["position_id"] == "G-900"]
    assert not [r for r in _rows(client, "position-costs") if r["position_id"] == "G-900"]
    assert "Position G-900 was removed" in client.get(removed.headers["HX-Redirect"]).text


def test_the_committee_reads_the_positions_and_changes_none(app):  # noqa: F811
    client, csrf = signed_in(app, "committee")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Add a position" not in page.text
    assert "/remove" not in page.text
    assert "Management Counselor" in page.text
    refused = client.post(PAGE, data=NEW, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert refused.status_code == 403


def test_the_positions_come_a_page_at_a_time_and_are_found_by_number(app):  # noqa: F811
    client, _ = signed_in(app, "committee")
    every = _rows(client, "positions")
    assert len(every) > 25
    first = client.get(PAGE).text
    assert first.count('class="usa-accordion__heading"') == 25
    assert 'aria-label="Pages of the positions"' in first
    last = every[-1]["position_id"]
    assert f"{last} " not in first
    second = client.get(PAGE, params={"page": 2}).text
    assert second.count('class="usa-accordion__heading"') == len(every) - 25
    found = client.get(PAGE, params={"q": last.lower()}).text
    assert f"{last} " in found
    assert 'id="positions-found"' in found


def test_a_positions_text_is_shown_as_text(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    markup = "<img src=x onerror=alert(1)>"
    made = client.post(PAGE, data={**NEW, "title": markup}, headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert made.status_code == 204, made.text
    page = client.get(PAGE, params={"made": "G-900"}).text  # the page that holds the position just made
    assert markup not in page
    assert "G-900 &lt;img src=x onerror=alert(1)&gt;" in page
    refused = client.post(
        PAGE, data={**NEW, "position_id": markup}, headers={"X-CSRF-Token": csrf, "HX-Request": "true"}
    )
    assert markup not in refused.text  # typed back into its field, escaped


def test_the_forms_hints_link_the_glossary_terms_they_name(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    form = client.get(PAGE).text.split('id="new-position"')[1].split("</form>")[0]
    hints = re.findall(r'<p class="usa-hint margin-top-05">(.*?)</p>', form, re.S)
    assert len(hints) == 3
    assert '<a class="icass-term" href="/glossary#post-assignment-travel"' in hints[0]
    assert '<a class="icass-term" href="/glossary#cost-center"' in hints[1]
    assert '<a class="icass-term" href="/glossary#cost-pool"' in hints[2]
