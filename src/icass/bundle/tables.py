"""Reading one CSV table of a bundle: header check, then each field parsed, every problem collected.

The standard library's csv module is used on purpose: it gives the row numbers every message needs and
reads each value as the string the format defines, with no type guessing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
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
    cells, problems = read_cells(folder, name, columns, optional, keep_extra)
    if cells is None:
        return [], problems
    parsers = {**columns, **optional}
    present = [c for c in parsers if c in cells.header]
    index = {c: cells.header.index(c) for c in present}
    extra_columns = [(i, h) for i, h in enumerate(cells.header) if h not in parsers]
    rows: list[Row] = []
    for number, record in cells.rows:
        source = Source(name, number)
        values: dict[str, Any] = {}
        ok = True
        for column, parse in parsers.items():
            try:
                values[column] = parse(record[index[column]] if column in index else "")
            except ValueError as why:
                problems.append(error(source, str(why), field=column))
                ok = False
        if ok:
            extra = tuple((h, record[i]) for i, h in extra_columns) if keep_extra else ()
            rows.append(Row(source, values, extra))
    return rows, problems


@dataclass(frozen=True)
class Cells:
    """A CSV file's header and its non-blank data rows, each with its row number as a spreadsheet numbers it."""

    name: str
    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]


def read_cells(
    folder: Path, name: str, required: Iterable[str], optional: Iterable[str] = (), keep_extra: bool = False
) -> tuple[Cells | None, list[Diagnostic]]:
    path = folder / name
    file = Source(name)
    if not path.is_file():
        return None, [error(file, "the file is missing")]
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            records = list(csv.reader(handle, strict=True))
    except (OSError, UnicodeDecodeError, csv.Error) as problem:
        return None, [error(file, f"cannot be read as UTF-8 CSV: {problem}")]
    if not records:
        return None, [error(file, "is empty: a header row is required")]
    header = tuple(h.strip() for h in records[0])
    required = list(required)
    missing = [c for c in required if c not in header]
    if missing:
        return None, [error(Source(name, 1), f"the header lacks column(s) {', '.join(missing)}")]
    problems: list[Diagnostic] = []
    known = set(required) | set(optional)
    unknown = [h for h in header if h not in known]
    if unknown and not keep_extra:
        problems.append(warning(Source(name, 1), f"column(s) {', '.join(unknown)} are not part of the format; ignored"))
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(error(Source(name, number), f"has {len(record)} fields; the header has {len(header)}"))
            continue
        rows.append((number, record))
    return Cells(name, header, rows), problems
