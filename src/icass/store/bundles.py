"""Bundles in and out of the database (docs/store.md). `import_bundle` checks a bundle exactly as
`icass validate` does (and its tdy/ folder as `icass tdy` reads it), then stores every file of it in one
transaction, or nothing; `export_bundle` writes a post back as a bundle, file by file as it came in."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from icass.bundle import tables
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.model import Post, Source
from icass.runs.post import run_post
from icass.store import audit
from icass.store.cells import stored_cells
from icass.store.schema import (
    DOCUMENTS,
    FILES,
    ROW_TABLES,
    Cell,
    bundle_files,
    documents,
    post_versions,
    posts,
    version_steps,
)

POST_FILE = "post.toml"


@dataclass(frozen=True)
class StoredPost:
    code: str
    fiscal_year: int
    files: tuple[str, ...]  # the bundle's files, as kept


# How long work tells where it is: (steps done, steps in all, what it is doing). Imports take one as an
# optional argument and call it between steps (never inside a step); the jobs that run them
# (icass.store.jobs) keep it for the pages to poll. It changes nothing of what the work does.
Progress = Callable[[int, int, str], None]
Rows = dict[str, tuple[list[str], list[dict[str, Any]]]]  # each file's header as written and its rows


def no_progress(_done: int, _total: int, _what: str) -> None:
    """The progress of work nobody watches."""


class Steps:
    """Counts the steps of work whose number is known ahead and tells `progress` as each one starts (`done`:
    the steps finished before it); the last call says the work is over (done == total)."""

    def __init__(self, progress: Progress, total: int, done: int = 0) -> None:
        self.progress, self.total, self.done = progress, total, done

    def next(self, what: str) -> None:
        self.progress(self.done, self.total, what)
        self.done += 1


# How a refused import says the way to replace what is stored, in the CLI's words (its option); the Imports page
# says it in its own (icass.store.uploads).
REPLACE_HINT = "(--replace)"


# Given the stored post's id, code and year once replaced, the refusal of the replacement (None: it stands).
Keeps = Callable[[Connection, int, str, int], str | None]


class _Refused(Exception):
    pass


def import_bundle(
    engine: Engine,
    folder: Path,
    replace: bool = False,
    progress: Progress | None = None,
    user: str | None = None,
    keeps: Keeps | None = None,
) -> tuple[StoredPost | None, list[Diagnostic]]:
    """Store the bundle in `folder` (a workbook is icass.store.workbooks.import_workbook's, which hands this the
    bundle it reads); None and every problem when it has an error (then nothing is written). `progress` is told
    of each of its three steps: checking, reading the files, storing. `user`: who imports it, whose `import`
    entry of the record is written in the import's own transaction (stored with its entry, or not at all); None
    writes no entry (the demo's samples). `keeps`: what the post it replaces must keep to, its refusal (the
    counts an agency approved: icass.store.workload_approvals.lock_refusal)."""
    report = progress or no_progress
    report(0, 3, f"checking the bundle {folder.name}")
    post, problems = check_bundle(folder)
    if post is None or has_errors(problems):
        return None, problems
    report(1, 3, f"reading the files of {post.code} {post.fiscal_year}")
    rows: Rows = {name: _rows(folder, name) for name in FILES if (folder / name).exists()}
    kept = _documents(folder)
    problems += _left_out(folder)
    report(2, 3, f"storing {post.code} {post.fiscal_year}")
    try:
        with engine.begin() as connection:
            existing = _post_id(connection, post.code, post.fiscal_year)
            if existing is not None and not replace:
                message = f"post {post.code}, fiscal year {post.fiscal_year}, is already in the database {REPLACE_HINT}"
                return None, [*problems, error(Source(POST_FILE), message, field="post.code")]
            stored = replace_post(connection, existing, post, rows, kept)
            refused = keeps(connection, stored, post.code, post.fiscal_year) if keeps and existing else None
            if refused:
                raise _Refused(refused)  # nothing written: the transaction rolls back
            if user is not None:
                record_import(connection, user, post_entity(post.code, post.fiscal_year), post.code, post.fiscal_year)
    except _Refused as e:
        return None, [*problems, error(Source("workload.csv"), str(e))]
    report(3, 3, f"stored {post.code} {post.fiscal_year}")
    return StoredPost(post.code, post.fiscal_year, (POST_FILE, *rows, *kept)), problems


def store_post(connection: Connection, post: Post, rows: Rows, kept: Mapping[str, str]) -> int:
    """Insert a checked bundle as a new stored post: post.toml's row, each file's header and rows, and the
    documents kept whole (`kept`). The caller has made room for it (no post of its code and year)."""
    post_id = _insert_post(connection, post)
    for name, (header, found) in rows.items():
        connection.execute(bundle_files.insert(), {"post_id": post_id, "name": name, "header": header})
        if found:  # the rows as read, the post's id a constant of the statement: no copy of them made here
            connection.execute(ROW_TABLES[name].insert().values(post_id=post_id), found)
    for name, text in kept.items():
        connection.execute(documents.insert(), {"post_id": post_id, "name": name, "text": text})
    return post_id


def replace_post(connection: Connection, existing: int | None, post: Post, rows: Rows, kept: Mapping[str, str]) -> int:
    """Store the bundle as the post, in place of the stored post `existing` (None: there is none). The post's
    versions outlive its live rows: a version is immutable (issue 20 §1), so they, with their steps, stay
    attached to the post of that code and year, under the same row ids (what a kept run of a version is keyed
    by), rather than follow the replaced rows into the cascade."""
    if existing is None:
        return store_post(connection, post, rows, kept)
    held = connection.execute(select(post_versions).where(post_versions.c.post_id == existing)).mappings().all()
    ids = [v["id"] for v in held]
    steps = (
        connection.execute(select(version_steps).where(version_steps.c.version_id.in_(ids))).mappings().all()
        if ids
        else []
    )
    connection.execute(delete(posts).where(posts.c.id == existing))
    post_id = store_post(connection, post, rows, kept)
    if held:
        connection.execute(post_versions.insert(), [{**v, "post_id": post_id} for v in held])
    if steps:
        connection.execute(version_steps.insert(), [dict(s) for s in steps])
    return post_id


def post_entity(code: str, fiscal_year: int) -> str:
    """A stored post as the record and the jobs name it."""
    return f"post {code} {fiscal_year}"


def record_import(
    connection: Connection, user: str, entity: str, post: str | None = None, fiscal_year: int | None = None
) -> None:
    """The `import` entry of the record, in the import's transaction: the rows commit with it or not at all."""
    audit.record(connection, user, "import", entity, post=post, fiscal_year=fiscal_year)


