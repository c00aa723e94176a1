"""Markup and formulas in data (issue 16 §3): every code is checked against its one shape wherever it enters
(a bundle folder or zip, a workbook, the API, the pages) and refused with its field named, nothing stored;
free text is at most 500 characters; every fragment and page is escaped by Jinja2; every text cell of every
workbook the product writes is a string, never a formula, and free text keeps its characters."""

from __future__ import annotations

import ast
import dataclasses
import io
import re
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import update

from icass.bundle import workbook as wb
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.bundle.invoice_files import invoice_xlsx
from icass.bundle.load import read_bundle
from icass.bundle.workbook_writer import write_template, write_workbook
from icass.distribution.invoice import invoice
from icass.runs.post import run_post
from icass.store.bundles import export_bundle, import_bundle
from icass.store.schema import posts
from icass.store.workbooks import export_workbook, import_workbook
from tests.api.test_api import BASE as API
from tests.api.test_api import KVR, sign_in
from tests.api.test_jobs import EXAMPLES, Person, _zip, empty_app  # noqa: F401 (empty_app is a fixture)
from tests.bundles import BASE, replace_line, write_bundle
from tests.store.test_workbook import _counts, _edited, _errors, stored  # noqa: F401 (stored is a fixture)
from tests.web.test_web import app, signed_in  # noqa: F401 (app is a fixture)

MARKUP = "<img src=x onerror=alert(1)>"
FORMULA = "=SUM(2,5)"
STORED = "<svg onload=1>"
HOSTILE = (MARKUP, FORMULA)


def _errors_of(folder: Path) -> list[tuple[str, str, int | None, str]]:
    _, problems = read_bundle(folder)
    return [(d.message, d.source.file, d.source.row, d.field) for d in problems if d.severity == "error"]


# ---- a bundle folder ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", HOSTILE)
def test_a_post_code_in_post_toml_is_refused_with_its_field(tmp_path, code):
    folder = write_bundle(tmp_path / "b", post_toml=BASE["post.toml"].replace('code = "TST"', f'code = "{code}"'))
    errors = _errors_of(folder)
    assert [(file, field) for _, file, _, field in errors] == [("post.toml", "post.code")]
    assert "is not a post's code" in errors[0][0]


@pytest.mark.parametrize("code", HOSTILE)
def test_an_agency_code_in_agencies_csv_is_refused_with_its_row_and_column(tmp_path, code):
    folder = write_bundle(tmp_path / "b", agencies_csv=replace_line("agencies.csv", "2000.0,", f'"{code}",'))
    errors = _errors_of(folder)
    assert ("agencies.csv", 4, "code") in {(file, row, field) for _, file, row, field in errors}
    assert any("is not a code" in message for message, *_ in errors)


@pytest.mark.parametrize("code", [*HOSTILE, "+1931.0", "-1931.0", "@A", "A\tB", "A\rB", "A:B", "A&B", 'A"B'])
def test_no_code_begins_with_a_formula_character_or_holds_markup(tmp_path, code):
    # (A tab or carriage return before a code is stripped as every cell's spaces are: never stored.)
    cell = '"' + code.replace('"', '""') + '"'
    text = BASE["workload.csv"].replace("6443,1900.0,10,", f"6443,{cell},10,")
    errors = _errors_of(write_bundle(tmp_path / "b", workload_csv=text))
    assert ("workload.csv", 11, "agency") in {(file, row, field) for _, file, row, field in errors}


