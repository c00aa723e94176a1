"""The posts' states and the world held in memory (issue 17 §1 and §3): what is kept always equals a fresh build
from the database, an edit runs its post once and the world again over the others' kept states, and a second
process never serves a post the first one changed; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import icass.runs.post
from icass.store import states
from tests.api import test_api
from tests.api.test_api import AGENCY, BASE, FY, Person

app, people = test_api.app, test_api.people  # the API and one signed-in client a role
WORLD = f"/api/world/{FY}/invoices"


def _ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def _line(person: Person, cost_center: str, agency: str) -> dict[str, Any]:
    lines = _ok(person.get(f"{BASE}/workload"))
    return next(x for x in lines if x["cost_center"] == cost_center and x["agency"] == agency)


def _enter(person: Person, line: dict[str, Any], count: Decimal) -> dict[str, Any]:
    body = {"count": str(count), "version": line["version"]}
    return dict(_ok(person.change("PATCH", f"{BASE}/workload/{line['id']}", json=body)))


def _views(person: Person) -> tuple[Any, ...]:
    """What the post's state answers: its problems, workload, distribution and an agency's invoice, as the API
    shows them (the last two refused, with the post's errors, while it has any)."""
    return (
        _ok(person.get(BASE)),
        _ok(person.get(f"{BASE}/workload")),
        *(_answer(person.get(f"{BASE}/{view}")) for view in ("distribution", f"invoices/{AGENCY}")),
    )


def _answer(answer: Any) -> tuple[int, Any]:
    assert answer.status_code in (200, 422), answer.text
    return answer.status_code, answer.json()


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Since the test began: the posts run past their derivation ("runs"), and the posts derived."""
    counted = {"runs": 0, "derived": 0}
    after, derive = icass.runs.post._after_derivation, icass.runs.post._derive

    def counting_after(*args: Any, **kwargs: Any) -> Any:
        counted["runs"] += 1
        return after(*args, **kwargs)

    def counting_derive(posts: Any, *args: Any, **kwargs: Any) -> Any:
        counted["derived"] += len(posts)
        return derive(posts, *args, **kwargs)

    monkeypatch.setattr(icass.runs.post, "_after_derivation", counting_after)
    monkeypatch.setattr(icass.runs.post, "_derive", counting_derive)
    return counted


def _reset(runs: dict[str, int]) -> None:
    runs.update(runs=0, derived=0)


def test_the_world_after_an_edit_equals_a_fresh_consolidation(people):
    admin = people["admin"]
    before = _ok(admin.get(WORLD))
    line = _line(admin, "6150", AGENCY)
    _enter(admin, line, Decimal(line["count"]) + 25)
    after = _ok(admin.get(WORLD))
    assert after != before  # the edit moved the worldwide invoices
    states.clear()
    assert _ok(admin.get(WORLD)) == after


def test_an_edit_to_one_post_runs_that_post_only(people, runs):
    admin = people["admin"]
    _ok(admin.get(WORLD))  # every post of the world run once and kept
    assert runs["runs"] >= 2  # the sample world has several posts, each run once
    _reset(runs)
    _ok(admin.get(WORLD))
    assert runs == {"runs": 0, "derived": 0}  # warm: nothing runs again
    line = _line(admin, "6150", AGENCY)
    _reset(runs)
    _enter(admin, line, Decimal(line["count"]) + 3)
    # The change is judged on one run of its post, past the derivation only (a count entered by hand does
    # not change what the records derive); its "before" was the kept state.
    assert runs == {"runs": 1, "derived": 0}
    _ok(admin.get(WORLD))
    _views(admin)
    assert runs == {"runs": 1, "derived": 0}  # the world and the post's reads use the change's run


def test_a_budget_change_is_judged_on_one_run_and_kept(people, runs):
    admin = people["admin"]
    row = _ok(admin.get(f"{BASE}/budget-lines"))[0]
    _views(admin)
    _reset(runs)
    body = {"amount": str(Decimal(row["amount"]) + 1), "version": row["version"]}
    _ok(admin.change("PUT", f"{BASE}/budget-lines/{row['id']}", json=body))
    kept = _views(admin)
    # An amount is not read by the derivation (icass.workload.derivation.budget_side_read): the counts derived
    # before are kept, and only the steps after them run.
    assert runs == {"runs": 1, "derived": 0}
    states.clear()
    assert _views(admin) == kept


def _allocation(person: Person, index: int) -> dict[str, Any]:
    rows = _ok(person.get(f"{BASE}/time-allocation"))
    return dict(rows[index % len(rows)])


def _allocate(person: Person, row: dict[str, Any], cells: dict[str, str]) -> Any:
    return person.change("PUT", f"{BASE}/time-allocation/{row['id']}", json={**cells, "version": row["version"]})


def test_a_time_allocation_change_derives_again_only_when_it_activates_a_cost_center(people, runs):
    admin = people["admin"]
    first, second = _allocation(admin, 0), _allocation(admin, 1)
    assert first["position_id"] == second["position_id"]  # two rows of one position: the sum stays 100
    _views(admin)
    _reset(runs)
    _ok(_allocate(admin, first, {"percent": str(Decimal(first["percent"]) + 5)}))
    _ok(_allocate(admin, second, {"percent": str(Decimal(second["percent"]) - 5)}))
    assert runs == {"runs": 2, "derived": 0}  # percents within cost centers already allocated
    kept = _views(admin)
    assert runs == {"runs": 2, "derived": 0}
    states.clear()
    assert _views(admin) == kept
    _reset(runs)
    moved = _allocation(admin, 0)
    _ok(_allocate(admin, moved, {"cost_center": "6133-X133"}))  # a cost center nothing activated before
    assert runs == {"runs": 1, "derived": 1}
    kept = _views(admin)
    states.clear()
    assert _views(admin) == kept


EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("count"), st.sampled_from(["6150", "6134"]), st.integers(0, 400), st.just("")),
        st.tuples(st.just("budget"), st.integers(0, 3), st.integers(-5000, 5000), st.just("")),
        # A position's cost line: the columns of the cost pools made again, the budget's and counts' kept.
        st.tuples(st.just("cost"), st.integers(0, 50), st.integers(-5000, 5000), st.just("")),
        # A percent moved, or a row moved to another cost center: one already allocated, one only budgeted,
        # one nothing activated, one the catalog does not know (refused, leaving the post as it was).
        st.tuples(
            st.just("allocation"),
            st.integers(0, 200),
            st.integers(-10, 10),
            st.sampled_from(["", "6150", "5823", "6133-X133", "6145"]),
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_edits_leave_the_kept_state_equal_to_a_fresh_build(people, edits):
    admin = people["admin"]
    for kind, where, amount, cost_center in edits:
        if kind == "count":
            lines = [w for w in _ok(admin.get(f"{BASE}/workload")) if w["cost_center"] == where]
            line = lines[amount % len(lines)]
            _enter(admin, line, Decimal(amount))
        elif kind == "allocation":
            row = _allocation(admin, where)
            percent = max(Decimal(0), Decimal(row["percent"]) + amount)
            cells = {"percent": str(percent), **({"cost_center": cost_center} if cost_center else {})}
            assert _allocate(admin, row, cells).status_code in (200, 422)
        else:
            resource = "budget-lines" if kind == "budget" else "position-costs"
            rows = _ok(admin.get(f"{BASE}/{resource}"))
            row = rows[where % len(rows)]
            changed = max(Decimal(0), Decimal(row["amount"]) + Decimal(amount))
            body = {"amount": str(changed), "version": row["version"]}
            _ok(admin.change("PUT", f"{BASE}/{resource}/{row['id']}", json=body))
    kept = _views(admin)
    states.clear()
    assert _views(admin) == kept


SERVE = """
import sys, uvicorn
from icass.store.database import open_database
from icass.api.app import create_api
app = create_api(open_database(sys.argv[1]), secure_cookies=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_processes_never_serve_a_post_the_other_changed(seeded_url, people):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, seeded_url, str(port)], env=dict(os.environ))
    client = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        other = _signed_in(client)
        here = people["admin"]
        for reader, writer in ((other, here), (here, other)):
            line = _line(reader, "6150", AGENCY)  # the reader's process keeps the post's state
            _views(reader)
            entered = _enter(writer, _line(writer, "6150", AGENCY), Decimal(line["count"]) + 11)
            assert _line(reader, "6150", AGENCY) == entered
            assert _views(reader) == _views(writer)
            # An edit applied to a kept state: the writer's state is the reader's stale one, never reused.
            row = _ok(writer.get(f"{BASE}/budget-lines"))[0]
            body = {"amount": str(Decimal(row["amount"]) + 7), "version": row["version"]}
            _ok(writer.change("PUT", f"{BASE}/budget-lines/{row['id']}", json=body))
            first, second = _allocation(reader, 0), _allocation(reader, 1)
            _ok(_allocate(reader, first, {"percent": str(Decimal(first["percent"]) + 1)}))
            _ok(_allocate(reader, second, {"percent": str(Decimal(second["percent"]) - 1)}))
            assert _views(reader) == _views(writer)
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)


