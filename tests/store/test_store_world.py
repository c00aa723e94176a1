"""Worlds in the database: import, export, a stored world computed (icass.store.worlds), on SQLite and on
PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from icass.cli import app
from icass.runs.world import consolidate_world, run_world
from icass.store.bundles import NotStored, export_bundle, import_bundle, new_revision
from icass.store.schema import WORLD_ROW_TABLES, metadata, posts, world_posts, worlds
from icass.store.worlds import export_world, import_world, run_stored_world
from tests.store.test_store import _same_tree
from tests.worlds import write_world

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_world import write_synthetic_world  # a script folder: imported by path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "world"


def _counts(engine) -> dict[str, int]:
    """The rows of every table the store writes (but the audit chain's head, whose one row the migration makes)."""
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
            if name != "audit_chain"
        }


def _errors(problems) -> list[str]:
    return [str(d) for d in problems if d.severity == "error"]


# tests/worlds.py's world.toml in the format's written form: money and the percent as strings.
WRITTEN = """[world]
fiscal_year = 2027
stage = "initial"
amsal_target = "2800000.00"
pat_target = "760000.00"
dpm_pouch_percent = "35.5"
fob_rsa_fee = "125.00"
"""


def _world(folder: Path, **changes: str | None) -> Path:
    return write_world(folder, **{"world_toml": WRITTEN, **changes})


@pytest.mark.parametrize("world", ["example", "synthetic", "small"])
def test_a_world_comes_back_identical_file_by_file(engine, world, tmp_path):
    folder = {
        "example": lambda: EXAMPLE,
        "synthetic": lambda: write_synthetic_world(tmp_path / "synthetic", posts=5),
        "small": lambda: _world(tmp_path / "small"),
    }[world]()
    stored, problems = import_world(engine, folder)
    assert stored is not None, _errors(problems)
    assert problems == []
    written = export_world(engine, stored.fiscal_year, tmp_path / "out")
    assert _same_tree(folder, tmp_path / "out") == []
    assert sorted(written) == sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_world_toml_written_otherwise_comes_back_in_the_written_form(engine, tmp_path):
    folder = write_world(tmp_path / "world")  # pat_target and dpm_pouch_percent as TOML numbers
    assert "pat_target = 760000.00\n" in (folder / "world.toml").read_text(encoding="utf-8")
    import_world(engine, folder)
    export_world(engine, 2027, tmp_path / "out")
    assert (tmp_path / "out" / "world.toml").read_text(encoding="utf-8") == WRITTEN
    assert _same_tree(folder / "posts", tmp_path / "out" / "posts") == []


def test_the_example_world_is_stored_as_its_posts_and_rows(engine):
    stored, _ = import_world(engine, EXAMPLE)
    assert stored is not None
    assert stored.posts == ("ALD", "KVR", "MBK", "PSL", "QLN", "TSY")  # by folder: aldmere, kivara, marbeck, ...
    assert stored.tdy == ("KVR",)
    with engine.connect() as connection:
        assert connection.execute(select(posts.c.code, posts.c.fiscal_year).order_by(posts.c.id)).all()[-1] == (
            "KVR",
            2026,
        )  # the prior-year bundle of tdy/ is a post of FY 2026
        world = connection.execute(select(worlds)).mappings().one()
        assert (world["amsal_target"], world["dpm_pouch_percent"], world["tdy_as_of"]) == (
            965000000,
            "38.5",
            "2027-07-15",
        )
        members = connection.execute(select(world_posts.c.kind, world_posts.c.folder).order_by(world_posts.c.id)).all()
        assert ("tdy", "kivara-fy2026") in members
        items = WORLD_ROW_TABLES["items.csv"]
        assert connection.execute(select(items.c.amount).where(items.c.item == "OTHER")).scalar_one() < 0


def test_a_world_with_errors_stores_nothing_and_reports_every_problem(engine, tmp_path):
    folder = write_world(
        tmp_path / "bad",
        items_csv="item,amount,post,funding,agency,cost_center,note\nSDT,45000.00,,,,,\nFLO,lots,,,,,\n",
        posts_csv="post,mail,separation_pay,psa_guards,medevac\nKVR,APO,yes,yes,yes\nPSL,SEA,no,yes,no\nALD,BORDER,,,\n",
    )
    budget = folder / "posts" / "kivara" / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("\n", "\n6150,RB,2500,ten,,no\n", 1), encoding="utf-8")
    stored, problems = import_world(engine, folder)
    assert stored is None
    errors = _errors(problems)
    assert any(m.startswith("error: items.csv, row 3, amount:") for m in errors), errors
    assert any(m.startswith("error: posts.csv, row 3, mail:") for m in errors), errors
    assert all(m.startswith("error: posts.csv") or m.startswith("error: items.csv") for m in errors), errors
    assert all(n == 0 for n in _counts(engine).values())
    # The world's own files right, a post bundle wrong: named by its folder, and still nothing stored.
    good = _world(tmp_path / "post")
    budget = good / "posts" / "kivara" / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("\n", "\n6150,RB,2500,ten,,no\n", 1), encoding="utf-8")
    stored, problems = import_world(engine, good)
    assert stored is None
    assert any(m.startswith("error: posts/kivara/budget.csv, row 2, amount:") for m in _errors(problems))
    assert all(n == 0 for n in _counts(engine).values())


