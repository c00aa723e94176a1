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

import numpy as np
import polars as pl

from icass.bundle import tables
from icass.bundle.codes import CODE_RULE, CODE_SHAPE, MAX_TEXT_CHARS
from icass.bundle.format import FILES as FORMAT
from icass.bundle.format import Column
from icass.bundle.format import Kind as CellKind
from icass.bundle.tables import MAX_FIELD_CHARS, Cells, check_header, decode, read_bytes, read_cells
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


def _code(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.contains(f"^(?:{CODE_SHAPE})$")).then(value)


CODE = Kind(_code, f"is not a code: {CODE_RULE}")
OPTIONAL_CODE = Kind(_code, f"is not a code: {CODE_RULE}", required=False)


def _text(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.len_chars() <= MAX_TEXT_CHARS).then(value)


TEXT = Kind(_text, f"is longer than {MAX_TEXT_CHARS} characters")
OPTIONAL_TEXT = Kind(_text, f"is longer than {MAX_TEXT_CHARS} characters", required=False)
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


def kind_of(column: Column) -> Kind:
    """How a column of a source record file is parsed (icass.bundle.format declares its kind)."""
    if column.kind == CellKind.ONE_OF:
        assert column.choices is not None, column
        return choice(column.choices.values(), required=column.required)
    if column.kind == CellKind.YES_NO:
        return yes_no(bool(column.default))
    by_kind = {
        CellKind.CODE: (CODE, OPTIONAL_CODE),
        CellKind.DATE: (DATE, OPTIONAL_DATE),
        CellKind.COUNT: (QUANTITY, QUANTITY),
        CellKind.AMOUNT: (AMOUNT, AMOUNT),
        CellKind.TEXT: (TEXT, OPTIONAL_TEXT),
    }
    return by_kind[column.kind][0 if column.required else 1]


@cache
def columns() -> dict[str, dict[str, Kind]]:
    """Each source record file's columns (by its name in icass.model.sources.FILE_OF)."""
    return {name: {c.name: kind_of(c) for c in FORMAT[file].columns} for name, file in FILE_OF.items()}


# Columns a file may leave out of its header.
OPTIONAL_COLUMNS = {
    name: FORMAT[file].optional_columns for name, file in FILE_OF.items() if FORMAT[file].optional_columns
}


def _slow_frame(kinds: Mapping[str, Kind], read: list[tuple[int, Cells]]) -> pl.DataFrame:
    """The raw cells of files read by the csv module, as one frame (post, row, each column as text)."""
    chunks: dict[str, list[Sequence[object]]] = {c: [] for c in ("post", "row", *kinds)}
    for post, cells in read:
        count = len(cells.records)
        chunks["post"].append([post] * count)
        chunks["row"].append(cells.numbers)
        by_column = list(zip(*cells.records, strict=True)) if count else []
        for column in kinds:
            at = cells.header.index(column) if column in cells.header else None
            chunks[column].append(by_column[at] if at is not None and count else [""] * count)
    return pl.DataFrame(
        {c: list(chain.from_iterable(parts)) for c, parts in chunks.items()},
        schema={"post": pl.Int32, "row": pl.Int64, **dict.fromkeys(kinds, pl.String)},
    )


@dataclass(frozen=True)
class _Plain:
    """A file simple enough for polars to read as the csv module would (see _plain)."""

    post: int
    header: tuple[str, ...]
    body: bytes  # the data lines, each ending with a newline
    lines: int
    problems: tuple[Diagnostic, ...] = ()  # the header's (warnings), said once the file is read this way


def _plain(post: int, data: bytes, header: tuple[str, ...], most: int, problems: Sequence[Diagnostic]) -> _Plain | None:
    """The file's data lines when polars reads them exactly as the csv module does and each line is one record
    with one field per column: no quote, no carriage return but in CRLF, every line with as many commas as
    the header (so no blank line either). Then a record's row number is its line number. None otherwise."""
    if b'"' in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    start = data.find(b"\n") + 1
    body = data[start:] if start else b""
    if body and not body.endswith(b"\n"):
        body += b"\n"
    lines = body.count(b"\n")
    if lines > most or body.count(b",") != lines * (len(header) - 1):
        return None
    return _Plain(post, header, body, lines, tuple(problems))


def _fast_frame(kinds: Mapping[str, Kind], files: list[_Plain]) -> pl.DataFrame | None:
    """Plain files with one header, as one frame read by polars in one call; None if polars disagrees with the
    checks of _plain (a line with too many fields among too few) or a field is too long, so that the csv
    module reads them and names the row."""
    header = files[0].header
    text = ",".join(header).encode() + b"\n" + b"".join(f.body for f in files)
    try:
        frame = pl.read_csv(
            text, has_header=False, skip_rows=1, new_columns=list(header), infer_schema=False, quote_char=None
        ).fill_null("")  # the comma count of _plain leaves only empty fields to be null
    except pl.exceptions.PolarsError:
        return None
    if frame.height != sum(f.lines for f in files):
        return None
    if frame.select(pl.max_horizontal(pl.col(c).str.len_chars().max() for c in header)).item() > MAX_FIELD_CHARS:
        return None
    posts = np.repeat(np.array([f.post for f in files], dtype=np.int32), [f.lines for f in files])
    rows = np.concatenate([np.arange(2, f.lines + 2, dtype=np.int64) for f in files])
    blank = pl.all_horizontal(pl.col(c).str.strip_chars() == "" for c in header)  # blank lines are not rows
    return (
        frame.with_columns(pl.Series("post", posts), pl.Series("row", rows))
        .filter(~blank)
        .select("post", "row", *(pl.col(c) if c in header else pl.lit("").alias(c) for c in kinds))
    )


