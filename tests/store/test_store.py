"""The database: bundles in and out (icass.store), on SQLite and on PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import filecmp
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select

from icass.bundle import tables as t
from icass.bundle import tdy as tdy_files
from icass.bundle.format import every_file
from icass.cli import app
from icass.runs.post import run_post
from icass.store.bundles import NotStored, export_bundle, import_bundle, new_revision
from icass.store.database import open_database
from icass.store.schema import DOCUMENTS, ROW_TABLES, WORLD_ROW_TABLES, metadata, posts
from tests.bundles import BASE, replace_line, write_bundle

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [
    ROOT / "examples" / "standard-post",
    ROOT / "examples" / "lite-post",
    ROOT / "examples" / "consulate",
    ROOT / "examples" / "world" / "tdy" / "kivara-fy2026",
]


def _same_tree(a: Path, b: Path) -> list[str]:
    """Every difference between two folders: files only in one, or whose bytes differ."""
    found: list[str] = []
    compared = filecmp.dircmp(a, b)
    found += [f"only in {a}: {n}" for n in compared.left_only] + [f"only in {b}: {n}" for n in compared.right_only]
    found += [f"differs: {n}" for n in compared.diff_files]
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    found += [f"differs: {n}" for n in mismatch + errors]
    for name in compared.common_dirs:
        found += _same_tree(a / name, b / name)
    return sorted(set(found))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_a_bundle_comes_back_identical_file_by_file(engine, sample, tmp_path):
    stored, problems = import_bundle(engine, sample)
    assert stored is not None, [str(d) for d in problems]
    assert problems == []
    export_bundle(engine, stored.code, stored.fiscal_year, tmp_path / "out")
    assert _same_tree(sample, tmp_path / "out") == []


def test_a_bundle_with_errors_stores_nothing_and_reports_every_bad_row(engine, tmp_path):
    folder = write_bundle(
        tmp_path / "bad",
        budget_csv=replace_line("budget.csv", "5880,RB,2500,10000.00,", "5880,RB,2500,ten,"),
        workload_csv=replace_line("workload.csv", "5624,2000.0,5,", "5624,2000.0,-5,"),
    )
    stored, problems = import_bundle(engine, folder)
    assert stored is None
    messages = [str(d) for d in problems if d.severity == "error"]
    assert any(m.startswith("error: budget.csv, row 3, amount:") for m in messages), messages
    assert any(m.startswith("error: workload.csv, row 4, count:") for m in messages), messages
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(posts)).scalar_one() == 0
        for table in ROW_TABLES.values():
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_a_post_is_replaced_only_when_asked(engine, tmp_path):
    first = write_bundle(tmp_path / "first")
    assert import_bundle(engine, first)[0] is not None
    changed = write_bundle(
        tmp_path / "changed", budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00,", "6150,RB,2500,1500.25,")
    )
    stored, problems = import_bundle(engine, changed)
    assert stored is None
    assert [str(d) for d in problems] == [
        "error: post.toml, post.code: post TST, fiscal year 2027, is already in the database (--replace)"
    ]
    export_bundle(engine, "TST", 2027, tmp_path / "still")
    assert _same_tree(first, tmp_path / "still") == []
    assert import_bundle(engine, changed, replace=True)[0] is not None
    export_bundle(engine, "TST", 2027, tmp_path / "now")
    assert _same_tree(changed, tmp_path / "now") == []
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(posts)).scalar_one() == 1
        budget = ROW_TABLES["budget.csv"]
        assert 150025 in connection.execute(select(budget.c.amount)).scalars().all()  # cents, as an integer


def test_a_file_outside_the_format_is_named_and_left_out(engine, tmp_path):
    folder = write_bundle(tmp_path / "post")
    (folder / "notes.txt").write_text("minutes of the budget committee\n", encoding="utf-8")
    stored, problems = import_bundle(engine, folder)
    assert stored is not None
    assert [str(d) for d in problems] == ["warning: notes.txt: is not a bundle file: not kept in the database"]
    export_bundle(engine, "TST", 2027, tmp_path / "out")
    assert not (tmp_path / "out" / "notes.txt").exists()


def test_export_refuses_an_unknown_post_and_a_folder_in_use(engine, tmp_path):
    import_bundle(engine, write_bundle(tmp_path / "post"))
    with pytest.raises(NotStored, match="post TST, fiscal year 2026, is not in the database"):
        export_bundle(engine, "TST", 2026, tmp_path / "out")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(NotStored, match="exists and is not an empty folder"):
        export_bundle(engine, "TST", 2027, tmp_path / "busy")
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["keep.csv"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial folder left


def test_the_schema_is_what_the_migrations_make(engine, database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    open_database(database_url).dispose()  # migrating again changes nothing
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        assert set(inspect(connection).get_table_names()) == {*metadata.tables, "alembic_version"}


def test_each_row_table_is_its_files_declared_columns_with_money_in_cents():
    """The row tables are made from the format (icass.bundle.format); test_the_schema_is_what_the_migrations_make
    holds them to the frozen migrations."""
    from sqlalchemy import BigInteger, Text

    for name, file in every_file().items():
        table, owner = (ROW_TABLES[name], "post_id") if name in ROW_TABLES else (WORLD_ROW_TABLES[name], "world_id")
        assert table.name == file.table
        assert [c.name for c in table.columns] == ["id", owner, "line", "version", *file.names, "extra"]
        for column in file.columns:
            assert isinstance(table.c[column.name].type, BigInteger if column.cents else Text), (name, column.name)
    assert DOCUMENTS == (tdy_files.POLICY,)


def test_the_import_and_export_commands(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    sample = ROOT / "examples" / "consulate"
    result = runner.invoke(app, ["import", str(sample), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{sample}: stored post ALD, fiscal year 2027 (19 files)\n"
    again = runner.invoke(app, ["import", str(sample), "--data", str(data)])
    assert again.exit_code == 2
    assert "is already in the database (--replace)" in again.stderr
    assert "1 error(s): nothing was stored." in again.stderr
    out = tmp_path / "out"
    exported = runner.invoke(app, ["export", "ALD", "--fiscal-year", "2027", str(out), "--data", str(data)])
    assert exported.exit_code == 0, exported.output
    assert _same_tree(sample, out) == []
    missing = runner.invoke(app, ["export", "ALD", "--fiscal-year", "2030", str(tmp_path / "x"), "--data", str(data)])
    assert (missing.exit_code, missing.stderr) == (2, "error: post ALD, fiscal year 2030, is not in the database\n")
    world = runner.invoke(app, ["import", str(ROOT / "examples" / "world"), "--data", str(data)])
    assert world.exit_code == 2


def test_a_broken_bundle_through_the_command_changes_nothing(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    good = write_bundle(tmp_path / "good")
    assert runner.invoke(app, ["import", str(good), "--data", str(data)]).exit_code == 0
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    (bad / "positions.csv").write_text("position_id,category,grade,title\nP1,XX,FS-02,\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(bad), "--data", str(data), "--replace"])
    assert result.exit_code == 2
    assert "positions.csv, row 2, category:" in result.stderr
    out = tmp_path / "out"
    assert runner.invoke(app, ["export", "TST", "--fiscal-year", "2027", str(out), "--data", str(data)]).exit_code == 0
    assert _same_tree(good, out) == []


@pytest.mark.parametrize("sample", SAMPLES[:3], ids=lambda p: p.name)
def test_a_stored_post_computes_as_its_bundle_does(engine, sample):
    from icass import report
    from icass.store.compute import run_stored

    import_bundle(engine, sample)
    with engine.connect() as connection:
        post_id = connection.execute(select(posts.c.id)).scalar_one()
    stored, bundle = run_stored(engine, post_id), run_post(sample)
    assert stored.ok
    assert stored.bundle == bundle.bundle
    assert [str(d) for d in stored.diagnostics] == [str(d) for d in bundle.diagnostics]
    assert stored.derivation is not None
    assert bundle.derivation is not None
    assert stored.derivation.derived == bundle.derivation.derived
    assert report.distribution_csv(stored.distribution) == report.distribution_csv(bundle.distribution)
    assert run_stored(engine, post_id) is stored  # kept while the post is unchanged
    with engine.begin() as connection:
        connection.execute(posts.update().values(revision=new_revision()))
    again = run_stored(engine, post_id)
    assert again is not stored
    assert report.distribution_csv(again.distribution) == report.distribution_csv(stored.distribution)


def test_a_stored_cell_is_checked_by_the_bundle_parsers(engine, tmp_path):
    """A row changed in the database to what a file may not hold is reported as the file's cell would be."""
    from icass.store.compute import run_stored

    import_bundle(engine, write_bundle(tmp_path / "post"))
    workload = ROW_TABLES["workload.csv"]
    with engine.begin() as connection:
        connection.execute(workload.update().where(workload.c.line == 3).values(count="twelve"))
        post_id = connection.execute(select(posts.c.id)).scalar_one()
        connection.execute(posts.update().values(revision=new_revision()))
    run = run_stored(engine, post_id)
    assert not run.ok
    assert "error: workload.csv, row 4, count: 'twelve' is not a plain decimal number" in [
        str(d) for d in run.diagnostics
    ]


