"""The `icass` command used as a hostile user would: output paths that would lose data or cannot be written."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from icass.cli import app
from tests.bundles import replace_line, write_bundle

runner = CliRunner()


def icass(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write_bundle(tmp_path / "post")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def partials(folder: Path) -> list[str]:
    return [name for _, _, names in os.walk(folder) for name in names if name.endswith(".partial")]


def refused(result, path: str, reason: str) -> None:
    """Exit status 2, one line `error: <path>: <reason>` on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"error: {path}: ")
    assert reason in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["budget.csv", "post.toml", "new.csv", ".", "../post/agencies.csv"])
def test_out_inside_the_bundle_is_refused(bundle, name):
    before = snapshot(bundle)
    out = f"{bundle}/{name}"
    refused(icass("distribute", bundle, "--format", "csv", "--out", out), out, "is inside the bundle")
    assert snapshot(bundle) == before
    assert partials(bundle.parent) == []


def test_out_inside_the_bundle_through_a_link_is_refused(bundle, tmp_path):
    (tmp_path / "link").symlink_to(bundle)
    before = snapshot(bundle)
    out = f"{tmp_path}/link/budget.csv"
    refused(icass("distribute", tmp_path / "link", "--format", "json", "--out", out), out, "is inside the bundle")
    refused(icass("distribute", bundle, "--format", "json", "--out", out), out, "is inside the bundle")
    assert snapshot(bundle) == before


def test_out_onto_a_device_is_refused(bundle):
    refused(icass("distribute", bundle, "--format", "csv", "--out", os.devnull), os.devnull, "not a regular file")
    assert Path(os.devnull).is_char_device()


