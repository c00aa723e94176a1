"""An import sent to the workspace (POST /api/imports, the Imports page): an Excel workbook of a post, or a
zip of a bundle folder or a world folder. The file is checked before a job is queued (a zip's names and sizes:
icass.bundle.archive); the job unpacks it, imports it as `icass import` would (icass.store.bundles,
workbooks, worlds: every problem reported, nothing stored on any error), recording who imported what in the
import's own transaction."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import Engine

from icass.bundle.archive import check_archive, folder_of, unpack
from icass.diagnostics import ERROR, Diagnostic, error, has_errors
from icass.model import Source
from icass.store.bundles import POST_FILE, REPLACE_HINT, Progress, StoredPost, import_bundle, post_entity
from icass.store.jobs import Outcome, problems_of
from icass.store.workbooks import import_workbook
from icass.store.workload_approvals import lock_refusal
from icass.store.worlds import WORLD_FILE, import_world, world_entity

KINDS = {".xlsx": "workbook", ".zip": "zip"}


def upload_name(filename: str) -> str:
    """The sent file's name as it is kept and named in messages: its last part, in safe characters."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])[-100:].lstrip(".")
    return name or "upload"


def check_upload(path: Path, name: str) -> list[Diagnostic]:
    """Why the file sent as `name` cannot be imported, found before any of it is unpacked."""
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        return [error(Source(name), "send an Excel workbook (.xlsx) or a zip of a bundle or world folder (.zip)")]
    return check_archive(path, name) if suffix == ".zip" else []  # a workbook is checked by its reader


def import_upload(engine: Engine, path: Path, username: str, replace: bool, progress: Progress) -> Outcome:
    """Import the checked file at `path` (its name as sent; alone in its folder, which is removed after),
    recorded as `username`'s in the import's own transaction; the job's outcome."""
    try:
        outcome = _outcome(*_imported(engine, path, username, replace, progress))
        return dataclasses.replace(outcome, result={"file": path.name, **outcome.result})
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


Imported = tuple[str | None, list[Diagnostic]]  # what was stored, and the problems found


def _imported(engine: Engine, path: Path, username: str, replace: bool, progress: Progress) -> Imported:
    if path.suffix.lower() == ".xlsx":
        return _post(*import_workbook(engine, path, replace, progress, username, scratch_in=path.parent))
    # In the upload's folder, the job's (icass.store.jobs): removed with it even when the process dies.
    with tempfile.TemporaryDirectory(prefix="icass-upload-", dir=path.parent) as scratch:
        # Unpacked into a folder named as the upload, so that the steps shown name it, not the temporary folder.
        target = Path(scratch) / (Path(path.name).stem or "upload")
        unpack(path, target)
        folder = folder_of(target, (WORLD_FILE, POST_FILE))
        if folder is None:
            message = f"holds neither a world ({WORLD_FILE}) nor a bundle ({POST_FILE}), at its top or in one folder"
            return None, [error(Source(path.name), message)]
        if not (folder / WORLD_FILE).is_file():
            return _post(*import_bundle(engine, folder, replace, progress, username, lock_refusal))
        world, problems = import_world(engine, folder, replace, progress, user=username)
        if world is None:
            return None, problems
        return world_entity(world.fiscal_year, len(world.posts)), problems


def _post(stored: StoredPost | None, problems: list[Diagnostic]) -> Imported:
    return (None if stored is None else post_entity(stored.code, stored.fiscal_year)), problems


# The Imports page's own words for the CLI's --replace: the form's box to tick.
REPLACE_ON_THE_PAGE = "(to import it again over what is stored, tick “Replace the posts and world it holds”)"


def _in_the_page_s_words(problem: Diagnostic) -> Diagnostic:
    return dataclasses.replace(problem, message=problem.message.replace(REPLACE_HINT, REPLACE_ON_THE_PAGE))


def _outcome(what: str | None, problems: list[Diagnostic]) -> Outcome:
    problems = [_in_the_page_s_words(p) for p in problems]
    if what is None or has_errors(problems):
        errors = sum(1 for p in problems if p.severity == ERROR)
        return Outcome(False, f"nothing stored: {errors} error(s)", {"problems": problems_of(problems)})
    return Outcome(True, f"stored {what}", {"stored": what, "problems": problems_of(problems)})
