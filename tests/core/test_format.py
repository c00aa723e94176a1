"""The format declared once (icass.bundle.format): docs/bundle.md's tables are the declaration's, and every
reader refuses a bad cell of every declared column by its kind, naming the file, row and field."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from icass.bundle import tables as t
from icass.bundle.format import (
    BUNDLE_FILES,
    DOCS_END,
    DOCS_START,
    FILES,
    POST,
    SOURCE_RECORDS,
    WORLD_FILES,
    WORLD_SETTINGS,
    Column,
    File,
    Kind,
    markdown_tables,
)
from icass.bundle.frames import read_sources_of
from icass.bundle.load import parsers, read_post
from icass.bundle.world import world_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "bundle.md"

# A good cell and a bad one of each kind: the bad one breaks only what its kind says.
GOOD = {
    Kind.AMOUNT: "12.50",
    Kind.SIGNED_AMOUNT: "-12.50",
    Kind.COUNT: "1.5",
    Kind.COUNT_OR_LEVEL: "0.5",
    Kind.CODE: "1900.0",
    Kind.POST_CODE: "KVR",
    Kind.DATE: "2026-05-01",
    Kind.YES_NO: "yes",
    Kind.TEXT: "A line of text",
}
BAD = {
    Kind.AMOUNT: "12.505",
    Kind.SIGNED_AMOUNT: "twelve",
    Kind.COUNT: "-1",
    Kind.COUNT_OR_LEVEL: "-0.5",
    Kind.CODE: "=HYPERLINK(1)",
    Kind.POST_CODE: "K/V",
    Kind.DATE: "2026-13-01",
    Kind.YES_NO: "maybe",
    Kind.ONE_OF: "NOT_ONE_OF_THEM",
    Kind.TEXT: "x" * 501,
}


def _good(column: Column) -> str:
    if column.choices is not None:
        return column.choices.values()[0]
    return GOOD[column.kind]


def test_the_docs_tables_are_the_declaration():
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index(DOCS_START), text.index(DOCS_END) + len(DOCS_END)
    assert text[start:end] == markdown_tables(), (
        'docs/bundle.md is behind the format: write `python -c "from icass.bundle.format import markdown_tables; '
        'print(markdown_tables())"` between its markers'
    )


def test_the_docs_name_each_file_with_its_declared_columns():
    """The overview table's columns, and every example CSV's header, are a declared file's."""
    text = DOCS.read_text(encoding="utf-8")
    overview = {}
    for line in text.splitlines():
        found = re.fullmatch(r"\| `([a-z_]+\.csv)` \| `([a-z_,]+)`(?: \(\+ optional (.*?)\))? \| (.*?) \|.*", line)
        if found:
            optional = re.findall(r"`([a-z_]+)`", found.group(3) or "")
            overview[found.group(1)] = (tuple(found.group(2).split(",")), tuple(optional), found.group(4))
    assert set(overview) == {f.name for f in BUNDLE_FILES if f.part != SOURCE_RECORDS and f.part != "tdy"} - {
        "modifications.csv"
    }
    for name, (header, optional, key) in overview.items():
        file = FILES[name]
        assert header == tuple(c.name for c in file.columns if c.in_header), name
        assert optional == file.optional_columns, name
        assert key == (f"`{file.key}`" if file.key else "none: line items"), name
    headers = {",".join(f.names) for f in BUNDLE_FILES}
    examples = re.findall(r"```csv\n([^\n]*)\n", text)
    assert examples
    assert [h for h in examples if h not in headers] == []
    post_keys = re.search(r"\| `post\.toml` \| `\[post\]` (.*?) \(\+ optional (.*?)\) \|", text)
    assert post_keys is not None
    assert tuple(re.findall(r"`([a-z_]+)`", post_keys.group(1))) == tuple(
        k for k in POST.names if k not in POST.optional_keys
    )
    assert tuple(re.findall(r"`([a-z_]+)`", post_keys.group(2))) == POST.optional_keys


