"""The ISC's AmSal and PAT factors of a fiscal year in the database (icass.store.central_factors): stored with
the world and written back byte for byte, changed by the admin with the record, and the table every stored
post of the year is computed with (H-423.1-1 b); on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from icass.model import Funding
from icass.store import central_changes as central
from icass.store.central_factors import central_of
from icass.store.changes import Rejected, find_post, update_row
from icass.store.compute import run_stored
from icass.store.schema import ROW_TABLES, audit_log
from icass.store.steps import Conflict, NotFound
from icass.store.worlds import export_world, import_world
from tests.store.test_store import _same_tree
from tests.store.test_store_world import WRITTEN
from tests.worlds import write_world

ROOT = Path(__file__).resolve().parents[2]
# The sample posts' own factors, as the ISC's table: the world's posts agree with it.
FACTORS = (ROOT / "examples" / "standard-post" / "cost_factors.csv").read_text(encoding="utf-8")
FY = 2027


def _import(engine, folder: Path) -> None:
    stored, problems = import_world(engine, folder)
    assert stored is not None, [str(p) for p in problems]


def _kvr(engine):
    with engine.connect() as connection:
        return find_post(connection, "KVR", FY)


def _amsal(run, position_id: str) -> int:
    """The AmSal line a USDH position's grade gives it, as the post's cost pool derives it."""
    assert run.records is not None
    ids, funding, amounts = run.records.entered.cost_pool_columns()
    return next(a for i, f, a in zip(ids, funding, amounts, strict=True) if i == position_id and f == Funding.AMSAL)


def _row(engine, grade: str) -> central.CentralFactor:
    with engine.connect() as connection:
        return next(f for f in central.list_factors(connection, FY) if f.grade == grade)


def test_the_table_comes_back_byte_for_byte_with_its_world(engine, tmp_path):
    folder = write_world(
        tmp_path / "world", world_toml=WRITTEN, cost_factors_csv=FACTORS + "FE-CM,262500.00,45000.00\n"
    )
    _import(engine, folder)
    with engine.connect() as connection:
        listed = central.list_factors(connection, FY)
        assert central_of(connection, [FY, FY - 1]).keys() == {FY}
    assert [(f.grade, f.amsal, f.pat) for f in listed][:2] == [
        ("FE-MC", "249800.00", "45000.00"),
        ("FE-OC", "231400.00", "45000.00"),
    ]
    export_world(engine, FY, tmp_path / "out")
    assert _same_tree(folder, tmp_path / "out") == []


def test_a_world_without_the_table_leaves_the_posts_their_own(engine, tmp_path):
    _import(engine, write_world(tmp_path / "world"))
    with engine.connect() as connection:
        assert central_of(connection, [FY]) == {}
        assert central.list_factors(connection, FY) == []
        with pytest.raises(NotFound, match="no world of fiscal year 2031"):
            central.list_factors(connection, 2031)
    run = run_stored(engine, _kvr(engine).id)
    assert run.ok
    assert _amsal(run, "F-001") == 17_890_000  # KVR's own FS-02


def test_a_change_to_the_table_recomputes_the_years_posts_and_is_recorded(engine, tmp_path):
    _import(engine, write_world(tmp_path / "world", cost_factors_csv=FACTORS))
    kvr = _kvr(engine)
    assert run_stored(engine, kvr.id).ok
    fs02 = _row(engine, "FS-02")
    with engine.begin() as connection:
        changed = central.update_factor(connection, FY, fs02.id, {"amsal": "180000.00"}, fs02.version, "admin")
    assert (changed.amsal, changed.version) == ("180000.00", 2)
    run = run_stored(engine, kvr.id)  # the kept run is stale: KVR's own FS-02 now differs from the ISC's
    errors = [d for d in run.diagnostics if d.severity == "error"]
    assert [(d.source.file, d.source.row, d.field, d.section) for d in errors] == [
        ("cost_factors.csv", 5, "amsal", "H-423.1-1 b")
    ]
    assert "grade FS-02's factors (AmSal $178,900.00, PAT $45,000.00)" in errors[0].message
    assert "the ISC's (AmSal $180,000.00, PAT $45,000.00, the ISC's table of fiscal year 2027)" in errors[0].message
    # The FMO takes the ISC's factor: the post computes again, its AmSal from the table.
    own = ROW_TABLES["cost_factors.csv"]
    with engine.begin() as connection:
        row = connection.execute(
            select(own.c.id, own.c.version).where(own.c.post_id == kvr.id, own.c.grade == "FS-02")
        ).one()
        update_row(connection, kvr, "cost_factors.csv", row.id, {"amsal": "180000.00"}, row.version, "fmo")
    run = run_stored(engine, kvr.id)
    assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"]
    assert _amsal(run, "F-001") == 18_000_000
    with engine.connect() as connection:
        entry = connection.execute(select(audit_log).where(audit_log.c.username == "admin")).mappings().one()
    assert (entry["action"], entry["fiscal_year"], entry["post"]) == ("update", FY, None)
    assert entry["entity"] == f"cost_factors.csv {fs02.id} of the world"
    assert (entry["before"]["amsal"], entry["after"]["amsal"]) == ("178900.00", "180000.00")


def test_a_grade_the_post_lacks_is_taken_from_the_table(engine, tmp_path):
    _import(engine, write_world(tmp_path / "world", cost_factors_csv=FACTORS))
    kvr = _kvr(engine)
    own = ROW_TABLES["cost_factors.csv"]
    with engine.begin() as connection:
        connection.execute(own.delete().where(own.c.post_id == kvr.id, own.c.grade == "FS-02"))
        fs02 = _row(engine, "FS-02")
    with engine.begin() as connection:
        central.update_factor(connection, FY, fs02.id, {"amsal": "181000.00"}, fs02.version, "admin")
    run = run_stored(engine, kvr.id)
    assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"]
    assert _amsal(run, "F-001") == 18_100_000


def test_a_table_is_made_with_its_first_row_and_rows_are_checked(engine, tmp_path):
    _import(engine, write_world(tmp_path / "world"))
    with engine.begin() as connection:
        made = central.create_factor(connection, FY, {"grade": "FS-01", "amsal": "1.00", "pat": "2.00"}, "admin")
    assert (made.grade, made.version) == ("FS-01", 1)
    with engine.connect() as connection:
        assert central_of(connection, [FY])[FY][0].amsal == 100
    with pytest.raises(Rejected, match="pat is required"), engine.begin() as connection:
        central.create_factor(connection, FY, {"grade": "FS-02", "amsal": "1.00"}, "admin")
    with pytest.raises(Rejected), engine.begin() as connection:  # a grade twice: the world's reader refuses it
        central.create_factor(connection, FY, {"grade": "FS-01", "amsal": "1.00", "pat": "2.00"}, "admin")
    with pytest.raises(Conflict), engine.begin() as connection:
        central.delete_factor(connection, FY, made.id, 7, "admin")
    with engine.begin() as connection:
        central.delete_factor(connection, FY, made.id, 1, "admin")
        assert central.list_factors(connection, FY) == []


def test_a_version_keeps_the_table_it_was_made_with(engine, tmp_path):
    """A version is frozen with the factors its post was computed with, the ISC's table's then: the table's later
    changes move the live post, never the version (issue 20: a version's invoices never change)."""
    from icass.model.approval import Kind
    from icass.store.versions import create, version_run

    _import(engine, write_world(tmp_path / "world", cost_factors_csv=FACTORS))
    kvr = _kvr(engine)
    own = ROW_TABLES["cost_factors.csv"]
    with engine.begin() as connection:  # KVR takes FS-02's factors from the ISC's table
        connection.execute(own.delete().where(own.c.post_id == kvr.id, own.c.grade == "FS-02"))
    with engine.begin() as connection:
        number = create(connection, kvr, "fmo", Kind.INITIAL, "as the committee will see it").number
    with engine.connect() as connection:
        _, first = version_run(connection, kvr, number)
    assert _amsal(first, "F-001") == 17_890_000
    fs02 = _row(engine, "FS-02")
    with engine.begin() as connection:
        central.update_factor(connection, FY, fs02.id, {"amsal": "181000.00"}, fs02.version, "admin")
    with engine.connect() as connection:
        _, again = version_run(connection, kvr, number)
    assert _amsal(again, "F-001") == 17_890_000
