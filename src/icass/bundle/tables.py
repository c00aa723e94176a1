"""Reading one CSV table of a bundle: header check, then each field parsed, every problem collected.

The standard library's csv module is used on purpose: it gives the row numbers every message needs and
reads each value as the string the format defines, with no type guessing.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice, repeat
from pathlib import Path
from typing import Any, Protocol

from icass.bundle.codes import CODE_SHAPE, MAX_TEXT_CHARS, code_problem, post_code_problem, text_problem
from icass.diagnostics import Diagnostic, error, warning
from icass.model.provenance import Source
from icass.money import decimal_places, format_plain, parse_cents, parse_decimal

Parser = Callable[[str], Any]


def text(value: str) -> str:
    """Free text (a name, a title, a description): not empty, at most MAX_TEXT_CHARS characters."""
    return _required(value, optional_text)


def optional_text(value: str) -> str:
    stripped = value.strip()
    return _checked(stripped, text_problem(stripped))


def code(value: str) -> str:
    """A code (icass.bundle.codes): an agency, a cost center, a position, a person..."""
    return _required(value, optional_code)


def optional_code(value: str) -> str:
    stripped = value.strip()
    return _checked(stripped, code_problem(stripped) if stripped else None)


def post_code(value: str) -> str:
    """A post's code (post.toml, a world's posts.csv): narrower than other codes (icass.bundle.codes)."""
    return _required(value, optional_post_code)


def optional_post_code(value: str) -> str:
    stripped = value.strip()
    return _checked(stripped, post_code_problem(stripped) if stripped else None)


def _required(value: str, optional: Callable[[str], str]) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return optional(value)


def _checked(stripped: str, problem: str | None) -> str:
    if problem is not None:
        raise ValueError(problem)
    return stripped


# Bounds that keep every scaled integer of the engine inside int64 with room to spare, far above any real
# post: no budget line reaches a trillion dollars, no count a billion units.
MAX_CENTS = 100_000_000_000_000
MAX_QUANTITY = Decimal(1_000_000_000)
QUANTITY_PLACES = 4


def cents(value: str | int) -> int:
    """An amount in dollars as written (`1234.50`), or already in cents as the store keeps it (its BIGINT):
    one out of bounds is read as its text, so that its message is the one its written form gets."""
    if isinstance(value, int):
        if 0 <= value <= MAX_CENTS:
            return value
        value = format_plain(value)
    amount = parse_cents(value)
    if amount < 0:
        raise ValueError(f"{value!r} is negative")
    if amount > MAX_CENTS:
        raise ValueError(f"{value!r} is larger than 1,000,000,000,000.00")
    return amount


def quantity(value: str) -> Decimal:
    number = parse_decimal(value)
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    if decimal_places(number) > QUANTITY_PLACES:
        raise ValueError(f"{value!r} has more than {QUANTITY_PLACES} decimal places")
    if number > MAX_QUANTITY:
        raise ValueError(f"{value!r} is larger than 1,000,000,000")
    return number


def optional_quantity(value: str) -> Decimal | None:
    return quantity(value) if value.strip() else None


@dataclass(frozen=True)
class Row:
    """One good row of a table: where it came from, its parsed cells by column, and any columns beyond the format."""

    source: Source
    values: dict[str, Any]
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Table:
    """A table's good rows, read column by column: `values[column][k]` is the parsed cell of the row numbered
    `numbers[k]`; a row with any bad cell is left out (its problems are reported)."""

    name: str
    numbers: list[int]
    values: dict[str, list[Any]]
    extra: list[tuple[tuple[str, str], ...]]  # each row's columns beyond the format, with keep_extra

    def sources(self) -> list[Source]:
        return [Source(self.name, n) for n in self.numbers]

    def rows(self) -> list[Row]:
        columns = list(self.values)
        return [
            Row(Source(self.name, n), dict(zip(columns, cells, strict=True)), more)
            for n, more, *cells in zip(self.numbers, self.extra, *self.values.values(), strict=True)
        ]


def read_table(
    folder: Path | CellSource,
    name: str,
    columns: Mapping[str, Parser],
    keep_extra: bool = False,
    optional: Mapping[str, Parser] | None = None,
) -> tuple[list[Row], list[Diagnostic]]:
    """`columns` must be in the header; `optional` ones may be left out, and then parse as an empty cell."""
    table, problems = read_columns(folder, name, columns, keep_extra, optional)
    return table.rows(), problems


class CellSource(Protocol):
    """Where a bundle's tables come from: its folder, or the rows the database keeps of it (icass.store). The
    same parsers read both, so a stored cell is valid exactly when a file's would be."""

    def has(self, name: str) -> bool: ...

    def cells(
        self, name: str, required: Iterable[str], optional: Iterable[str], keep_extra: bool, max_rows: int
    ) -> tuple[Cells | None, list[Diagnostic]]: ...


