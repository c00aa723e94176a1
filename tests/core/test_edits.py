"""An edit applied to a post's records (icass.bundle.edit) gives the records a fresh reading of the changed
file gives, with the same rows; a cell its reader refuses is not applied."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from icass.bundle import edit
from icass.bundle.load import read_bundle
from icass.model import PostBundle
from icass.model.columnar import RecordColumns, source_of
from icass.money import format_plain

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "standard-post"

# (file, row index or None for a new last row, the cells as the store holds them: amounts in cents)
EDITS: list[tuple[str, int | None, dict[str, Any]]] = [
    ("budget.csv", 0, {"amount": 123456}),
    ("budget.csv", 3, {"cost_center": "6150", "funding": "LGP", "lease": "yes", "description": "Moved"}),
    ("time_allocation.csv", 1, {"percent": "12.5"}),
    ("time_allocation.csv", 2, {"cost_center": "6133-X133", "percent": "0"}),
    ("positions.csv", 0, {"title": "Budget analyst", "category": "LE"}),
    ("position_costs.csv", 1, {"amount": 0, "funding": "OBO"}),
    ("agencies.csv", 1, {"name": "Renamed", "separate_network": "yes"}),
    ("cost_factors.csv", 0, {"pat": 100}),
    ("workload.csv", 0, {"count": "7", "modification": "1.5"}),
    ("workload.csv", 1, {"count": "0", "modification": ""}),
    ("workload.csv", None, {"cost_center": "6150", "agency": "1100.0", "factor": "", "count": "3", "modification": ""}),
]


def _entered(folder: Path) -> PostBundle:
    records, problems = read_bundle(folder)
    assert records is not None, [str(p) for p in problems]
    return records.entered


def _written(folder: Path, file: str, index: int | None, cells: dict[str, Any]) -> None:
    """The same change made to the file itself."""
    path = folder / file
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    text = {c: format_plain(v) if isinstance(v, int) else v for c, v in cells.items()}
    if index is None:
        rows.append([text.get(c, "") for c in header])
    else:
        rows[index + 1] = [text.get(c, cell) for c, cell in zip(header, rows[index + 1], strict=True)]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(("file", "index", "cells"), EDITS, ids=lambda e: str(e))
def test_an_edit_gives_the_records_of_a_fresh_reading(tmp_path, file, index, cells):
    folder = shutil.copytree(SAMPLE, tmp_path / "post")
    before = _entered(folder)
    changed = edit.edited(before, file, index, cells) if edit.covers(file, new=index is None) else None
    assert changed is not None
    _written(folder, file, index, cells)
    fresh = _entered(folder)
    assert changed == fresh
    assert changed != before
    field = edit.READERS[file][0]
    mine, theirs = getattr(changed, field), getattr(fresh, field)
    assert [source_of(mine, k) for k in range(len(mine))] == [source_of(theirs, k) for k in range(len(theirs))]
    assert isinstance(mine, RecordColumns) == isinstance(theirs, RecordColumns)


@pytest.mark.parametrize(
    ("file", "cells"),
    [
        ("budget.csv", {"funding": "XX"}),
        ("budget.csv", {"amount": -1}),
        ("time_allocation.csv", {"percent": "ten"}),
        ("positions.csv", {"category": "nobody"}),
        ("workload.csv", {"count": "-2"}),
        ("agencies.csv", {"separate_network": "maybe"}),
    ],
)
def test_a_cell_its_reader_refuses_is_not_applied(file, cells):
    assert edit.edited(_entered(SAMPLE), file, 0, cells) is None


def test_a_new_agency_or_cost_factor_is_read_with_the_whole_post():
    assert not edit.covers("agencies.csv", new=True)
    assert not edit.covers("cost_factors.csv", new=True)
    assert edit.covers("agencies.csv")
    assert not edit.covers("modifications.csv")
    assert not edit.covers("people.csv")