def _parse(
    name: str, kinds: Mapping[str, Kind], raw: pl.DataFrame, posts: list[int], problems: list[list[Diagnostic]]
) -> dict[int, pl.DataFrame]:
    """One file kind of several bundles as typed columns: the cells of every bundle (`raw`: post, row and each
    column as text) are parsed together, then parted by bundle. Each refused cell is an error of its bundle;
    its value is null."""
    file = FILE_OF[name]
    frame = raw.with_columns(pl.col(c).str.strip_chars() for c in kinds)
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
    return {post: parts.get(post, nothing) for post in posts}


def read_sources_of(folders: Sequence[Path]) -> list[tuple[SourceRecords, list[Diagnostic]]]:
    """The source records of several bundles, each kind of file parsed for all of them at once (a world has
    250 bundles: one set of column operations per kind instead of one per bundle). Plain files (most) are
    read by polars, all the files of a kind with one header in one call; any other file by the csv module
    (icass.bundle.tables.read_cells), which names the row of every structural problem."""
    problems: list[list[Diagnostic]] = [[] for _ in folders]
    frames: list[dict[str, pl.DataFrame | None]] = [{} for _ in folders]
    for name, kinds in columns().items():
        file = FILE_OF[name]
        optional = OPTIONAL_COLUMNS.get(name, ())
        required = [c for c in kinds if c not in optional]
        slow: list[int] = []
        plain: dict[tuple[str, ...], list[_Plain]] = {}
        for post, folder in enumerate(folders):
            frames[post][name] = None
            path = folder / file
            if not path.exists() and not path.is_symlink():
                continue
            found = _plain_file(path, file, post, required, optional, problems[post])
            if found is None:
                slow.append(post)
            elif isinstance(found, _Plain):
                plain.setdefault(found.header, []).append(found)
        raws: list[pl.DataFrame] = []
        present: list[int] = []
        for group in plain.values():
            fast = _fast_frame(kinds, group)
            if fast is None:
                slow += [f.post for f in group]
                continue
            raws.append(fast)
            for f in group:
                problems[f.post] += f.problems
                present.append(f.post)
        read: list[tuple[int, Cells]] = []
        for post in sorted(slow):
            cells, more = read_cells(folders[post], file, required, optional)
            problems[post] += more
            if cells is not None:
                read.append((post, cells))
                present.append(post)
        if read:
            raws.append(_slow_frame(kinds, read))
        if raws:
            for post, frame in _parse(name, kinds, pl.concat(raws), sorted(present), problems).items():
                frames[post][name] = frame
    return [(SourceRecords(**f), p) for f, p in zip(frames, problems, strict=True)]


def sources_from_cells(found: Mapping[str, Cells]) -> tuple[SourceRecords, list[Diagnostic]]:
    """The source records of one bundle whose record files' cells are at hand (icass.store keeps them as
    rows; `found` maps each file name to its cells), parsed as read_sources_of parses a file."""
    return sources_from_cells_of([found])[0]


def sources_from_cells_of(bundles: Sequence[Mapping[str, Cells]]) -> list[tuple[SourceRecords, list[Diagnostic]]]:
    """sources_from_cells for several bundles (a stored world's posts), each kind of file parsed for all of
    them at once, as read_sources_of parses their files."""
    problems: list[list[Diagnostic]] = [[] for _ in bundles]
    frames: list[dict[str, pl.DataFrame | None]] = [{} for _ in bundles]
    for name, kinds in columns().items():
        read: list[tuple[int, Cells]] = []
        for post, found in enumerate(bundles):
            frames[post][name] = None
            cells = found.get(FILE_OF[name])
            if cells is not None:
                read.append((post, cells))
        if read:
            for post, frame in _parse(name, kinds, _slow_frame(kinds, read), [p for p, _ in read], problems).items():
                frames[post][name] = frame
    return [(SourceRecords(**f), p) for f, p in zip(frames, problems, strict=True)]


def _plain_file(
    path: Path, file: str, post: int, required: list[str], optional: Sequence[str], problems: list[Diagnostic]
) -> _Plain | bool | None:
    """A file polars can read (_plain); None when the csv module must read it; False when it cannot be read
    at all (its problems are added to `problems`)."""
    data, more = read_bytes(path, file)
    text = None
    if data is not None:
        text, more = decode(data, file)
    if data is None or text is None:
        problems += more
        return False
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")
    if not first.strip() or '"' in first:
        return None
    header, more, fatal = check_header(file, first.split(","), required, optional)
    if fatal:
        problems += more
        return False
    return _plain(post, data, header, tables.MAX_ROWS, more)  # read at call time: tests lower it
