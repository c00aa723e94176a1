"""A post's budget side with one row changed or added: an edit applied to the records as they were read, each
new cell parsed by the reader of its column (icass.bundle.load), so that the records are the ones a fresh
reading of the changed rows gives, with the same rows named in the same messages.

The store applies an edit this way to the post's kept state (icass.store.compute) instead of reading every row
again; a file it does not cover here (modifications, source records, TDY) is read again whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from icass.bundle import load
from icass.bundle import tables as t
from icass.bundle.format import FILES
from icass.model import Origin, PostBundle
from icass.model.columnar import RecordColumns

# Each file of the budget side -> the PostBundle field holding its records.
FIELDS = {
    "agencies.csv": "agencies",
    "cost_factors.csv": "cost_factors",
    "positions.csv": "positions",
    "position_costs.csv": "position_costs",
    "time_allocation.csv": "time_allocation",
    "budget.csv": "budget",
    "workload.csv": "workload",
}


def _readers(file: str) -> dict[str, t.Parser]:
    """The readers of `file`'s columns as its declaration gives them (icass.bundle.format): those its header
    must name, then those it may leave out, the order read_entered reads them in."""
    required, optional = load.parsers(FILES[file])
    return {**required, **optional}


# Each file of the budget side -> its PostBundle field and its columns' readers.
READERS: dict[str, tuple[str, Mapping[str, t.Parser]]] = {
    file: (field, _readers(file)) for file, field in FIELDS.items()
}


def covers(file: str, new: bool = False) -> bool:
    """Whether an edit to a row of `file` (a `new` row: added as its last) can be applied to the records; else
    the post is read again. A new row of agencies.csv or cost_factors.csv is not: an agency's columns beyond
    the format come from the file's header."""
    return file in READERS and (not new or file not in ("agencies.csv", "cost_factors.csv"))


def edited(bundle: PostBundle, file: str, index: int | None, cells: Mapping[str, Any]) -> PostBundle | None:
    """`bundle` with the row at `index` of `file` (its place among the file's rows, from 0) given `cells`, or
    with a new last row of `cells` (index None; the columns it leaves out are empty, as a new stored row's
    are). Text cells as stored, amounts in cents. None when a cell is not what its column holds: the post is
    then read whole, and its reading names the row and field."""
    assert covers(file, new=index is None), file
    field, readers = READERS[file]
    records: Sequence[Any] = getattr(bundle, field)
    at = len(records) if index is None else index
    values: dict[str, Any] = {}
    try:
        for column, parse in readers.items():
            if column in cells or index is None:
                values[column] = parse(cells.get(column, ""))
    except ValueError:
        return None
    if field == "workload":
        if "modification" in values and values["modification"] is None:
            values["modification"] = _ONE  # as read_entered reads an empty modification
        if index is None:
            values["origin"] = Origin.ENTERED
    changed: Sequence[Any]
    if isinstance(records, RecordColumns):
        changed = _with_row(records, at, values)
    else:
        changed = tuple(dataclasses.replace(r, **values) if k == at else r for k, r in enumerate(records))
    replaced: dict[str, Any] = {field: changed}
    return dataclasses.replace(bundle, **replaced)


def _with_row(records: RecordColumns[Any], at: int, values: Mapping[str, Any]) -> RecordColumns[Any]:
    """The columns with the row at `at` given `values` (a new last row when `at` is past the end); the
    columns are shared with `records` except those that change, which are copied."""
    columns = dict(records.columns)
    numbers = records.numbers
    if at == len(records):
        numbers = [*numbers, at + 2]  # a stored file's rows are numbered from 2, in their order
        for name, cells in columns.items():
            columns[name] = [*cells, values[name]]
    else:
        for name, value in values.items():
            cells = list(columns[name])
            cells[at] = value
            columns[name] = cells
    return RecordColumns(records.record, records.file, numbers, columns)


_ONE = Decimal(1)