def test_a_stored_amount_out_of_bounds_is_named_as_its_written_form_would_be(engine, tmp_path):
    """Amounts are read as the integers the database holds, not as text; one a file could not hold is still
    reported with its row, field and the message its written form gets."""
    from icass.store.compute import run_stored

    import_bundle(engine, write_bundle(tmp_path / "post"))
    budget, factors = ROW_TABLES["budget.csv"], ROW_TABLES["cost_factors.csv"]
    with engine.begin() as connection:
        connection.execute(budget.update().where(budget.c.line == 2).values(amount=-500))
        connection.execute(factors.update().where(factors.c.line == 1).values(amsal=t.MAX_CENTS + 1))
        post_id = connection.execute(select(posts.c.id)).scalar_one()
        connection.execute(posts.update().values(revision=new_revision()))
    messages = [str(d) for d in run_stored(engine, post_id).diagnostics]
    assert "error: budget.csv, row 3, amount: '-5.00' is negative" in messages
    assert "error: cost_factors.csv, row 2, amsal: '1000000000000.01' is larger than 1,000,000,000,000.00" in messages


FACTS_POST = (
    BASE["post.toml"]
    + 'guard_force = "psa"\nmedevac_post = "yes"\nfurniture_pool = "no"\nstate_program_im = "no"\n'
    + 'cell_phone_program = "no"\nradio_repeater_site = "no"\nnew_facilities = "yes"\n'
)


