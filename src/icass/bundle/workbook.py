"""A post bundle as an Excel workbook (docs/workbook.md): one sheet per bundle file, read back into the bundle's
written form so that the bundle's own readers check it.

Reading is careful before it is clever: the file's size and its zip directory are checked before any XML is
parsed (a 50 MB file or a zip bomb is refused, never unpacked), and every cell is taken for what Excel stored,
never guessed: a formula is refused (its saved result may be missing or stale), as is a true/false value, an
error value, a date where a number goes or a number where a code goes (Excel drops `1900.0`'s `.0` and
`0006`'s zeros). Numbers are Excel's IEEE doubles: each is written as the shortest decimal that reads back as
the same double, which is the decimal that was typed, so an amount `1234.56` is 123,456 cents exactly.

Every problem of every sheet is collected and reported together, named by workbook, sheet, row (as Excel
numbers it) and column. What the cells hold is then checked by the bundle's readers: icass.store.workbooks
writes the contents as a bundle folder, each sheet row on the same row of its CSV file, and runs the
pipeline on it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
import stat
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from icass.bundle.format import FILES, POLICY_FILE, POST, Kind
from icass.bundle.tables import MAX_FIELD_CHARS, MAX_ROWS, Cells, held_cells, read_bytes, read_cells
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.model import Source

POST_FILE = POST.name

# The kinds of cell a column holds (docs/workbook.md): what a workbook may store in it and how it is written.
CODE = "code"  # text only: Excel would drop a code's zeros and decimals (0006, 1900.0)
TEXT = "text"  # free text: a number typed there is taken as its digits
AMOUNT = "amount"  # dollars, two decimals
NUMBER = "number"  # a count, percent or quantity, at most four decimals
DATE = "date"  # an Excel date, or text YYYY-MM-DD
YES_NO = "yes/no"  # yes or no (TRUE and FALSE are taken too)

# What each kind of the format (icass.bundle.format) is in a workbook.
_KIND_OF: dict[Kind, str] = {
    Kind.CODE: CODE,
    Kind.POST_CODE: CODE,
    Kind.ONE_OF: CODE,
    Kind.TEXT: TEXT,
    Kind.AMOUNT: AMOUNT,
    Kind.SIGNED_AMOUNT: AMOUNT,
    Kind.COUNT: NUMBER,
    Kind.COUNT_OR_LEVEL: NUMBER,  # or a named level: text is taken as it is
    Kind.DATE: DATE,
    Kind.YES_NO: YES_NO,
    Kind.YEAR: NUMBER,
    Kind.PERCENT: NUMBER,
}

# Each bundle file -> its columns, in the format's order, with their kinds.
COLUMNS: dict[str, dict[str, str]] = {
    name: {c.name: _KIND_OF[c.kind] for c in file.columns} for name, file in FILES.items()
}
# Columns a file may leave out of its header.
OPTIONAL_COLUMNS = {name: file.optional_columns for name, file in FILES.items() if file.optional_columns}
POST_KEYS = POST.names
OPTIONAL_POST_KEYS = POST.optional_keys


def sheet_of(name: str) -> str:
    """A bundle file's sheet: its path without `.csv` or `.toml`, `/` made `_` (a sheet name may not hold `/`,
    and has at most 31 characters)."""
    return name.removesuffix(".csv").removesuffix(".toml").replace("/", "_")


POST_SHEET = sheet_of(POST_FILE)  # "post"
POLICY_SHEET = sheet_of(POLICY_FILE)  # "tdy_policy"
INSTRUCTIONS_SHEET = "instructions"
LISTS_SHEET = "lists"  # the values of the validation lists (hidden)
# The Budget Summary Worksheet, written on export from the post's rows for the reader and never read back.
SUMMARY_SHEET = "budget_summary"
FILE_OF_SHEET = {sheet_of(name): name for name in (POST_FILE, *COLUMNS, POLICY_FILE)}

# Limits checked before any of the workbook is unpacked. A real post's workbook is a few hundred kilobytes
# (the largest example is under 200 KB) and a large post's a few megabytes.
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all parts together, as the zip directory declares them
MAX_RATIO = 200  # a part's unpacked size to its packed size: sheets pack 5-30 to 1, a zip bomb 1,000 to 1
RATIO_FLOOR = 1024 * 1024  # parts smaller than this may pack as well as they like
MAX_PARTS = 1_000
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


@dataclass(frozen=True)
class Contents:
    """A bundle in its written form, whatever holds it (a folder, a workbook, the database): post.toml's [post]
    table as TOML reads it, each CSV file's header and rows as text (rows numbered as their holder numbers
    them), and the documents kept whole. It is a CellSource (icass.bundle.tables)."""

    post: dict[str, Any]
    files: dict[str, Cells]
    documents: dict[str, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.files

    def cells(
        self, name: str, required: Iterable[str], optional: Iterable[str], keep_extra: bool, max_rows: int
    ) -> tuple[Cells | None, list[Diagnostic]]:
        return held_cells(self.files, name, required, optional, keep_extra, max_rows)


# ---- A bundle folder in and out ------------------------------------------------------------------------


def read_folder(folder: Path) -> tuple[Contents | None, list[Diagnostic]]:
    """A bundle folder's contents as written (nothing checked but that each file reads)."""
    data, problems = read_bytes(folder / POST_FILE, POST_FILE)
    if data is None:
        return None, problems
    try:
        post = tomllib.loads(data.decode("utf-8"), parse_float=Decimal).get("post", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        return None, [error(Source(POST_FILE), f"is not valid TOML: {problem}")]
    files: dict[str, Cells] = {}
    for name in COLUMNS:
        if (folder / name).exists():
            cells, more = read_cells(folder, name, (), keep_extra=True)
            problems += more
            if cells is not None:
                files[name] = cells
    documents = {}
    if (folder / POLICY_FILE).exists():
        documents[POLICY_FILE] = (folder / POLICY_FILE).read_text(encoding="utf-8")
    return Contents(post if isinstance(post, dict) else {}, files, documents), problems


def post_toml(post: dict[str, Any]) -> str:
    """post.toml in the format's written form: its keys in the format's order, strings in TOML's basic form
    (JSON's escapes are TOML's), a date a TOML date; keys the format does not have are left out."""
    lines = ["[post]"]
    for key in POST_KEYS:
        value = post.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | dt.date | Decimal):
            value = str(value)
        written = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
        lines.append(f"{key} = {written}")
    return "\n".join(lines) + "\n"