def held_cells(
    files: Mapping[str, Cells],
    name: str,
    required: Iterable[str],
    optional: Iterable[str],
    keep_extra: bool,
    max_rows: int,
) -> tuple[Cells | None, list[Diagnostic]]:
    """CellSource.cells for tables already in memory (a workbook's sheets, the database's rows): checked as a
    file's are, for its header and its number of rows."""
    found = files.get(name)
    if found is None:
        return None, [error(Source(name), "the file is missing")]
    if len(found.records) > max_rows:
        return None, [error(Source(name), f"has more than {max_rows:,} rows, the most this file holds")]
    _, problems, fatal = check_header(name, found.header, required, optional, keep_extra)
    return (None if fatal else found), problems


@dataclass(frozen=True)
class Folder:
    """A bundle's tables read from its files."""

    root: Path

    def has(self, name: str) -> bool:
        path = self.root / name
        return path.exists() or path.is_symlink()  # a broken link is reported, not skipped

    def cells(
        self, name: str, required: Iterable[str], optional: Iterable[str], keep_extra: bool, max_rows: int
    ) -> tuple[Cells | None, list[Diagnostic]]:
        return read_cells(self.root, name, required, optional, keep_extra, max_rows)

    def plain_columns(
        self, name: str, required: Iterable[str], optional: Iterable[str], keep_extra: bool
    ) -> tuple[tuple[str, ...], list[list[str]], list[Diagnostic]] | None:
        return read_plain_columns(self.root, name, required, optional, keep_extra, MAX_TABLE_ROWS)


def read_columns(
    folder: Path | CellSource,
    name: str,
    columns: Mapping[str, Parser],
    keep_extra: bool = False,
    optional: Mapping[str, Parser] | None = None,
) -> tuple[Table, list[Diagnostic]]:
    """As read_table, but column by column: each column is parsed in one pass (with a fast path for the plain
    forms of amounts and counts), and a row object is never made. Every bad cell is still reported, in row
    order, by parsing the column that failed again cell by cell."""
    optional = optional or {}
    source = Folder(folder) if isinstance(folder, Path) else folder
    plain = source.plain_columns(name, columns, optional, keep_extra) if isinstance(source, Folder) else None
    texts: Sequence[Sequence[str]]
    if plain is not None:
        header, texts, problems = plain
        numbers = list(range(2, len(texts[0]) + 2))
    else:
        cells, problems = source.cells(name, columns, optional, keep_extra, MAX_TABLE_ROWS)
        if cells is None:
            return Table(name, [], {c: [] for c in (*columns, *optional)}, []), problems
        header, numbers = cells.header, cells.numbers
        texts = list(zip(*cells.records, strict=True)) or [() for _ in cells.header]
    parsers = {**columns, **optional}
    empty = ("",) * len(numbers)
    values: dict[str, list[Any]] = {}
    bad: list[tuple[int, int, Diagnostic]] = []  # (row index, column index, problem): reported in row order
    for j, (column, parse) in enumerate(parsers.items()):
        found = texts[header.index(column)] if column in header else empty
        try:
            values[column] = parse_column(parse, found)
        except ValueError:
            parsed: list[Any] = []
            for k, cell in enumerate(found):
                try:
                    parsed.append(parse(cell))
                except ValueError as why:
                    parsed.append(None)
                    bad.append((k, j, error(Source(name, numbers[k]), str(why), field=column)))
            values[column] = parsed
    extra_columns = [(i, h) for i, h in enumerate(header) if h not in parsers] if keep_extra else []
    for j, (i, column) in enumerate(extra_columns, start=len(parsers)):
        # A column beyond the format is kept as free text, and bounded as free text is.
        for k, cell in enumerate(texts[i]):
            if len(cell) > MAX_TEXT_CHARS:
                bad.append((k, j, error(Source(name, numbers[k]), str(text_problem(cell)), field=column)))
    extra: list[tuple[tuple[str, str], ...]] = (
        list(zip(*([(h, cell) for cell in texts[i]] for i, h in extra_columns), strict=True))
        if extra_columns
        else [()] * len(numbers)
    )
    if bad:
        bad.sort(key=lambda b: (b[0], b[1]))
        problems += [b[2] for b in bad]
        keep = sorted(set(range(len(numbers))) - {b[0] for b in bad})
        numbers = [numbers[k] for k in keep]
        values = {c: [v[k] for k in keep] for c, v in values.items()}
        extra = [extra[k] for k in keep]
    return Table(name, numbers, values, extra), problems


