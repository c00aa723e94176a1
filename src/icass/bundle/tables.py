"""Reading one CSV table of a bundle: header check, then each field parsed, every problem collected.

The standard library's csv module is used on purpose: it gives the row numbers every message needs and
reads each value as the string the format defines, with no type guessing.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from icass.diagnostics import Diagnostic, error, warning
from icass.model.records import Source
from icass.money import decimal_places, parse_cents, parse_decimal

Parser = Callable[[str], Any]


def text(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


def optional_text(value: str) -> str:
    return value.strip()


# Bounds that keep every scaled integer of the engine inside int64 with room to spare, far above any real
# post: no budget line reaches a trillion dollars, no count a billion units.
MAX_CENTS = 100_000_000_000_000
MAX_QUANTITY = Decimal(1_000_000_000)
QUANTITY_PLACES = 4


def cents(value: str) -> int:
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
    source: Source
    values: dict[str, Any]
    extra: tuple[tuple[str, str], ...] = ()


def read_table(
    folder: Path,
    name: str,
    columns: Mapping[str, Parser],
    keep_extra: bool = False,
    optional: Mapping[str, Parser] | None = None,
) -> tuple[list[Row], list[Diagnostic]]:
    """`columns` must be in the header; `optional` ones may be left out, and then parse as an empty cell."""
    optional = optional or {}
    cells, problems = read_cells(folder, name, columns, optional, keep_extra, max_rows=MAX_TABLE_ROWS)
    if cells is None:
        return [], problems
    parsers = {**columns, **optional}
    # (column, parser, its place in the row or None when the header leaves it out) once, not per cell
    getters = [(c, parse, cells.header.index(c) if c in cells.header else None) for c, parse in parsers.items()]
    extra_columns = [(i, h) for i, h in enumerate(cells.header) if h not in parsers] if keep_extra else []
    rows: list[Row] = []
    for number, record in cells.rows:
        source = Source(name, number)
        try:
            values = {c: parse(record[i] if i is not None else "") for c, parse, i in getters}
        except ValueError:  # parse every cell again, to report each bad one
            for column, parse, i in getters:
                try:
                    parse(record[i] if i is not None else "")
                except ValueError as why:
                    problems.append(error(source, str(why), field=column))
            continue
        rows.append(Row(source, values, tuple((h, record[i]) for i, h in extra_columns)))
    return rows, problems


@dataclass(frozen=True)
class Cells:
    """A CSV file's header and its non-blank data rows, each with its row number as a spreadsheet numbers it."""

    name: str
    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]


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
    rows = [(n, r) for n, r in enumerate(rest, start=2) if len(r) == width and "".join(r).strip()]
    for n, r in enumerate(rest, start=2):
        if len(r) != width and "".join(r).strip():  # blank lines are not rows
            problems.append(error(Source(name, n), f"has {len(r)} fields; the header has {width}"))
    return Cells(name, header, rows), problems


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