@pytest.mark.parametrize("code", HOSTILE)
def test_a_person_id_in_a_source_record_file_is_refused_with_its_row_and_column(tmp_path, code):
    people = (EXAMPLES / "standard-post" / "people.csv").read_text(encoding="utf-8").splitlines()
    first = people[1].split(",")
    for quoted in (False, True):  # polars reads the plain file; the csv module one with a quote
        cell = f'"{code}"' if quoted or "," in code else code
        changed = [people[0], ",".join([cell, *first[1:]]), *people[2:]]
        folder = tmp_path / f"post-{quoted}"
        for path in (EXAMPLES / "standard-post").rglob("*"):
            if path.is_file():
                target = folder / path.relative_to(EXAMPLES / "standard-post")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        (folder / "people.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
        result = run_post(folder)
        where = {(d.source.file, d.source.row, d.field) for d in result.diagnostics if d.severity == "error"}
        assert ("people.csv", 2, "person_id") in where, (quoted, where)
        assert result.bundle is None


def test_free_text_is_at_most_500_characters_and_keeps_what_a_spreadsheet_would_run(tmp_path):
    long = "x" * (MAX_TEXT_CHARS + 1)
    budget = replace_line("budget.csv", "health unit supplies", long)
    errors = _errors_of(write_bundle(tmp_path / "long", budget_csv=budget))
    assert [(file, row, field) for _, file, row, field in errors] == [("budget.csv", 2, "description")]
    assert "at most 500" in errors[0][0]
    kept = replace_line("budget.csv", "health unit supplies", f'"{FORMULA}"')
    bundle, problems = read_bundle(write_bundle(tmp_path / "kept", budget_csv=kept))
    assert bundle is not None, problems
    assert bundle.entered.budget[0].description == FORMULA


def test_the_sample_posts_codes_fit_their_shape():
    for folder in [EXAMPLES / "standard-post", EXAMPLES / "lite-post", EXAMPLES / "consulate"]:
        assert _errors_of(folder) == []


# ---- a zip, sent to the workspace --------------------------------------------------------------------------


@pytest.mark.parametrize("code", HOSTILE)
def test_a_zip_with_a_hostile_code_ends_failed_with_its_field_and_stores_nothing(empty_app, code):  # noqa: F811
    admin = Person(empty_app, "admin")
    toml = (EXAMPLES / "standard-post" / "post.toml").read_text(encoding="utf-8")
    agencies = (EXAMPLES / "standard-post" / "agencies.csv").read_text(encoding="utf-8").splitlines()
    agencies[2] = ",".join([f'"{code}"', *agencies[2].split(",")[1:]])
    changes = {"post.toml": toml.replace('code = "KVR"', f'code = "{code}"'), "agencies.csv": "\n".join(agencies)}
    job = admin.finished(admin.send("kivara.zip", _zip(EXAMPLES / "standard-post", changes=changes)))
    assert job["state"] == "failed", job
    where = {(p["where"], p["field"]) for p in job["result"]["problems"] if p["severity"] == "error"}
    assert ("post.toml", "post.code") in where
    assert ("agencies.csv, row 3", "code") in where
    assert admin.client.get("/api/posts").json() == []


# ---- a workbook --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", HOSTILE)
def test_a_hostile_code_in_a_workbook_cell_is_refused_with_sheet_row_and_column(stored, tmp_path, code):  # noqa: F811
    engine, folder, before = stored

    def edit(book):
        book["agencies"]["A3"] = code
        book["agencies"]["A3"].data_type = "s"  # the text itself, as a person types it in a Text column

    path = _edited(folder, tmp_path / "bad.xlsx", edit)
    found, problems = import_workbook(engine, path, replace=True)
    assert found is None
    assert _counts(engine) == before
    assert any(e.startswith("error: bad.xlsx, sheet agencies, row 3, code: ") for e in _errors(problems)), problems


# ---- the API -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", HOSTILE)
def test_the_api_refuses_a_hostile_code_in_a_new_or_changed_row_and_stores_nothing(app, code):  # noqa: F811
    fmo = sign_in(app, "fmo")
    before = fmo.get(f"{API}/agencies").json()
    made = fmo.change("POST", f"{API}/agencies", json={"code": code, "name": "Hostile"})
    assert made.status_code == 422, made.text
    assert "code" in made.text
    row = before[-1]
    changed = fmo.change("PUT", f"{API}/agencies/{row['id']}", json={"code": code, "version": row["version"]})
    assert changed.status_code == 422, changed.text
    assert "code" in changed.text
    line = fmo.change("POST", f"{API}/workload", json={"cost_center": "6150", "agency": code, "count": "1"})
    assert line.status_code == 422, line.text
    assert "agency" in line.text
    assert fmo.get(f"{API}/agencies").json() == before


def test_the_store_checks_codes_and_text_before_writing_whatever_the_schema_lets_through(app):  # noqa: F811
    fmo = sign_in(app, "fmo")
    before = fmo.get(f"{API}/workload").json()
    entered = fmo.change("PATCH", f"{API}/workload/6150:{quote(FORMULA)}", json={"count": "1", "version": 0})
    assert entered.status_code == 422, entered.text
    assert [p["field"] for p in entered.json()["problems"]] == ["agency"]
    line = fmo.get(f"{API}/budget-lines").json()[0]
    long = fmo.change(
        "PUT",
        f"{API}/budget-lines/{line['id']}",
        json={"description": "x" * (MAX_TEXT_CHARS + 1), "version": line["version"]},
    )
    assert long.status_code == 422, long.text
    assert "description" in long.text
    assert fmo.get(f"{API}/workload").json() == before
    assert fmo.get(f"{API}/budget-lines/{line['id']}").json() == line


# ---- the pages ---------------------------------------------------------------------------------------------


def test_a_page_refuses_a_hostile_code_and_shows_it_escaped(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    row = client.get(f"{API}/agencies").json()[-1]
    form = {"code": MARKUP, "name": row["name"], "separate_network": row["separate_network"], "version": "1"}
    form["version"] = str(row["version"])
    answer = client.put(f"/posts/{KVR}/2027/tables/agencies/{row['id']}", data=form, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200
    assert "nothing was saved" in answer.text.lower()
    assert MARKUP not in answer.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in answer.text
    assert client.get(f"{API}/agencies/{row['id']}").json() == row


def test_the_error_fragment_escapes_what_a_message_quotes(app):  # noqa: F811
    # A post stored before codes were checked (or behind the application's back): the fragment of a row that
    # is not there quotes its code, and must show it as text. (A post's code column holds 16 characters.)
    with app.state.engine.begin() as connection:
        connection.execute(update(posts).where(posts.c.code == KVR).values(code=STORED))
    client, csrf = signed_in(app, "admin")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    url = f"/posts/{quote(STORED)}/2027/tables/people/999999"
    answer = client.put(url, data={"version": "1"}, headers=headers)
    assert 'role="alert"' in answer.text
    assert STORED not in answer.text
    assert "&lt;svg onload=1&gt;" in answer.text
    missing = client.get(f"/posts/{quote(STORED)}/2999/tables/people", headers=headers)
    assert missing.status_code == 404
    assert STORED not in missing.text


def _html_in_strings(source: str) -> list[str]:
    """The string literals (f-string parts too) of a module that hold an HTML tag."""
    tag = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*[\s>/]|/[a-zA-Z])")
    tree = ast.parse(source)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and tag.search(node.value)
    ]


def test_no_module_of_the_pages_builds_html_in_python_strings():
    assert _html_in_strings("x = f'<span>{y}</span>'") == ["<span>", "</span>"]  # the check finds what it must
    modules = [p for p in resources.files("icass.web").iterdir() if p.name.endswith(".py")]
    assert modules
    for module in modules:
        assert _html_in_strings(module.read_text(encoding="utf-8")) == [], module.name


# ---- workbooks the product writes: text is never a formula -------------------------------------------------


def _formulas(content: bytes | Path) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    return [
        f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"
    ]


def _texts(content: bytes | Path) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    return [c.value for s in book.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]


def test_the_bundle_workbook_writes_text_as_text_and_the_csv_keeps_it(engine, tmp_path):
    budget = replace_line("budget.csv", "health unit supplies", f'"{FORMULA}"')
    folder = write_bundle(tmp_path / "post", budget_csv=budget)
    contents, problems = wb.read_folder(folder)
    assert contents is not None, problems
    path = tmp_path / "post.xlsx"
    write_workbook(contents, path)
    assert _formulas(path) == []
    assert FORMULA in _texts(path)
    # Through the database and back: the description is the same characters in the CSV.
    assert import_bundle(engine, folder)[0] is not None
    exported = tmp_path / "exported.xlsx"
    export_workbook(engine, "TST", 2027, exported)
    assert _formulas(exported) == []
    again, problems = import_workbook(engine, exported, replace=True)
    assert again is not None, problems
    export_bundle(engine, "TST", 2027, tmp_path / "back")
    assert (tmp_path / "back" / "budget.csv").read_text(encoding="utf-8") == budget


def test_the_template_holds_no_formula(tmp_path):
    write_template(tmp_path / "template.xlsx", records=True, tdy=True)
    assert _formulas(tmp_path / "template.xlsx") == []


def test_an_invoice_workbook_writes_its_texts_as_text(tmp_path):
    result = run_post(write_bundle(tmp_path / "post"))
    assert result.bundle is not None
    assert result.distribution is not None
    kind_of = result.catalog.kind_of(result.bundle.post.methodology)
    made = invoice(result.bundle, result.distribution, "1900.0", kind_of)
    bill = dataclasses.replace(made, agency=FORMULA, agency_name=f"{FORMULA} name")
    post = dataclasses.replace(result.bundle.post, stage=FORMULA, name=FORMULA)
    content = invoice_xlsx(bill, post)
    assert _formulas(content) == []
    assert FORMULA in _texts(content)


def test_what_the_scenario_pages_take_is_bounded_before_it_is_stored(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    pages = f"/posts/{KVR}/2027/scenarios"
    named = client.post(pages, data={"name": "n" * 201}, headers=headers)
    assert named.status_code == 422
    assert "at most 200 characters" in named.text
    assert client.get(f"{API}/scenarios").json() == []
    made = client.post(pages, data={"name": "Guards"}, headers=headers)
    assert made.status_code == 201
    scenario = client.get(f"{API}/scenarios").json()[0]["id"]
    for target, value, why in [("1" * 101, "1", "at most 100 characters"), ("6150:1931.0", "1" * 501, "at most 500")]:
        form = {"resource": "workload", "target": target, "column": "count", "value": value}
        answer = client.post(f"{pages}/{scenario}/changes", data=form, headers=headers)
        assert why in answer.text
    assert client.get(f"{API}/scenarios/{scenario}").json()["changes"] == []


def test_a_column_beyond_the_format_is_bounded_as_free_text(tmp_path):
    agencies = replace_line("agencies.csv", "1901.0,ICASS,EUR", f"1901.0,ICASS,{'x' * (MAX_TEXT_CHARS + 1)}")
    errors = _errors_of(write_bundle(tmp_path / "b", agencies_csv=agencies))
    assert [(file, row, field) for _, file, row, field in errors] == [("agencies.csv", 3, "bureau")]