def test_a_world_or_a_post_stored_already_is_replaced_only_when_asked(engine, tmp_path):
    first = _world(tmp_path / "first")
    assert import_world(engine, first)[0] is not None
    before = _counts(engine)
    changed = _world(tmp_path / "changed", tokens_csv="agency,tokens\n1900.0,14\n9700.0,3\n")
    budget = changed / "posts" / "aldmere" / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8") + "6150,RB,2500,0.25,,no\n", encoding="utf-8")
    stored, problems = import_world(engine, changed)
    assert stored is None
    assert _errors(problems) == [
        "error: world.toml, world.fiscal_year: the world of fiscal year 2027 is already in the database (--replace)",
        "error: posts/aldmere/post.toml, post.code: post ALD, fiscal year 2027, is already in the database (--replace)",
        "error: posts/kivara/post.toml, post.code: post KVR, fiscal year 2027, is already in the database (--replace)",
        "error: posts/port-solace/post.toml, post.code: post PSL, fiscal year 2027, is already in the database "
        "(--replace)",
    ]
    assert _counts(engine) == before
    export_world(engine, 2027, tmp_path / "still")
    assert _same_tree(first, tmp_path / "still") == []
    stored, problems = import_world(engine, changed, replace=True)
    assert stored is not None, _errors(problems)
    export_world(engine, 2027, tmp_path / "now")
    assert _same_tree(changed, tmp_path / "now") == []
    assert _counts(engine)["posts"] == before["posts"]
    assert _counts(engine)["worlds"] == 1


def test_a_post_stored_alone_blocks_a_world_until_replaced(engine, tmp_path):
    folder = _world(tmp_path / "world")
    assert import_bundle(engine, folder / "posts" / "aldmere")[0] is not None
    stored, problems = import_world(engine, folder)
    assert stored is None
    assert _errors(problems) == [
        "error: posts/aldmere/post.toml, post.code: post ALD, fiscal year 2027, is already in the database (--replace)"
    ]
    assert _counts(engine)["worlds"] == 0
    assert _counts(engine)["posts"] == 1
    assert import_world(engine, folder, replace=True)[0] is not None


def test_a_post_replaced_on_its_own_stays_in_its_world(engine, tmp_path):
    folder = _world(tmp_path / "world")
    import_world(engine, folder)
    changed = tmp_path / "aldmere"
    shutil.copytree(folder / "posts" / "aldmere", changed)
    budget = changed / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8") + "6150,RB,2500,0.25,,no\n", encoding="utf-8")
    assert import_bundle(engine, changed, replace=True)[0] is not None
    export_world(engine, 2027, tmp_path / "out")
    assert _same_tree(changed, tmp_path / "out" / "posts" / "aldmere") == []


