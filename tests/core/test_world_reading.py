"""Reading a world folder: its settings exactly, every post bundle run, and every rule of its files (issue 6,
section 1), each problem naming its file, row and field."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from icass.model.world import Item, Mail, Stage
from icass.runs.post import run_post
from icass.runs.world import run_world
from tests.worlds import WORLD, write_world


def errors(folder) -> list[str]:
    run = run_world(folder)
    assert not run.ok
    return [str(d) for d in run.diagnostics if d.severity == "error"]


def test_a_world_reads_exactly(tmp_path):
    run = run_world(write_world(tmp_path / "world"))
    assert run.ok, [str(d) for d in run.diagnostics]
    world = run.files.world
    assert (world.fiscal_year, world.stage) == (2027, Stage.INITIAL)
    assert (world.amsal_target, world.pat_target, world.fob_rsa_fee) == (280_000_000, 76_000_000, 12_500)
    assert world.dpm_pouch_percent == Decimal("35.5")
    assert sorted(r.bundle.post.code for r in run.posts) == ["ALD", "KVR", "PSL"]
    assert all(r.ok for r in run.posts)
    assert {p.post: p.mail for p in run.files.profiles} == {"KVR": Mail.APO, "PSL": Mail.POUCH, "ALD": Mail.BORDER}
    assert [p.medevac for p in run.files.profiles] == [True, False, False]
    assert {line.item for line in run.files.items} == set(Item) - {Item.AMSAL_ADJ, Item.PAT_ADJ, Item.FOB_RSA, Item.TDY}
    other = next(line for line in run.files.items if line.item == Item.OTHER)
    assert (other.amount, other.agency) == (-150_000, "7200.0")


def test_money_in_world_toml_never_passes_through_a_float(tmp_path):
    # 0.1 + 0.2 style amounts: a float would make 1234567.89 into 123456788 cents or 123456789.0000001.
    toml = WORLD["world.toml"].replace('amsal_target = "2800000.00"', "amsal_target = 1234567.89")
    run = run_world(write_world(tmp_path / "world", world_toml=toml))
    assert run.files.world.amsal_target == 123_456_789


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "AMSAL_ADJ,100.00,,,,,",
            "items.csv, row 19, item: AMSAL_ADJ takes no row in items.csv: the ISC calculates it",
        ),
        (
            "FOB_RSA,100.00,,,,,",
            "items.csv, row 19, item: FOB_RSA takes no row in items.csv: it is fob_rsa_fee x tokens",
        ),
        ("FLO,-100.00,,,,,", "items.csv, row 19, amount: only an OTHER item may be negative (6 FAH-5 H-424 b(6))"),
        ("GFS,100.00,,,,,", "items.csv, row 19, cost_center: GFS names its cost_center (6 FAH-5 H-424 b(7))"),
        ("GFS,100.00,,,,6139,", "items.csv, row 19, cost_center: a GFS row names a financial management cost center"),
        ("GFS,100.00,,RB,,6221,", "items.csv, row 19, funding: a GFS row's funding is AMSAL, PAT or empty"),
        ("SDT,100.00,KVR,,,,", "items.csv, row 19, post: SDT takes no post: leave it empty (6 FAH-5 H-424 b(2))"),
        ("CF_REPLENISHMENT,100.00,KVR,,,,", "items.csv, row 19, funding: CF_REPLENISHMENT names its funding"),
        ("CF_REPLENISHMENT,100.00,XXX,RB,,,", "items.csv, row 19, post: post XXX has no bundle in posts/"),
        ("OTHER,100.00,,,,,", "items.csv, row 19, agency: OTHER names its agency (6 FAH-5 H-424 b(19))"),
        ("OTHER,100.00,,,5555.0,,", "items.csv, row 19, agency: agency 5555.0 is at no post of the world"),
        ("BONUS,100.00,,,,,", "items.csv, row 19, item: 'BONUS' is not a known below-the-line item"),
    ],
)
def test_items_rules(tmp_path, line, expected):
    found = errors(write_world(tmp_path / "world", items_csv=WORLD["items.csv"] + line + "\n"))
    assert any(m.startswith(f"error: {expected}") for m in found), found


def test_posts_csv_covers_every_post_once_and_only_those(tmp_path):
    posts = "post,mail,separation_pay,psa_guards,medevac\nKVR,APO,,,\nKVR,POUCH,,,\nXYZ,APO,,,\n"
    found = errors(write_world(tmp_path / "world", posts_csv=posts))
    assert "error: posts.csv, row 3, post: post KVR is already on posts.csv, row 2" in found
    assert "error: posts.csv, row 4, post: post XYZ has no bundle in posts/" in found
    assert "error: posts.csv, post: post ALD (posts/aldmere) has no row" in found
    assert "error: posts.csv, post: post PSL (posts/port-solace) has no row" in found


def test_two_bundles_of_one_post_and_another_fiscal_year(tmp_path):
    folder = write_world(tmp_path / "world")
    shutil.copytree(folder / "posts" / "kivara", folder / "posts" / "kivara-again")
    toml = folder / "posts" / "aldmere" / "post.toml"
    toml.write_text(toml.read_text().replace("fiscal_year = 2027", "fiscal_year = 2026"), encoding="utf-8")
    found = errors(folder)
    assert "error: posts/kivara-again/post.toml, post.code: post KVR is also posts/kivara" in found
    assert (
        "error: posts/aldmere/post.toml, post.fiscal_year: fiscal year 2026, but the world is fiscal year 2027" in found
    )


def test_a_bad_post_bundle_is_named_by_its_folder(tmp_path):
    folder = write_world(tmp_path / "world")
    (folder / "posts" / "port-solace" / "people.csv").unlink()
    (folder / "posts" / "port-solace" / "budget.csv").write_text("cost_center,funding\n", encoding="utf-8")
    found = errors(folder)
    assert found == ["error: posts/port-solace/budget.csv, row 1: the header lacks column(s) soc, amount, description"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('stage = "initial"', 'stage = "draft"', "world.toml, world.stage: 'draft' is not a known stage"),
        ("pat_target = 760000.00", 'pat_target = "76.001"', "world.toml, world.pat_target: '76.001' has more than"),
        ("dpm_pouch_percent = 35.5", "dpm_pouch_percent = 135", "world.toml, world.dpm_pouch_percent: 135 is not"),
        ("fiscal_year = 2027\n", "", "world.toml, world.fiscal_year: is missing"),
    ],
    ids=["stage", "cents", "percent", "missing"],
)
def test_world_toml_rules(tmp_path, old, new, expected):
    found = errors(write_world(tmp_path / "world", world_toml=WORLD["world.toml"].replace(old, new)))
    assert any(m.startswith(f"error: {expected}") for m in found), found


def test_a_post_that_breaks_a_cost_rule_stops_alone_in_its_batch(tmp_path):
    """Posts of a methodology are distributed in batches; one that fails the cost rules must not take the
    others with it, and each other post gets what it gets alone."""
    folder = write_world(tmp_path / "world")
    workload = folder / "posts" / "kivara" / "workload.csv"
    lines = workload.read_text(encoding="utf-8").splitlines()
    workload.write_text("\n".join(line for line in lines if not line.startswith("5822,")) + "\n", encoding="utf-8")
    run = run_world(folder)
    errors = [str(d) for d in run.diagnostics if d.severity == "error"]
    assert errors
    assert all(e.startswith("error: posts/kivara/budget.csv") and "5822" in e for e in errors), errors
    for post_folder, post_run in zip(run.files.post_folders, run.posts, strict=True):
        if post_folder.name == "kivara":
            assert post_run.distribution is None
            continue
        alone = run_post(post_folder)
        code = alone.bundle.post.code
        assert list(post_run.distribution.lines(code)) == list(alone.distribution.lines(code))