def _signed_in(client: httpx2.Client) -> Person:
    for _ in range(300):
        try:
            client.get("/api/session")
            break
        except httpx2.TransportError:
            time.sleep(0.1)
    answer = client.post("/api/session", json={"username": "admin", "password": test_api.DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return Person(client, answer.json()["csrf_token"])  # type: ignore[arg-type]  (the same calls as TestClient's)


def test_a_change_applies_itself_to_the_state_no_other_change_moved(seeded_url, monkeypatch):
    """A change reads the post's kept state and then takes the post's lock; a change to another row committed
    in between would leave the first applying its edit to a state that is no longer the post's, and keeping
    it. No change may commit in between (it waits for the lock, here until it gives up), or, if one does, the
    kept state is still the post's as stored."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from icass.store import changes, compute
    from icass.store.database import open_database
    from icass.store.schema import posts

    engine = open_database(seeded_url)
    try:
        with engine.connect() as connection:
            post = changes.find_post(connection, "KVR", int(FY))
            first, second = changes.list_rows(connection, post, "budget.csv")[:2]
        lock, waited = changes.lock, []

        def another_change_first(connection: Any, key: Any) -> None:
            monkeypatch.setattr(changes, "lock", lock)
            try:
                with engine.connect() as other:
                    wait = "PRAGMA busy_timeout=300" if engine.dialect.name == "sqlite" else "SET lock_timeout = 300"
                    other.execute(text(wait))
                    other.commit()
                    with other.begin():
                        changes.update_row(other, post, "budget.csv", second.id, {"amount": "4321.00"}, 1, "fmo")
            except OperationalError:
                waited.append(True)
            lock(connection, key)

        with engine.begin() as connection:  # the state kept before either change
            compute.state_kept(connection, post.id, connection.execute(select_revision(posts, post.id)).scalar_one())
        monkeypatch.setattr(changes, "lock", another_change_first)
        with engine.begin() as connection:
            changes.update_row(connection, post, "budget.csv", first.id, {"amount": "1234.00"}, 1, "fmo")
        with engine.connect() as connection:
            revision = connection.execute(select_revision(posts, post.id)).scalar_one()
            kept = compute.STATES.get(compute.database_of(connection), post.id, revision)
            fresh = compute.state_on(connection, post.id)
        assert kept is not None
        assert kept.run.bundle == fresh.run.bundle
        assert kept.run.diagnostics == fresh.run.diagnostics
        assert kept.run.distribution is not None
        assert fresh.run.distribution is not None
        assert list(kept.run.distribution.lines()) == list(fresh.run.distribution.lines())
        assert waited == [True]
    finally:
        engine.dispose()


def select_revision(posts: Any, post_id: int) -> Any:
    from sqlalchemy import select

    return select(posts.c.revision).where(posts.c.id == post_id)


def test_a_typed_count_s_row_is_found_in_the_state_only_when_it_is_typed_once(tmp_path):
    """Entering a count finds its row's number in the post's state (icass.store.steps.entered_number); a key
    typed twice is left to the database, which knows which of the two rows the change writes."""
    import shutil
    from pathlib import Path

    from icass.runs.post import run_post
    from icass.store.steps import entered_number

    sample = Path(__file__).resolve().parents[2] / "examples" / "standard-post"
    run = run_post(sample)
    assert run.records is not None
    typed = run.records.entered.workload
    keys = [(w.cost_center, w.agency, w.factor) for w in typed]
    for k in (0, 5, len(keys) - 1):
        assert entered_number(run, keys[k]) == typed[k].source.row
    assert entered_number(run, ("6150", "nobody", "")) is None
    folder = shutil.copytree(sample, tmp_path / "post")
    lines = (folder / "workload.csv").read_text(encoding="utf-8").splitlines()
    (folder / "workload.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    twice = run_post(folder)
    assert twice.records is not None
    assert entered_number(twice, keys[0]) is None
    assert entered_number(twice, keys[5]) == typed[5].source.row