def _documents(folder: Path) -> dict[str, str]:
    """The bundle's files kept whole (tdy/policy.toml), by name."""
    return {name: (folder / name).read_text(encoding="utf-8") for name in DOCUMENTS if (folder / name).exists()}


def is_workbook(path: Path) -> bool:
    """A path names a workbook when it is a file, or when it ends in .xlsx and is not a folder."""
    return path.is_file() or (path.suffix.lower() == ".xlsx" and not path.is_dir())


def check_bundle(folder: Path) -> tuple[Post | None, list[Diagnostic]]:
    """The post as the pipeline read it, and every diagnostic of the pipeline on the bundle (and of its tdy/
    folder when it has one)."""
    run = run_post(folder)
    post = run.records.post if run.records is not None else None
    if not (folder / "tdy").is_dir() or not run.ok:
        return post, list(run.diagnostics)
    from icass.runs.tdy import run_tdy

    return post, list(run_tdy(folder, dt.date.today(), run.catalog, run).diagnostics)


def _rows(
    folder: Path,
    name: str,
    columns: Mapping[str, Cell] | None = None,
    amount: Callable[[str], int] = tables.cents,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The file's header as written and its rows as the table's values (money in cents by `amount`, the rest as
    written); `columns`: the table's (a bundle file's by default)."""
    columns = FILES[name][1] if columns is None else columns
    cells, _ = tables.read_cells(folder, name, (), keep_extra=True)
    assert cells is not None  # the bundle was read without an error
    found: list[dict[str, Any]] = []
    for line, record in enumerate(cells.records, start=1):
        row: dict[str, Any] = {"line": line, "extra": {}}
        for column, cell in zip(cells.header, record, strict=True):
            if column not in columns:
                row["extra"][column] = cell
            elif columns[column] == "cents":
                row[column] = amount(cell)
            else:
                row[column] = cell
        found.append(row)
    return list(cells.header), found


def _left_out(folder: Path) -> list[Diagnostic]:
    known = {POST_FILE, *FILES, *DOCUMENTS}
    found = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name not in known:
            found.append(warning(Source(name), "is not a bundle file: not kept in the database"))
    return found


def _post_id(connection: Connection, code: str, fiscal_year: int) -> int | None:
    query = select(posts.c.id).where(posts.c.code == code, posts.c.fiscal_year == fiscal_year)
    return connection.execute(query).scalar_one_or_none()


def _insert_post(connection: Connection, post: Post) -> int:
    values = {
        "code": post.code,
        "fiscal_year": post.fiscal_year,
        "name": post.name,
        "country": post.country,
        "region": str(post.region),
        "methodology": str(post.methodology),
        "count_date": post.count_date.isoformat() if post.count_date else None,
        "stage": post.stage or None,
        "guard_force": None if post.guard_force is None else str(post.guard_force),
        "medevac_post": yes_or_no(post.medevac_post),
        "furniture_pool": yes_or_no(post.furniture_pool),
        "state_program_im": yes_or_no(post.state_program_im),
        "cell_phone_program": yes_or_no(post.cell_phone_program),
        "radio_repeater_site": yes_or_no(post.radio_repeater_site),
        "new_facilities": yes_or_no(post.new_facilities),
        "revision": new_revision(),
    }
    inserted = connection.execute(posts.insert().returning(posts.c.id), values).scalar_one()
    return int(inserted)


def yes_or_no(fact: bool | None) -> str | None:
    return None if fact is None else ("yes" if fact else "no")


def new_revision() -> str:
    return uuid.uuid4().hex


class NotStored(LookupError):
    """The database holds no such post, or the export's target is not free."""