def parse_column(parse: Parser, cells: Sequence[str]) -> list[Any]:
    """Every cell of a column parsed; ValueError when any is bad. The plain forms that nearly every cell takes
    (an amount `1234.56`, a count `12.5`) are read without the general parser's checks; anything else goes
    through the parser itself, which is the definition."""
    whole = _COLUMN.get(parse)
    if whole is not None:
        found = whole(cells)
        if found is not None:
            return found
    fast = _FAST.get(parse)
    if fast is not None and cells and isinstance(cells[0], str):
        joined = "\n".join(cells)
        # One regex over the whole column runs in C; the count of line breaks rules out a cell holding one.
        if joined.count("\n") == len(cells) - 1 and _PLAIN_FORM[parse].fullmatch(joined):
            # A column repeats a few values (percents, counts) thousands of times: each read once. A Decimal
            # is immutable, so rows that wrote the same text may share one.
            read = {cell: fast(cell) for cell in set(cells)}
            return list(map(read.__getitem__, cells))
    return [parse(c) for c in cells]


def _plain_cents(cell: str) -> int:
    whole, _, fraction = cell.partition(".")
    return int(whole) * 100 + (int(fraction) * (10 if len(fraction) == 1 else 1) if fraction else 0)


def _plain_optional_quantity(cell: str) -> Decimal | None:
    return Decimal(cell) if cell else None


def _plain_text_column(cells: Sequence[str]) -> list[str] | None:
    stripped = _optional_text_column(cells)
    return stripped if stripped is not None and all(stripped) else None


def _optional_text_column(cells: Sequence[str]) -> list[str] | None:
    stripped = list(map(str.strip, cells))
    return stripped if not stripped or max(map(len, stripped)) <= MAX_TEXT_CHARS else None


def _code_column(cells: Sequence[str]) -> list[str] | None:
    """Every cell a code: one regex over the whole column (a code holds no line break, so the count of them
    rules out a cell holding one)."""
    stripped = list(map(str.strip, cells))
    joined = "\n".join(stripped)
    if stripped and joined.count("\n") == len(stripped) - 1 and _CODES.fullmatch(joined):
        return stripped
    return None


def _optional_code_column(cells: Sequence[str]) -> list[str] | None:
    stripped = list(map(str.strip, cells))
    joined = "\n".join(stripped)
    if not stripped or (joined.count("\n") == len(stripped) - 1 and _OPTIONAL_CODES.fullmatch(joined)):
        return stripped
    return None


_CODES = re.compile(f"(?:{CODE_SHAPE})(?:\n(?:{CODE_SHAPE}))*")
_OPTIONAL_CODES = re.compile(f"(?:{CODE_SHAPE})?(?:\n(?:{CODE_SHAPE})?)*")