def write_folder(contents: Contents, folder: Path) -> None:
    """The contents as a bundle folder; each record on the row its number gives (blank lines in between), so
    that a message about a file's row is about the same row of the sheet it came from."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / POST_FILE).write_text(post_toml(contents.post), encoding="utf-8")
    for name, cells in contents.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(cells.header)
            row = 1
            for number, record in zip(cells.numbers, cells.records, strict=True):
                handle.write("\n" * max(0, number - row - 1))
                writer.writerow(record)
                row = max(number, row + 1)
    for name, text in contents.documents.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)


# ---- The workbook read ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Book:
    """Where a workbook's problems are: its name, for `book.xlsx, sheet budget, row 5`."""

    name: str

    def sheet(self, sheet: str, row: int = 0) -> Source:
        return Source(f"{self.name}, sheet {sheet}", row)

    @property
    def whole(self) -> Source:
        return Source(self.name)


@dataclass
class WorkbookRead:
    """What a workbook holds, and where: the contents in the bundle's written form, each post key's row in the
    post sheet, and the problems found (every one, of every sheet)."""

    book: Book
    contents: Contents | None
    problems: list[Diagnostic]
    post_rows: dict[str, int] = field(default_factory=dict)

    def where(self, diagnostic: Diagnostic) -> Diagnostic:
        """A diagnostic of the bundle's readers named by sheet instead of file: `budget.csv, row 5` is `BOOK,
        sheet budget, row 5` (the rows are the same); post.toml's `post.code` is the post sheet's row of code."""
        source = diagnostic.source
        file, message, name = source.file, diagnostic.message, diagnostic.field
        if file == POST_FILE:
            key = name.removeprefix("post.") if name.startswith("post.") else ""
            moved = self.book.sheet(POST_SHEET, self.post_rows.get(key, 0))
            return replace(diagnostic, source=moved, message=message, field=key or name)
        if file in COLUMNS or file == POLICY_FILE:
            if message == "the file is missing":
                message = "the sheet is missing"
            moved = Source(self.book.sheet(sheet_of(file)).file, source.row, source.key)
            return replace(diagnostic, source=moved, message=message)
        if file == "tdy" and "no tdy/ folder" in message:
            message = f"the workbook has no tdy sheets: {POLICY_SHEET}, tdy_visits, tdy_services (docs/tdy.md)"
            return replace(diagnostic, source=self.book.whole, message=message)
        return diagnostic

    def merged(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """This read's problems, then the readers' ones named by sheet, less those about a cell this read
        already reported (a cell of the wrong type is passed on empty, which the reader may call empty)."""
        seen = {(d.source, d.field) for d in self.problems if d.severity == "error"}
        found = list(self.problems)
        for diagnostic in diagnostics:
            moved = self.where(diagnostic)
            if (moved.source, moved.field) not in seen or moved.severity != "error":
                found.append(moved)
        return found


def read_workbook(path: Path) -> WorkbookRead:
    """The workbook at `path` as a bundle's contents, with every problem of every sheet; contents None when
    the file cannot be read as a workbook at all (too large, not an xlsx file, a zip bomb)."""
    book = Book(path.name)
    problems = _check_file(path, book)
    if problems:
        return WorkbookRead(book, None, problems)
    import openpyxl  # imported here: only a workbook's reading pays for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as problem:  # openpyxl raises many kinds on a broken file: each is "cannot be read"
        return WorkbookRead(book, None, [error(book.whole, f"cannot be read as an Excel workbook: {_why(problem)}")])
    try:
        return _read_sheets(workbook, book)
    except Exception as problem:  # a part that breaks while its rows are read (bad XML, a bad zip member)
        return WorkbookRead(book, None, [error(book.whole, f"cannot be read as an Excel workbook: {_why(problem)}")])
    finally:
        workbook.close()


def _why(problem: Exception) -> str:
    text = str(problem).strip() or type(problem).__name__
    return text if len(text) < 300 else text[:300] + "..."


def _check_file(path: Path, book: Book) -> list[Diagnostic]:
    """Why the file is not a workbook to open, before any of it is unpacked: not a regular file, too large,
    not a zip file, not an xlsx package, or a zip whose parts would unpack too large (a zip bomb)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return [error(book.whole, "the file does not exist")]
    except OSError as problem:
        return [error(book.whole, f"cannot be read: {problem.strerror}")]
    if not stat.S_ISREG(status.st_mode):
        return [error(book.whole, "is not a regular file")]
    if status.st_size > MAX_WORKBOOK_BYTES:
        return [
            error(
                book.whole,
                f"is {status.st_size:,} bytes; a workbook may be at most {MAX_WORKBOOK_BYTES:,} bytes "
                f"({MAX_WORKBOOK_BYTES // 2**20} MiB): refused before reading",
            )
        ]
    not_xlsx = "is not an Excel workbook (.xlsx)"
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
        if start.startswith(b"\xd0\xcf\x11\xe0"):
            message = f"{not_xlsx}: it is an Excel 97-2003 (.xls) or encrypted file; save it as an Excel Workbook"
            return [error(book.whole, message)]
        if not zipfile.is_zipfile(path):
            return [error(book.whole, f"{not_xlsx}: it is not a zip package, as every .xlsx file is")]
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError) as problem:
        return [error(book.whole, f"{not_xlsx}: its zip directory cannot be read ({_why(problem)})")]
    if len(parts) > MAX_PARTS:
        return [error(book.whole, f"{not_xlsx}: it has {len(parts):,} parts; a workbook has at most {MAX_PARTS:,}")]
    names = {p.filename for p in parts}
    missing = [p for p in XLSX_PARTS if p not in names]
    if missing:
        return [error(book.whole, f"{not_xlsx}: the zip package lacks {', '.join(missing)}")]
    total = sum(p.file_size for p in parts)
    if total > MAX_UNPACKED_BYTES:
        return [
            error(
                book.whole,
                f"would unpack to {total:,} bytes; a workbook may unpack to at most {MAX_UNPACKED_BYTES:,} "
                f"({MAX_UNPACKED_BYTES // 2**20} MiB): refused unread, as a possible zip bomb",
            )
        ]
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            return [
                error(
                    book.whole,
                    f"its part {part.filename} would unpack from {part.compress_size:,} to {part.file_size:,} "
                    f"bytes ({ratio:,} to 1; at most {MAX_RATIO} to 1): refused unread, as a possible zip bomb",
                )
            ]
    if any(p.flag_bits & 0x1 for p in parts):
        return [error(book.whole, f"{not_xlsx}: its parts are encrypted")]
    return _declarations(path, parts, book)


def _declarations(path: Path, parts: list[zipfile.ZipInfo], book: Book) -> list[Diagnostic]:
    """A part that declares a document type: an xlsx part never does, and its entities are how an XML bomb
    (a billion laughs) grows. Found by reading each part (within the limits above), before any is parsed."""
    marker = b"<!DOCTYPE"
    try:
        with zipfile.ZipFile(path) as archive:
            for part in parts:
                if not part.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(part) as member:
                    tail = b""
                    while chunk := member.read(1024 * 1024):
                        if marker in tail + chunk:
                            message = f"its part {part.filename} declares a document type (<!DOCTYPE): refused unread"
                            return [error(book.whole, message)]
                        tail = chunk[-len(marker) :]
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as problem:
        return [error(book.whole, f"cannot be read as an Excel workbook: {_why(problem)}")]
    return []


def _read_sheets(workbook: Any, book: Book) -> WorkbookRead:
    problems: list[Diagnostic] = []
    files: dict[str, Cells] = {}
    documents: dict[str, str] = {}
    post: dict[str, Any] = {}
    post_rows: dict[str, int] = {}
    found_post = False
    for sheet in workbook.sheetnames:
        name = FILE_OF_SHEET.get(sheet)
        if sheet in (INSTRUCTIONS_SHEET, LISTS_SHEET, SUMMARY_SHEET):
            continue
        if name is None:
            message = "is not a sheet of the format (docs/workbook.md); ignored"
            problems.append(warning(book.sheet(sheet), message))
            continue
        worksheet = workbook[sheet]
        if not hasattr(worksheet, "iter_rows"):
            problems.append(error(book.sheet(sheet), "is a chart sheet, not a table"))
            continue
        worksheet.reset_dimensions()  # the stored dimension may be wrong: read what the sheet holds
        rows = _rows(worksheet, book, sheet, problems)
        if name == POST_FILE:
            found_post = True
            post, post_rows = _post(rows, book, problems)
        elif name == POLICY_FILE:
            documents[name] = _document(rows, book, sheet, problems)
        else:
            cells = _table(rows, name, book, sheet, problems)
            if cells is not None:
                files[name] = cells
    if not found_post:
        problems.insert(0, error(book.sheet(POST_SHEET), "the sheet is missing: the post's code, name, fiscal year..."))
        return WorkbookRead(book, None, problems)
    return WorkbookRead(book, Contents(post, files, documents), problems, post_rows)


# A cell as read: its row and column numbers, its value, its type ('n' number, 's' text, 'b' true/false,
# 'd' date, 'e' error, 'f' formula) and its number format.
@dataclass(frozen=True, slots=True)
class _Cell:
    row: int
    column: int
    value: Any
    kind: str
    number_format: str

    @property
    def ref(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.column)}{self.row}"


def _rows(worksheet: Any, book: Book, sheet: str, problems: list[Diagnostic]) -> Iterator[list[_Cell]]:
    """The sheet's rows, each the list of its cells that hold something; at most MAX_ROWS + 1 rows (more is an
    error, as in a file)."""
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            problems.append(error(book.sheet(sheet, number), f"the sheet has more than {MAX_ROWS:,} rows"))
            return
        cells = [
            _Cell(number, c.column, c.value, c.data_type, c.number_format or "General")
            for c in row
            if c.value is not None and c.value != ""
        ]
        yield cells


def _wrong(book: Book, sheet: str, cell: _Cell, column: str, what: str) -> Diagnostic:
    return error(book.sheet(sheet, cell.row), f"cell {cell.ref} {what}", field=column)


def _structural(cell: _Cell, book: Book, sheet: str, column: str) -> Diagnostic | None:
    """A formula or an error value: never data, whatever the column."""
    if cell.kind == "f":
        formula = str(cell.value)
        shown = formula if len(formula) <= 60 else formula[:60] + "..."
        what = f"holds a formula ({shown}): type the value itself; a formula's saved result may be missing or stale"
        return _wrong(book, sheet, cell, column, what)
    if cell.kind == "e":
        return _wrong(book, sheet, cell, column, f"holds the error value {cell.value}")
    return None


def _places(number_format: str) -> int:
    """How many decimals a number format such as `0.00` or `#,##0.0000` shows (0 for General)."""
    match = re.search(r"\.(0+)", number_format)
    return len(match.group(1)) if match else 0


def number_text(value: int | float, places: int = 0) -> str:
    """An Excel number as the decimal that was typed: the shortest that reads back as the same double (Python's
    repr), with at least `places` decimals (zeros added, never rounded)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        text = str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    else:
        text = str(value)
    if places:
        whole, _, part = text.partition(".")
        text = f"{whole}.{part.ljust(places, '0')}"
    return text


