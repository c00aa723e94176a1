"""Excel workbooks in and out of the database (docs/workbook.md).

An import reads the workbook (icass.bundle.workbook: limits, sheets, cell types), writes what it holds as a
bundle folder in a temporary directory, each sheet row on the same row of its file, and hands that folder to
`import_bundle`: the same pipeline checks it (read, derive, validate, distribute, and the TDY sheets as
`icass tdy` reads them) and the same transaction stores it. Messages are then named by sheet (`BOOK, sheet
budget, row 5, amount: ...`). A workbook with a problem of its own (a formula, a cell of the wrong type) is
still checked through, so that one import reports every bad row of every sheet, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from icass.bundle.workbook import POST_KEYS, Contents, read_workbook, write_folder
from icass.diagnostics import Diagnostic, has_errors
from icass.store.bundles import (
    NotStored,
    Progress,
    StoredPost,
    _post_id,
    check_bundle,
    import_bundle,
    no_progress,
)
from icass.store.cells import stored_cells
from icass.store.schema import documents, posts
from icass.store.workload_approvals import lock_refusal


def import_workbook(
    engine: Engine,
    path: Path,
    replace: bool = False,
    progress: Progress | None = None,
    user: str | None = None,
    scratch_in: Path | None = None,
) -> tuple[StoredPost | None, list[Diagnostic]]:
    """Store the post of the workbook at `path`; None and every problem when it has an error (then nothing is
    written). `progress` is told of reading the workbook, then of the bundle's steps (import_bundle); `user`'s
    entry of the record is written in the import's transaction, as import_bundle's. `scratch_in`: the folder
    to write the workbook's bundle in for the check (a job's own; the system's temporary folder when None)."""
    report = progress or no_progress
    report(0, 4, f"reading the workbook {path.name}")
    read = read_workbook(path)
    if read.contents is None:
        return None, read.problems
    with tempfile.TemporaryDirectory(prefix="icass-workbook-", dir=scratch_in) as scratch:
        folder = Path(scratch) / "bundle"
        write_folder(read.contents, folder)
        if has_errors(read.problems):
            report(1, 4, f"checking the workbook {path.name}")
            _, found = check_bundle(folder)
            return None, read.merged(found)
        stored, found = import_bundle(
            engine, folder, replace, lambda d, t, what: report(d + 1, t + 1, what), user, lock_refusal
        )
    return stored, read.merged(found)


def stored_contents(connection: Connection, post_id: int) -> Contents:
    """A stored post as a bundle's contents, in the written form its export would have."""
    row = connection.execute(select(posts).where(posts.c.id == post_id)).mappings().one()
    post: dict[str, Any] = {key: row[key] for key in POST_KEYS if row[key] is not None}
    if "count_date" in post:
        post["count_date"] = dt.date.fromisoformat(post["count_date"])
    kept = connection.execute(select(documents.c.name, documents.c.text).where(documents.c.post_id == post_id))
    return Contents(post, stored_cells(connection, post_id).files, {str(name): str(text) for name, text in kept})


def export_workbook(engine: Engine, code: str, fiscal_year: int, target: Path) -> None:
    """Write the post as a workbook at `target`, a new file (written beside it and renamed into place)."""
    from icass.bundle.workbook_writer import write_workbook
    from icass.store.compute import read_stored
    from icass.views.budget_summary import budget_summary, summary_rows

    if target.exists() or target.is_symlink():
        raise NotStored(f"{target}: exists already")
    if not target.parent.is_dir():
        raise NotStored(f"{target}: the folder {target.parent} does not exist")
    with engine.connect() as connection:
        post_id = _post_id(connection, code, fiscal_year)
        if post_id is None:
            raise NotStored(f"post {code}, fiscal year {fiscal_year}, is not in the database")
        contents = stored_contents(connection, post_id)
        records, _ = read_stored(connection, post_id)
    # The worksheet is worked out only from rows that read without an error, as every figure is.
    summary = () if records is None else summary_rows(budget_summary(records.entered))
    write_workbook(contents, target, summary=summary)