def test_out_onto_a_fifo_is_refused(bundle, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(icass("distribute", bundle, "--format", "csv", "--out", fifo), str(fifo), "not a regular file")
    assert fifo.is_fifo()
    assert partials(tmp_path) == []


def test_out_onto_a_symbolic_link_is_refused(bundle, tmp_path):
    target = tmp_path / "target.csv"
    target.write_text("kept\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    refused(icass("distribute", bundle, "--format", "csv", "--out", link), str(link), "is a symbolic link")
    assert link.is_symlink()
    assert target.read_text() == "kept\n"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    refused(icass("distribute", bundle, "--format", "csv", "--out", dangling), str(dangling), "is a symbolic link")
    assert not (tmp_path / "nowhere.csv").exists()


def test_out_onto_a_directory_is_refused(bundle, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    refused(icass("distribute", bundle, "--format", "csv", "--out", folder), str(folder), "is a directory")
    assert list(folder.iterdir()) == []
    assert partials(tmp_path) == []


def test_out_into_a_missing_folder_is_refused(bundle, tmp_path):
    out = tmp_path / "missing" / "distribution.csv"
    refused(icass("distribute", bundle, "--format", "csv", "--out", out), str(out), "does not exist")
    assert not out.parent.exists()


def test_out_under_a_file_is_refused(bundle, tmp_path):
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "distribution.csv"
    refused(icass("distribute", bundle, "--format", "csv", "--out", out), str(out), "Not a directory")


def test_an_empty_out_is_refused(bundle):
    refused(icass("distribute", bundle, "--format", "csv", "--out", ""), "''", "the path is empty")


def test_out_into_proc_is_refused(bundle):
    out = "/proc/distribution.csv"
    refused(icass("distribute", bundle, "--format", "csv", "--out", out), out, "cannot create a file in /proc")


def test_out_with_the_table_format_is_refused(bundle, tmp_path):
    out = tmp_path / "distribution.txt"
    result = icass("distribute", bundle, "--out", out)
    assert result.exit_code == 2
    assert result.stderr == "error: --out needs --format csv or json: the table is for the screen\n"
    assert result.stdout == ""
    assert not out.exists()


def test_a_refused_out_is_reported_before_the_bundle_is_read(tmp_path):
    """A bad path is the first thing said: no bundle diagnostics, nothing computed."""
    folder = write_bundle(
        tmp_path / "bad", budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00", "6150,RB,2500,1.001")
    )
    out = str(folder / "budget.csv")
    refused(icass("distribute", folder, "--format", "csv", "--out", out), out, "is inside the bundle")


def test_an_invalid_bundle_leaves_no_partial_file(tmp_path):
    folder = write_bundle(tmp_path / "bad", workload_csv=None)
    out = tmp_path / "distribution.json"
    result = icass("distribute", folder, "--format", "json", "--out", out)
    assert result.exit_code == 2
    assert "error: workload.csv: the file is missing" in result.stderr
    assert not out.exists()
    assert partials(tmp_path) == []


def test_a_failed_rename_leaves_the_old_file_and_no_partial(bundle, tmp_path, monkeypatch):
    out = tmp_path / "distribution.csv"
    out.write_text("previous\n")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    refused(icass("distribute", bundle, "--format", "csv", "--out", out), str(out), "No space left on device")
    assert out.read_text() == "previous\n"
    assert partials(tmp_path) == []


def test_out_replaces_a_regular_file_whole(bundle, tmp_path):
    out = tmp_path / "distribution.csv"
    out.write_text("previous\n")
    result = icass("distribute", bundle, "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_text() == icass("distribute", bundle, "--format", "csv").stdout
    assert partials(tmp_path) == []


# Data is never markup: square brackets and :emoji: codes in a bundle or an argument are printed as they are.
AGENCY = "State [/] [bold]x"
POST = "Embassy [/i] [i]Testville"
DESCRIPTION = "[/i] y :smile:"
TITLE = "[bold]Driver[/] :thumbs_up:"


@pytest.fixture
def bracketed(tmp_path: Path) -> Path:
    return write_bundle(
        tmp_path / "[bold]post[/]",
        agencies_csv=replace_line("agencies.csv", "1900.0,State,EUR", f"1900.0,{AGENCY},EUR"),
        post_toml=replace_line("post.toml", 'name = "Embassy Testville"', f'name = "{POST}"'),
        budget_csv=replace_line("budget.csv", "8790,RB,2500,500.00,bank fees", f"8790,RB,2500,500.00,{DESCRIPTION}"),
        positions_csv=replace_line("positions.csv", "P2,LE,FSN-9,Driver", f"P2,LE,FSN-9,{TITLE}"),
    )


@pytest.mark.parametrize(
    ("command", "verbatim"),
    [
        (["distribute", "_"], [f"TST {POST}: ICASS distribution", AGENCY]),
        (["invoice", "_"], [f"post TST: 1900.0 {AGENCY}"]),
        (["invoice", "_", "--agency", "1900.0"], [f"post TST: 1900.0 {AGENCY}"]),
        (["explain", "_", "8790"], [DESCRIPTION]),
        (["explain", "_", "6139"], [f"position P2 {TITLE}"]),
    ],
    ids=["distribute", "invoice", "invoice-agency", "explain-budget-line", "explain-position"],
)
def test_brackets_in_the_bundle_are_printed_verbatim(bracketed, command, verbatim):
    result = icass(*(bracketed if a == "_" else a for a in command))
    assert result.exit_code == 0, result.output
    for text in verbatim:
        assert text in result.stdout


def test_brackets_in_the_bundle_path_are_printed_verbatim(bracketed, tmp_path):
    result = icass("validate", bracketed)
    assert result.exit_code == 0, result.output
    assert f"{bracketed}: valid (TST {POST}, standard, FY 2027)" in result.stderr
    missing = tmp_path / "[/] :smile:"
    result = icass("validate", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "_", "[/]"], "error: '[/]' is not a cost center of the standard methodology"),
        (["explain", "_", "6139", "--agency", "[bold]x"], "error: agency '[bold]x' is not in"),
        (["invoice", "_", "--agency", "[/i] :smile:"], "error: agency '[/i] :smile:' is not in"),
    ],
    ids=["cost-center", "explain-agency", "invoice-agency"],
)
def test_brackets_in_an_argument_are_printed_verbatim(bundle, args, message):
    result = icass(*(bundle if a == "_" else a for a in args))
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


# A reader that stops early (`icass invoice BUNDLE | head -1`) is no error: exit 0, nothing on stderr.
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "standard-post"


@pytest.mark.parametrize(
    ("args", "lines_read"),
    [
        (["invoice", SAMPLE], 1),
        (["explain", SAMPLE, "6139"], 1),
        (["distribute", SAMPLE, "--format", "csv"], 0),
        (["distribute", SAMPLE, "--format", "json"], 0),
    ],
    ids=["invoice", "explain", "csv", "json"],
)
def test_a_reader_that_closes_early_is_no_error(args, lines_read):
    command = [sys.executable, "-m", "icass", *map(str, args)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        for _ in range(lines_read):
            assert process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        assert process.wait(timeout=60) == 0, stderr
    assert stderr == b""


def test_a_pipeline_into_head_exits_0():
    icass_command = shlex.join([sys.executable, "-m", "icass", "invoice", str(SAMPLE)])
    pipeline = f"set -o pipefail; {icass_command} | head -1"
    result = subprocess.run(["/bin/bash", "-c", pipeline], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "ICASS invoice FY 2027" in result.stdout
