"""The store hands typed records, not dicts (issue 17 §6): a row is an immutable record of its file whose
fields are the format's columns, in its order; a workload line is one record; the audit log keeps a record as
the mapping of its fields. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from icass.bundle.format import FILES
from icass.store import audit, changes
from icass.store.changes import RESOURCES
from icass.store.compute import run_on
from icass.store.database import open_database
from icass.store.steps import ROW_RECORDS, StoredRow, WorkloadLine


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[Engine]:
    opened = open_database(seeded_url)
    yield opened
    opened.dispose()


def _names(record: object) -> list[str]:
    return [f.name for f in dataclasses.fields(record)]  # type: ignore[arg-type]


def test_every_row_is_an_immutable_record_of_its_file(seeded):
    with seeded.connect() as connection:
        post = changes.find_post(connection, "KVR", 2027)
        held = {file: changes.list_rows(connection, post, file) for file in RESOURCES.values()}
    assert sum(len(rows) for rows in held.values()) > 100
    for file, rows in held.items():
        columns = list(FILES[file].names)
        assert _names(ROW_RECORDS[file]) == ["id", "version", "row", *columns, "extra"]
        for number, row in enumerate(rows, start=2):
            assert type(row) is ROW_RECORDS[file]
            assert isinstance(row, StoredRow)
            assert row.row == number
            assert list(row.cells()) == columns
            assert all(isinstance(value, str) for value in row.cells().values())
    budget = held["budget.csv"][0]
    assert budget.cells()["amount"] == "236000.00"  # an amount as its decimal string, from integer cents
    with pytest.raises(dataclasses.FrozenInstanceError):
        budget.version = 5  # type: ignore[misc]


def test_a_workload_line_is_a_record_with_workload_csv_columns(seeded):
    with seeded.connect() as connection:
        post = changes.find_post(connection, "KVR", 2027)
        lines = changes.workload(connection, post, run_on(connection, post.id))
    assert lines
    assert all(type(line) is WorkloadLine for line in lines)
    # Its cells are workload.csv's columns; the rest say which line it is, where its count comes from, and the
    # version of the entered row behind it.
    assert set(FILES["workload.csv"].names) <= set(_names(WorkloadLine))
    assert set(_names(WorkloadLine)) - set(FILES["workload.csv"].names) == {"id", "origin", "version"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        lines[0].count = "3"  # type: ignore[misc]


def test_the_audit_log_keeps_a_record_as_the_mapping_of_its_fields(seeded):
    with seeded.begin() as connection:
        post = changes.find_post(connection, "KVR", 2027)
        first = changes.list_rows(connection, post, "budget.csv")[0]
        after = changes.update_row(
            connection, post, "budget.csv", first.id, {"amount": "1000.50"}, first.version, "fmo"
        )
    with seeded.connect() as connection:
        (entry,) = audit.entries(connection, limit=1)
    assert entry.before == dataclasses.asdict(first)
    assert entry.after == dataclasses.asdict(after)
    assert list(entry.after) == ["id", "version", "row", *FILES["budget.csv"].names, "extra"]
    assert entry.after["amount"] == "1000.50"