def test_export_refuses_an_unknown_world_and_a_folder_in_use(engine, tmp_path):
    with pytest.raises(NotStored, match="the world of fiscal year 2027 is not in the database"):
        export_world(engine, 2027, tmp_path / "out")
    import_world(engine, _world(tmp_path / "world"))
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(NotStored, match="exists and is not an empty folder"):
        export_world(engine, 2027, tmp_path / "busy")
    with engine.begin() as connection:
        connection.execute(posts.delete().where(posts.c.code == "PSL"))
    with pytest.raises(NotStored, match="posts/port-solace: post PSL, fiscal year 2027, is no longer in the database"):
        export_world(engine, 2027, tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial folder left


def test_files_outside_the_format_are_named_and_left_out(engine, tmp_path):
    folder = _world(tmp_path / "world")
    (folder / "README.md").write_text("the ISC's notes\n", encoding="utf-8")
    (folder / "posts" / "kivara" / "notes.txt").write_text("minutes\n", encoding="utf-8")
    stored, problems = import_world(engine, folder)
    assert stored is not None
    assert [str(d) for d in problems] == [
        "warning: README.md: is not a file of a world: not kept in the database",
        "warning: posts/kivara/notes.txt: is not a bundle file: not kept in the database",
    ]
    export_world(engine, 2027, tmp_path / "out")
    assert not (tmp_path / "out" / "README.md").exists()
    assert not (tmp_path / "out" / "posts" / "kivara" / "notes.txt").exists()


@pytest.mark.parametrize("world", ["example", "synthetic"])
def test_a_stored_world_computes_as_its_folder_does(engine, world, tmp_path):
    from icass.views.world_invoice import agencies, world_invoice

    path = EXAMPLE if world == "example" else write_synthetic_world(tmp_path / "synthetic", posts=5)
    import_world(engine, path)
    stored, folder = run_stored_world(engine, 2027), run_world(path)
    assert stored.ok
    assert [str(d) for d in stored.diagnostics] == [str(d) for d in folder.diagnostics]
    # A world of folders bills what the prior-year bundles of tdy/ issue; a stored world, the TDY invoices
    # headquarters approved (issue 20 §5): none yet. All else is the same.
    assert bool(folder.tdy) == (world == "example")
    assert stored.tdy == ()
    folder = dataclasses.replace(folder, tdy=())
    assert stored.files is not None
    assert folder.files is not None
    assert stored.files.world == folder.files.world
    for a, b in zip(stored.posts, folder.posts, strict=True):
        assert a.bundle == b.bundle
    mine, _ = consolidate_world(stored)
    theirs, _ = consolidate_world(folder)
    assert mine is not None
    assert mine == theirs
    assert agencies(mine) == agencies(theirs)
    for agency in agencies(mine):
        assert world_invoice(mine, stored.files.world, agency) == world_invoice(theirs, folder.files.world, agency)
    assert run_stored_world(engine, 2027) is stored  # kept while nothing of it changes


def test_a_stored_world_is_computed_again_when_it_or_a_post_changes(engine):
    import_world(engine, EXAMPLE)
    first = run_stored_world(engine, 2027)
    with engine.begin() as connection:
        connection.execute(posts.update().where(posts.c.code == "MBK").values(revision=new_revision()))
    second = run_stored_world(engine, 2027)
    assert second is not first
    assert consolidate_world(second)[0] == consolidate_world(first)[0]
    with engine.begin() as connection:  # the prior-year bundle of tdy/ is an input too
        connection.execute(posts.update().where(posts.c.fiscal_year == 2026).values(revision=new_revision()))
    third = run_stored_world(engine, 2027)
    assert third is not second
    with engine.begin() as connection:
        connection.execute(worlds.update().values(revision=new_revision()))
    assert run_stored_world(engine, 2027) is not third


def test_a_stored_world_cell_is_checked_by_the_world_parsers(engine, tmp_path):
    import_world(engine, _world(tmp_path / "world"))
    profiles = WORLD_ROW_TABLES["posts.csv"]
    with engine.begin() as connection:
        connection.execute(profiles.update().where(profiles.c.line == 2).values(mail="SEA"))
        connection.execute(worlds.update().values(revision=new_revision(), dpm_pouch_percent="135"))
    run = run_stored_world(engine, 2027)
    assert not run.ok
    errors = _errors(run.diagnostics)
    assert "error: world.toml, world.dpm_pouch_percent: '135' is not a percent from 0 to 100" in errors
    assert any(m.startswith("error: posts.csv, row 3, mail: 'SEA' is not a known mail service") for m in errors), errors


def test_a_world_whose_post_was_deleted_names_it(engine, tmp_path):
    import_world(engine, _world(tmp_path / "world"))
    with engine.begin() as connection:
        connection.execute(posts.delete().where(posts.c.code == "PSL"))
    run = run_stored_world(engine, 2027)
    assert not run.ok
    assert "error: posts/port-solace: post PSL, fiscal year 2027, is no longer in the database" in _errors(
        run.diagnostics
    )


def test_two_prior_year_bundles_of_one_post_cannot_both_be_kept(engine, tmp_path):
    folder = shutil.copytree(EXAMPLE, tmp_path / "world")
    shutil.copytree(folder / "tdy" / "kivara-fy2026", folder / "tdy" / "kivara-again")
    assert run_world(folder).ok  # the folder allows it
    stored, problems = import_world(engine, folder)
    assert stored is None
    assert _errors(problems) == [
        "error: tdy/kivara-fy2026/post.toml, post.code: post KVR, fiscal year 2026, is also tdy/kivara-again: the "
        "database keeps one bundle of a post and year"
    ]


def test_the_world_import_and_export_commands(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    result = runner.invoke(app, ["import", str(EXAMPLE), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{EXAMPLE}: stored the world of fiscal year 2027 (7 files, 6 posts, 1 prior-year TDY bundle(s))\n"
    )
    again = runner.invoke(app, ["import", str(EXAMPLE), "--data", str(data)])
    assert again.exit_code == 2
    assert "error: world.toml, world.fiscal_year: the world of fiscal year 2027 is already in the database" in (
        again.stderr
    )
    assert "8 error(s): nothing was stored." in again.stderr  # the world, its six posts, the prior-year one
    assert runner.invoke(app, ["import", str(EXAMPLE), "--data", str(data), "--replace"]).exit_code == 0
    out = tmp_path / "out"
    exported = runner.invoke(app, ["export", "--world", "--fiscal-year", "2027", str(out), "--data", str(data)])
    assert exported.exit_code == 0, exported.output
    assert exported.stderr.startswith(f"{out}: wrote the world of fiscal year 2027 (")
    assert _same_tree(EXAMPLE, out) == []
    missing = runner.invoke(
        app, ["export", "--world", "--fiscal-year", "2030", str(tmp_path / "x"), "--data", str(data)]
    )
    assert (missing.exit_code, missing.stderr) == (2, "error: the world of fiscal year 2030 is not in the database\n")
    both = runner.invoke(app, ["export", "--world", "--fiscal-year", "2027", "KVR", str(tmp_path / "y")])
    assert both.exit_code == 2
    assert "--world takes DIR only" in both.stderr
    post = runner.invoke(app, ["export", "KVR", "--fiscal-year", "2026", str(tmp_path / "kvr"), "--data", str(data)])
    assert post.exit_code == 0, post.output  # a world's post is an ordinary post
    assert _same_tree(EXAMPLE / "tdy" / "kivara-fy2026", tmp_path / "kvr") == []
    lone = runner.invoke(app, ["export", "KVR", "--fiscal-year", "2026"])
    assert lone.exit_code == 2
    assert "Missing argument 'DIR'" in lone.stderr


def test_a_broken_world_through_the_command_changes_nothing(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    folder = _world(tmp_path / "world", world_toml='[world]\nfiscal_year = 2027\nstage = "initial"\n')
    result = runner.invoke(app, ["import", str(folder), "--data", str(data)])
    assert result.exit_code == 2
    assert "error: world.toml, world.amsal_target: is missing" in result.stderr
    assert "nothing was stored." in result.stderr
    assert (
        runner.invoke(
            app, ["export", "KVR", "--fiscal-year", "2027", str(tmp_path / "o"), "--data", str(data)]
        ).exit_code
        == 2
    )


def test_export_bundle_of_a_world_post_is_its_folder(engine, tmp_path):
    import_world(engine, EXAMPLE)
    export_bundle(engine, "QLN", 2027, tmp_path / "qln")
    assert _same_tree(EXAMPLE / "posts" / "quillon", tmp_path / "qln") == []


def test_a_post_bundle_with_its_own_tdy_folder_keeps_it_checked(engine, tmp_path):
    folder = _world(tmp_path / "world")
    assert (folder / "posts" / "kivara" / "tdy" / "visits.csv").exists()  # the Standard sample has visitors
    import_world(engine, folder)
    export_world(engine, 2027, tmp_path / "out")
    assert (tmp_path / "out" / "posts" / "kivara" / "tdy" / "policy.toml").exists()
    broken = _world(tmp_path / "broken")
    visits = broken / "posts" / "kivara" / "tdy" / "visits.csv"
    lines = visits.read_text(encoding="utf-8").splitlines(keepends=True)
    visits.write_text(lines[0] + lines[1].replace(",20", ",x20", 1) + "".join(lines[2:]), encoding="utf-8")
    assert run_world(broken).ok  # icass world does not read a post's own visits
    stored, problems = import_world(engine, broken, replace=True)
    assert stored is None
    assert any(m.startswith("error: posts/kivara/tdy/visits.csv, row 2") for m in _errors(problems)), _errors(problems)


def test_the_demo_holds_the_sample_world_with_the_sample_posts_as_its_own(seeded_url):
    """`icass serve --demo` loads the sample world (issue 8 §5). Its KVR, PSL and ALD are the sample posts
    already stored (icass.store.demo), and its invoices are the folder's to the cent, but for the TDY item: the
    stored world bills the TDY invoices headquarters approved (issue 20 §5), none in the demo."""
    from icass.store.database import open_database
    from icass.views.world_invoice import agencies, world_invoice

    engine = open_database(seeded_url)
    try:
        stored, folder = run_stored_world(engine, 2027), dataclasses.replace(run_world(EXAMPLE), tdy=())
        with engine.connect() as connection:
            held = connection.execute(select(func.count()).select_from(posts).where(posts.c.fiscal_year == 2027))
            assert held.scalar_one() == 6  # the three samples and the world's three others, each once
        mine, _ = consolidate_world(stored)
        theirs, _ = consolidate_world(folder)
        assert mine is not None
        assert theirs is not None
        assert stored.files is not None
        assert folder.files is not None
        assert agencies(mine) == agencies(theirs)
        for agency in agencies(mine):
            assert world_invoice(mine, stored.files.world, agency) == world_invoice(theirs, folder.files.world, agency)
    finally:
        engine.dispose()
