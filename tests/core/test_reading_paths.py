"""Source record files are read by polars when they are plain (no quote, one record a line) and by the csv
module otherwise (icass.bundle.frames). Both readings must give the same frames and the same problems, row
numbers included. The budget side is read column by column, with a fast path for plain columns, which
must read exactly as each cell's parser does."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from icass.bundle import tables as t
from icass.bundle.frames import read_sources_of
from icass.bundle.load import FUNDING
from icass.model.sources import FILE_OF

ROOT = Path(__file__).resolve().parents[2]


def _both(folder: Path):
    """The folder read as it is, and read again with every source file ending in a blank line (which makes
    it not plain: the csv module reads it, and a blank line is no row)."""
    slow = folder.parent / (folder.name + "-slow")
    shutil.copytree(folder, slow)
    for file in FILE_OF.values():
        if (slow / file).exists():
            with (slow / file).open("a", encoding="utf-8") as handle:
                handle.write("\n\n")
    return read_sources_of([folder])[0], read_sources_of([slow])[0]


def _same(fast, slow) -> None:
    (fast_records, fast_problems), (slow_records, slow_problems) = fast, slow
    assert [str(d) for d in fast_problems] == [str(d) for d in slow_problems]
    for name in FILE_OF:
        a, b = getattr(fast_records, name), getattr(slow_records, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.equals(b), name


def test_the_samples_read_the_same_both_ways(tmp_path, monkeypatch):
    from icass.bundle import frames

    by_csv: list[str] = []
    read_cells = frames.read_cells
    monkeypatch.setattr(
        frames, "read_cells", lambda folder, *rest: by_csv.append(folder.name) or read_cells(folder, *rest)
    )
    for sample in ("standard-post", "lite-post", "consulate"):
        folder = tmp_path / sample
        shutil.copytree(ROOT / "examples" / sample, folder)
        _same(*_both(folder))
        assert set(by_csv) == {f"{sample}-slow"}  # the samples are plain: polars read them
        by_csv.clear()


cell = st.sampled_from(["", " ", "1900.0", "2000.0", "3", "2.5", "-1", "x", " 7 ", "2025-03-01", "2025-13-01"])
rows = st.lists(st.tuples(cell, cell, cell, cell), max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows, st.booleans())
def test_random_activity_reads_the_same_both_ways(lines, crlf):
    folder = Path(tempfile.mkdtemp()) / "post"
    folder.mkdir()
    end = "\r\n" if crlf else "\n"
    text = end.join(["cost_center,agency,date,quantity", *(",".join(row) for row in lines)]) + end
    (folder / "activity.csv").write_bytes(text.encode())
    _same(*_both(folder))


# The budget side is read column by column (icass.bundle.tables.parse_column): a column of plain amounts or
# counts takes a fast path, anything else each cell's parser. The fast path must give exactly what the
# parser gives, and fail exactly when the parser fails on some cell.

_DIGITS = st.text("0123456789", min_size=0, max_size=16)
_CELL = st.one_of(
    st.builds(lambda a, b: f"{a}.{b}", _DIGITS, _DIGITS),
    _DIGITS,
    st.sampled_from(["", " ", "1 ", " 2.5", "-1", "+3", "1e3", "1.", ".5", "0.000", "1\n2", "RB", " RB", "rb", "PAT"]),
    st.text(max_size=6),
)


def _each(parse, cells):
    try:
        return [parse(c) for c in cells], None
    except ValueError:
        return None, ValueError


@settings(max_examples=400, deadline=None)
@given(
    cells=st.lists(_CELL, max_size=8),
    parser=st.sampled_from(["cents", "quantity", "optional_quantity", "text", "optional_text", "funding"]),
)
def test_a_column_reads_as_its_cells_do(cells, parser):
    parse = FUNDING if parser == "funding" else getattr(t, parser)
    expected, failure = _each(parse, cells)
    try:
        got = t.parse_column(parse, cells)
    except ValueError:
        assert failure is ValueError
    else:
        assert failure is None
        assert got == expected
        # Decimals equal in value may differ in form (1.5 and 1.50): the form is what the file said.
        assert [str(v) for v in got] == [str(v) for v in expected]


_AMOUNT = st.builds(
    lambda a, b: f"{a}.{b}", st.text("0123456789", max_size=14), st.text("0123456789", min_size=2, max_size=2)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_AMOUNT, max_size=8), st.lists(_CELL, max_size=1), st.integers(0, 8))
def test_a_column_of_amounts_with_two_decimals_reads_as_its_cells_do(amounts, odd, at):
    """Amounts written with two decimals (nearly all) are read as whole columns (tables._whole_cents_column)."""
    cells = [*amounts[:at], *odd, *amounts[at:]]
    expected, failure = _each(t.cents, cells)
    try:
        got = t.parse_column(t.cents, cells)
    except ValueError:
        assert failure is ValueError
    else:
        assert failure is None
        assert got == expected


# A budget-side file that is plain is split at newlines and commas straight into columns
# (icass.bundle.tables.read_plain_columns); any other is read by the csv module (read_cells). Both must read
# the same cells and say the same about them.

_BUDGET_HEADERS = st.sampled_from(
    [
        "cost_center,funding,soc,amount,description",
        "cost_center,funding,soc,amount,description",
        "cost_center,funding,soc,amount,description",
        "cost_center,funding,soc,amount,description,lease",
        " cost_center , funding,soc,amount,description,extra",
        "cost_center,funding,soc,amount",
        "cost_center,cost_center,funding,soc,amount,description",
        "",
    ]
)
_BUDGET_CELL = st.sampled_from(
    ["", " ", "6139", " 6150", "RB", "AMSAL", "12.50", "7", "-3", "1.234", "x y", "é", "yes"]
)
_BUDGET_ODD_LINE = st.one_of(
    st.lists(_BUDGET_CELL, max_size=7).map(",".join),
    st.sampled_from(
        [
            "",
            "   ",
            '6139,RB,2500,"1,000.00",x',
            '"6139",RB,2500,1.00,"a ""b"", c"',
            '6139,RB,2500,1.00,"two',
            'lines",RB',
            'x"y,"abc',
            '6139,RB,2500,1.00,"a"b',
            "6139,RB,2500,1.00,a\rb",
            "6139,RB,2500,1.00,\x00",
        ]
    ),
)
_BUDGET_FIRST = st.sampled_from(["6139", " 6150", "x y", "é"])
_BUDGET_QUOTED = _BUDGET_CELL.map(lambda c: f'"{c}, ""x"""')


