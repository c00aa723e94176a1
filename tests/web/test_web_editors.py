"""The table editors (issue 8 §4): every resource of the post as a page of its rows, edited in place by an FMO,
read by a committee member, refused to hq; problems beside the field with the handbook section; a stale
version shown with the row as it is now; each modification's decisions (made in the committee's review
queue, tests/web/test_web_committee.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from icass.bundle.format import FILES as FORMAT
from icass.store.changes import RESOURCES
from icass.store.schema import FILES
from tests.web.test_web import FY, KVR, _total, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
API = f"/api/posts/{KVR}/{FY}"


def _rows(client: TestClient, resource: str) -> list[dict[str, str]]:
    answer = client.get(f"{API}/{resource}")
    assert answer.status_code == 200
    rows: list[dict[str, str]] = answer.json()
    return rows


def _form(row: dict[str, str], resource: str, **changed: str) -> dict[str, str]:
    """The edit form of a row as the page sends it: every column of its file, and the version it was read at."""
    columns = FILES[RESOURCES[resource]][1]
    return {**{c: str(row[c]) for c in columns}, "version": str(row["version"]), **changed}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_each_table_lists_its_rows(app, resource):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    rows = _rows(client, resource)
    assert rows, f"the sample post has rows of {resource}"
    page = client.get(f"{POST}/tables/{resource}")
    assert page.status_code == 200
    shown = re.findall(r'<tr id="row-(\d+)"', page.text)
    assert sorted(int(i) for i in shown) == sorted(int(r["id"]) for r in rows)
    assert f'hx-get="{POST}/tables/{resource}/{rows[0]["id"]}/edit"' in page.text
    assert 'id="new-row"' in page.text


def test_each_column_shows_its_label_and_its_name_in_the_file(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    page = client.get(f"{POST}/tables/budget-lines").text
    headers = re.findall(r'<th[^>]*>([^<]*) <code class="column-name">([a-z_]+)</code></th>', page)
    assert headers == [(c.label, c.name) for c in FORMAT["budget.csv"].columns]
    assert headers[0] == ("Cost center", "cost_center")
    row = _rows(client, "budget-lines")[0]
    editing = client.get(f"{POST}/tables/budget-lines/{row['id']}/edit").text
    assert 'aria-label="Amount (amount) of row ' in editing


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
    editing = client.get(f"{POST}/tables/budget-lines/{line['id']}/edit")
    assert f'name="amount" value="{line["amount"]}"' in editing.text
    assert f'hx-put="{POST}/tables/budget-lines/{line["id"]}"' in editing.text
    amount = str(Decimal(line["amount"]) + Decimal("1000.00"))
    url = f"{POST}/tables/budget-lines/{line['id']}"
    assert client.put(url, data=_form(line, "budget-lines", amount=amount)).status_code == 403  # no CSRF token
    saved = client.put(url, data=_form(line, "budget-lines", amount=amount), headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200
    assert 'role="status">saved' in saved.text
    assert amount in saved.text
    assert 'name="amount"' not in saved.text  # back to the row as shown
    assert _total(client.get(POST).text, "post-total") == before + Decimal("1000.00")
    assert client.get(f"{API}/budget-lines/{line['id']}").json()["version"] == line["version"] + 1


@pytest.mark.parametrize(
    ("field", "value", "section"),
    [("funding", "AMSAL", "H-423.1-1 b"), ("cost_center", "9999", "Exhibit H-341")],
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
    beside = re.search(rf'data-field="{field}" role="alert">([^<]+)<', answer.text)
    assert beside is not None, answer.text
    assert f"(6 FAH-5 {section})" in beside.group(1)
    assert f'name="{field}" value="{value}"' in answer.text  # the form keeps what was typed
    assert "nothing was saved" in answer.text
    assert client.get(f"{API}/budget-lines/{line['id']}").json() == line
    assert _total(client.get(POST).text, "post-total") == before


def test_a_stale_version_shows_the_row_as_it_is_now(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    line = _rows(client, "budget-lines")[1]
    url = f"{POST}/tables/budget-lines/{line['id']}"
    headers = {"X-CSRF-Token": csrf}
    first = client.put(url, data=_form(line, "budget-lines", description="Changed first"), headers=headers)
    assert "saved" in first.text
    stale = client.put(url, data=_form(line, "budget-lines", description="Changed second"), headers=headers)
    assert stale.status_code == 200
    assert "changed by someone else" in stale.text
    assert 'name="description" value="Changed first"' in stale.text  # the current values
    assert f'name="version" value="{line["version"] + 1}"' in stale.text  # to save again over them
    assert client.get(f"{API}/budget-lines/{line['id']}").json()["description"] == "Changed first"


def test_the_fmo_adds_and_deletes_a_row(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf}
    before = _total(client.get(POST).text, "post-total")
    template = _rows(client, "budget-lines")[0]
    new = {c: str(template[c]) for c in FILES["budget.csv"][1]} | {"amount": "250.00", "description": "Added"}
    refused = client.post(f"{POST}/tables/budget-lines", data=new | {"funding": "PAT"}, headers=headers)
    assert "(6 FAH-5 H-423.1-2 b)" in refused.text
    assert 'id="new-row"' in refused.text
    added = client.post(f"{POST}/tables/budget-lines", data=new, headers=headers)
    assert added.status_code == 200
    assert added.headers["HX-Retarget"] == "#rows"
    assert "saved" in added.text
    assert _total(client.get(POST).text, "post-total") == before + Decimal("250.00")
    row = next(r for r in _rows(client, "budget-lines") if r["description"] == "Added")
    url = f"{POST}/tables/budget-lines/{row['id']}"
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
    assert "<input" not in page.text
    assert "hx-put" not in page.text
    assert f'hx-delete="{POST}' not in page.text
    url = f"{POST}/tables/budget-lines/{line['id']}"
    refused = committee.put(url, data=_form(line, "budget-lines", amount="1.00"), headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403
    assert committee.get(url + "/edit").status_code == 403
    assert committee.get(f"{API}/budget-lines/{line['id']}").json() == line
    hq, _ = signed_in(app, "hq")
    # Not found: hq does not read the post (icass.api.guard.refusal), as if it were not stored.
    assert hq.get(f"{POST}/tables/budget-lines").status_code == 404
    assert hq.get(f"{POST}/tables").status_code == 404


def test_a_source_record_links_to_the_counts_it_is_counted_in(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    page = client.get(f"{POST}/tables/people")
    anchors = set(re.findall(rf'href="{POST}/workload#(line-[^"]+)"', page.text))
    assert anchors
    workload = client.get(f"{POST}/workload").text
    assert all(f'id="{anchor}"' in workload for anchor in anchors)
    assert f"{POST}/workload#" not in client.get(f"{POST}/tables/budget-lines").text  # a budget line counts nothing


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
    beside = re.findall(r'data-field="position_id">([^<]+)<', positions)
    assert beside == [
        f"position {share['position_id']}: time allocation sums to 80 percent, not 100 (time_allocation.csv)"
    ]
