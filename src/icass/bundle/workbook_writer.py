"""Writing a bundle as an Excel workbook (docs/workbook.md), and the empty template: one sheet per bundle file
with its header (bold, frozen), codes as text, amounts as numbers shown `#,##0.00`, dates as dates; drop-down
lists for the codes (agencies from the agencies sheet, cost centers from the catalog, funding sources,
categories, yes/no); and an instructions sheet that explains every sheet and column with its handbook
section.

A cell is written as a number or a date only when reading it back gives the same text (icass.bundle.workbook
reads a number as the shortest decimal of its double, padded to the decimals its format shows), so a
bundle -> workbook -> bundle round trip is identical; anything else is written as the text it is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from icass.bundle.format import FILES, POLICY_FILE, POLICY_NOTE, POST, REQUIRED_FILES, WORKBOOK_LISTS
from icass.bundle.tables import Cells
from icass.bundle.workbook import (
    AMOUNT,
    CODE,
    COLUMNS,
    DATE,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    NUMBER,
    OPTIONAL_COLUMNS,
    OPTIONAL_POST_KEYS,
    POLICY_SHEET,
    POST_FILE,
    POST_KEYS,
    POST_SHEET,
    SUMMARY_SHEET,
    TEXT,
    YES_NO,
    Contents,
    number_text,
    sheet_of,
)

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
LAST_ROW = 1_048_576  # Excel's last row: validations and column formats reach it
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_NUMBER = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,8})?")

# What each sheet is, with the handbook sections docs/bundle.md cites for it (icass.bundle.format).
SHEET_NOTES: dict[str, str] = {
    POST_FILE: POST.note,
    **{name: file.note for name, file in FILES.items()},
    POLICY_FILE: POLICY_NOTE,
}
COLUMN_NOTES: dict[tuple[str, str], str] = {
    **{(POST_FILE, key.name): key.note for key in POST.keys if key.note},
    **{(name, c.name): c.note for name, file in FILES.items() for c in file.columns if c.note},
}
KIND_NOTES = {
    CODE: "code (text)",
    TEXT: "text",
    AMOUNT: "amount in dollars: >= 0, at most two decimals",
    NUMBER: "number >= 0, at most four decimals",
    DATE: "date (an Excel date or text YYYY-MM-DD)",
    YES_NO: "yes or no",
}
GENERAL_RULES = (
    "This workbook is an ICASS post bundle (docs/bundle.md, docs/workbook.md): `icass import BOOK.xlsx` checks it "
    "and stores it; `icass export POST --fiscal-year N BOOK.xlsx` writes one.",
    "One sheet per bundle file, named after it (budget.csv is the sheet budget, tdy/visits.csv the sheet "
    "tdy_visits). Row 1 names the columns, in any order; each later row is one record; blank rows are skipped. "
    "Messages name the sheet and the row as Excel numbers it.",
    "Sheets that must be there: post, " + ", ".join(sheet_of(n) for n in REQUIRED_FILES) + ". The others are "
    "optional: a source record sheet that is there (even empty) makes icass derive the counts its rules cover, so "
    "delete the ones a post does not keep.",
    "Type values, never formulas: a cell holding a formula is refused (its saved result may be missing or stale). "
    "TRUE/FALSE (outside yes/no columns) and error values are refused too.",
    "Codes are text (the code columns are formatted as Text): 1900.0 stays 1900.0 and 0006 keeps its zeros. A code "
    "typed into a cell formatted as a number is refused, since Excel has dropped its zeros and decimals.",
    "Amounts are dollars with at most two decimals, never negative; counts, percents and quantities at most four "
    "decimals. Numbers are read exactly as typed.",
    "Every problem of an import is reported at once, with sheet, row and column; an import with any error stores "
    "nothing. This sheet and the hidden lists sheet are not read.",
    "A workbook exported from a post also has the sheet budget_summary, the Budget Summary Worksheet (H-341.5-1(B) "
    "NOTE 5): the budget by object class and funding source, worked out from the other sheets when the workbook "
    "was written. It is not read: change the budget on the budget and position_costs sheets.",
)


def write_workbook(
    contents: Contents, path: Path, methodology: str | None = None, summary: Sequence[Sequence[object]] = ()
) -> None:
    """The contents as a workbook at `path` (written beside it and renamed into place). `methodology` picks the
    catalog's cost centers for the drop-down lists (default: the post's). `summary`: the rows of the Budget
    Summary Worksheet (text, and Decimal dollars), written to a sheet of its own when given."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    chosen = methodology or str(contents.post.get("methodology") or "standard")
    _instructions(book.create_sheet(INSTRUCTIONS_SHEET))
    _post_sheet(book.create_sheet(POST_SHEET), contents.post)
    lists = _lists(chosen)
    for name in COLUMNS:
        cells = contents.files.get(name)
        if cells is not None:
            _table_sheet(book.create_sheet(sheet_of(name)), name, cells)
    if POLICY_FILE in contents.documents:
        _policy_sheet(book.create_sheet(POLICY_SHEET), contents.documents[POLICY_FILE])
    if summary:
        _summary_sheet(book.create_sheet(SUMMARY_SHEET), summary)
    ranges = _lists_sheet(book.create_sheet(LISTS_SHEET), lists)
    _validations(book, contents, ranges)
    text_is_never_a_formula(book)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(partial)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def template_contents(records: bool = False, tdy: bool = False) -> Contents:
    """An empty bundle: every required file (and modifications) with its whole header, the source record files
    with `records`, the TDY files with `tdy`."""
    names = [*REQUIRED_FILES, "modifications.csv"]
    if records:
        names += [n for n in COLUMNS if n not in names and not n.startswith("tdy/")]
    if tdy:
        names += [n for n in COLUMNS if n.startswith("tdy/")]
    files = {name: Cells(name, tuple(COLUMNS[name]), [], []) for name in COLUMNS if name in names}
    documents = {POLICY_FILE: '[policy]\nthreshold = "500.00"\ninvoices = "yes"\n'} if tdy else {}
    return Contents(dict.fromkeys(POST_KEYS, ""), files, documents)


