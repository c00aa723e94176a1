"""The table editors (issue 8 §4, issue 18): every resource of the post as pages of its rows, edited in place by
an FMO, read by a committee member, refused to hq; people's labels, drop-downs and combo boxes for codes, date
pickers, amounts with separators and as people type them; every problem of a row at once beside its field with
the handbook section; search, filters, sort and paging; a stale version shown with the row as it is now; each
modification's decisions (made in the committee's review queue, tests/web/test_web_committee.py)."""

from __future__ import annotations

import html
import html as html_text
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from icass.api.guard import ISC_TABLES
from icass.bundle.format import FILES as FORMAT
from icass.catalog.budget_rules import budget_rule
from icass.store.changes import RESOURCES, NewRow, create_rows, find_post
from icass.store.schema import FILES
from icass.views.rows import PAGE_ROWS
from tests.web.test_web import FY, KVR, _total, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
API = f"/api/posts/{KVR}/{FY}"


def _editor_of(resource: str) -> str:
    """Who changes the table: the post's FMO, or the admin for the ISC's tables (its targets)."""
    return "admin" if resource in ISC_TABLES else "fmo"


def _rows(client: TestClient, resource: str) -> list[dict[str, str]]:
    answer = client.get(f"{API}/{resource}")
    assert answer.status_code == 200
    rows: list[dict[str, str]] = answer.json()
    return rows


def _problems(html: str, prefix: str) -> dict[str, list[str]]:
    """The problems a refused change swaps beside each field (out of band), by field."""
    found: dict[str, list[str]] = {}
    swapped = rf'<div class="field-problems" id="{prefix}-problems-([a-z_]+)" hx-swap-oob="true">(.*?)</div>'
    for name, inner in re.findall(swapped, html):
        # Each problem's text, without the links of the glossary terms it names.
        said = re.findall(r'role="alert">(.*?)</span>', inner)
        found[name] = [html_text.unescape(re.sub(r"<[^>]+>", "", m)) for m in said]
    return found


def _form(row: dict[str, str], resource: str, **changed: str) -> dict[str, str]:
    """The edit form of a row as the page sends it: every column of its file, and the version it was read at."""
    columns = FILES[RESOURCES[resource]][1]
    return {**{c: str(row[c]) for c in columns}, "version": str(row["version"]), **changed}


def _change_line(client: TestClient, csrf: str, line: dict[str, str], **changed: str) -> Response:
    """A budget line's Save on its editor, with `changed` typed into its fields."""
    url = f"{POST}/tables/budget-lines/{line['id']}"
    return client.put(url, data=_form(line, "budget-lines", **changed), headers={"X-CSRF-Token": csrf})


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_each_table_shows_its_first_page_of_rows(app, resource):  # noqa: F811
    client, _ = signed_in(app, _editor_of(resource))
    rows = _rows(client, resource)
    assert rows, f"the sample post has rows of {resource}"
    page = client.get(f"{POST}/tables/{resource}")
    assert page.status_code == 200
    shown = re.findall(r'<tr id="row-(\d+)"', page.text)
    assert [int(i) for i in shown] == [int(r["id"]) for r in rows[:PAGE_ROWS]]  # the file's order, one page
    assert f'href="?edit={rows[0]["id"]}#row-{rows[0]["id"]}"' in page.text
    assert page.text.index('id="new-row"') < page.text.index('id="editor"')  # the add form above the rows
    # Each row's first cell, kept in view as the table scrolls, holds its actions.
    actions = rf'<tr id="row-{rows[0]["id"]}">\s*<th scope="row" class="row-actions">(.*?)</th>'
    first = re.search(actions, page.text, re.S)
    assert first is not None
    assert "Edit" in first.group(1)
    assert "Delete" in first.group(1)


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_each_table_speaks_in_labels_never_in_file_or_column_names(app, resource):  # noqa: F811
    client, _ = signed_in(app, _editor_of(resource))
    file = FORMAT[RESOURCES[resource]]
    page = client.get(f"{POST}/tables/{resource}").text
    headers = re.findall(r'<th scope="col"[^>]*>\s*<a class="usa-link sort-link" href="[^"]*">([^<]+)<', page)
    assert headers == [c.label for c in file.columns]
    labels = re.findall(r'<label class="usa-label" for="new-([a-z_]+)">([^<]+)<', page)
    assert [label.strip() for _, label in labels][: len(file.columns)] == [c.label for c in file.columns]
    visible = re.sub(r"<[^>]+>", " ", page)
    assert file.name not in visible
    assert ".csv" not in client.get(f"{POST}/tables").text
    underscored = [c.name for c in file.columns if "_" in c.name]
    assert not [name for name in underscored if name in visible], "a column's file name shown to people"


