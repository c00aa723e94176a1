"""Reading the source record files of a bundle into typed columns (polars), every cell checked at once.

The CSV structure (rows, quotes, header, limits) is read by `tables.read_cells`, which numbers each row as a
spreadsheet does; each column is then parsed in one vectorized step, and every bad cell becomes an error
naming the file, row and field. A file that is not there is simply absent: source records are optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path

import polars as pl

from icass.bundle.tables import Cells, read_cells
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


def _parse(
    name: str, kinds: Mapping[str, Kind], read: list[tuple[int, Cells]], problems: list[list[Diagnostic]]
) -> dict[int, pl.DataFrame]:
    """One file kind of several bundles as typed columns: the cells of every bundle are parsed together,
    then parted by bundle. Each refused cell is an error of its bundle; its value is null."""
    file = FILE_OF[name]
    chunks: dict[str, list[Sequence[object]]] = {c: [] for c in ("post", "row", *kinds)}
    for post, cells in read:
        count = len(cells.rows)
        chunks["post"].append([post] * count)
        chunks["row"].append([number for number, _ in cells.rows])
        by_column = list(zip(*(values for _, values in cells.rows), strict=True)) if count else []
        for column in kinds:
            at = cells.header.index(column) if column in cells.header else None
            chunks[column].append(by_column[at] if at is not None and count else [""] * count)
    frame = pl.DataFrame(
        {c: list(chain.from_iterable(parts)) for c, parts in chunks.items()},
        schema={"post": pl.Int32, "row": pl.Int64, **dict.fromkeys(kinds, pl.String)},
    ).with_columns(pl.col(c).str.strip_chars() for c in kinds)
    parsed = frame.select(
        "post",
        "row",
        *(pl.when(pl.col(c) != "").then(kind.parse(pl.col(c))).alias(c) for c, kind in kinds.items()),
        *(pl.col(c).alias(f"{c}__raw") for c in kinds),
    )
    refused_any = pl.lit(False)
    for column, kind in kinds.items():
        empty = pl.col(f"{column}__raw") == ""
        refused_any = refused_any | (~empty & pl.col(column).is_null()) | (empty & pl.lit(kind.required))
    refused = parsed.filter(refused_any)
    for column, kind in kinds.items():
        raw_col, value = pl.col(f"{column}__raw"), pl.col(column)
        empty = raw_col == ""
        bad = refused.filter((~empty & value.is_null()) | (empty & pl.lit(kind.required)))
        for post, row, text in bad.select("post", "row", f"{column}__raw").iter_rows():
            problem = (kind.problem or "is empty") if text else "is empty"
            problems[post].append(error(Source(file, row), f"{text!r} {problem}" if text else problem, field=column))
    typed = parsed.select(
        "post",
        "row",
        *(
            pl.col(c).fill_null(pl.lit(kind.default)) if kind.default is not None else pl.col(c)
            for c, kind in kinds.items()
        ),
    )
    # A refused cell is null; its row stays, so that the checks across records do not report what its
    # error already says (a dropped person would make every family member it sponsors "unknown").
    parts = {key[0]: part for key, part in typed.partition_by("post", as_dict=True, include_key=False).items()}
    nothing = typed.drop("post").clear()
    return {post: parts.get(post, nothing) for post, _ in read}


def read_sources(folder: Path) -> tuple[SourceRecords, list[Diagnostic]]:
    """Every source record file the bundle has; the others stay None."""
    return read_sources_of([folder])[0]


def read_sources_of(folders: Sequence[Path]) -> list[tuple[SourceRecords, list[Diagnostic]]]:
    """The source records of several bundles, each kind of file parsed for all of them at once (a world has
    250 bundles: one set of column operations per kind instead of one per bundle)."""
    problems: list[list[Diagnostic]] = [[] for _ in folders]
    frames: list[dict[str, pl.DataFrame | None]] = [{} for _ in folders]
    for name, kinds in columns().items():
        file = FILE_OF[name]
        optional = OPTIONAL_COLUMNS.get(name, ())
        read: list[tuple[int, Cells]] = []
        for post, folder in enumerate(folders):
            path = folder / file
            frames[post][name] = None
            if not path.exists() and not path.is_symlink():
                continue
            cells, more = read_cells(folder, file, [c for c in kinds if c not in optional], optional)
            problems[post] += more
            if cells is not None:
                read.append((post, cells))
        if read:
            for post, frame in _parse(name, kinds, read, problems).items():
                frames[post][name] = frame
    return [(SourceRecords(**f), p) for f, p in zip(frames, problems, strict=True)]
