"""Excel workbooks (docs/workbook.md): a bundle as a workbook and back, through the database too, the template,
and hostile workbooks, each refused with a clear message and no change to the database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from icass.bundle import workbook as wb
from icass.bundle.load import read_entered, read_post
from icass.bundle.tables import Folder
from icass.bundle.workbook_writer import write_template, write_workbook
from icass.cli import app
from icass.store.bundles import export_bundle, import_bundle
from icass.store.schema import ROW_TABLES, documents, posts
from icass.store.workbooks import export_workbook, import_workbook
from tests.bundles import write_bundle
from tests.store.test_store import SAMPLES, _same_tree

STANDARD = SAMPLES[0]


def _book(folder: Path, path: Path) -> Path:
    contents, problems = wb.read_folder(folder)
    assert contents is not None, problems
    write_workbook(contents, path)
    return path


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        found = {"posts": connection.execute(select(func.count()).select_from(posts)).scalar_one()}
        found["documents"] = connection.execute(select(func.count()).select_from(documents)).scalar_one()
        for name, table in ROW_TABLES.items():
            found[name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return found


def _errors(problems: list) -> list[str]:
    return [str(d) for d in problems if d.severity == "error"]


def test_every_sheet_name_is_one_excel_takes():
    assert all(len(wb.sheet_of(name)) <= 31 and "/" not in wb.sheet_of(name) for name in wb.FILE_OF_SHEET.values())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_a_bundle_comes_back_from_its_workbook_identical(sample, tmp_path):
    book = _book(sample, tmp_path / "post.xlsx")
    read = wb.read_workbook(book)
    assert read.contents is not None
    assert read.problems == []
    wb.write_folder(read.contents, tmp_path / "back")
    assert _same_tree(sample, tmp_path / "back") == []


def test_a_workbook_is_a_cell_source_read_as_its_bundle(tmp_path):
    read = wb.read_workbook(_book(STANDARD, tmp_path / "post.xlsx"))
    assert read.contents is not None
    post, _ = read_post(STANDARD)
    from_book = read_entered(read.contents, post, [])
    from_folder = read_entered(Folder(STANDARD), post, [])
    assert from_book[0] == from_folder[0]
    assert from_book[2] == from_folder[2] == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_a_post_comes_back_through_the_database_and_a_workbook_identical(engine, sample, tmp_path):
    stored, problems = import_bundle(engine, sample)
    assert stored is not None, _errors(problems)
    book = tmp_path / "post.xlsx"
    export_workbook(engine, stored.code, stored.fiscal_year, book)
    again, problems = import_workbook(engine, book, replace=True)
    assert again is not None, _errors(problems)
    assert problems == []
    assert (again.code, again.fiscal_year) == (stored.code, stored.fiscal_year)
    export_bundle(engine, stored.code, stored.fiscal_year, tmp_path / "back")
    assert _same_tree(sample, tmp_path / "back") == []


def test_an_exported_workbook_holds_the_budget_summary_worksheet_it_never_reads(engine, tmp_path):
    sample = next(s for s in SAMPLES if s.name == "standard-post")
    stored, _ = import_bundle(engine, sample)
    assert stored is not None
    book = tmp_path / "post.xlsx"
    export_workbook(engine, stored.code, stored.fiscal_year, book)
    sheet = openpyxl.load_workbook(book)[wb.SUMMARY_SHEET]
    rows = [tuple("" if c is None else c for c in row) for row in sheet.iter_rows(values_only=True)]
    printed = CliRunner().invoke(app, ["budget-summary", str(sample), "--format", "csv"]).output.splitlines()
    table = rows[: len(printed)]
    as_text = [",".join(c if isinstance(c, str) else f"{Decimal(str(c)):.2f}" for c in row) for row in table]
    assert as_text == printed  # the same worksheet as the CLI's, dollars as numbers
    contracts = rows[len(printed) + 2 :]
    assert contracts[0] == ("cost_center", "soc", "description", "amount", "", "", "")
    assert all(code.split("-")[0] in ("5821", "5822", "5823", "5826") for code, *_ in contracts[1:])
    assert len(contracts) > 1
    # Edited or not, the sheet is never read back: the budget comes from the budget sheet.
    edited = openpyxl.load_workbook(book)
    edited[wb.SUMMARY_SHEET]["B2"] = 1
    edited.save(book)
    again, problems = import_workbook(engine, book, replace=True)
    assert again is not None
    assert problems == []


def test_amounts_and_counts_are_numbers_codes_text_dates_dates(tmp_path):
    book = openpyxl.load_workbook(_book(STANDARD, tmp_path / "post.xlsx"))
    budget = book["budget"]
    header = [c.value for c in budget[1]]
    row = list(budget[2])
    amount = row[header.index("amount")]
    assert isinstance(amount.value, int | float)
    assert amount.number_format == "#,##0.00"
    assert row[header.index("soc")].data_type == "s"
    assert row[header.index("cost_center")].data_type == "s"
    people = book["people"]
    start = people[2][[c.value for c in people[1]].index("start_date")]
    assert isinstance(start.value, dt.datetime)
    assert book["agencies"]["A2"].value == "1900.0"


def test_the_template_has_headers_lists_and_instructions(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path, "lite", records=True, tdy=True)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["instructions", "post"]
    for name, columns in wb.COLUMNS.items():
        sheet = book[wb.sheet_of(name)]
        assert [c.value for c in sheet[1]] == list(columns)
        assert sheet.max_row == 1
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
    assert [book["post"].cell(r, 1).value for r in range(2, 2 + len(wb.POST_KEYS))] == list(wb.POST_KEYS)
    assert book["lists"].sheet_state == "hidden"

    def rules(sheet: str) -> dict[str, str]:
        return {
            str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
            for v in book[sheet].data_validations.dataValidation
        }

    budget = rules("budget")
    assert budget["A"].startswith("lists!")  # cost center: the catalog's codes
    assert budget["B"].startswith("lists!")  # funding
    assert rules("workload")["B"] == "agencies!$A$2:$A$10000"
    assert "F" in budget  # lease: yes or no
    lists = book["lists"]
    columns = {lists.cell(1, j).value: j for j in range(1, lists.max_column + 1)}
    codes = [lists.cell(i, columns["cost_center"]).value for i in range(2, lists.max_row + 1)]
    assert "6145" in codes  # a Lite cost center
    assert [lists.cell(i, columns["funding"]).value for i in range(2, 7)] == ["RB", "OBO", "LGP", "AMSAL", "PAT"]
    text = " ".join(str(c.value) for row in book["instructions"].iter_rows() for c in row if c.value)
    for name in wb.FILE_OF_SHEET:
        assert name in text
    for section in ("H-423.1-1", "H-341.14-1", "H-420", "H-363.1-5 d"):
        assert section in text


def test_an_empty_template_imports_nothing_and_says_what_is_missing(engine, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    stored, problems = import_workbook(engine, path)
    assert stored is None
    assert "error: template.xlsx, sheet post, row 2, code: is missing" in _errors(problems)
    assert _counts(engine)["posts"] == 0


# ---- hostile workbooks: each refused with a clear message; the stored post stays as it was ----------------


@pytest.fixture
def stored(engine, tmp_path):
    """The database holding the small test post; each hostile import replaces it (and must not)."""
    folder = write_bundle(tmp_path / "post")
    assert import_bundle(engine, folder)[0] is not None
    return engine, folder, _counts(engine)


def _refused(engine: Engine, path: Path, before: dict[str, int]) -> list[str]:
    found, problems = import_workbook(engine, path, replace=True)
    assert found is None
    assert _counts(engine) == before
    errors = _errors(problems)
    assert errors
    return errors


def _edited(folder: Path, path: Path, edit) -> Path:
    _book(folder, path)
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def test_wrong_types_on_several_rows_of_several_sheets_are_all_reported(stored, tmp_path):
    engine, folder, before = stored

    def edit(book):
        budget = book["budget"]
        budget["D3"] = True  # amount: a true/false value
        budget["D4"] = dt.datetime(2026, 1, 2)  # amount: a date
        budget["C5"] = 2500  # soc: a code typed as a number
        budget["D6"] = "ten"  # amount: text the format refuses
        budget["B2"] = "#N/A"
        budget["B2"].data_type = "e"  # an error value
        workload = book["workload"]
        workload["B3"] = dt.datetime(2026, 5, 1)  # agency: Excel made a date of it
        workload["C4"] = -5  # count: negative
        book["positions"]["A3"] = 12.5  # position_id: a number

    errors = _refused(engine, _edited(folder, tmp_path / "bad.xlsx", edit), before)
    expected = [
        "error: bad.xlsx, sheet budget, row 2, funding: cell B2 holds the error value #N/A",
        "error: bad.xlsx, sheet budget, row 3, amount: cell D3 holds TRUE, a true/false value",
        "error: bad.xlsx, sheet budget, row 4, amount: cell D4 holds a date (2026-01-02)",
        "error: bad.xlsx, sheet budget, row 5, soc: cell C5 holds the number 2500: a code is text",
        "error: bad.xlsx, sheet budget, row 6, amount: 'ten' is not a plain decimal number",
        "error: bad.xlsx, sheet workload, row 3, agency: cell B3 holds a date (2026-05-01)",
        "error: bad.xlsx, sheet workload, row 4, count: '-5' is negative",
        "error: bad.xlsx, sheet positions, row 3, position_id: cell A3 holds the number 12.5",
    ]
    for start in expected:
        assert sum(e.startswith(start) for e in errors) == 1, (start, errors)


def test_a_missing_sheet_is_named(stored, tmp_path):
    engine, folder, before = stored
    errors = _refused(engine, _edited(folder, tmp_path / "book.xlsx", lambda b: b.remove(b["budget"])), before)
    assert errors == ["error: book.xlsx, sheet budget: the sheet is missing"]
    no_post = _edited(folder, tmp_path / "nopost.xlsx", lambda b: b.remove(b["post"]))
    assert _refused(engine, no_post, before)[0].startswith("error: nopost.xlsx, sheet post: the sheet is missing")


def test_a_formula_is_refused_with_its_cell(stored, tmp_path):
    engine, folder, before = stored

    def edit(book):
        book["budget"]["D2"] = "=1000+1"
        book["post"]["B7"] = "=2026+1"

    errors = _refused(engine, _edited(folder, tmp_path / "f.xlsx", edit), before)
    formula = "error: f.xlsx, sheet budget, row 2, amount: cell D2 holds a formula (=1000+1): type the value itself"
    assert any(e.startswith(formula) for e in errors), errors
    assert any(e.startswith("error: f.xlsx, sheet post, row 7, fiscal_year: cell B7 holds a formula") for e in errors)
    assert not any("is missing" in e for e in errors), errors  # the formula is the one message about its cell


def test_rows_are_numbered_as_the_sheet_numbers_them(stored, tmp_path):
    engine, folder, before = stored

    def edit(book):
        budget = book["budget"]
        budget.insert_rows(3, 2)  # two blank rows
        budget["D8"] = "1.234"

    errors = _refused(engine, _edited(folder, tmp_path / "b.xlsx", edit), before)
    assert errors == ["error: b.xlsx, sheet budget, row 8, amount: '1.234' has more than two decimal places"]


def test_a_50_mb_file_is_refused_before_it_is_read(stored, tmp_path):
    engine, _, before = stored
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no disk written
    errors = _refused(engine, big, before)
    limit = "a workbook may be at most 20,971,520 bytes (20 MiB): refused before reading"
    assert errors == [f"error: big.xlsx: is 52,428,800 bytes; {limit}"]


def test_a_real_workbook_over_the_size_limit_is_refused(stored, tmp_path):
    engine, folder, before = stored
    book = _book(folder, tmp_path / "large.xlsx")
    with zipfile.ZipFile(book, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/image1.png", os.urandom(wb.MAX_WORKBOOK_BYTES))
    errors = _refused(engine, book, before)
    assert len(errors) == 1
    assert errors[0].startswith("error: large.xlsx: is 2")
    assert "a workbook may be at most 20,971,520 bytes" in errors[0]


def _xlsx_parts(folder: Path, tmp_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(_book(folder, tmp_path / "parts.xlsx")) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_zip_bomb_is_refused_unpacked(stored, tmp_path):
    engine, folder, before = stored
    parts = _xlsx_parts(folder, tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet3.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet3.xml", "w") as member:
            for _ in range(64):  # 64 MiB of zeros pack into some 64 KB
                member.write(zeros)
    assert bomb.stat().st_size < 1024 * 1024
    errors = _refused(engine, bomb, before)
    assert len(errors) == 1
    assert errors[0].startswith("error: bomb.xlsx: its part xl/worksheets/sheet3.xml would unpack from ")
    assert errors[0].endswith("to 1; at most 200 to 1): refused unread, as a possible zip bomb")


def test_a_zip_that_declares_a_huge_size_is_refused(stored, tmp_path):
    engine, folder, before = stored
    path = _book(folder, tmp_path / "declared.xlsx")
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")  # the first entry of the central directory
    data[central + 24 : central + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(data))
    errors = _refused(engine, path, before)
    assert len(errors) == 1
    assert "refused unread, as a possible zip bomb" in errors[0]


def test_an_xml_bomb_is_refused_unparsed(stored, tmp_path):
    engine, folder, before = stored
    parts = _xlsx_parts(folder, tmp_path)
    laughs = '<!DOCTYPE x [<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    sheet = parts["xl/worksheets/sheet3.xml"].decode()
    sheet = sheet.replace("<worksheet", laughs + "]><worksheet", 1)
    parts["xl/worksheets/sheet3.xml"] = sheet.replace(
        "</sheetData>", '<row r="99"><c r="A99" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData>'
    ).encode()
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    errors = _refused(engine, path, before)
    assert errors == [
        "error: laughs.xlsx: its part xl/worksheets/sheet3.xml declares a document type (<!DOCTYPE): refused unread"
    ]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"cost_center,funding,soc,amount\n", "is not an Excel workbook (.xlsx): it is not a zip package"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "is not an Excel workbook (.xlsx): it is an Excel 97-2003"),
        (b"", "is not an Excel workbook (.xlsx): it is not a zip package"),
    ],
    ids=["csv", "xls", "empty"],
)
def test_a_file_that_is_not_a_workbook_is_refused(stored, tmp_path, content, why):
    engine, _, before = stored
    path = tmp_path / "book.xlsx"
    path.write_bytes(content)
    errors = _refused(engine, path, before)
    assert len(errors) == 1
    assert errors[0].startswith(f"error: book.xlsx: {why}")


def test_a_zip_that_is_not_an_xlsx_package_is_refused(stored, tmp_path):
    engine, _, before = stored
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("budget.csv", "cost_center,funding,soc,amount\n")
    errors = _refused(engine, path, before)
    assert errors == [
        "error: book.xlsx: is not an Excel workbook (.xlsx): the zip package lacks [Content_Types].xml, xl/workbook.xml"
    ]


def test_a_broken_sheet_is_a_clear_error(stored, tmp_path):
    engine, folder, before = stored
    parts = _xlsx_parts(folder, tmp_path)
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet3.xml" else data)
    errors = _refused(engine, path, before)
    assert len(errors) == 1
    assert errors[0].startswith("error: broken.xlsx: cannot be read as an Excel workbook: ")


def test_the_commands_import_export_and_write_the_template(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    assert runner.invoke(app, ["import", str(STANDARD), "--data", str(data)]).exit_code == 0
    book = tmp_path / "kvr.xlsx"
    result = runner.invoke(app, ["export", "KVR", "--fiscal-year", "2027", str(book), "--data", str(data)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(book), "--data", str(data)])
    assert result.exit_code == 2
    assert "is already in the database (--replace)" in result.output
    result = runner.invoke(app, ["import", str(book), "--data", str(data), "--replace"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "KVR", "--fiscal-year", "2027", str(book), "--data", str(data)])
    assert result.exit_code == 2
    assert "exists already" in result.output
    template = tmp_path / "template.xlsx"
    result = runner.invoke(app, ["template", str(template), "--methodology", "lite"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(template, read_only=True).sheetnames[:3] == ["instructions", "post", "agencies"]
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    result = runner.invoke(app, ["import", str(bad), "--data", str(data)])
    assert result.exit_code == 2
    assert "bad.xlsx: is not an Excel workbook (.xlsx)" in result.output
    assert "nothing was stored" in result.output


def test_distribute_does_not_load_the_workbook_modules():
    script = (
        "import sys\n"
        "from icass.cli import app\n"
        "try:\n"
        f"    app(['distribute', {str(STANDARD)!r}, '--format', 'csv'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    modules = set(run.stderr.split())
    assert sorted(m for m in modules if m.startswith(("openpyxl", "icass.bundle.workbook", "icass.store"))) == []


def test_other_sheets_are_named_in_a_warning_and_the_post_sheet_takes_excel_values(engine, tmp_path):
    def edit(book):
        book.create_sheet("notes")["A1"] = "for the committee"
        post = book["post"]
        keys = [post.cell(r, 1).value for r in range(1, post.max_row + 1)]
        post.cell(keys.index("count_date") + 1, 2).value = dt.datetime(2026, 5, 1)
        post.cell(keys.index("fiscal_year") + 1, 2).value = "2027"

    path = _edited(write_bundle(tmp_path / "post"), tmp_path / "book.xlsx", edit)
    stored, problems = import_workbook(engine, path)
    assert stored is not None, _errors(problems)
    assert [str(d) for d in problems] == [
        "warning: book.xlsx, sheet notes: is not a sheet of the format (docs/workbook.md); ignored"
    ]
    export_bundle(engine, stored.code, stored.fiscal_year, tmp_path / "back")
    assert "count_date = 2026-05-01\n" in (tmp_path / "back" / "post.toml").read_text()


def test_the_tdy_sheets_are_checked_as_the_tdy_folder_is(engine, tmp_path):
    def edit(book):
        visits = book["tdy_visits"]
        column = [c.value for c in visits[1]].index("category") + 1
        visits.cell(3, column).value = "TOURIST"
        book["tdy_policy"]["A2"] = 'threshold = "100.00"'

    errors = _refused(engine, _edited(STANDARD, tmp_path / "tdy.xlsx", edit), _counts(engine))
    assert any(e.startswith("error: tdy.xlsx, sheet tdy_visits, row 3, category: 'TOURIST'") for e in errors), errors
    assert any(e.startswith("error: tdy.xlsx, sheet tdy_policy") and "threshold" in e for e in errors), errors
