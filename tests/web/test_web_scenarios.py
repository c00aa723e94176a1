"""The what-if pages (issue 18): a row picked and changed (no database id shown), each change in words with its
amounts before and after, an error beside the field it is about, a confirmation step that says what will
change before Apply, and the comparison kept once applied (the post before it against the post after it)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.web.test_web import AGENCY, FY, KVR, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
API = f"/api/posts/{KVR}/{FY}"


def _scenario(client, csrf) -> str:
    made = client.post(f"{POST}/scenarios", data={"name": "a bigger motor pool"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    return str(made.headers["HX-Redirect"])


def _amount(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ""))


@pytest.mark.parametrize("typed", ["95000", "$95,000.00"])
def test_a_change_is_picked_by_its_row_and_said_in_words(app, typed):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    here = _scenario(client, csrf)
    page = client.get(here).text
    assert 'id="no-changes"' in page
    assert "None yet" not in page
    assert 'id="changes"' not in page  # no numbered list of nothing
    line = next(b for b in client.get(f"{API}/budget-lines").json() if b["cost_center"] == "6150")
    # The row is offered in words, its id only as the option's value.
    option = re.search(rf'<option value="{line["id"]}">([^<]+)</option>', page)
    assert option is not None
    assert f"budget line {line['row']}" in option.group(1)
    assert "Motor" in option.group(1) or "(6150)" in option.group(1)
    form = {"resource": "budget-lines", "target": str(line["id"]), "column": "amount", "value": typed}
    answer = client.post(f"{here}/changes", data=form, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200
    was = _amount(line["amount"])
    said = f"budget line {line['row']}: ${was:,.2f} → $95,000.00"
    assert said in answer.text
    assert 'id="scenario-saved"' in answer.text
    assert 'hx-swap-oob="true"' in answer.text
    changes = answer.text.split('id="changes"')[1].split("</ol>")[0]
    assert said in changes
    assert f"budget-lines {line['id']}" not in changes
    assert str(line["id"]) not in re.sub(r'hx-delete="[^"]*"', "", changes)  # no database id in words
    # The effect on every agency as it goes: the scenario's post total is the baseline's plus the change.
    baseline, scenario = _amount(_cell(answer.text, "baseline-total")), _amount(_cell(answer.text, "scenario-total"))
    assert scenario - baseline == Decimal("95000") - was


def _cell(html: str, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]+)<', html)
    assert found is not None
    return found.group(1)


def test_a_refused_change_is_told_beside_its_field(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    here = _scenario(client, csrf)
    form = {"resource": "workload", "target": f"6150:{AGENCY}", "column": "count", "value": "many"}
    answer = client.post(f"{here}/changes", data=form, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200
    beside = re.search(r'<div id="change-workload-message"[^>]*hx-swap-oob="true">(.*?)</div>', answer.text, re.S)
    assert beside is not None
    assert "usa-error-message" in beside.group(1)
    assert "workload.csv" not in beside.group(1)  # the field is the one typed in, not a file
    assert 'id="scenario-error"' not in answer.text  # not at the top of the page
    assert client.get(f"{API}/scenarios/{here.rsplit('/', 1)[1]}").json()["changes"] == []


def test_apply_is_confirmed_and_its_comparison_is_kept(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    here = _scenario(client, csrf)
    form = {"resource": "workload", "target": f"6150:{AGENCY}", "column": "count", "value": "250"}
    client.post(f"{here}/changes", data=form, headers={"X-CSRF-Token": csrf})
    before = client.get(f"{API}/scenarios/{here.rsplit('/', 1)[1]}/comparison").json()
    moved = {a["agency"]: a for a in before["agencies"] if a["difference"] != "0.00"}
    assert AGENCY in moved
    scenario = client.get(here).text
    assert f'href="{here}/apply"' in scenario
    assert 'id="apply"' not in scenario  # Apply is on the step that says what it does
    confirm = client.get(f"{here}/apply").text
    assert "Count of " in confirm
    assert "(6150): " in confirm
    assert "→ 250" in confirm
    for agency in moved:
        assert f"({agency})</th>" in confirm
    version = re.search(r'hx-vals=\'\{"version": "(\d+)"\}\'', confirm)
    assert version is not None
    committee, committee_csrf = signed_in(app, "committee")
    assert committee.get(f"{here}/apply").status_code == 403
    applied = client.post(f"{here}/apply", data={"version": version.group(1)}, headers={"X-CSRF-Token": csrf})
    assert applied.status_code == 200
    assert applied.headers["HX-Redirect"] == here
    page = client.get(here).text
    assert 'id="applied"' in page
    assert "before and after it was applied" in page
    row = page.split(f'id="agency-{AGENCY.replace(".", "_")}"')[1].split("</tr>")[0]
    cells = re.findall(r'class="text-right (baseline|scenario|difference)">([^<]+)<', row)
    shown = {name: _amount(value) for name, value in cells}
    assert shown["baseline"] == Decimal(moved[AGENCY]["baseline"])
    assert shown["scenario"] == Decimal(moved[AGENCY]["scenario"])
    assert shown["difference"] != 0  # not the post now against itself
    # Applied twice: refused, said on the step, nothing written.
    again = client.post(f"{here}/apply", data={"version": version.group(1)}, headers={"X-CSRF-Token": csrf})
    assert "Nothing was applied" in again.text
    assert committee_csrf