def export_bundle(engine: Engine, code: str, fiscal_year: int, target: Path) -> tuple[str, ...]:
    """Write the post's bundle into `target`, a folder that must not exist yet (or be empty). It is written
    beside it and renamed into place, so a failure leaves nothing half-written. Returns the files written."""
    free_folder(target)
    with engine.connect() as connection:
        post_id = _post_id(connection, code, fiscal_year)
        if post_id is None:
            raise NotStored(f"post {code}, fiscal year {fiscal_year}, is not in the database")
        texts = bundle_texts(connection, post_id)
    return write_texts(target, texts)


def bundle_texts(connection: Connection, post_id: int) -> dict[str, str]:
    """The post's bundle as `export_bundle` writes it, each file's text by its path in the bundle (post.toml
    first, then the files in the store's order, then the documents): what a version freezes."""
    texts = {POST_FILE: _post_toml(connection, post_id)}
    for name, cells in stored_cells(connection, post_id).files.items():
        texts[name] = csv_text(list(cells.header), cells.records)
    for name, text in connection.execute(
        select(documents.c.name, documents.c.text).where(documents.c.post_id == post_id)
    ):
        texts[name] = text
    return texts


def write_texts(target: Path, texts: Mapping[str, str]) -> tuple[str, ...]:
    """Write each text to its path under `target` (free_folder's rules), byte for byte: UTF-8, line ends as
    they are. Returns the paths written."""
    free_folder(target)
    with into_place(target) as partial:
        for name, text in texts.items():
            (partial / name).parent.mkdir(parents=True, exist_ok=True)
            with (partial / name).open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
    return tuple(texts)


def free_folder(target: Path) -> None:
    """NotStored unless `target` may receive an export: a new or empty folder in a folder that exists."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise NotStored(f"{target}: exists and is not an empty folder")
    if not target.parent.is_dir():
        raise NotStored(f"{target}: the folder {target.parent} does not exist")


@contextmanager
def into_place(target: Path) -> Iterator[Path]:
    """A folder beside `target` to write into, renamed into place when the block ends well and removed when it
    fails, so that a failure leaves nothing half-written."""
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield partial
        if target.exists():
            target.rmdir()
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(csv_text(header, rows))


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """A CSV file's text as the store writes it: the header, then the rows, each line ended by a line feed."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _post_toml(connection: Connection, post_id: int) -> str:
    """post.toml in the format's key order (docs/bundle.md); strings in TOML's basic form (JSON's escapes are
    TOML's), the count date a TOML date."""
    post = connection.execute(select(posts).where(posts.c.id == post_id)).mappings().one()
    lines = ["[post]"]
    for key in ("code", "name", "country", "region", "methodology"):
        lines.append(f"{key} = {json.dumps(post[key], ensure_ascii=False)}")
    lines.append(f"fiscal_year = {post['fiscal_year']}")
    if post["count_date"] is not None:
        lines.append(f"count_date = {post['count_date']}")
    if post["stage"] is not None:
        lines.append(f"stage = {json.dumps(post['stage'], ensure_ascii=False)}")
    facts = ("guard_force", "medevac_post", "furniture_pool", "state_program_im", "cell_phone_program")
    for fact in (*facts, "radio_repeater_site", "new_facilities"):
        if post[fact] is not None:
            lines.append(f"{fact} = {json.dumps(post[fact])}")
    return "\n".join(lines) + "\n"
