"""The `icass` command end to end: exit statuses, exact output forms, and nothing written on error."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from icass.cli import app
from tests.bundles import replace_line, write_bundle

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [ROOT / "examples" / "standard-post", ROOT / "examples" / "lite-post", ROOT / "examples" / "consulate"]


def icass(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write_bundle(tmp_path / "post")


def test_validate_ok(bundle):
    result = icass("validate", bundle)
    assert result.exit_code == 0
    assert "valid (TST Embassy Testville, standard, FY 2027)" in result.stderr


def test_validate_reports_errors_with_exit_status_2(tmp_path):
    folder = write_bundle(
        tmp_path / "bad", workload_csv=replace_line("workload.csv", "6139,2000.0,250,", "6139,2000.0,250,0.6")
    )
    result = icass("validate", folder)
    assert result.exit_code == 2
    assert (
        "row 15, modification: 2000.0's count: 6139 is modified 0.6 (H-341.7-6(D) b: not modifiable)" in result.stderr
    )
    assert "(rule R67)" in result.stderr
    assert "1 error(s): nothing was computed." in result.stderr


def test_distribute_csv(bundle):
    result = icass("distribute", bundle, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["agency", "cost_center", "funding", "share", "redistribution", "total"]
    body = rows[1:]
    assert body == sorted(body, key=lambda r: (r[0], r[1], r[2]))
    for *_, share, redistribution, total in body:
        for amount in (share, redistribution, total):
            assert Decimal(amount).as_tuple().exponent == -2
        assert Decimal(share) + Decimal(redistribution) == Decimal(total)
        assert (share, redistribution, total) != ("0.00", "0.00", "0.00")
    # ICASS nets to zero everywhere; redistribution sums to zero; the totals add up to the post budget.
    assert all(Decimal(r[5]) == 0 for r in body if r[0] == "1901.0")
    assert sum(Decimal(r[4]) for r in body) == 0
    budget = Decimal("150000") + Decimal("30000") + Decimal("20000") + Decimal("26500")
    assert sum(Decimal(r[5]) for r in body) == budget
    assert ["1900.0", "0000", "AMSAL", "30000.00", "0.00", "30000.00"] in body  # 20% of FS-02 AmSal to State


def test_distribute_json_matches_csv(bundle):
    as_csv = list(csv.DictReader(io.StringIO(icass("distribute", bundle, "--format", "csv").stdout)))
    document = json.loads(icass("distribute", bundle, "--format", "json").stdout)
    assert document["post"] == {
        "code": "TST",
        "name": "Embassy Testville",
        "methodology": "standard",
        "fiscal_year": 2027,
    }
    assert document["lines"] == as_csv
    assert document["total"] == "226500.00"


def test_distribute_to_a_file(bundle, tmp_path):
    out = tmp_path / "distribution.csv"
    result = icass("distribute", bundle, "--format", "csv", "--out", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text().startswith("agency,cost_center,funding,share,redistribution,total\n")


def test_nothing_is_written_for_an_invalid_bundle(tmp_path):
    folder = write_bundle(
        tmp_path / "bad", budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00", "6150,RB,2500,1.001")
    )
    out = tmp_path / "distribution.csv"
    result = icass("distribute", folder, "--format", "csv", "--out", out)
    assert result.exit_code == 2
    assert "budget.csv, row 5, amount: '1.001' has more than two decimal places" in result.stderr
    assert not out.exists()
    assert result.stdout == ""


def test_distribute_table(bundle):
    result = icass("distribute", bundle)
    assert result.exit_code == 0
    assert "TST Embassy Testville: ICASS distribution, FY 2027 (standard)" in result.stdout
    assert "226,500.00" in result.stdout


def test_invoice_of_one_agency(bundle):
    result = icass("invoice", bundle, "--agency", "2000.0")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ICASS invoice FY 2027, post TST: 2000.0 Other agency" in out
    assert "Motor Pool Services" in out
    assert "71.43" in out  # 250 of 350 motor pool kilometres
    assert "1901.0" not in out


def test_invoice_totals_equal_the_distribution(bundle):
    from icass.catalog import load_catalog
    from icass.distribution import distribute
    from icass.distribution.invoice import invoice
    from icass.runs.post import run_post

    post = run_post(bundle).bundle
    kind_of = load_catalog().kind_of("standard")

    result = distribute(post, kind_of)
    bills = [invoice(post, result, a.code, kind_of) for a in post.agencies]
    assert sum(b.total for b in bills) == int(result.cost.sum())
    assert sum(b.redistribution for b in bills) == 0
    other = next(b for b in bills if b.agency == "2000.0")
    motor_pool = next(line for line in other.lines if line.cost_center == "6139")
    assert (motor_pool.workload, motor_pool.modified_workload, motor_pool.share_percent) == (250, 250, Decimal("71.43"))
    assert other.subtotal("RB") + other.subtotal("AMSAL") + other.subtotal("PAT") == other.total


def test_invoice_of_an_unknown_agency(bundle):
    result = icass("invoice", bundle, "--agency", "9999.0")
    assert result.exit_code == 2
    assert "agency '9999.0' is not in" in result.stderr


def test_invoice_of_every_agency(bundle):
    result = icass("invoice", bundle)
    assert result.exit_code == 0
    for code in ("1900.0", "1901.0", "2000.0"):
        assert f"post TST: {code}" in result.stdout


@pytest.mark.parametrize("methodology", ["standard", "lite"])
def test_catalog_csv(methodology):
    result = icass("catalog", "--methodology", methodology, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["code"] for r in rows if r["mandatory"] == "yes"} == {"5624", "5880", "6150", "6443"}
    assert {r["count_basis"] for r in rows} <= {"static", "cumulative", "none"}
    assert {r["modifiable"] for r in rows} <= {"yes", "limited", "no"}
    assert ("6145" in {r["code"] for r in rows}) == (methodology == "lite")


def test_catalog_table():
    result = icass("catalog")
    assert result.exit_code == 0
    assert "Basic Package Services" in result.stdout


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_validate_without_warnings(sample):
    result = icass("validate", sample)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [result.stderr.splitlines()[-1]]
    assert ": valid (" in result.stderr


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_distribute_to_the_cent(sample):
    from icass.runs.post import run_post

    post = run_post(sample).bundle
    rows = list(csv.DictReader(io.StringIO(icass("distribute", sample, "--format", "csv").stdout)))
    budget = sum(line.amount for line in post.budget) + sum(line.amount for line in post.cost_pool())
    assert sum(Decimal(r["total"]) for r in rows) * 100 == budget
    assert sum(Decimal(r["redistribution"]) for r in rows) == 0
    by_cost_center: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        key = (r["cost_center"], r["funding"])
        by_cost_center[key] = by_cost_center.get(key, Decimal(0)) + Decimal(r["total"])
    if sample.name != "consulate":  # the consulate has no non-ICASS dual position
        assert by_cost_center[("0000", "AMSAL")] == sum(
            Decimal(r["total"])
            for r in rows
            if r["cost_center"] == "0000" and r["funding"] == "AMSAL" and r["agency"] == "1900.0"
        )
        assert {r["agency"] for r in rows if r["cost_center"] == "0000"} == {"1900.0"}
    assert all(Decimal(r["total"]) == 0 for r in rows if r["agency"] == "1901.0")


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_print_every_invoice(sample):
    from icass.runs.post import run_post

    result = icass("invoice", sample)
    assert result.exit_code == 0
    post = run_post(sample).bundle
    assert result.stdout.count("ICASS invoice FY") == len(post.agencies)
    assert "subtotal by funding source" in result.stdout


def test_samples_are_what_the_generator_writes(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "--out", str(tmp_path)], check=True)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(ROOT / "examples") for s in [*SAMPLES, ROOT / "examples" / "world"] for p in s.rglob("*")
    )
    assert written == [p for p in committed if (ROOT / "examples" / p).is_file()]
    for path in written:
        assert (tmp_path / path).read_text() == (ROOT / "examples" / path).read_text(), path


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_count_from_their_records_wherever_a_counting_rule_applies(sample):
    from icass.catalog.counting import load_counting_rules
    from icass.runs.post import run_post

    run = run_post(sample)
    assert run.bundle is not None
    assert run.derivation is not None
    methodology = str(run.bundle.post.methodology)
    ruled = set(load_counting_rules().for_methodology(methodology))
    ruled |= {
        code
        for code in {w.cost_center for w in run.bundle.workload}
        if run.catalog.find(code, methodology).count_basis == "cumulative"
    }
    entered = {w.cost_center for w in run.bundle.workload if w.origin == "entered"}
    assert not entered & ruled
    assert ruled & {w.cost_center for w in run.bundle.workload} <= run.derivation.derived


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_invoice_amounts_are_printed_whole(sample):
    import re

    from icass.catalog import load_catalog
    from icass.distribution import distribute
    from icass.distribution.invoice import invoice
    from icass.money import format_grouped
    from icass.runs.post import run_post

    post = run_post(sample).bundle
    kind_of = load_catalog().kind_of(post.post.methodology)

    result = distribute(post, kind_of)
    out = icass("invoice", sample).stdout
    assert not re.search(r"\d…", out), "an amount was cut short"
    for agency in post.agencies:
        bill = invoice(post, result, agency.code, kind_of)
        assert f" {format_grouped(bill.total)} " in out


def test_the_command_as_a_process(tmp_path):
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "icass", "validate", str(SAMPLES[1])], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = write_bundle(tmp_path / "bad", workload_csv=None)
    failed = subprocess.run([sys.executable, "-m", "icass", "distribute", str(bad)], capture_output=True, text=True)
    assert failed.returncode == 2
    assert "error: workload.csv: the file is missing" in failed.stderr
    assert failed.stdout == ""
    # The process ends without Python's finalization (icass.cli.app._end): all its output is there.
    whole = subprocess.run(
        [sys.executable, "-m", "icass", "distribute", str(SAMPLES[1]), "--format", "csv"],
        capture_output=True,
        text=True,
    )
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout == icass("distribute", SAMPLES[1], "--format", "csv").stdout


def test_a_server_keeps_the_collector_and_finalization(monkeypatch):
    """`icass serve` lives for days: main must not freeze its heap, slow its collector, or end it with os._exit
    (which would skip closing its pools and sockets). A one-shot command still takes them."""
    import gc
    import os
    import sys

    from icass.cli.app import main, one_shot

    tricks: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: tricks.append("freeze"))
    monkeypatch.setattr(gc, "set_threshold", lambda *a: tricks.append("threshold"))
    monkeypatch.setattr(os, "_exit", lambda status: tricks.append(f"exit {status}"))
    monkeypatch.setattr(sys, "argv", ["icass", "serve", "--help"])
    with pytest.raises(SystemExit) as end:
        main()
    assert end.value.code == 0
    assert tricks == []
    assert not one_shot(["serve"])
    assert not one_shot(["--help", "serve", "--demo"])
    assert one_shot(["distribute", "examples/standard-post", "--format", "csv"])
    assert one_shot(["--help"])
    assert one_shot([])


def test_the_methodology_choice_is_every_methodology():
    from icass.cli.app import METHODOLOGIES
    from icass.model import Methodology

    assert tuple(m.value for m in Methodology) == METHODOLOGIES


def test_distribute_csv_imports_only_what_it_uses(bundle):
    """The csv path of `icass distribute` is the one with a speed aim: no rich (tables, diagnostics), no other
    command's module, no typer or pydantic (docs/benchmarks.md, "The command-line library"), no json."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from icass.cli import app\n"
        "try:\n"
        f"    app(['distribute', {str(bundle)!r}, '--format', 'csv'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("agency,cost_center,funding,")
    modules = set(run.stderr.split())
    unwanted = ("rich", "typer", "pydantic", "markdown_it", "icass.cli.tdy", "icass.cli.world", "icass.cli.workload")
    assert sorted(m for m in modules if m.split(".")[0] in unwanted or m in unwanted) == []
    # Nor what only other outputs or annotations use: json (--format json), numpy.typing (type checking only).
    assert sorted(modules & {"json", "numpy.typing"}) == []


def test_validate_sends_a_world_folder_to_icass_world():
    world = Path(__file__).resolve().parents[2] / "examples" / "world"
    answer = CliRunner().invoke(app, ["validate", str(world)])
    assert answer.exit_code == 2
    assert "is a world folder (it has world.toml): check it with `icass world" in answer.output