def _write(folder: Path, file: File, cells: dict[str, str]) -> None:
    path = folder / file.name
    path.parent.mkdir(parents=True, exist_ok=True)
    header = list(file.names)
    path.write_text(",".join(header) + "\n" + ",".join(cells[c] for c in header) + "\n", encoding="utf-8")


def _problems(folder: Path, file: File) -> list:
    if file.part == SOURCE_RECORDS:
        [(_, problems)] = read_sources_of([folder])
        return problems
    required, optional = parsers(file)
    _, problems = t.read_columns(folder, file.name, required, optional=optional)
    return problems


CELLS = [(f, c) for f in (*BUNDLE_FILES, *WORLD_FILES) for c in f.columns]


@pytest.mark.parametrize(("file", "column"), CELLS, ids=[f"{f.name}:{c.name}" for f, c in CELLS])
def test_every_reader_refuses_a_bad_cell_of_every_column_by_its_kind(tmp_path, file, column):
    good = {c.name: _good(c) for c in file.columns}
    _write(tmp_path, file, good)
    assert _problems(tmp_path, file) == [], "the good row reads"
    for cell in (BAD[column.kind], *(() if not column.required or column.kind == Kind.YES_NO else ("",))):
        _write(tmp_path, file, {**good, column.name: cell})
        problems = _problems(tmp_path, file)
        assert [(p.severity, p.source.file, p.source.row, p.field) for p in problems] == [
            ("error", file.name, 2, column.name)
        ], (cell, problems)


@pytest.mark.parametrize(
    "file", [f for f in (*BUNDLE_FILES, *WORLD_FILES) if f.optional_columns], ids=lambda file: file.name
)
def test_a_column_the_header_may_leave_out_reads_as_empty(tmp_path, file):
    path = tmp_path / file.name
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = [c for c in file.columns if c.in_header]
    path.write_text(",".join(c.name for c in kept) + "\n" + ",".join(_good(c) for c in kept) + "\n", encoding="utf-8")
    assert _problems(tmp_path, file) == []
    missing = kept[0]
    path.write_text(",".join(c.name for c in kept[1:]) + "\n" + ",".join(_good(c) for c in kept[1:]) + "\n")
    assert [p.message for p in _problems(tmp_path, file)] == [f"the header lacks column(s) {missing.name}"]


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", WORLD_SETTINGS.names)
def test_world_toml_needs_the_keys_the_format_says_it_needs(key):
    table = tomllib.loads((ROOT / "examples" / "world" / "world.toml").read_text(), parse_float=Decimal)["world"]
    assert world_settings(table)[1] == []
    _, problems = world_settings({k: v for k, v in table.items() if k != key})
    expected = [] if key in WORLD_SETTINGS.optional_keys else [("error", f"world.{key}", "is missing")]
    assert [(p.severity, p.field, p.message) for p in problems] == expected


@pytest.mark.parametrize("key", POST.names)
def test_post_toml_needs_the_keys_the_format_says_it_needs(tmp_path, key):
    lines = (ROOT / "examples" / "standard-post" / "post.toml").read_text().splitlines()
    assert read_post(ROOT / "examples" / "standard-post")[1] == []
    (tmp_path / "post.toml").write_text("\n".join(line for line in lines if not line.startswith(f"{key} ")) + "\n")
    _, problems = read_post(tmp_path)
    expected = [] if key in POST.optional_keys else [("error", f"post.{key}", "is missing")]
    assert [(p.severity, p.field, p.message) for p in problems] == expected


def test_the_source_record_files_are_the_models():
    """icass.model.sources names each file its SourceRecords field reads (the model is below the format)."""
    from icass.bundle.format import RECORD_FILES
    from icass.model.sources import FILE_OF

    assert tuple(FILE_OF.values()) == RECORD_FILES
