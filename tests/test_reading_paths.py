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

ROOT = Path(__file__).resolve().parent.parent


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