@st.composite
def _budget_files(draw: st.DrawFn) -> str:
    """Mostly whole rows of the header's width (read the plain way), with now and then a line of another kind."""
    header = draw(_BUDGET_HEADERS)
    width = max(1, header.count(",") + 1)
    cells = st.lists(st.one_of(_BUDGET_CELL, _BUDGET_QUOTED), min_size=width - 1, max_size=width - 1)
    row = st.tuples(_BUDGET_FIRST, cells).map(lambda r: ",".join([r[0], *r[1]]))
    lines = draw(st.lists(st.one_of(row, row, row, _BUDGET_ODD_LINE) if draw(st.booleans()) else row, max_size=8))
    return "\n".join([header, *lines]) + draw(st.sampled_from(["", "\n", "\n", "\n", "\n\n", "\r\n"]))


@settings(max_examples=200, deadline=None)
@given(_budget_files())
def test_budget_files_read_the_same_split_as_by_the_csv_module(text):
    from unittest import mock

    from icass.bundle.format import FILES
    from icass.bundle.load import parsers

    required, optional = parsers(FILES["budget.csv"])

    folder = Path(tempfile.mkdtemp())
    (folder / "budget.csv").write_bytes(text.encode())
    plain = t.read_plain_columns(folder, "budget.csv", required, optional, False, t.MAX_TABLE_ROWS)
    cells, problems = t.read_cells(folder, "budget.csv", required, optional, False, t.MAX_TABLE_ROWS)
    if plain is not None:
        assert cells is not None
        assert plain[0] == cells.header
        assert plain[1] == ([list(c) for c in zip(*cells.records, strict=True)] or [[] for _ in cells.header])
        assert cells.numbers == list(range(2, len(cells.records) + 2))
        assert plain[2] == problems
    read = t.read_columns(folder, "budget.csv", required, optional=optional)
    with mock.patch.object(t.Folder, "plain_columns", return_value=None):
        by_csv = t.read_columns(folder, "budget.csv", required, optional=optional)
    assert read == by_csv


def test_agencies_keep_their_extra_columns_read_either_way(tmp_path):
    from unittest import mock

    from icass.bundle.format import FILES
    from icass.bundle.load import parsers

    required, optional = parsers(FILES["agencies.csv"])

    (tmp_path / "agencies.csv").write_text("code,bureau,name,note\n1900.0,EUR,State,a\n2000.0,,Other,b\n")
    read = t.read_columns(tmp_path, "agencies.csv", required, keep_extra=True, optional=optional)
    assert read[0].extra == [(("bureau", "EUR"), ("note", "a")), (("bureau", ""), ("note", "b"))]
    with mock.patch.object(t.Folder, "plain_columns", return_value=None):
        assert read == t.read_columns(tmp_path, "agencies.csv", required, keep_extra=True, optional=optional)
