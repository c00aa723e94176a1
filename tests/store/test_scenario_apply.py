"""A what-if scenario applied is one change of the post (issue 17 §2): all its changes written, judged on one
run, recorded in one transaction, all or nothing, and the post's state kept once; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from icass.store import audit, changes, scenarios
from icass.store.cells import stored_cells
from icass.store.changes import PostKey, Rejected
from icass.store.compute import run_on, run_stored
from icass.store.database import open_database
from icass.store.schema import posts
from tests.store import test_states

runs = test_states.runs  # the posts run past their derivation since the test began
LINE = "6150:1931.0:UNIFORMED"  # a derived workload line of the sample post KVR
NEW_LINE = {"cost_center": "6150", "funding": "RB", "soc": "2600", "amount": "75000", "description": "new"}


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[Engine]:
    """The sample posts' database, its connections closed after the test."""
    opened = open_database(seeded_url)
    yield opened
    opened.dispose()


def _post(engine: Engine) -> PostKey:
    with engine.connect() as connection:
        return changes.find_post(connection, "KVR", 2027)


def _version(engine: Engine, post: PostKey) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(posts.c.version).where(posts.c.id == post.id)).scalar_one())


def _scenario(engine: Engine, post: PostKey, made: list[tuple[str, str, str, dict[str, str]]]) -> Any:
    """A new scenario with these changes (resource, action, target, values), each accepted as it is added."""
    with engine.begin() as connection:
        scenario = scenarios.create_scenario(connection, post, "what if", "fmo")
        for resource, action, target, values in made:
            scenarios.add_change(connection, post, scenario.id, resource, action, target, values, "fmo")
        return scenarios.get_scenario(connection, post, scenario.id)


def _newest(engine: Engine, count: int) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [(e.action, e.entity) for e in audit.entries(connection, limit=count)]


def test_a_scenario_applied_is_one_change_equal_to_its_edits(seeded, runs):
    engine = seeded
    post = _post(engine)
    with engine.connect() as connection:
        # The same edits, one by one through icass.store.changes, in a transaction rolled back: what the post's
        # rows would be.
        edits = connection.begin()
        first, second = changes.list_rows(connection, post, "budget.csv")[:2]
        changes.enter_count(connection, post, LINE, "31", 0, "fmo")
        changes.update_row(connection, post, "budget.csv", first.id, {"amount": "1000.50"}, first.version, "fmo")
        changes.delete_row(connection, post, "budget.csv", second.id, second.version, "fmo")
        changes.create_row(connection, post, "budget.csv", NEW_LINE, "fmo")
        by_edits = stored_cells(connection, post.id)
        edits.rollback()
    scenario = _scenario(
        engine,
        post,
        [
            ("workload", "set", LINE, {"count": "31"}),
            ("budget-lines", "set", str(first.id), {"amount": "1000.50"}),
            ("budget-lines", "delete", str(second.id), {}),
            ("budget-lines", "create", "", NEW_LINE),
        ],
    )
    run_stored(engine, post.id)  # the post's state kept: the apply's "before" needs no run
    version = _version(engine, post)
    runs.update(runs=0, derived=0)
    with engine.begin() as connection:
        applied = scenarios.apply_scenario(connection, post, scenario.id, scenario.version, "fmo")
    assert applied.applied_by == "fmo"
    assert runs["runs"] == 1  # judged on one run of the post
    assert _version(engine, post) == version + 1  # one step of the post's revision
    with engine.connect() as connection:
        assert stored_cells(connection, post.id) == by_edits
        fresh = run_on(connection, post.id)
        created = changes.list_rows(connection, post, "budget.csv")[-1].id
    runs.update(runs=0, derived=0)
    kept = run_stored(engine, post.id)  # the state the apply kept, current: not run again
    assert runs["runs"] == 0
    assert (kept.diagnostics, kept.bundle) == (fresh.diagnostics, fresh.bundle)
    assert _newest(engine, 5) == [
        ("apply scenario", f"scenario {scenario.id}"),
        ("create", f"budget.csv {created}"),
        ("delete", f"budget.csv {second.id}"),
        ("update", f"budget.csv {first.id}"),
        ("enter count", f"workload {LINE}"),
    ]


def test_a_scenario_whose_changes_break_a_row_rule_together_is_refused_whole(seeded):
    """Each change is accepted alone (a modification in modifications.csv; the same line's modification in
    workload.csv's own column); together they modify one line twice, which the modifications.csv row may not do:
    the apply is refused whole and nothing is written."""
    engine = seeded
    post = _post(engine)
    with engine.connect() as connection:
        modification = next(
            row
            for row in changes.list_rows(connection, post, "modifications.csv")
            if (row.cells()["cost_center"], row.cells()["agency"]) == ("6222", "7200.0")
        )
        line = next(
            row
            for row in changes.workload(connection, post, run_on(connection, post.id))
            if (row.cost_center, row.agency) == ("6222", "7200.0")
        )
    scenario = _scenario(
        engine,
        post,
        [
            ("modifications", "set", str(modification.id), {"modification": "0.5"}),
            ("workload", "set", line.id, {"count": line.count, "modification": "0.5"}),
        ],
    )
    assert [c.number for c in scenario.changes] == [1, 2]
    version = _version(engine, post)
    with engine.connect() as connection:
        cells = stored_cells(connection, post.id)
    record = _newest(engine, 3)
    with pytest.raises(Rejected) as refused, engine.begin() as connection:
        scenarios.apply_scenario(connection, post, scenario.id, scenario.version, "fmo")
    problem = refused.value.problems[0]
    assert problem.source.file == "modifications.csv"
    assert problem.message.startswith("a second modification of the line 6222/7200.0")
    assert _version(engine, post) == version
    with engine.connect() as connection:
        assert stored_cells(connection, post.id) == cells
        assert scenarios.get_scenario(connection, post, scenario.id).applied_at is None
    assert _newest(engine, 3) == record