def _cell_text(cell: _Cell, kind: str, book: Book, sheet: str, column: str, problems: list[Diagnostic]) -> str:
    """A cell of a `kind` column as the bundle's text; a cell of the wrong type is reported and given as empty."""
    found = _structural(cell, book, sheet, column)
    if found is not None:
        problems.append(found)
        return ""
    value = cell.value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        if kind == YES_NO:
            return "yes" if value else "no"
        problems.append(
            _wrong(book, sheet, cell, column, f"holds {str(value).upper()}, a true/false value: {_KIND_IS[kind]}")
        )
        return ""
    if isinstance(value, dt.datetime | dt.date):
        if kind != DATE:
            made = " (Excel may have taken what was typed for a date)" if kind == CODE else ""
            what = f"holds a date ({value:%Y-%m-%d}){made}: {_KIND_IS[kind]}"
            problems.append(_wrong(book, sheet, cell, column, what))
            return ""
        if isinstance(value, dt.datetime) and value.time() != dt.time():
            problems.append(_wrong(book, sheet, cell, column, f"holds a date and a time ({value}): a date has no time"))
            return ""
        return value.strftime("%Y-%m-%d") if value.year >= 1000 else value.isoformat()
    if isinstance(value, int | float):
        if kind in (AMOUNT, NUMBER, TEXT):
            try:
                return number_text(value, 2 if kind == AMOUNT else _places(cell.number_format))
            except ValueError as why:
                problems.append(_wrong(book, sheet, cell, column, str(why)))
                return ""
        problems.append(_wrong(book, sheet, cell, column, f"holds the number {number_text(value)}: {_KIND_IS[kind]}"))
        return ""
    problems.append(_wrong(book, sheet, cell, column, f"holds {type(value).__name__} {value!r}: {_KIND_IS[kind]}"))
    return ""