def _cents_column(cells: Sequence[Any]) -> list[int] | None:
    """Amounts the store keeps in cents (a column of its BIGINT, all integers) taken as they are when within
    bounds; amounts as written read by _whole_cents_column."""
    if cells and isinstance(cells[0], int):
        return list(cells) if min(cells) >= 0 and max(cells) <= MAX_CENTS else None
    return _whole_cents_column(cells)


def _whole_cents_column(cells: Sequence[str]) -> list[int] | None:
    """Amounts that are all written with two decimals (`1234.50`, as nearly all are): the digits without the
    point are the cents, read by int() at C speed; None for any other column."""
    joined = "\n".join(cells)
    if not cells or joined.count("\n") != len(cells) - 1 or not _WHOLE_CENTS.fullmatch(joined):
        return None
    return list(map(int, joined.replace(".", "").split("\n")))


# Readers of a whole column that give the parser's values or None, registered by parsers that have one.
_COLUMN: dict[Parser, Callable[[Sequence[str]], list[Any] | None]] = {
    text: _plain_text_column,
    optional_text: _optional_text_column,
    code: _code_column,
    optional_code: _optional_code_column,
    cents: _cents_column,
}


def register_column(parse: Parser, reader: Callable[[Sequence[str]], list[Any] | None]) -> None:
    """`reader(cells)`: every cell's value as `parse` gives it, or None to have `parse` read the column."""
    _COLUMN[parse] = reader


# Each plain form lies inside what its parser accepts, and inside its bounds (12 integer digits is under
# MAX_CENTS, 9 under MAX_QUANTITY), so the fast reading gives exactly the parser's value.
_CENTS_FORM = r"[0-9]{1,12}(?:\.[0-9]{1,2})?"
_QUANTITY_FORM = rf"[0-9]{{1,9}}(?:\.[0-9]{{1,{QUANTITY_PLACES}}})?"
_WHOLE_CENTS = re.compile(r"[0-9]{1,12}\.[0-9]{2}(?:\n[0-9]{1,12}\.[0-9]{2})*")  # inside _CENTS_FORM
_FAST: dict[Parser, Parser] = {cents: _plain_cents, quantity: Decimal, optional_quantity: _plain_optional_quantity}
_PLAIN_FORM: dict[Parser, re.Pattern[str]] = {
    parse: re.compile(f"(?:{cell})(?:\n(?:{cell}))*")
    for parse, cell in ((cents, _CENTS_FORM), (quantity, _QUANTITY_FORM), (optional_quantity, f"(?:{_QUANTITY_FORM})?"))
}


@dataclass(frozen=True)
class Cells:
    """A CSV file's header and its non-blank data rows, each with its row number as a spreadsheet numbers it."""

    name: str
    header: tuple[str, ...]
    numbers: list[int]
    records: list[list[str]]


# Limits on what a bundle file may be, far above any real post (docs/bundle.md): a file past them is refused
# with a message, not read until the machine runs out of memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 1_000_000  # source record files: a large post logs tens of thousands of transactions a year
MAX_TABLE_ROWS = 100_000  # the budget side, read one record object a row: a post has a few thousand lines
MAX_FIELD_CHARS = 10_000
BOM = b"\xef\xbb\xbf"
csv.field_size_limit(MAX_FIELD_CHARS)