def test_codes_are_picked_from_lists_with_their_names_and_dates_from_date_pickers(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[0]
    page = client.get(f"{POST}/tables/budget-lines", params={"edit": line["id"]}).text
    row = page[page.index(f'<tr id="row-{line["id"]}" class="editing">') :]
    row = row[: row.index("</tr>")]
    combo = re.search(r'<div class="usa-combo-box" data-default-value="([^"]*)">\s*<select[^>]*name="cost_center"', row)
    assert combo is not None
    assert combo.group(1) == line["cost_center"]
    assert re.search(r'<option value="5458"( selected)?>5458 Information Management', row), "a code with its name"
    funding = re.search(r'<select class="usa-select cell" name="funding"[^>]*>(.*?)</select>', row, re.S)
    assert funding is not None
    assert re.findall(r'<option value="([A-Z]+)"', funding.group(1)) == ["RB", "OBO", "LGP", "AMSAL", "PAT"]
    assert re.search(r'<select class="usa-select cell" name="lease"', row), "yes or no from a drop-down"
    assert f'value="{Decimal(line["amount"]):,.2f}"' in row  # the amount as people read it
    people = client.get(f"{POST}/tables/people").text
    agencies = r'<select class="usa-select cell" name="agency" id="new-agency"[^>]*>(.*?)</select>'
    agency = re.search(agencies, people, re.S)
    assert agency is not None
    names = {r["code"]: r["name"] for r in _rows(client, "agencies")}
    code = next(iter(names))
    assert f'<option value="{code}">{code} {names[code]}</option>' in agency.group(1)
    assert '<div class="usa-date-picker" data-default-value="">' in people  # the new row's start date
    modifications = client.get(f"{POST}/tables/modifications").text
    picker = r'<div class="usa-date-picker"[^>]*>\s*<input class="usa-input cell" name="bc_approved_on"'
    assert re.search(picker, modifications)


def test_amounts_are_shown_with_separators(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    page = client.get(f"{POST}/tables/budget-lines", params={"sort": "amount", "order": "descending"}).text
    largest = max(Decimal(r["amount"]) for r in _rows(client, "budget-lines"))
    assert largest >= 1000
    assert f'<td class="text-right">{largest:,.2f}' in page


def test_the_dashboard_leads_to_every_table(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    assert f'href="{POST}/tables"' in client.get(POST).text
    index = client.get(f"{POST}/tables")
    assert index.status_code == 200
    for resource in RESOURCES:
        assert f'href="{POST}/tables/{resource}"' in index.text
    assert client.get(f"{POST}/tables/workbench").status_code == 404


def test_the_fmo_changes_a_budget_line_and_the_dashboard_follows(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    before = _total(client.get(POST).text, "post-total")
    line = _rows(client, "budget-lines")[0]
    editing = client.get(f"{POST}/tables/budget-lines", params={"edit": line["id"]})
    shown = f"{Decimal(line['amount']):,.2f}"
    assert f'name="amount" id="row-{line["id"]}-amount" type="text" value="{shown}"' in editing.text
    assert f'hx-put="{POST}/tables/budget-lines/{line["id"]}"' in editing.text
    amount = f"{Decimal(line['amount']) + Decimal('1000.00'):,.2f}"  # as people type it, with separators
    url = f"{POST}/tables/budget-lines/{line['id']}"
    assert client.put(url, data=_form(line, "budget-lines", amount=amount)).status_code == 403  # no CSRF token
    saved = client.put(url, data=_form(line, "budget-lines", amount=amount), headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200
    assert 'role="status">saved' in saved.text
    assert f'<td class="text-right">{amount}' in saved.text
    assert 'name="amount"' not in saved.text  # back to the row as shown
    assert f'<td class="text-right">{amount}' in client.get(f"{POST}/tables/budget-lines").text  # read anew
    assert _total(client.get(POST).text, "post-total") == before + Decimal("1000.00")
    assert client.get(f"{API}/budget-lines/{line['id']}").json()["version"] == line["version"] + 1


@pytest.mark.parametrize(
    ("field", "value", "section"),
    [("funding", "AMSAL", "H-423.1 b; H-423.1-1 b; H-423.1-2 b"), ("cost_center", "9999", "Exhibit H-341")],
)
def test_a_bad_value_shows_its_rule_beside_the_field_and_saves_nothing(app, field, value, section):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    before = _total(client.get(POST).text, "post-total")
    line = _rows(client, "budget-lines")[0]
    answer = client.put(
        f"{POST}/tables/budget-lines/{line['id']}",
        data=_form(line, "budget-lines", **{field: value}),
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200
    # Only the problems: the fields stay as the person left them, each problem swapped in beside its own.
    assert answer.headers["HX-Retarget"] == f"#row-{line['id']}-message"
    assert "<input" not in answer.text
    assert "<select" not in answer.text
    beside = _problems(answer.text, f"row-{line['id']}")
    assert set(beside) == set(FORMAT["budget.csv"].names)  # every field's old problems cleared
    (problem,) = beside[field]
    assert f"(6 FAH-5 {section})" in problem
    assert "`" not in problem
    assert "icass " not in problem
    assert "Nothing was saved" in answer.text
    assert client.get(f"{API}/budget-lines/{line['id']}").json() == line
    assert _total(client.get(POST).text, "post-total") == before


def test_every_problem_of_a_row_is_shown_at_once(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[0]
    answer = _change_line(client, csrf, line, funding="XX", amount="12,00", lease="maybe", cost_center="")
    beside = _problems(answer.text, f"row-{line['id']}")
    shown = {name: problems for name, problems in beside.items() if problems}
    assert set(shown) == {"funding", "amount", "lease", "cost_center"}
    (funding,) = shown["funding"]
    assert funding == "Funding: 'XX' is not a known funding source (RB, OBO, LGP, AMSAL, PAT) (6 FAH-5 H-420)"
    assert shown["amount"][0].startswith("Amount: '12,00' is not an amount in dollars")
    assert shown["lease"] == ["Lease: 'maybe' is not yes or no (6 FAH-5 H-363.1-3 a(4))"]
    assert shown["cost_center"] == ["Cost center is empty"]
    assert client.get(f"{API}/budget-lines/{line['id']}").json() == line
    # The API's 422 lists them all too.
    body = {"version": line["version"], "funding": "XX", "lease": "maybe"}
    refused = client.put(f"{API}/budget-lines/{line['id']}", json=body, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422
    assert sorted(p["field"] for p in refused.json()["problems"]) == ["funding", "lease"]


def test_a_rule_broken_is_told_with_a_malformed_cell_not_after_it(app):  # noqa: F811
    """AMSAL money where the handbook allows none (a rule of the post) and an amount that is not one (a cell's
    form): both at once, each beside its field, and nothing saved, on the page and in the API's 422."""
    client, csrf = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[0]
    answer = _change_line(client, csrf, line, funding="AMSAL", amount="12,00")
    shown = {name: problems for name, problems in _problems(answer.text, f"row-{line['id']}").items() if problems}
    assert set(shown) == {"funding", "amount"}
    assert "(rule R01) (6 FAH-5 H-423.1 b; H-423.1-1 b; H-423.1-2 b)" in shown["funding"][0]
    assert shown["amount"][0].startswith("Amount: '12,00' is not an amount in dollars")
    body = {"version": line["version"], "funding": "AMSAL", "lease": "maybe"}
    refused = client.put(f"{API}/budget-lines/{line['id']}", json=body, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422
    assert sorted(p["field"] for p in refused.json()["problems"]) == ["funding", "lease"]
    assert client.get(f"{API}/budget-lines/{line['id']}").json() == line  # the trial was rolled back
    # A new row from the form at the top: the same.
    rows = len(_rows(client, "budget-lines"))
    new = {c: str(line[c]) for c in FILES["budget.csv"][1]} | {"funding": "AMSAL", "amount": "x"}
    refused = client.post(f"{POST}/tables/budget-lines", data=new, headers={"X-CSRF-Token": csrf})
    shown = {name: problems for name, problems in _problems(refused.text, "new").items() if problems}
    assert set(shown) == {"funding", "amount"}
    assert len(_rows(client, "budget-lines")) == rows


@pytest.mark.parametrize("typed", ["12,000", "$12,000.00", "12000", " $12,000 "])
def test_an_amount_is_taken_as_people_type_it(app, typed):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[0]
    saved = _change_line(client, csrf, line, amount=typed)
    assert 'role="status">saved' in saved.text, saved.text
    assert '<td class="text-right">12,000.00' in saved.text
    assert client.get(f"{API}/budget-lines/{line['id']}").json()["amount"] == "12000.00"


@pytest.mark.parametrize("typed", ["12,00", "12.345", "-5", "twelve", "1,2000"])
def test_a_bad_amount_names_its_field_and_saves_nothing(app, typed):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[0]
    answer = _change_line(client, csrf, line, amount=typed)
    (problem,) = _problems(answer.text, f"row-{line['id']}")["amount"]
    assert problem.startswith(f"Amount: {typed!r} is ")
    assert client.get(f"{API}/budget-lines/{line['id']}").json() == line


def test_a_stale_version_shows_the_row_as_it_is_now(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[1]
    url = f"{POST}/tables/budget-lines/{line['id']}"
    headers = {"X-CSRF-Token": csrf}
    first = client.put(url, data=_form(line, "budget-lines", description="Changed first"), headers=headers)
    assert "saved" in first.text
    stale = client.put(url, data=_form(line, "budget-lines", description="Changed second"), headers=headers)
    assert stale.status_code == 200
    assert "budget lines, row 3 was changed by someone else" in stale.text  # the table by its title
    assert 'name="description" id="row-' in stale.text
    assert 'type="text" value="Changed first"' in stale.text  # the current values
    assert f'name="version" value="{line["version"] + 1}"' in stale.text  # to save again over them
    assert client.get(f"{API}/budget-lines/{line['id']}").json()["description"] == "Changed first"


def test_the_fmo_adds_and_deletes_a_row(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf}
    before = _total(client.get(POST).text, "post-total")
    template = _rows(client, "budget-lines")[0]
    new = {c: str(template[c]) for c in FILES["budget.csv"][1]} | {"amount": "$250", "description": "Added"}
    refused = client.post(f"{POST}/tables/budget-lines", data=new | {"funding": "PAT"}, headers=headers)
    assert refused.headers["HX-Retarget"] == "#new-message"
    (problem,) = _problems(refused.text, "new")["funding"]
    assert "(rule R01) (6 FAH-5 H-423.1 b; H-423.1-1 b; H-423.1-2 b)" in problem
    added = client.post(f"{POST}/tables/budget-lines", data=new, headers=headers)
    assert added.status_code == 200
    assert "HX-Retarget" not in added.headers  # its message in the form's; the row put atop the rows
    assert re.search(r'<template><tbody hx-swap-oob="afterbegin:#rows">\s*<tr id="row-\d+">', added.text)
    assert "added" in added.text
    assert all(not problems for problems in _problems(added.text, "new").values())  # the old problems cleared
    assert _total(client.get(POST).text, "post-total") == before + Decimal("250.00")
    row = next(r for r in _rows(client, "budget-lines") if r["description"] == "Added")
    url = f"{POST}/tables/budget-lines/{row['id']}"
    # Its Delete is confirmed in the page's USWDS modal (static/row-delete.js), not by the browser's confirm().
    page = client.get(f"{POST}/tables/budget-lines", params={"q": "Added"}).text
    assert "hx-confirm" not in page
    assert 'class="usa-modal" id="delete-row"' in page
    assert f'data-delete-row="{url}?version={row["version"]}"' in page
    stale = client.delete(url, params={"version": row["version"] + 1}, headers=headers)
    assert "changed by someone else" in stale.text
    gone = client.delete(url, params={"version": row["version"]}, headers=headers)
    assert gone.status_code == 200
    assert gone.text == ""
    assert all(r["id"] != row["id"] for r in _rows(client, "budget-lines"))
    assert _total(client.get(POST).text, "post-total") == before


def test_a_committee_member_reads_and_hq_is_refused(app):  # noqa: F811
    committee, csrf = signed_in(app, "committee")
    line = _rows(committee, "budget-lines")[0]
    page = committee.get(f"{POST}/tables/budget-lines")
    assert page.status_code == 200
    assert line["description"] in page.text
    assert 'id="new-row"' not in page.text
    assert 'class="usa-input cell' not in page.text
    assert "hx-put" not in page.text
    assert "data-delete-row" not in page.text
    assert 'id="delete-row"' not in page.text  # nor the modal that confirms a Delete
    url = f"{POST}/tables/budget-lines/{line['id']}"
    refused = committee.put(url, data=_form(line, "budget-lines", amount="1.00"), headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403
    assert "hx-put" not in committee.get(f"{POST}/tables/budget-lines", params={"edit": line["id"]}).text
    assert committee.get(f"{API}/budget-lines/{line['id']}").json() == line
    hq, _ = signed_in(app, "hq")
    # Not found: hq does not read the post (icass.api.guard.refusal), as if it were not stored.
    assert hq.get(f"{POST}/tables/budget-lines").status_code == 404
    assert hq.get(f"{POST}/tables").status_code == 404


def test_a_source_record_links_to_the_counts_it_is_counted_in(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    page = client.get(f"{POST}/tables/people")
    # Each to its cost center's lines of its agency (the workload page renders a cost center's only on request).
    links = set(re.findall(rf'href="({POST}/workload\?cost_center=[^"#]+&amp;agency=[^"#]+)#(line-[^"]+)"', page.text))
    assert links
    for address, anchor in links:
        assert f'id="{anchor}"' in client.get(address.replace("&amp;", "&")).text
    assert f"{POST}/workload?" not in client.get(f"{POST}/tables/budget-lines").text  # a budget line counts nothing


def test_a_change_that_leaves_the_post_in_error_elsewhere_is_saved_and_said(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    share = _rows(client, "time-allocation")[0]
    saved = client.put(
        f"{POST}/tables/time-allocation/{share['id']}",
        data=_form(share, "time-allocation", percent="5"),
        headers={"X-CSRF-Token": csrf},
    )
    assert 'role="status">saved' in saved.text
    assert "the post has 1 error(s)" in saved.text
    # The time allocation no longer adds up: the problem is the position's, shown beside its field.
    positions = client.get(f"{POST}/tables/positions").text
    assert 'id="post-errors"' in positions
    beside = re.findall(r'data-field="position_id">(.*?)</span>', positions)
    said = (
        f"position {share['position_id']}: time allocation sums to 80 percent, not 100 (Time allocation). "
        f"{budget_rule('R52').message} (rule R52) (6 FAH-5 H-341.14-3 a; H-423.1 b)"
    )
    assert [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in beside] == [said]
    assert '<a class="icass-term" href="/glossary#time-allocation"' in beside[0]  # its glossary term linked


def _shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="row-(\d+)"', html)]


def test_a_table_is_searched_filtered_sorted_and_paged(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    rows = _rows(client, "activity")
    assert len(rows) > 2 * PAGE_ROWS
    url = f"{POST}/tables/activity"
    second = client.get(url, params={"page": 2}).text
    assert _shown_ids(second) == [r["id"] for r in rows[PAGE_ROWS : 2 * PAGE_ROWS]]
    assert 'aria-current="page">2</a>' in second
    assert 'class="usa-pagination"' in second
    assert client.get(url, params={"page": 10_000}).status_code == 200  # past the last page: the last one
    # Filter by cost center and agency: only their rows, on as many pages as they fill.
    center, agency = rows[0]["cost_center"], rows[0]["agency"]
    kept = [r["id"] for r in rows if r["cost_center"] == center and r["agency"] == agency]
    filtered = client.get(url, params={"cost_center": center, "agency": agency}).text
    assert _shown_ids(filtered) == kept[:PAGE_ROWS]
    assert f'<option value="{center}" selected>' in filtered
    # Search: a cost center's name finds its rows as its code does.
    name = re.search(rf'<option value="{center}">{center} ([^<]+)</option>', second)
    assert name is not None
    by_name = _shown_ids(client.get(url, params={"q": name.group(1).upper()}).text)
    of_center = [r["id"] for r in rows if r["cost_center"] == center]
    assert len(of_center) <= PAGE_ROWS
    assert set(of_center) <= set(by_name)
    assert len(by_name) < len(rows)
    assert "No row of the" in client.get(url, params={"q": "nothing holds this"}).text
    # Sort by any column, either way, with the order said to screen readers.
    by_quantity = client.get(url, params={"sort": "quantity", "order": "descending"}).text
    expected = sorted(rows, key=lambda r: Decimal(r["quantity"]), reverse=True)
    assert [Decimal(next(r["quantity"] for r in rows if r["id"] == i)) for i in _shown_ids(by_quantity)] == [
        Decimal(r["quantity"]) for r in expected[:PAGE_ROWS]
    ]
    assert 'aria-sort="descending"' in by_quantity
    by_date = _shown_ids(client.get(url, params={"sort": "date"}).text)
    dates = {r["id"]: r["date"] for r in rows}
    assert [dates[i] for i in by_date] == sorted(dates.values())[:PAGE_ROWS]
    # A page link keeps the search, the filters and the sort.
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', by_quantity)
    assert link is not None
    assert "sort=quantity" in link.group(1)
    assert "order=descending" in link.group(1)


def test_a_table_of_5000_rows_renders_one_page(app):  # noqa: F811
    engine = app.state.engine
    cells = {"cost_center": "5458", "funding": "RB", "soc": "2330", "description": "", "lease": ""}
    with engine.begin() as connection:
        key = find_post(connection, KVR, FY)
        many = [NewRow("budget.csv", cells | {"amount": f"{i}.00"}, f"budget[{i}]") for i in range(1, 5001)]
        create_rows(connection, key, many, "fmo")
    client, _ = signed_in(app, "fmo")
    page = client.get(f"{POST}/tables/budget-lines", params={"sort": "amount", "order": "descending"})
    assert page.status_code == 200
    assert len(_shown_ids(page.text)) == PAGE_ROWS
    assert re.search(r"of [0-9,]+\.", page.text)
    assert 'aria-label="Page 2' in page.text
    last = re.search(r'href="([^"]*)" class="usa-pagination__button" aria-label="Page (\d+), last page"', page.text)
    assert last is not None
    assert int(last.group(2)) * PAGE_ROWS >= 5000
    assert "5,000.00" in page.text  # the largest amount first, with its separator


@pytest.mark.parametrize("resource", ["time-allocation", "position-costs"])
def test_a_position_is_typed_with_suggestions_asked_not_listed_in_the_page(app, resource):  # noqa: F811
    """Issue 18: the time allocation's page was 239 KiB for 25 rows on a post of 3,000 positions, its add form's
    combo box listing every position. A position is typed; its field asks the server for the matching ones."""
    client, _ = signed_in(app, "fmo")
    positions = _rows(client, "positions")
    html = client.get(f"{POST}/tables/{resource}").text
    assert not [p for p in positions if f'<option value="{p["position_id"]}"' in html]  # no position listed
    url = f"{POST}/tables/{resource}/choices/position_id"
    field = re.search(r'<input class="usa-input cell" name="position_id" id="new-position_id"[^>]*>', html)
    assert field is not None
    assert f'hx-get="{url}"' in field.group(0)
    assert 'list="new-position_id-choices"' in field.group(0)
    assert '<datalist id="new-position_id-choices"></datalist>' in html
    row = _rows(client, resource)[0]
    editing = client.get(f"{POST}/tables/{resource}", params={"edit": row["id"]}).text
    assert f'id="row-{row["id"]}-position_id" type="text" value="{row["position_id"]}"' in editing  # the edit too
    assert not [p for p in positions if f'<option value="{p["position_id"]}"' in editing]


def _suggested(answer: Response) -> list[tuple[str, str]]:
    assert answer.status_code == 200, answer.text
    return re.findall(r'<option value="([^"]*)"(?: label="([^"]*)")?></option>', answer.text)


def test_the_positions_suggested_match_what_is_typed_20_at_most(app):  # noqa: F811
    client, _ = signed_in(app, "committee")  # a reader of the post: suggestions are read as the table is
    url = f"{POST}/tables/time-allocation/choices/position_id"
    positions = {p["position_id"]: p["title"] for p in _rows(client, "positions")}
    assert len(positions) > 20
    assert len(_suggested(client.get(url))) == 20  # nothing typed yet: the first 20
    officers = _suggested(client.get(url, params={"position_id": "officer"}))
    assert officers
    assert {(code, positions[code]) for code, _ in officers} == set(officers)  # each code with its title
    assert {code for code, _ in officers} == {c for c, t in positions.items() if "officer" in f"{c} {t}".lower()}
    assert _suggested(client.get(url, params={"position_id": "G-00"}))[0][0].startswith("G-00")
    assert _suggested(client.get(url, params={"position_id": "m-001"}))[0][0] == "M-001"  # its code first
    both = _suggested(client.get(url, params={"position_id": "general officer"}))  # every word, in any order
    assert both
    assert all("general" in t.lower() and "officer" in t.lower() for _, t in both)
    assert _suggested(client.get(url, params={"position_id": "no such position"})) == []
    assert client.get(f"{POST}/tables/position-costs/choices/position_id").status_code == 200
    assert client.get(f"{POST}/tables/time-allocation/choices/percent").status_code == 404  # typed freely
    assert client.get(f"{POST}/tables/positions/choices/position_id").status_code == 404  # made, not picked
    assert client.get(url, params={"position_id": "x" * 600}).status_code == 422
    hq, _ = signed_in(app, "hq")
    assert hq.get(url).status_code == 404  # hq does not read the post: as if it were not stored
    fmo, _ = signed_in(app, "fmo")
    assert fmo.get(f"/posts/PSL/{FY}/tables/time-allocation/choices/position_id").status_code == 404
    assert TestClient(app).get(url, follow_redirects=False).status_code == 303  # to sign in


def test_the_columns_a_file_carries_beyond_its_format_are_shown_and_kept(app):  # noqa: F811
    # The sample post's agencies.csv carries a `bureau` beyond the format: shown under its own name, read only,
    # and kept when the row is changed.
    client, csrf = signed_in(app, "fmo")
    agency = _rows(client, "agencies")[0]
    page = client.get(f"{POST}/tables/agencies").text
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page, re.S)
    assert any(re.match(r"\s*bureau\b", h) for h in headers), headers
    row = re.search(rf'<tr id="row-{agency["id"]}".*?</tr>', page, re.S)
    assert row is not None
    assert re.search(r'<td class="extra">\s*State\s*</td>', row.group(0))
    url = f"{POST}/tables/agencies/{agency['id']}"
    opened = client.get(f"{POST}/tables/agencies", params={"edit": agency["id"]}).text
    editing = re.search(rf'<tr id="row-{agency["id"]}" class="editing">.*?</tr>', opened, re.S)
    assert editing is not None
    assert 'name="bureau"' not in editing.group(0)  # read only: the format does not say what it holds
    assert re.search(r'<td class="extra">\s*State\s*</td>', editing.group(0))
    saved = client.put(url, data=_form(agency, "agencies", name="Renamed agency"), headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200
    assert "Renamed agency" in saved.text
    assert re.search(r'<td class="extra">\s*State\s*</td>', saved.text)
    again = client.get(f"{POST}/tables/agencies").text
    row = re.search(rf'<tr id="row-{agency["id"]}".*?</tr>', again, re.S)
    assert row is not None
    assert "Renamed agency" in row.group(0)
    assert re.search(r'<td class="extra">\s*State\s*</td>', row.group(0))


def test_glossary_terms_are_linked_in_hints_and_beside_sortable_headers(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    page = client.get(f"{POST}/tables/budget-lines").text
    # The add form's hint of a field, beside its label (never inside it), each glossary term it names linked.
    hint = re.search(r'</label><div class="usa-hint field-hint" id="new-funding-hint">(.*?)</div>', page, re.S)
    assert hint is not None
    assert re.sub(r"<[^>]+>", "", hint.group(1)) == "RB, OBO or LGP (H-420)"
    for anchor in ("regional-bureau", "overseas-buildings-operations", "local-guard-program"):
        assert f'<a class="icass-term" href="/glossary#{anchor}"' in hint.group(1)
    assert re.search(
        r'<select class="usa-select cell" name="funding" id="new-funding" aria-describedby="new-funding-hint"', page
    )
    assert not [label for label in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S) if "<a " in label]
    # A sortable header whose label is a glossary term: a help link beside its sort link, not inside it.
    header = re.search(r'<th scope="col"[^>]*>\s*(<a class="usa-link sort-link"[^>]*>Cost center.*?)</th>', page, re.S)
    assert header is not None
    sort_link, after = header.group(1).split("</a>", 1)
    assert "<a " not in sort_link.removeprefix("<a ")
    assert '<a class="term-help" href="/glossary#cost-center">' in after
    assert '<span class="usa-sr-only">Cost center, in the glossary</span>' in after
    # A header that names no term has none.
    amount = re.search(r'<th scope="col"[^>]*>\s*<a class="usa-link sort-link"[^>]*>Amount.*?</th>', page, re.S)
    assert amount is not None
    assert "term-help" not in amount.group(0)
