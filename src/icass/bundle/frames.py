"""Reading the source record files of a bundle into typed columns (polars), every cell checked at once.

The CSV structure (rows, quotes, header, limits) is read by `tables.read_cells`, which numbers each row as a
spreadsheet does; each column is then parsed in one vectorized step, and every bad cell becomes an error
naming the file, row and field. A file that is not there is simply absent: source records are optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from icass.bundle.tables import read_cells
from icass.catalog.counting import PersonKind, Tenure, load_counting_rules
from icass.diagnostics import Diagnostic, error
from icass.model import QUANTITY_SCALE, Source, SourceRecords
from icass.model.sources import FILE_OF

MAX_QUANTITY_DIGITS = 10  # at most 1,000,000,000 (docs/bundle.md)
MAX_AMOUNT_DIGITS = 13  # at most 1,000,000,000,000.00 dollars


@dataclass(frozen=True)
class Kind:
    """How one column is parsed: `parse` turns the stripped strings into the typed column (null = bad), and
    `problem` says why a non-empty cell was refused."""

    parse: Callable[[pl.Expr], pl.Expr]
    problem: str
    required: bool = True  # False: an empty cell is allowed (null, or `default`)
    default: object = None


def _text(value: pl.Expr) -> pl.Expr:
    return value


def _one_of(allowed: list[str]) -> Callable[[pl.Expr], pl.Expr]:
    return lambda value: pl.when(value.is_in(allowed)).then(value)


def _date(value: pl.Expr) -> pl.Expr:
    shaped = value.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    return pl.when(shaped).then(value.str.to_date("%Y-%m-%d", strict=False))


def _yes_no(value: pl.Expr) -> pl.Expr:
    return pl.when(value == "yes").then(pl.lit(True)).when(value == "no").then(pl.lit(False))


def _scaled(digits: int, places: int, scale: int) -> Callable[[pl.Expr], pl.Expr]:
    """A plain non-negative decimal with at most `digits` whole digits and `places` decimals, as an integer
    in 1/scale units (bounds keep every sum far inside int64; docs/bundle.md)."""

    def parse(value: pl.Expr) -> pl.Expr:
        shaped = value.str.contains(rf"^\d{{1,{digits}}}(\.\d{{1,{places}}})?$")
        whole = value.str.extract(r"^(\d+)", 1).cast(pl.Int64)
        part = value.str.extract(r"\.(\d+)$", 1).fill_null("").str.pad_end(places, "0")
        fraction = pl.when(part == pl.lit("0" * places)).then(pl.lit("0")).otherwise(part).cast(pl.Int64)
        return pl.when(shaped).then(whole * scale + fraction)

    return parse


TEXT = Kind(_text, "is empty")
OPTIONAL_TEXT = Kind(_text, "", required=False)
DATE = Kind(_date, "is not a date YYYY-MM-DD")
OPTIONAL_DATE = Kind(_date, "is not a date YYYY-MM-DD", required=False)
QUANTITY = Kind(
    _scaled(MAX_QUANTITY_DIGITS - 1, 4, QUANTITY_SCALE),
    "is not a plain number >= 0 with at most four decimals and at most 1,000,000,000",
)
AMOUNT = Kind(
    _scaled(MAX_AMOUNT_DIGITS - 1, 2, 100),
    "is not an amount in dollars >= 0 with at most two decimals and at most 1,000,000,000,000.00",
)


def choice(values: Iterable[str], required: bool = True) -> Kind:
    allowed = [str(v) for v in values]
    return Kind(_one_of(allowed), f"is not one of {', '.join(allowed)}", required=required)


def yes_no(default: bool) -> Kind:
    return Kind(_yes_no, "is not yes or no", required=False, default=default)


@cache
def columns() -> dict[str, dict[str, Kind]]:
    """Each source record file's columns; a role is one the catalog's routing table names."""
    return {
        "people": {
            "person_id": TEXT,
            "agency": OPTIONAL_TEXT,
            "category": choice(PersonKind),
            "sponsor_id": OPTIONAL_TEXT,
            "employed_by": OPTIONAL_TEXT,
            "role": choice(load_counting_rules().roles, required=False),
            "start_date": DATE,
            "end_date": OPTIONAL_DATE,
            "med_eligible": yes_no(True),
            "sma": yes_no(False),
        },
        "subscriptions": {"cost_center": TEXT, "agency": TEXT},
        "it_inventory": {"agency": TEXT, "devices": QUANTITY, "opennet_accounts": QUANTITY},
        "procurement": {"action_id": TEXT, "date": DATE, "agency": TEXT, "amount": AMOUNT},
        "housing": {
            "unit_id": TEXT,
            "building_id": TEXT,
            "tenure": choice(Tenure),
            "agency": TEXT,
            "net_square_meters": QUANTITY,
            "vacant_since": OPTIONAL_DATE,
        },
        "office_space": {"building_id": TEXT, "tenure": choice(Tenure), "agency": TEXT, "net_square_meters": QUANTITY},
        "guard_hours": {"building_id": TEXT, "annual_hours": QUANTITY},
        "activity": {"cost_center": TEXT, "agency": TEXT, "date": DATE, "quantity": QUANTITY},
    }


# Columns a file may leave out of its header (all of people.csv's optional ones).
OPTIONAL_COLUMNS = {"people": ("sponsor_id", "employed_by", "role", "end_date", "med_eligible", "sma")}


def read_frame(folder: Path, name: str, columns: Mapping[str, Kind]) -> tuple[pl.DataFrame | None, list[Diagnostic]]:
    file = FILE_OF[name]
    optional = OPTIONAL_COLUMNS.get(name, ())
    cells, problems = read_cells(folder, file, [c for c in columns if c not in optional], optional)
    if cells is None:
        return None, problems
    rows = cells.rows
    raw: dict[str, list[str]] = {c: [] for c in columns}
    index = {c: cells.header.index(c) for c in columns if c in cells.header}
    for _, values in rows:
        for column, at in index.items():
            raw[column].append(values[at])
    frame = pl.DataFrame(
        {"row": [number for number, _ in rows], **{c: raw[c] if c in index else [""] * len(rows) for c in columns}},
        schema={"row": pl.Int64, **dict.fromkeys(columns, pl.String)},
    ).with_columns(pl.col(c).str.strip_chars() for c in columns)
    parsed = frame.select(
        "row",
        *(pl.when(pl.col(c) != "").then(kind.parse(pl.col(c))).alias(c) for c, kind in columns.items()),
        *(pl.col(c).alias(f"{c}__raw") for c in columns),
    )
    for column, kind in columns.items():
        raw_col, value = pl.col(f"{column}__raw"), pl.col(column)
        empty = raw_col == ""
        refused = parsed.filter((~empty & value.is_null()) | (empty & pl.lit(kind.required)))
        for row, text in refused.select("row", f"{column}__raw").iter_rows():
            problem = (kind.problem or "is empty") if text else "is empty"
            problems.append(error(Source(file, row), f"{text!r} {problem}" if text else problem, field=column))
    typed = parsed.select(
        "row",
        *(
            pl.col(c).fill_null(pl.lit(kind.default)) if kind.default is not None else pl.col(c)
            for c, kind in columns.items()
        ),
    )
    # A refused cell is null; its row stays, so that the checks across records do not report what its
    # error already says (a dropped person would make every family member it sponsors "unknown").
    return typed, problems


def read_sources(folder: Path) -> tuple[SourceRecords, list[Diagnostic]]:
    """Every source record file the bundle has; the others stay None."""
    frames: dict[str, pl.DataFrame | None] = {}
    problems: list[Diagnostic] = []
    for name, kinds in columns().items():
        path = folder / FILE_OF[name]
        if not path.exists() and not path.is_symlink():
            frames[name] = None
            continue
        frames[name], more = read_frame(folder, name, kinds)
        problems += more
    return SourceRecords(**frames), problems