def test_the_facts_the_budget_rules_need_are_read_stored_and_written_back(engine, tmp_path):
    folder = write_bundle(
        tmp_path / "facts",
        post_toml=FACTS_POST,
        # A MEDEVAC post counts its medevacs in 5624-0001, for 9913.0 (rule R72).
        agencies_csv="code,name,under_com,co_located\n1900.0,State,yes,yes\n1901.0,ICASS,yes,\n2000.0,Other,no,no\n"
        "9913.0,Regional MEDEVAC,,\n",
        # A guarded location budgets its guard program (rule R93).
        workload_csv=BASE["workload.csv"] + "5624-0001,9913.0,2,\n5826,1900.0,10,\n5826,1901.0,1,\n5826,2000.0,10,\n",
        positions_csv="position_id,category,grade,title,dual_function,dual_approved_on,ds_approved_on,"
        "council_approved_on\nP1,USDH,FS-02,Management officer,yes,,,\n"
        "P2,LE,FSN-9,Driver,yes,2025-10-01,2025-01-06,2025-02-11\n",
        budget_csv="".join(f"{line},,\n" for line in BASE["budget.csv"].splitlines()).replace(
            "description,,", "description,central,provider", 1
        )
        + "6150,RB,2500,200.00,courier contract,yes,\n6139,RB,2500,100.00,USAID motor pool,,2000.0\n"
        + "5826,LGP,2521,100.00,Guard contract: standard services,,\n",
        targets_csv="fiscal_year,funding,kind,amount\n2027,RB,initial,90000.00\n2027,LGP,final,0.00\n",
        acknowledgements_csv="rule,file,row,reason,by,on\nR118,budget.csv,6,bank fees of the move,fmo,2026-05-20\n",
        # A notice that ran out when the fiscal year began, and one whose space was reassigned (R65).
        terminations_csv="agency,cost_center,notice_on,ends_on,reassigned_on\n2000.0,7860,2026-03-01,2026-10-01,\n"
        "2000.0,5880,2026-09-01,2027-04-01,2026-09-20\n",
    )
    bundle = run_post(folder).bundle
    assert bundle is not None, [str(d) for d in run_post(folder).diagnostics]
    assert (bundle.post.guard_force, bundle.post.medevac_post, bundle.post.furniture_pool) == ("psa", True, False)
    post = bundle.post
    assert post.state_program_im is False
    assert (post.cell_phone_program, post.radio_repeater_site, post.new_facilities) == (False, False, True)
    assert [(a.under_com, a.co_located, a.own_medical_program) for a in bundle.agencies] == [
        (True, True, None),
        (True, None, None),
        (False, False, None),
        (None, None, None),
    ]
    assert [(p.dual_function, p.dual_approved_on) for p in bundle.positions] == [
        (True, None),
        (True, dt.date(2025, 10, 1)),
    ]
    assert [(p.ds_approved_on, p.council_approved_on) for p in bundle.positions][1] == (
        dt.date(2025, 1, 6),
        dt.date(2025, 2, 11),
    )
    assert [line.central for line in bundle.budget] == [False] * 5 + [True, False, False]
    assert [line.provider for line in bundle.budget] == [""] * 6 + ["2000.0", ""]
    records = run_post(folder).records
    assert records is not None
    assert [(t.funding, t.kind, t.amount) for t in records.targets] == [
        ("RB", "initial", 9_000_000),
        ("LGP", "final", 0),
    ]
    assert [(a.rule, a.row, a.by) for a in records.acknowledgements] == [("R118", 6, "fmo")]
    assert [(n.cost_center, n.ends_on, n.counted_until) for n in bundle.terminations or ()] == [
        ("7860", dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
        ("5880", dt.date(2027, 4, 1), dt.date(2026, 9, 20)),
    ]
    stored, problems = import_bundle(engine, folder)
    assert stored is not None, [str(d) for d in problems]
    export_bundle(engine, stored.code, stored.fiscal_year, tmp_path / "out")
    assert _same_tree(folder, tmp_path / "out") == []
    assert run_post(tmp_path / "out").bundle == bundle
    assert run_post(tmp_path / "out").records == records