def read_bytes(path: Path, name: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes, or why it cannot be one of a bundle's files: missing, not a regular file (a
    directory, a FIFO, a device), too large, or starting with a byte-order mark."""
    file = Source(name)
    try:
        status = path.stat()  # follows a symbolic link: a link to a regular file is fine
    except FileNotFoundError:
        if path.is_symlink():
            return None, [error(file, f"is a symbolic link to {os.readlink(path)}, which does not exist")]
        return None, [error(file, "the file is missing")]
    except OSError as problem:
        return None, [error(file, f"cannot be read: {problem.strerror}")]
    if not stat.S_ISREG(status.st_mode):
        return None, [error(file, "is not a regular file")]  # never opened: a FIFO would block, /dev/zero never end
    if status.st_size > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES:,} bytes"
        return None, [error(file, f"is {status.st_size:,} bytes; a bundle file may be at most {limit}")]
    try:
        data = path.read_bytes()
    except OSError as problem:
        return None, [error(file, f"cannot be read: {problem.strerror}")]
    if data.startswith(BOM):
        return None, [
            error(
                Source(name, 1),
                'starts with a byte-order mark (Excel\'s "CSV UTF-8"): save it without one (plain UTF-8)',
            )
        ]
    return data, []


def decode(data: bytes, name: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        return None, [error(Source(name, line), f"is not UTF-8: byte {data[problem.start]:#04x} cannot be decoded")]


def read_toml_table(folder: Path, name: str, table: str) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The [table] of a TOML file, with the same checks as a CSV file. Decimals stay exact: a TOML float is
    read as a Decimal, never through a binary float."""
    data, problems = read_bytes(folder / name, name)
    text = None
    if data is not None:
        text, problems = decode(data, name)
    if text is None:
        return None, problems
    return toml_table(text, name, table)