_KIND_IS = {
    CODE: "a code is text (Excel drops a number's zeros and decimals: 0006, 1900.0); format the column as Text "
    "and type it again",
    TEXT: "text goes here",
    AMOUNT: "an amount is a number of dollars",
    NUMBER: "a number goes here",
    DATE: "a date goes here (an Excel date or text YYYY-MM-DD)",
    YES_NO: "yes or no goes here",
}


def _header(row: list[_Cell], book: Book, sheet: str, problems: list[Diagnostic]) -> list[str] | None:
    """The header row's column names, or None when it has a problem (reported)."""
    header: list[str] = []
    bad = False
    for cell in row:
        found = _structural(cell, book, sheet, "")
        if found is not None:
            problems.append(found)
            bad = True
        elif not isinstance(cell.value, str):
            problems.append(error(book.sheet(sheet, 1), f"cell {cell.ref}: a column name is text, not {cell.value!r}"))
            bad = True
        while len(header) < cell.column - 1:
            header.append("")
        header.append(str(cell.value).strip())
    gaps = [i for i, h in enumerate(header) if not h]
    if gaps:
        from openpyxl.utils import get_column_letter

        letters = ", ".join(get_column_letter(i + 1) for i in gaps)
        problems.append(error(book.sheet(sheet, 1), f"column(s) {letters} have no name, but columns after them do"))
        bad = True
    return None if bad else header


