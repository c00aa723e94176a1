"""The Agency Workload approval in the store (issue 20 §2, icass.store.workload_approvals): an approval freezes
the agency's lines and locks them against a count typed, a modification and a record behind a derived count;
reopening lets the change through; the steps out of order and the capacities; migration 0013 up and down."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, inspect

from icass.model.approval import NotYours, OutOfOrder
from icass.model.workload_approval import Dispute, Invalid
from icass.store.accounts import Account, Grant
from icass.store.bundles import import_bundle
from icass.store.changes import delete_row, enter_count, find_post, get_workload, list_rows, update_row
from icass.store.compute import run_on
from icass.store.workload_approvals import Locked, agency_lines, history, status, take
from tests.store.test_store import ROOT
from tests.store.test_versions import _alembic

SAMPLE = ROOT / "examples" / "standard-post"
AGENCY, OTHER = "1100.0", "1900.0"


def _account(role: str, agency: str | None = None, post: str | None = None) -> Account:
    grant = Grant(role) if role == "admin" else Grant(role, post=None if role == "hq" else post, agency=agency)
    return Account(0, f"{role} {agency or ''}".strip(), (grant,))


@pytest.fixture
def stored(engine):
    found, problems = import_bundle(engine, SAMPLE)
    assert found is not None, [str(p) for p in problems]
    with engine.begin() as connection:
        key = find_post(connection, found.code, found.fiscal_year)
    return engine, key


def _line_of(connection, key, agency: str):
    run = run_on(connection, key.id)
    counted = agency_lines(run, agency)
    line = counted[0]
    return get_workload(connection, key, run, ":".join(x for x in (line.cost_center, agency, line.factor) if x))


def _refused(engine, change) -> Exception:
    """What `change(connection)` raised, in a transaction of its own that the refusal ends (as a request's)."""
    try:
        with engine.begin() as connection:
            change(connection)
    except Exception as e:
        return e
    raise AssertionError("the change went through")


def _line_count(connection, key, agency: str, more: int):
    line = _line_of(connection, key, agency)
    return enter_count(connection, key, line.id, str(int(float(line.count)) + more), line.version, "fmo")


def test_an_approval_locks_counts_modifications_and_the_records_behind_them(stored):
    engine, key = stored
    member = _account("committee", AGENCY, key.code)
    fmo = _account("fmo", post=key.code)
    with engine.begin() as connection:
        assert status(connection, key)[AGENCY].state == "awaiting"
        approved = take(connection, key, AGENCY, member, "approve", "as counted")
    assert (approved.state, approved.capacity, len(approved.sha256)) == ("approved", "committee", 64)
    typed = _refused(engine, lambda c: _line_count(c, key, AGENCY, 5))
    assert isinstance(typed, Locked)
    said = rf"{AGENCY} were approved by committee {AGENCY} \(the agency's member of the Budget Committee\) on .*"
    assert re.search(said + "must reopen", str(typed))
    with engine.begin() as connection:  # another agency's count goes through
        _line_count(connection, key, OTHER, 1)
    with engine.connect() as connection:
        mine = next(r for r in list_rows(connection, key, "modifications.csv") if r.agency == AGENCY)
        people = list_rows(connection, key, "people.csv")
    person = next(r for r in people if r.agency == AGENCY and r.category == "USDH")
    modified = _refused(engine, lambda c: update_row(c, key, MODIFICATIONS, mine.id, HALF, mine.version, "fmo"))
    assert "modification would go from" in str(modified)
    moved = _refused(engine, lambda c: update_row(c, key, PEOPLE, person.id, {"agency": OTHER}, person.version, "f"))
    assert isinstance(moved, Locked)  # a person behind a derived count, moved to another agency
    assert "count would go from" in str(moved)
    removed = _refused(engine, lambda c: delete_row(c, key, PEOPLE, person.id, person.version, "fmo"))
    assert isinstance(removed, Locked)
    # Another agency's sponsor removed: its family's rows are in error, so the records derive no count at all.
    sponsor = next(r for r in people if r.agency == OTHER and any(p.sponsor_id == r.person_id for p in people))
    broken = _refused(engine, lambda c: delete_row(c, key, PEOPLE, sponsor.id, sponsor.version, "fmo"))
    assert isinstance(broken, Locked)
    assert f"sponsor {sponsor.person_id} is not in people.csv" in str(broken)
    assert "and " in str(broken)  # the first lines named, the number of the others said
    with engine.begin() as connection:  # a change that leaves the counts as approved goes through
        update_row(connection, key, PEOPLE, person.id, {"end_date": person.end_date}, person.version, "fmo")
    assert isinstance(_refused(engine, lambda c: take(c, key, AGENCY, member, "reopen", "not mine")), NotYours)
    unsaid = _refused(engine, lambda c: take(c, key, AGENCY, fmo, "reopen", " "))
    assert isinstance(unsaid, Invalid)
    assert unsaid.field == "comment"
    with engine.begin() as connection:
        reopened = take(connection, key, AGENCY, fmo, "reopen", "the new arrival of May 2")
    assert reopened.state == "reopened"
    with engine.begin() as connection:
        person = next(r for r in list_rows(connection, key, PEOPLE) if r.id == person.id)
        update_row(connection, key, PEOPLE, person.id, {"agency": OTHER}, person.version, "fmo")
    with engine.connect() as connection:
        steps = history(connection, key, AGENCY)
    assert [(s.step, s.state, s.by) for s in steps] == [
        ("approve", "approved", member.username),
        ("reopen", "reopened", fmo.username),
    ]


MODIFICATIONS, PEOPLE, HALF = "modifications.csv", "people.csv", {"modification": "0.5"}


def test_steps_out_of_order_and_who_takes_them(stored):
    engine, key = stored
    with engine.begin() as connection:
        with pytest.raises(OutOfOrder, match="not approved"):
            take(connection, key, AGENCY, _account("admin"), "reopen", "why")
        with pytest.raises(NotYours):
            take(connection, key, AGENCY, _account("fmo", post=key.code), "approve", "")
        with pytest.raises(NotYours):
            take(connection, key, AGENCY, _account("committee", OTHER, key.code), "approve", "")
        with pytest.raises(NotYours):
            take(connection, key, AGENCY, _account("hq", OTHER), "approve", "")
        with pytest.raises(Invalid, match=r"^lines:"):
            take(connection, key, AGENCY, _account("hq", AGENCY), "dispute", "", [Dispute("5624", " ")])
        with pytest.raises(Invalid, match=r"^lines\[0\]\.cost_center"):
            take(connection, key, AGENCY, _account("hq", AGENCY), "dispute", "", [Dispute("9999", "no")])
        disputed = take(connection, key, AGENCY, _account("hq", AGENCY), "dispute", "", [Dispute("5624", "0.3?")])
        assert (disputed.state, disputed.capacity, disputed.disputes) == ("disputed", "hq", (Dispute("5624", "0.3?"),))
        approved = take(connection, key, AGENCY, _account("admin"), "approve", "on the agency's behalf")
        assert (approved.state, approved.capacity, approved.disputes) == ("approved", "admin", ())
        with pytest.raises(OutOfOrder, match="approved already"):
            take(connection, key, AGENCY, _account("hq", AGENCY), "approve", "")


def test_the_migration_goes_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    _alembic(url, "0013")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert {"workload_approvals", "workload_approval_steps"} <= set(inspect(connection).get_table_names())
    _alembic(url, "0010", down=True)
    with engine.connect() as connection:
        assert "workload_approvals" not in inspect(connection).get_table_names()
    engine.dispose()


def test_the_lock_runs_the_post_once_a_change(stored, monkeypatch):
    """The lock is judged on the run that judged the change; a change that made none (a row removed) is run
    once, and that run is kept: the read after it does not run the post again (docs/benchmarks.md)."""
    from icass.store import compute

    engine, key = stored
    with engine.begin() as connection:
        take(connection, key, AGENCY, _account("hq", AGENCY), "approve", "")
    with engine.connect() as connection:
        line = _line_of(connection, key, OTHER)
        people = list_rows(connection, key, PEOPLE)
    sponsors = {r.sponsor_id for r in people}
    person = next(r for r in people if r.agency == OTHER and r.person_id not in sponsors)
    compute.state_stored(engine, key.id)  # the post's state kept, as after any read
    runs: list[str] = []
    for name in ("run_records", "run_derived"):
        real = getattr(compute, name)
        monkeypatch.setattr(compute, name, lambda *a, _real=real, _name=name, **k: runs.append(_name) or _real(*a, **k))
    with engine.begin() as connection:
        enter_count(connection, key, line.id, str(int(float(line.count)) + 1), line.version, "fmo")
    assert len(runs) == 1
    with engine.begin() as connection:
        delete_row(connection, key, PEOPLE, person.id, person.version, "fmo")
    assert len(runs) == 2
    compute.state_stored(engine, key.id)
    assert len(runs) == 2  # kept by the change
