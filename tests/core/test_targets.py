"""A post's budget against its targets (H-422, H-423): the figures, the CSV of `icass targets`, the warning on a
post over its target, and a world's targets (world/targets.csv)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from icass.checks.targets import target_lines
from icass.cli import app
from icass.diagnostics import WARNING
from icass.report import TARGETS_HEADER, targets_csv
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle
from tests.worlds import write_world

ROOT = Path(__file__).resolve().parents[2]

# The base budget with a `central` column, a PSU line and a centrally funded contract (RB), and an OBO lease.
BUDGET = (
    "".join(f"{line},,\n" for line in BASE["budget.csv"].splitlines()).replace(
        "description,,", "description,lease,central", 1
    )
    + "6223,RB,2529,300.00,PSU charge,,\n"
    + "6139,RB,2500,2000.00,courier contract,,yes\n"
    + "7860,OBO,2300,700.00,office lease,yes,\n"
)
# P2's pool line (RB 20,000.00) counts; P1's AmSal and PAT (150,000.00 and 30,000.00) never do.
RB_BUDGETED = 10_000_00 + 10_000_00 + 5_000_00 + 1_000_00 + 500_00 + 300_00 + 2_000_00 + 20_000_00
TARGETS = "fiscal_year,funding,kind,amount\n2027,RB,initial,40000.00\n2027,OBO,final,1000.00\n2026,LGP,final,5.00\n"


WORKLOAD = BASE["workload.csv"] + "6223,1900.0,10,\n7860,1900.0,10,\n"


def _run(tmp_path, targets: str = TARGETS, budget: str = BUDGET):
    folder = write_bundle(tmp_path / "bundle", budget_csv=budget, targets_csv=targets, workload_csv=WORKLOAD)
    run = run_post(folder)
    assert run.records is not None, [str(d) for d in run.diagnostics]
    return folder, run


def test_each_target_of_the_fiscal_year_gets_its_figures(tmp_path):
    _, run = _run(tmp_path)
    lines = target_lines("TST", run.records.entered, run.records.targets)
    assert [(line.funding, line.kind) for line in lines] == [("OBO", "final"), ("RB", "initial")]
    obo, rb = lines
    assert (rb.target, rb.budgeted, rb.central_contracts, rb.psu) == (40_000_00, RB_BUDGETED, 2_000_00, 300_00)
    assert rb.operating_allowance == 40_000_00 - 2_000_00 - 300_00
    assert rb.difference == RB_BUDGETED - 40_000_00
    assert (obo.budgeted, obo.difference) == (700_00, 700_00 - 1_000_00)


def test_the_csv_has_the_issues_header_and_dollars_to_the_cent(tmp_path):
    _, run = _run(tmp_path)
    text = targets_csv(target_lines("TST", run.records.entered, run.records.targets))
    rows = text.splitlines()
    assert rows[0] == ",".join(TARGETS_HEADER)
    assert rows[0] == "post,funding,kind,target,budgeted,central_contracts,psu,operating_allowance,difference"
    assert rows[1] == "TST,OBO,final,1000.00,700.00,0.00,0.00,1000.00,-300.00"
    rb = RB_BUDGETED / 100
    assert rows[2] == f"TST,RB,initial,40000.00,{rb:.2f},2000.00,300.00,37700.00,{rb - 40000:.2f}"


def test_a_budget_over_its_target_is_a_warning_against_the_final_target_once_set(tmp_path):
    _, run = _run(tmp_path)
    over = [d for d in run.diagnostics if d.rule == "R119"]
    assert [(d.severity, str(d.source), d.field) for d in over] == [(WARNING, "targets.csv, row 2", "amount")]
    assert "over its initial RB target of $40,000.00" in over[0].message
    _, run = _run(tmp_path / "final", TARGETS + "2027,RB,final,60000.00\n")
    assert [d for d in run.diagnostics if d.rule == "R119"] == []
    assert run.ok


def test_the_fmo_can_leave_a_budget_over_its_target_with_a_reason(tmp_path):
    reason = "rule,file,row,reason,by,on\nR119,targets.csv,2,Bureau agreed to fund the overage,fmo,2026-12-01\n"
    folder = write_bundle(
        tmp_path / "bundle", budget_csv=BUDGET, targets_csv=TARGETS, workload_csv=WORKLOAD, acknowledgements_csv=reason
    )
    over = [d for d in run_post(folder).diagnostics if d.rule == "R119"]
    assert [(d.acknowledged, d.open) for d in over] == [("Bureau agreed to fund the overage (fmo, 2026-12-01)", False)]


def test_a_target_of_amsal_or_of_no_year_is_named(tmp_path):
    folder = write_bundle(tmp_path / "amsal", targets_csv=TARGETS + "2027,AMSAL,final,1\n")
    said = [str(d) for d in run_post(folder).diagnostics]
    assert len(said) == 1
    assert said[0].startswith("error: targets.csv, row 5, funding: ")
    assert "RB, OBO, LGP" in said[0]
    folder = write_bundle(tmp_path / "year", targets_csv=TARGETS + "27.5,RB,final,1.00\n")
    said = [str(d) for d in run_post(folder).diagnostics if d.severity == "error"]
    assert said == ["error: targets.csv, row 5, fiscal_year: 27.5 is not a fiscal year such as 2027"]


def test_a_repeated_target_is_named_with_its_first_row(tmp_path):
    folder = write_bundle(tmp_path / "twice", targets_csv=TARGETS + "2027,RB,initial,1.00\n")
    said = [str(d) for d in run_post(folder).diagnostics if d.severity == "error"]
    assert said == ["error: targets.csv, row 5, kind: the 2027 RB initial target is also targets.csv, row 2"]


def test_the_command_reads_a_bundle_and_a_world(tmp_path):
    folder, _ = _run(tmp_path)
    answer = CliRunner().invoke(app, ["targets", str(folder), "--format", "csv"])
    assert answer.exit_code == 0, answer.output
    assert answer.stdout.splitlines()[1] == "TST,OBO,final,1000.00,700.00,0.00,0.00,1000.00,-300.00"
    world = write_world(
        tmp_path / "world",
        targets_csv="post,fiscal_year,funding,kind,amount\nKVR,2027,RB,final,1.00\nPSL,2027,LGP,initial,2.00\n",
    )
    answer = CliRunner().invoke(app, ["targets", str(world), "--format", "csv"])
    assert answer.exit_code == 0, answer.output
    rows = answer.stdout.splitlines()
    assert [row.split(",")[:4] for row in rows[1:]] == [
        ["KVR", "RB", "final", "1.00"],
        ["PSL", "LGP", "initial", "2.00"],
    ]
    answer = CliRunner().invoke(app, ["targets", str(world)])
    assert answer.exit_code == 0
    assert "operating allowance" in answer.stdout


def test_a_worlds_posts_take_the_iscs_amsal_and_pat_factors(tmp_path):
    # H-423.1-1 b: AmSal factors are programmed centrally; H-423.1-2 b: "a single cost factor for PAT costs".
    from icass.runs.world import run_world
    from tests.worlds import SAMPLES

    kivara = (ROOT / "examples" / SAMPLES["kivara"] / "cost_factors.csv").read_text(encoding="utf-8")
    same = write_world(tmp_path / "same", cost_factors_csv=kivara)
    run = run_world(same)
    assert run.ok, [str(d) for d in run.diagnostics][:3]
    header, first, *rest = kivara.splitlines()
    grade, amsal, pat = first.split(",")
    changed = "\n".join([header, f"{grade},{Decimal(amsal) + 1:.2f},{pat}", *rest]) + "\n"
    run = run_world(write_world(tmp_path / "changed", cost_factors_csv=changed))
    said = [str(d) for d in run.diagnostics if d.severity == "error"]
    assert said
    assert all("differ from the ISC's" in s and "(6 FAH-5 H-423.1-1 b)" in s for s in said)
    # Every post budgeting that grade had the old factor: each is told, in its own cost_factors.csv.
    assert "error: posts/kivara/cost_factors.csv" in {s.split(",")[0] for s in said}
    assert all(s.startswith("error: posts/") for s in said)


def test_the_samples_are_within_their_targets_and_the_world_sums_them_by_bureau():
    for sample in ("standard-post", "lite-post", "consulate"):
        answer = CliRunner().invoke(app, ["targets", str(ROOT / "examples" / sample), "--format", "csv"])
        assert answer.exit_code == 0
        rows = [row.split(",") for row in answer.stdout.splitlines()[1:]]
        assert len(rows) == 6  # RB, OBO and LGP, initial and final
        assert all(Decimal(row[-1]) <= 0 for row in rows)  # none over its target
    answer = CliRunner().invoke(app, ["targets", str(ROOT / "examples" / "world")])
    assert answer.exit_code == 0
    assert "By regional bureau, and worldwide" in answer.stdout
    assert "all bureaus" in answer.stdout