def _table(rows: Iterator[list[_Cell]], name: str, book: Book, sheet: str, problems: list[Diagnostic]) -> Cells | None:
    first = next(rows, None)
    if not first:
        # As an empty file: the bundle's reader says so (the header row is required).
        problems.append(error(book.sheet(sheet, 1), "is empty: the header row (row 1) is required"))
        return None
    header = _header(first, book, sheet, problems)
    if header is None:
        for _ in rows:  # every row is still read, for the row limit
            pass
        return None
    kinds = COLUMNS[name]
    width = len(header)
    numbers: list[int] = []
    records: list[list[str]] = []
    for cells in rows:
        if not cells:
            continue
        record = [""] * width
        for cell in cells:
            if cell.column > width:
                message = f"cell {cell.ref} holds a value, but its column has no name in row 1"
                problems.append(error(book.sheet(sheet, cell.row), message))
                continue
            column = header[cell.column - 1]
            text = _cell_text(cell, kinds.get(column, TEXT), book, sheet, column, problems)
            if len(text) > MAX_FIELD_CHARS:
                text = text[: MAX_FIELD_CHARS + 1]  # the reader reports it; no more is kept
            record[cell.column - 1] = text
        if any(record):
            numbers.append(cells[0].row)
            records.append(record)
    return Cells(name, tuple(header), numbers, records)


