"""The TDY invoice path's tables (migration 0011) and tdy/policy.toml's council_approved_on stored and written back
byte for byte (issue 20 §5)."""

from __future__ import annotations

import filecmp

from sqlalchemy import create_engine, inspect

from icass.store.bundles import export_bundle, import_bundle
from tests.store.test_store import ROOT
from tests.store.test_versions import _alembic

TABLES = {"tdy_invoices", "tdy_invoice_steps", "final_hq_invoices"}


def test_the_policys_council_approval_round_trips(engine, tmp_path):
    sample = ROOT / "examples" / "standard-post"
    assert "council_approved_on = 2027-10-05\n" in (sample / "tdy" / "policy.toml").read_text(encoding="utf-8")
    stored, problems = import_bundle(engine, sample)
    assert stored is not None, [str(d) for d in problems]
    export_bundle(engine, stored.code, stored.fiscal_year, tmp_path / "out")
    assert filecmp.cmp(sample / "tdy" / "policy.toml", tmp_path / "out" / "tdy" / "policy.toml", shallow=False)


def test_the_migration_adds_the_tables_and_removes_them(tmp_path):
    (tmp_path / "data").mkdir()
    url = f"sqlite:///{tmp_path / 'data' / 'icass.db'}"
    _alembic(url, "0010")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert not TABLES & set(inspect(connection).get_table_names())
        _alembic(url, "0011")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= TABLES
        _alembic(url, "0010", down=True)
        with engine.connect() as connection:
            assert not TABLES & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