def toml_table(text: str, name: str, table: str) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The [table] of a TOML document's text (a file's, or one the database keeps whole)."""
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as problem:
        return None, [error(Source(name), f"is not valid TOML: {problem}")]
    found = document.get(table)
    if not isinstance(found, dict):
        return None, [error(Source(name), f"lacks the [{table}] table")]
    return found, []


def read_cells(
    folder: Path,
    name: str,
    required: Iterable[str],
    optional: Iterable[str] = (),
    keep_extra: bool = False,
    max_rows: int | None = None,
) -> tuple[Cells | None, list[Diagnostic]]:
    """The header and rows of folder/name, with every structural check: a regular file, within the limits,
    UTF-8 without a byte-order mark, quotes balanced; a header with every required column, none twice; rows
    with as many fields as the header (others reported and left out). None when nothing can be read."""
    most = MAX_ROWS if max_rows is None else max_rows
    data, problems = read_bytes(folder / name, name)
    if data is None:
        return None, problems
    text, problems = decode(data, name)
    if text is None:
        return None, problems
    # Rows are numbered as a spreadsheet numbers them: one a record (a quoted field may span lines).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        cells = next(reader, None)
        if cells is None:
            return None, [error(Source(name), "is empty: a header row is required")]
        header, problems, fatal = check_header(name, cells, required, optional, keep_extra, problems)
        if fatal:
            return None, problems
        # The rest in one C call, then list comprehensions: this is every row of a world (some 700,000). At
        # most one more than allowed is read: blank lines count too, so a file of blank lines is refused fast.
        rest = list(islice(reader, most + 1))
    except csv.Error as problem:
        return None, [*problems, error(Source(name, _rows_before_error(text) + 1), _csv_problem(problem))]
    if len(rest) > most:
        return None, [error(Source(name, most + 2), f"has more than {most:,} rows, the most this file holds")]
    width = len(header)
    numbers: list[int] = []
    records: list[list[str]] = []
    if width and all(len(r) == width for r in rest) and all(r[0].strip() for r in rest):
        # Every row whole and none blank (its first cell holds something): the usual file, taken at once.
        return Cells(name, header, list(range(2, len(rest) + 2)), rest), problems
    for n, r in enumerate(rest, start=2):
        if len(r) == width and (any(r) and "".join(r).strip()):
            numbers.append(n)
            records.append(r)
        elif r and "".join(r).strip():  # blank lines are not rows
            problems.append(error(Source(name, n), f"has {len(r)} fields; the header has {width}"))
    return Cells(name, header, numbers, records), problems


def read_plain_columns(
    folder: Path,
    name: str,
    required: Iterable[str],
    optional: Iterable[str] = (),
    keep_extra: bool = False,
    max_rows: int = MAX_ROWS,
) -> tuple[tuple[str, ...], list[list[str]], list[Diagnostic]] | None:
    """The header, the columns and the header's problems (warnings) of folder/name when the file is plain: one
    record a line. Then splitting it at newlines and commas reads what the csv module reads (read_cells),
    several times faster and straight into columns; only the lines with a quote go through the csv module.
    Plain: within the limits, UTF-8, no carriage return or NUL, no quoted field over two lines, a header that
    can be read by, no blank line, and every line with as many fields as the header (so a record's row is its
    line). None otherwise, and whenever there is a problem to name: read_cells reads the file then."""
    data, _ = read_bytes(folder / name, name)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text or "\0" in text:
        return None
    lines = (text[:-1] if text.endswith("\n") else text).split("\n")
    rows = len(lines) - 1
    if not text or rows > max_rows or max(map(len, lines)) > MAX_FIELD_CHARS:
        return None  # empty, or past a limit (a line within the field limit has no field past it)
    quoted = _split_quoted(lines) if '"' in text else None
    if quoted == []:
        return None
    header, problems, fatal = check_header(
        name, quoted[0] if quoted else lines[0].split(","), required, optional, keep_extra
    )
    width = len(header)
    if fatal:
        return None
    if quoted is None:
        if list(map(str.count, lines, repeat(",", rows + 1))).count(width - 1) != rows + 1:
            return None
        cells = ",".join(lines[1:]).split(",") if rows else []
        columns = [cells[j::width] for j in range(width)]
    else:
        if any(len(record) != width for record in quoted):
            return None
        columns = [list(column) for column in zip(*quoted[1:], strict=True)] or [[] for _ in header]
    if not all(map(str.strip, columns[0])):
        return None  # a blank line, or a row with nothing in its first cell: read_cells tells them apart
    return header, columns, problems


def _split_quoted(lines: list[str]) -> list[list[str]]:
    """Each line's fields: split at commas, or read by the csv module when it has a quote. Empty when a
    quoted field does not end on its line, or the csv module refuses a line."""
    records = [line.split(",") for line in lines]
    at = [k for k, line in enumerate(lines) if '"' in line]
    reader = csv.reader([lines[k] for k in at], strict=True)
    try:
        for n, (k, record) in enumerate(zip(at, reader, strict=False), start=1):
            if reader.line_num != n:
                return []  # the record took more than its line
            records[k] = record
    except csv.Error:
        return []
    return records


def check_header(
    name: str,
    cells: Iterable[str],
    required: Iterable[str],
    optional: Iterable[str] = (),
    keep_extra: bool = False,
    problems: list[Diagnostic] | None = None,
) -> tuple[tuple[str, ...], list[Diagnostic], bool]:
    """The header row's column names and what is wrong with it; True when nothing can be read by it (a
    column repeated or a required one missing)."""
    found = list(problems or ())
    header = tuple(h.strip() for h in cells)
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        return header, [error(Source(name, 1), f"the header repeats column(s) {', '.join(repeated)}")], True
    required = list(required)
    missing = [c for c in required if c not in header]
    if missing:
        return header, [error(Source(name, 1), f"the header lacks column(s) {', '.join(missing)}")], True
    known = set(required) | set(optional)
    unknown = [h for h in header if h not in known]
    if unknown and not keep_extra:
        message = f"column(s) {', '.join(unknown)} are not part of the format; ignored"
        found.append(warning(Source(name, 1), message))
    return header, found, False


def _csv_problem(problem: csv.Error) -> str:
    text = str(problem)
    if "field larger than field limit" in text:
        return f"has a field longer than {MAX_FIELD_CHARS:,} characters"
    if "unexpected end of data" in text or "newline inside string" in text:
        return "has a quote that never closes: the quoted field that starts on this row runs to the end of the file"
    return f"is not valid CSV: {text}"


def _rows_before_error(text: str) -> int:
    """How many records csv reads before it fails; the failing one is the next (a rare path: read again)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for _ in reader:
            number += 1
    except csv.Error:
        pass
    return number