def _post(rows: Iterator[list[_Cell]], book: Book, problems: list[Diagnostic]) -> tuple[dict[str, Any], dict[str, int]]:
    """The post sheet: a `key` and a `value` column, one row a key of post.toml; later columns are notes, not
    read."""
    post: dict[str, Any] = {}
    where: dict[str, int] = {}
    first = next(rows, None) or []
    header = [c.value.strip() if isinstance(c.value, str) else c.value for c in first]
    if header[:2] != ["key", "value"]:
        problems.append(error(book.sheet(POST_SHEET, 1), "row 1 must name the columns key and value (A1, B1)"))
        return post, where
    for cells in rows:
        if not cells:
            continue
        by_column = {c.column: c for c in cells}
        key_cell, value_cell = by_column.get(1), by_column.get(2)
        if key_cell is None:
            problems.append(error(book.sheet(POST_SHEET, cells[0].row), "has a value but no key in column A"))
            continue
        if not isinstance(key_cell.value, str) or key_cell.kind != "s":
            problems.append(error(book.sheet(POST_SHEET, key_cell.row), f"cell {key_cell.ref}: a key is text"))
            continue
        key = key_cell.value.strip()
        if key in where:
            problems.append(error(book.sheet(POST_SHEET, key_cell.row), f"repeats the key {key} (row {where[key]})"))
            continue
        where[key] = key_cell.row
        if key not in POST_KEYS:
            message = f"{key} is not a key of post.toml ({', '.join(POST_KEYS)}); ignored"
            problems.append(warning(book.sheet(POST_SHEET, key_cell.row), message, field=key))
            continue
        if value_cell is None:
            continue  # left empty: the reader says whether the key may be
        value = _post_value(key, value_cell, book, problems)
        if value is not None:
            post[key] = value
    return post, where


def _post_value(key: str, cell: _Cell, book: Book, problems: list[Diagnostic]) -> Any:
    found = _structural(cell, book, POST_SHEET, key)
    if found is not None:
        problems.append(found)
        return None
    value = cell.value
    if key == "fiscal_year":
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            return int(value)
    elif key == "count_date":
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            return value
    elif isinstance(value, str):
        return value
    expected = {"fiscal_year": "a year such as 2027", "count_date": "a date"}.get(key, "text")
    shown = str(value).upper() if isinstance(value, bool) else str(value)
    problems.append(_wrong(book, POST_SHEET, cell, key, f"holds {shown}: {key} is {expected}"))
    return None


def _document(rows: Iterator[list[_Cell]], book: Book, sheet: str, problems: list[Diagnostic]) -> str:
    """A document kept whole (tdy/policy.toml): its lines, one a row in column A, row 1 its first line."""
    lines: list[str] = []
    for number, cells in enumerate(rows, start=1):
        line = ""
        for cell in cells:
            found = _structural(cell, book, sheet, "")
            if found is not None:
                problems.append(found)
            elif cell.column != 1:
                problems.append(error(book.sheet(sheet, cell.row), f"cell {cell.ref}: a line is in column A only"))
            elif not isinstance(cell.value, str):
                problems.append(
                    error(book.sheet(sheet, cell.row), f"cell {cell.ref}: a line is text, not {cell.value!r}")
                )
            else:
                line = cell.value
        lines += [""] * (number - 1 - len(lines))
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def has_problems(read: WorkbookRead) -> bool:
    return read.contents is None or has_errors(read.problems)


def same_rows(a: Contents, b: Contents) -> list[str]:
    """What differs between two contents, file by file and row by row (row numbers aside): for tests and for
    saying what an import changed."""
    found: list[str] = []
    if {k: v for k, v in a.post.items() if k in POST_KEYS} != {k: v for k, v in b.post.items() if k in POST_KEYS}:
        found.append(f"{POST_FILE}: {a.post} != {b.post}")
    for name in sorted(set(a.files) | set(b.files)):
        left, right = a.files.get(name), b.files.get(name)
        if left is None or right is None:
            found.append(f"{name}: only in {'the second' if left is None else 'the first'}")
        elif left.header != right.header or left.records != right.records:
            found.append(f"{name}: differs")
    if a.documents != b.documents:
        found.append("documents differ")
    return found