def write_template(path: Path, methodology: str = "standard", records: bool = False, tdy: bool = False) -> None:
    write_workbook(template_contents(records, tdy), path, methodology)


# ---- the sheets ------------------------------------------------------------------------------------------


def _bold_header(sheet: Any, widths: Sequence[int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


def text_is_never_a_formula(book: Any) -> None:
    """Every text cell of `book` a string cell. openpyxl takes any text that starts with `=` for a formula, and
    a workbook this product writes holds data (codes, names, descriptions as they were entered), never a
    formula that Excel would run (docs/workbook.md)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"


def _text_cell(sheet: Any, row: int, column: int, text: str) -> None:
    cell = sheet.cell(row, column, text)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    cell.number_format = TEXT_FORMAT


def _value(text: str, kind: str) -> tuple[Any, str] | None:
    """A cell's text as the number or date a workbook stores, with its format; None to write it as text. Only
    a value that reads back as the same text is written so."""
    if kind in (AMOUNT, NUMBER) and _PLAIN_NUMBER.fullmatch(text):
        whole, dot, part = text.partition(".")
        number: int | float = float(text) if dot else int(whole)
        places = len(part)
        if kind == AMOUNT and places != 2:
            return None
        if number_text(number, places) != text:
            return None
        shown = AMOUNT_FORMAT if kind == AMOUNT else ("0." + "0" * places if places else "General")
        return number, shown
    if kind == DATE and _DATE_TEXT.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
        return (day, DATE_FORMAT) if day.year >= 1900 else None
    return None


def _summary_sheet(sheet: Any, rows: Sequence[Sequence[object]]) -> None:
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if isinstance(value, Decimal):
                sheet.cell(i, j, value).number_format = AMOUNT_FORMAT
            elif value != "":
                _text_cell(sheet, i, j, str(value))
    _bold_header(sheet, [12, 16, 16, 16, 16, 16, 18])


def _table_sheet(sheet: Any, name: str, cells: Cells) -> None:
    from openpyxl.utils import get_column_letter

    kinds = [COLUMNS[name].get(column, TEXT) for column in cells.header]
    for j, column in enumerate(cells.header, start=1):
        _text_cell(sheet, 1, j, column)
    for i, record in enumerate(cells.records, start=2):
        for j, (text, kind) in enumerate(zip(record, kinds, strict=True), start=1):
            if text == "":
                continue
            found = _value(text, kind)
            if found is None:
                _text_cell(sheet, i, j, text)
            else:
                cell = sheet.cell(i, j, found[0])
                cell.number_format = found[1]
    widths = [max(len(c) + 4, 30 if k == TEXT else 14) for c, k in zip(cells.header, kinds, strict=True)]
    _bold_header(sheet, widths)
    for j, kind in enumerate(kinds, start=1):
        dimension = sheet.column_dimensions[get_column_letter(j)]
        # Empty cells take the column's format: a code typed later stays text, a date shows as one.
        dimension.number_format = {
            CODE: TEXT_FORMAT,
            TEXT: TEXT_FORMAT,
            YES_NO: TEXT_FORMAT,
            AMOUNT: AMOUNT_FORMAT,
        }.get(kind, DATE_FORMAT if kind == DATE else "General")
    if cells.header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(cells.header))}{max(len(cells.records) + 1, 2)}"


def _post_sheet(sheet: Any, post: dict[str, Any]) -> None:
    _text_cell(sheet, 1, 1, "key")
    _text_cell(sheet, 1, 2, "value")
    _text_cell(sheet, 1, 3, "what it is")
    row = 2
    for key in POST_KEYS:  # every key, those the post leaves out empty
        value = post.get(key)
        _text_cell(sheet, row, 1, key)
        if isinstance(value, bool):
            _text_cell(sheet, row, 2, "yes" if value else "no")
        elif value is None:
            pass
        elif isinstance(value, int):
            sheet.cell(row, 2, value).number_format = "0"
        elif isinstance(value, dt.date):
            sheet.cell(row, 2, value).number_format = DATE_FORMAT
        elif value != "":
            _text_cell(sheet, row, 2, str(value))
        note = COLUMN_NOTES.get((POST_FILE, key), "")
        if note:
            _text_cell(sheet, row, 3, note)
        row += 1
    _bold_header(sheet, [14, 36, 70])


def _policy_sheet(sheet: Any, text: str) -> None:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines, start=1):
        if line:
            _text_cell(sheet, i, 1, line)
    sheet.column_dimensions["A"].width = 90


def _lists(methodology: str) -> dict[str, list[str]]:
    """The drop-down lists: the catalog's cost centers, then the format's closed lists."""
    from icass.catalog import load_catalog

    lists = {"cost_center": [spec.code for spec in load_catalog().methodology(methodology)]}
    for choices in WORKBOOK_LISTS:
        values = choices.values()
        lists[choices.name] = sorted(values) if choices.sorted_in_workbook else list(values)
    return lists


def _lists_sheet(sheet: Any, lists: dict[str, list[str]]) -> dict[str, str]:
    """The values of the drop-down lists, a column each; returns each list's range."""
    from openpyxl.utils import get_column_letter

    ranges: dict[str, str] = {}
    for j, (name, values) in enumerate(lists.items(), start=1):
        _text_cell(sheet, 1, j, name)
        for i, value in enumerate(values, start=2):
            _text_cell(sheet, i, j, value)
        letter = get_column_letter(j)
        ranges[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


# (file, column) -> the list it takes; True: only its values (Excel refuses others), False: a warning only
# (a post may create sub-cost centers of its own, H-341.15 c). The agency columns take the agencies sheet's codes.
_CHOICES: dict[tuple[str, str], tuple[str, bool]] = {
    (name, c.name): c.listed
    for name, file in FILES.items()
    for c in file.columns
    if c.listed is not None and c.listed[0] != "agency"
}
_AGENCY_COLUMNS = tuple(
    sorted({c.name for file in FILES.values() for c in file.columns if c.listed == ("agency", True)})
)


def _validations(book: Any, contents: Contents, ranges: dict[str, str]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    agencies = contents.files.get("agencies.csv")
    if agencies is not None and "code" in agencies.header:
        letter = get_column_letter(agencies.header.index("code") + 1)
        ranges = {**ranges, "agency": f"{sheet_of('agencies.csv')}!${letter}$2:${letter}$10000"}

    def add(sheet: Any, column: int, source: str, strict: bool, what: str) -> None:
        rule = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle="Not in the list",
            error=f"{what}: pick one from the list" + ("" if strict else " (or keep it, if the post defines it)"),
        )
        letter = get_column_letter(column)
        rule.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.add_data_validation(rule)

    for name, cells in contents.files.items():
        sheet = book[sheet_of(name)]
        for j, column in enumerate(cells.header, start=1):
            if column in _AGENCY_COLUMNS and "agency" in ranges:
                add(sheet, j, ranges["agency"], True, "An agency code of the agencies sheet")
            elif (name, column) in _CHOICES:
                listed, strict = _CHOICES[(name, column)]
                add(sheet, j, ranges[listed], strict, f"{column}")
    post = book[POST_SHEET]
    for row in range(2, post.max_row + 1):
        key = post.cell(row, 1).value
        if key in _POST_LISTS:
            rule = DataValidation(
                type="list", formula1=ranges[_POST_LISTS[key]], allow_blank=True, showErrorMessage=True
            )
            rule.add(f"B{row}")
            post.add_data_validation(rule)


_POST_LISTS = {key.name: listed[0] for key in POST.keys if (listed := key.listed) is not None}


def _instructions(sheet: Any) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.cell(1, 1, "ICASS post bundle workbook").font = Font(bold=True, size=14)
    row = 3
    for rule in GENERAL_RULES:
        _text_cell(sheet, row, 1, rule)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 45
        row += 1
    row += 1
    for j, title in enumerate(("sheet", "column", "holds", "required", "notes"), start=1):
        sheet.cell(row, j, title).font = Font(bold=True)
    row += 1
    for name in (POST_FILE, *COLUMNS, POLICY_FILE):
        sheet_name = sheet_of(name)
        required = "required" if name == POST_FILE or name in REQUIRED_FILES else "optional"
        _text_cell(sheet, row, 1, sheet_name)
        sheet.cell(row, 1).font = Font(bold=True)
        _text_cell(sheet, row, 4, f"sheet {required}")
        _text_cell(sheet, row, 5, f"{name}: {SHEET_NOTES[name]}")
        sheet.cell(row, 5).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
        columns: dict[str, str] = dict.fromkeys(POST_KEYS, TEXT) if name == POST_FILE else COLUMNS.get(name, {})
        for column, kind in columns.items():
            optional = column in OPTIONAL_COLUMNS.get(name, ()) or (name == POST_FILE and column in OPTIONAL_POST_KEYS)
            _text_cell(sheet, row, 1, sheet_name)
            _text_cell(sheet, row, 2, column)
            holds = "a year" if column == "fiscal_year" else ("a date" if column == "count_date" else KIND_NOTES[kind])
            _text_cell(sheet, row, 3, holds)
            _text_cell(sheet, row, 4, "optional column" if optional else "required column")
            note = COLUMN_NOTES.get((name, column), "")
            if note:
                _text_cell(sheet, row, 5, note)
            row += 1
    for letter, width in zip("ABCDE", (16, 20, 42, 16, 100), strict=True):
        sheet.column_dimensions[letter].width = width
