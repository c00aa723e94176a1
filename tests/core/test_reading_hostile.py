"""Big or odd files where a bundle file should be: each refused with a message that names the file and, where
there is one, the row; never a crash, a hang or a machine out of memory."""

from __future__ import annotations

import os

import pytest

from icass.bundle import tables
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle


def errors(folder) -> list[str]:
    result = run_post(folder)
    assert result.bundle is None
    return [str(d) for d in result.diagnostics if d.severity == "error"]


def test_a_directory_is_not_a_regular_file(tmp_path):
    folder = write_bundle(tmp_path / "post", budget_csv=None)
    (folder / "budget.csv").mkdir()
    assert errors(folder) == ["error: budget.csv: is not a regular file"]


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    folder = write_bundle(tmp_path / "post", workload_csv=None)
    os.mkfifo(folder / "workload.csv")  # opening it would block until a writer came
    assert errors(folder) == ["error: workload.csv: is not a regular file"]


def test_a_link_to_dev_zero_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "post", budget_csv=None)
    (folder / "budget.csv").symlink_to("/dev/zero")
    assert errors(folder) == ["error: budget.csv: is not a regular file"]


def test_a_link_to_a_regular_file_is_read(tmp_path):
    folder = write_bundle(tmp_path / "post")
    (tmp_path / "budget-elsewhere.csv").write_text(BASE["budget.csv"], encoding="utf-8")
    (folder / "budget.csv").unlink()
    (folder / "budget.csv").symlink_to(tmp_path / "budget-elsewhere.csv")
    assert run_post(folder).ok


@pytest.mark.parametrize("name", ["modifications.csv", "people.csv"])
def test_a_broken_link_to_an_optional_file_is_reported_not_skipped(tmp_path, name):
    folder = write_bundle(tmp_path / "post")
    (folder / name).symlink_to(tmp_path / "nowhere.csv")
    target = tmp_path / "nowhere.csv"
    assert errors(folder) == [f"error: {name}: is a symbolic link to {target}, which does not exist"]


@pytest.mark.parametrize("name", ["budget.csv", "post.toml"])
def test_a_byte_order_mark_is_refused(tmp_path, name):
    folder = write_bundle(tmp_path / "post")
    (folder / name).write_bytes(b"\xef\xbb\xbf" + BASE[name].encode())
    assert errors(folder) == [
        f'error: {name}, row 1: starts with a byte-order mark (Excel\'s "CSV UTF-8"): save it without one (plain UTF-8)'
    ]


def test_undecodable_bytes_name_their_row(tmp_path):
    folder = write_bundle(tmp_path / "post")
    (folder / "budget.csv").write_bytes(BASE["budget.csv"].encode() + b"6150,RB,2500,1.00,caf\xe9\n")
    assert errors(folder) == ["error: budget.csv, row 7: is not UTF-8: byte 0xe9 cannot be decoded"]


def test_an_unbalanced_quote_names_its_row(tmp_path):
    folder = write_bundle(tmp_path / "post")
    (folder / "budget.csv").write_text(BASE["budget.csv"] + '6150,RB,2500,1.00,"never closed\n', encoding="utf-8")
    assert errors(folder) == [
        "error: budget.csv, row 7: has a quote that never closes: the quoted field that starts on this row runs "
        "to the end of the file"
    ]


def test_an_oversized_field_names_its_row(tmp_path):
    folder = write_bundle(tmp_path / "post")
    long = "x" * (tables.MAX_FIELD_CHARS + 1)
    (folder / "budget.csv").write_text(BASE["budget.csv"] + f"6150,RB,2500,1.00,{long}\n", encoding="utf-8")
    assert errors(folder) == ["error: budget.csv, row 7: has a field longer than 10,000 characters"]


def test_a_repeated_header_names_the_column(tmp_path):
    folder = write_bundle(tmp_path / "post", budget_csv="cost_center,funding,soc,amount,description,soc\n")
    assert errors(folder) == ["error: budget.csv, row 1: the header repeats column(s) soc"]


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 1000)
    folder = write_bundle(tmp_path / "post")
    (folder / "budget.csv").write_text(BASE["budget.csv"] + "\n" * 2000, encoding="utf-8")
    assert errors(folder) == ["error: budget.csv: is 2,183 bytes; a bundle file may be at most 1,000 bytes"]


def test_too_many_rows_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_ROWS", 3)
    folder = write_bundle(tmp_path / "post")
    assert "error: budget.csv, row 5: has more than 3 rows, the most this file holds" in errors(folder)


def test_blank_lines_count_toward_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_ROWS", 3)
    folder = write_bundle(tmp_path / "post", budget_csv="cost_center,funding,soc,amount,description\n" + "\n" * 10)
    assert "error: budget.csv, row 5: has more than 3 rows, the most this file holds" in errors(folder)


def test_too_many_source_record_rows_are_refused(tmp_path, monkeypatch):
    from tests.sources import PEOPLE, write_sources

    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    folder = write_sources(tmp_path / "post", people_csv=PEOPLE)
    assert "error: people.csv, row 5: has more than 3 rows, the most this file holds" in errors(folder)


def test_blank_lines_cost_nothing_and_keep_row_numbers(tmp_path):
    folder = write_bundle(tmp_path / "post")
    (folder / "budget.csv").write_text(
        BASE["budget.csv"].replace("\n", "\n\n", 2) + "6150,XX,2500,1.00,\n", encoding="utf-8"
    )
    assert errors(folder)[0].startswith("error: budget.csv, row 9, funding: 'XX' is not a known funding source")


def test_reading_a_post_again_and_again_leaves_the_parser_table_as_it_was():
    """A server reads posts all day (every import): nothing of a read may stay behind in module-level tables.
    post.toml's region and methodology parsers were made anew on every read, and each registered itself."""
    from pathlib import Path

    from icass.bundle.load import read_bundle, read_post

    examples = Path(__file__).resolve().parents[2] / "examples"
    read_bundle(examples / "standard-post")
    before = len(tables._COLUMN)
    for _ in range(1000):
        post, problems = read_post(examples / "standard-post")
        assert post is not None, problems
    for name in ("standard-post", "lite-post", "consulate"):
        read_bundle(examples / name)
    assert len(tables._COLUMN) == before
