"""Worlds in and out of the database (docs/store.md, "Worlds"). `import_world` checks a world folder exactly as
`icass world` does, then stores world.toml, the world's CSV files and every post bundle of posts/ and tdy/ in
one transaction, or nothing; `export_world` writes it back, file by file as it came in; `run_stored_world`
computes it from the stored rows, as `run_world` computes the folder.

A world's posts are ordinary stored posts (icass.store.bundles): a bundle of posts/ is a post of the world's
fiscal year, one of tdy/ a post of the year before. The world names them by code and fiscal year, with the
folder each bundle had, so that a post replaced on its own stays in its world and an export recreates the
folders as they were."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, select

from icass.bundle import tables as t
from icass.bundle.invoice_files import WORLD_FIGURES
from icass.bundle.load import read_bundles, read_post, signed_cents
from icass.bundle.world import WorldFiles, read_world_tables, world_settings
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.distribution.consolidation import Consolidation
from icass.model import Post, Source
from icass.model.approval import Basis
from icass.model.world import Stage
from icass.money import format_plain
from icass.runs.post import PostRun
from icass.runs.world import (
    WorldPost,
    WorldRun,
    WorldTdy,
    _in_folder,
    consolidate_world,
    post_figures,
    run_world,
    world_of_runs,
    world_run,
)
from icass.store.bundles import (
    POST_FILE,
    REPLACE_HINT,
    NotStored,
    Progress,
    Steps,
    _documents,
    _left_out,
    _rows,
    export_bundle,
    free_folder,
    into_place,
    new_revision,
    no_progress,
    record_import,
    replace_post,
    write_csv,
    write_texts,
)
from icass.store.central_factors import stale_posts
from icass.store.schema import (
    FILES,
    WORLD_FILES,
    WORLD_ROW_TABLES,
    posts,
    world_files,
    world_posts,
    worlds,
)
from icass.store.states import Shelf, database_of
from icass.views.world_invoice import WorldInvoice, agencies, world_invoice

WORLD_FILE = "world.toml"
POSTS, TDY = "posts", "tdy"  # the folders of a world's bundles: its own year's posts, prior-year final budgets


@dataclass(frozen=True)
class StoredWorld:
    fiscal_year: int
    files: tuple[str, ...]  # the world's own files, as kept: world.toml and its CSV files
    posts: tuple[str, ...]  # the codes of the bundles of posts/, by folder
    tdy: tuple[str, ...]  # the codes of the bundles of tdy/ (posts of the year before), by folder


@dataclass(frozen=True)
class _Bundle:
    kind: str  # posts | tdy
    folder: Path
    post: Post
    rows: dict[str, tuple[list[str], list[dict[str, Any]]]]
    kept: dict[str, str]  # documents kept whole


def import_world(
    engine: Engine,
    folder: Path,
    replace: bool = False,
    progress: Progress | None = None,
    keep_stored: bool = False,
    user: str | None = None,
) -> tuple[StoredWorld | None, list[Diagnostic]]:
    """Store the world in `folder` and every post bundle in it; None and every problem when it has an error
    (then nothing is written). A world or post the database holds already is an error unless `replace`.
    `keep_stored`: a post the database holds already is the world's as it is stored, neither replaced nor an
    error (the demo's sample posts are posts of the sample world too: icass.store.demo).
    `progress` is told of each step: the world checked, then post by post its own tdy/ folder checked, its
    files read and its rows stored. `user`: who imports it, whose `import` entry of the record is written in
    the import's own transaction (None: no entry, the demo's world)."""
    report = progress or no_progress
    report(0, 0, f"checking the world {folder.name}")
    run = run_world(folder)
    consolidation, more = consolidate_world(run)
    problems = [*run.diagnostics, *more]
    if run.files is None or consolidation is None or has_errors(problems):
        return None, problems
    files = run.files
    # The world's check is done; then, post by post, its own tdy/ folder checked, its files read, its rows stored.
    steps = Steps(report, 1 + len(files.post_folders) + 2 * (len(files.post_folders) + len(files.tdy_folders)), 1)
    problems += _prior_year_posts_once(files.tdy_folders)
    problems += _tdy_of_posts(files.post_folders, files.world.tdy_as_of or dt.date.today(), steps)
    problems += _world_left_out(folder)
    if has_errors(problems):
        return None, problems
    table, unreadable = t.read_toml_table(folder, WORLD_FILE, "world")
    assert table is not None, unreadable  # read by run_world without an error
    world = _world_values(table, files.world.fiscal_year)
    rows = {name: _world_rows(folder, name) for name in WORLD_FILES if (folder / name).exists()}
    bundles = [
        _bundle(POSTS, f, p.records.post if p.records else None, steps)
        for f, p in zip(files.post_folders, run.posts, strict=True)
    ]
    bundles += [_bundle(TDY, f, None, steps) for f in files.tdy_folders]
    try:
        return _stored_world(engine, world, rows, bundles, problems, steps, replace, keep_stored, user)
    except _Refused as e:  # nothing written: the transaction rolled back
        return None, [*problems, error(Source(WORLD_FILE), str(e))]


def _stored_world(
    engine: Engine,
    world: dict[str, Any],
    rows: dict[str, Any],
    bundles: list[_Bundle],
    problems: list[Diagnostic],
    steps: Steps,
    replace: bool,
    keep_stored: bool,
    user: str | None,
) -> tuple[StoredWorld | None, list[Diagnostic]]:
    with engine.begin() as connection:
        kept = _stored_posts(connection, bundles) if keep_stored else set()
        taken = _taken(connection, world["fiscal_year"], [b for b in bundles if _key(b) not in kept])
        if taken and not replace:
            return None, problems + taken
        connection.execute(delete(worlds).where(worlds.c.fiscal_year == world["fiscal_year"]))
        world_id = int(connection.execute(worlds.insert().returning(worlds.c.id), world).scalar_one())
        for name, (header, found) in rows.items():
            connection.execute(world_files.insert(), {"world_id": world_id, "name": name, "header": header})
            if found:
                connection.execute(WORLD_ROW_TABLES[name].insert().values(world_id=world_id), found)
        for bundle in bundles:
            steps.next(f"storing {bundle.kind}/{bundle.folder.name}")
            if _key(bundle) not in kept:
                _store_bundle(connection, bundle)
            member = {"kind": bundle.kind, "folder": bundle.folder.name, "code": bundle.post.code}
            connection.execute(
                world_posts.insert(), {"world_id": world_id, "fiscal_year": bundle.post.fiscal_year, **member}
            )
        # The year's posts are computed with the world's cost factors (icass.store.central_factors), or again
        # with their own when it has none: a post kept as it was stored, or stored alone, is stale too.
        stale_posts(connection, world["fiscal_year"])
        if user is not None:
            posts_of_world = sum(1 for b in bundles if b.kind == POSTS)
            record_import(
                connection, user, world_entity(world["fiscal_year"], posts_of_world), None, world["fiscal_year"]
            )
    steps.next(f"stored the world of {world['fiscal_year']}")
    return (
        StoredWorld(
            world["fiscal_year"],
            (WORLD_FILE, *rows),
            tuple(b.post.code for b in bundles if b.kind == POSTS),
            tuple(b.post.code for b in bundles if b.kind == TDY),
        ),
        problems,
    )


def world_entity(fiscal_year: int, posts_of_world: int) -> str:
    """A stored world as the record and the jobs name it."""
    return f"the world of {fiscal_year} and its {posts_of_world} posts"


def _prior_year_posts_once(folders: tuple[Path, ...]) -> list[Diagnostic]:
    """The database keeps one bundle per post and year: two tdy/ bundles of one post and year cannot both be
    kept (the world's folder allows it: their invoices are all billed)."""
    found: list[Diagnostic] = []
    seen: dict[tuple[str, int], str] = {}
    for folder in folders:
        post, _ = read_post(folder)
        if post is None:
            continue
        key = (post.code, post.fiscal_year)
        if key in seen:
            message = (
                f"post {post.code}, fiscal year {post.fiscal_year}, is also tdy/{seen[key]}: the database keeps one "
                "bundle of a post and year"
            )
            found.append(error(Source(f"tdy/{folder.name}/{POST_FILE}"), message, field="post.code"))
        seen.setdefault(key, folder.name)
    return found


def _tdy_of_posts(folders: tuple[Path, ...], as_of: dt.date, steps: Steps) -> list[Diagnostic]:
    """A bundle of posts/ with a tdy/ folder of its own keeps it, checked as `icass import BUNDLE` checks it."""
    from icass.runs.tdy import run_tdy

    found: list[Diagnostic] = []
    for folder in folders:
        steps.next(f"checking posts/{folder.name}/tdy")
        if (folder / "tdy").is_dir():
            found += _in_folder(folder.name, run_tdy(folder, as_of).diagnostics)
    return found


def _world_left_out(folder: Path) -> list[Diagnostic]:
    """Files of the world folder that are not part of the format, named and not kept."""
    found: list[Diagnostic] = []
    for path in sorted(folder.iterdir()):
        if path.name in (POSTS, TDY) and path.is_dir():
            for inner in sorted(path.iterdir()):
                if inner.is_dir():
                    found += _in_folder(inner.name, tuple(_left_out(inner)), path.name)
                else:
                    found.append(_not_kept(f"{path.name}/{inner.name}"))
        elif path.name != WORLD_FILE and path.name not in WORLD_FILES:
            found.append(_not_kept(path.name))
    return found


def _not_kept(name: str) -> Diagnostic:
    return warning(Source(name), "is not a file of a world: not kept in the database")


def _world_values(table: dict[str, Any], fiscal_year: int) -> dict[str, Any]:
    """world.toml as the worlds table's row: money in cents, the percent as written, optional keys None."""
    world, _ = world_settings(table)
    assert world is not None
    return {
        "fiscal_year": fiscal_year,
        "stage": str(world.stage),
        "amsal_target": world.amsal_target,
        "pat_target": world.pat_target,
        "dpm_pouch_percent": str(table["dpm_pouch_percent"]),
        "fob_rsa_fee": world.fob_rsa_fee if "fob_rsa_fee" in table else None,
        "tdy_as_of": world.tdy_as_of.isoformat() if world.tdy_as_of is not None else None,
        "revision": new_revision(),
    }


def _world_rows(folder: Path, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """A world CSV file's header as written and its rows (money in signed cents, the rest as written)."""
    return _rows(folder, name, WORLD_FILES[name][1], signed_cents)


def _bundle(kind: str, folder: Path, post: Post | None, steps: Steps) -> _Bundle:
    steps.next(f"reading {kind}/{folder.name}")
    if post is None:  # a tdy/ bundle: its post.toml was read by the TDY module's run
        post, _ = read_post(folder)
        assert post is not None
    rows = {name: _rows(folder, name) for name in FILES if (folder / name).exists()}
    return _Bundle(kind, folder, post, rows, _documents(folder))


def _key(bundle: _Bundle) -> tuple[str, int]:
    return bundle.post.code, bundle.post.fiscal_year


def _stored_posts(connection: Connection, bundles: list[_Bundle]) -> set[tuple[str, int]]:
    held = {(code, year) for code, year in connection.execute(select(posts.c.code, posts.c.fiscal_year))}
    return {_key(b) for b in bundles} & held


def _taken(connection: Connection, fiscal_year: int, bundles: list[_Bundle]) -> list[Diagnostic]:
    """The world and the posts the database holds already, each named."""
    found: list[Diagnostic] = []
    if connection.execute(select(worlds.c.id).where(worlds.c.fiscal_year == fiscal_year)).first() is not None:
        message = f"the world of fiscal year {fiscal_year} is already in the database {REPLACE_HINT}"
        found.append(error(Source(WORLD_FILE), message, field="world.fiscal_year"))
    for b in bundles:
        query = select(posts.c.id).where(posts.c.code == b.post.code, posts.c.fiscal_year == b.post.fiscal_year)
        if connection.execute(query).first() is not None:
            message = f"post {b.post.code}, fiscal year {b.post.fiscal_year}, is already in the database {REPLACE_HINT}"
            found.append(error(Source(f"{b.kind}/{b.folder.name}/{POST_FILE}"), message, field="post.code"))
    return found


def _store_bundle(connection: Connection, bundle: _Bundle) -> int:
    """The bundle as a stored post, replacing the post's year if the database holds it (as import_bundle)."""
    post = bundle.post
    existing = connection.execute(
        select(posts.c.id).where(posts.c.code == post.code, posts.c.fiscal_year == post.fiscal_year)
    ).scalar_one_or_none()
    stored = replace_post(connection, existing, post, bundle.rows, bundle.kept)
    # The counts an agency approved are replaced only once the post's FMO has reopened its approval.
    from icass.store.workload_approvals import lock_refusal

    refused = lock_refusal(connection, stored, post.code, post.fiscal_year) if existing is not None else None
    if refused:
        raise _Refused(f"{bundle.kind}/{bundle.folder.name}: {refused}")  # the import's transaction rolls back
    return stored


class _Refused(Exception):
    pass


def _world_row(connection: Connection, fiscal_year: int) -> Any:
    row = connection.execute(select(worlds).where(worlds.c.fiscal_year == fiscal_year)).mappings().first()
    if row is None:
        raise NotStored(f"the world of fiscal year {fiscal_year} is not in the database")
    return row


def _members(connection: Connection, world_id: int) -> list[Any]:
    """The world's bundles in folder order, each with its stored post's id and revision (None when the post is
    no longer in the database)."""
    joined = world_posts.outerjoin(
        posts, and_(posts.c.code == world_posts.c.code, posts.c.fiscal_year == world_posts.c.fiscal_year)
    )
    query = (
        select(
            world_posts.c.kind,
            world_posts.c.folder,
            world_posts.c.code,
            world_posts.c.fiscal_year,
            posts.c.id,
            posts.c.revision,
        )
        .select_from(joined)
        .where(world_posts.c.world_id == world_id)
    )
    # Sorted here, not by the database: a folder's order is its name's code points, as run_world lists them,
    # whatever the database's collation.
    return sorted(connection.execute(query), key=lambda m: (m.kind, m.folder))


def export_world(engine: Engine, fiscal_year: int, target: Path) -> tuple[str, ...]:
    """Write the world of `fiscal_year` into `target`, a folder that must not exist yet (or be empty): world.toml,
    its CSV files and every bundle in posts/ and tdy/ under its folder's name. It is written beside `target`
    and renamed into place, so a failure leaves nothing half-written. Returns the files written."""
    free_folder(target)
    with engine.connect() as connection:
        world = _world_row(connection, fiscal_year)
        cells = _stored_world_cells(connection, world["id"])
        members = _members(connection, world["id"])
    for kind, folder, code, year, post_id, _ in members:
        if post_id is None:
            raise NotStored(f"{kind}/{folder}: post {code}, fiscal year {year}, is no longer in the database")
    with into_place(target) as partial_folder:
        written = [WORLD_FILE]
        (partial_folder / WORLD_FILE).write_text(_world_toml(world), encoding="utf-8")
        for name, found in cells.files.items():
            write_csv(partial_folder / name, list(found.header), found.records)
            written.append(name)
        for kind, folder, code, year, _, _ in members:
            (partial_folder / kind).mkdir(exist_ok=True)
            bundle = export_bundle(engine, code, year, partial_folder / kind / folder)
            written += [f"{kind}/{folder}/{name}" for name in bundle]
    return tuple(written)


def _world_toml(world: Any) -> str:
    """world.toml in the format's key order (docs/world.md): money as a string of dollars with two decimals,
    the percent as a string as written, tdy_as_of a TOML date; keys the world left out stay out."""
    lines = ["[world]", f"fiscal_year = {world['fiscal_year']}", f"stage = {json.dumps(world['stage'])}"]
    for key, value in _settings(world).items():
        if key in ("fiscal_year", "stage"):
            continue
        lines.append(f"{key} = {value}" if key == "tdy_as_of" else f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _settings(world: Any) -> dict[str, Any]:
    """The worlds row as world.toml's [world] table would read (for the same checks as the file's)."""
    table: dict[str, Any] = {
        "fiscal_year": world["fiscal_year"],
        "stage": world["stage"],
        "amsal_target": format_plain(world["amsal_target"]),
        "pat_target": format_plain(world["pat_target"]),
        "dpm_pouch_percent": world["dpm_pouch_percent"],
    }
    if world["fob_rsa_fee"] is not None:
        table["fob_rsa_fee"] = format_plain(world["fob_rsa_fee"])
    if world["tdy_as_of"] is not None:
        table["tdy_as_of"] = world["tdy_as_of"]
    return table


@dataclass(frozen=True)
class StoredWorldCells:
    """A stored world's CSV files as a CellSource (icass.bundle.tables): each file's header as imported and its
    rows in their order, amounts written back in the format's form."""

    files: dict[str, t.Cells]

    def has(self, name: str) -> bool:
        return name in self.files

    def cells(
        self, name: str, required: Any, optional: Any, keep_extra: bool, max_rows: int
    ) -> tuple[t.Cells | None, list[Diagnostic]]:
        return t.held_cells(self.files, name, required, optional, keep_extra, max_rows)


def _stored_world_cells(connection: Connection, world_id: int) -> StoredWorldCells:
    files: dict[str, t.Cells] = {}
    query = select(world_files.c.name, world_files.c.header).where(world_files.c.world_id == world_id)
    for name, header in connection.execute(query.order_by(world_files.c.id)):
        table, (_, kinds) = WORLD_ROW_TABLES[name], WORLD_FILES[name]
        selected = [table.c[c] for c in header if c in kinds]
        rows = connection.execute(
            select(*selected, table.c.extra).where(table.c.world_id == world_id).order_by(table.c.line)
        ).all()
        records: list[list[str]] = []
        for row in rows:
            values = iter(row[:-1])
            extra = row[-1]
            records.append(
                [
                    (format_plain(next(values)) if kinds[c] == "cents" else next(values)) if c in kinds else extra[c]
                    for c in header
                ]
            )
        files[name] = t.Cells(name, tuple(header), list(range(2, len(records) + 2)), records)
    return StoredWorldCells(files)


@dataclass(frozen=True)
class BasisVersion:
    """The version of a post a world is computed from."""

    post: str
    number: int
    kind: str
    revision: int  # of its kind: 0 for the first, 1 after a return, ...
    state: str
    sha256: str


@dataclass(frozen=True)
class WorldBasis:
    """The basis of a world's invoices, each post's version it is computed from, and the world's posts left out
    for want of one: with no version of the kind (initial), or whose final version the ISC has not accepted."""

    basis: Basis
    versions: tuple[BasisVersion, ...] = ()
    left_out: tuple[str, ...] = ()

    @property
    def payable(self) -> bool:
        return self.basis == Basis.FINAL

    def said(self) -> str:
        """The basis of the figures in words, as the world's pages, files and `icass world` say it: whose figures
        they are, each post's version with its hash, and the posts left out."""
        if self.basis == Basis.LIVE:
            return WORLD_FIGURES
        versions = "; ".join(
            f"{v.post} version {v.number} ({v.kind} revision {v.revision}, {v.state}, SHA-256 {v.sha256})"
            for v in self.versions
        )
        if self.basis == Basis.FINAL:
            said = f"the final versions the ICASS Service Center accepted, payable: {versions or 'none yet'}"
            missing = "final not yet accepted, not in these figures"
        else:
            newest = "each post's newest accepted initial version, else its newest, for information"
            said = f"{newest}: {versions or 'none'}"
            missing = "no initial version yet, not in these figures"
        if self.left_out:
            said += f". {missing}: {', '.join(self.left_out)}; the costs below the line wait for every post"
        return said


LIVE = WorldBasis(Basis.LIVE)


@dataclass(frozen=True)
class StoredWorldRun:
    """A stored world's run and its consolidation (None when it has errors), with the consolidation's problems."""

    run: WorldRun
    consolidation: Consolidation | None
    problems: list[Diagnostic]
    basis: WorldBasis = LIVE

    @cached_property
    def invoices(self) -> dict[str, WorldInvoice | None]:
        """Every agency's worldwide invoice (H-424), made once for the kept run; empty when not consolidated.
        (Made twice at worst by two first readers at once: each makes the same.)"""
        if self.consolidation is None or self.run.files is None:
            return {}
        world = self.run.files.world
        found = {a: world_invoice(self.consolidation, world, a) for a in agencies(self.consolidation)}
        if self.basis.left_out:  # nothing below the line until every post is in (_without_posts)
            found = {a: dataclasses.replace(b, items=()) if b and b.posts else None for a, b in found.items()}
        return found


WORLDS: Shelf[StoredWorldRun] = Shelf("world")  # fiscal year -> its run, under the revisions of it and its posts
# (fiscal year, basis) -> the world computed from the posts' versions, under the versions chosen.
VERSIONED_WORLDS: Shelf[StoredWorldRun] = Shelf("world of versions")


def run_stored_world(engine: Engine, fiscal_year: int) -> WorldRun:
    """The world of `fiscal_year` computed from the stored rows, as `run_world` computes its folder: the same
    readers (through CellSources), pipeline and checks. NotStored when the database has no world of that year."""
    return consolidated_stored_world(engine, fiscal_year).run


def consolidated_stored_world(engine: Engine, fiscal_year: int, basis: Basis = Basis.LIVE) -> StoredWorldRun:
    """The stored world's run and consolidation, kept until the world's revision or any of its posts' changes.
    Its posts' runs are their kept states (icass.store.compute.state_kept): after an edit to one post, only that
    post is run again, then the consolidation. Another `basis` than live computes it from each post's version
    of that kind (versioned_world)."""
    from icass.store.tdy_path import billed_in_world
    from icass.store.versions import tdy_run

    if basis != Basis.LIVE:
        return versioned_world(engine, fiscal_year, basis)

    database = database_of(engine)
    with engine.connect() as connection:
        world = _world_row(connection, fiscal_year)
        members = _members(connection, world["id"])
        stamp = (world["revision"], *((m.kind, m.folder, m.id, m.revision) for m in members))
        stamp += _rates_versions(connection, [m for m in members if m.kind == TDY])
        billed = billed_in_world(connection, fiscal_year, {m.code for m in members if m.kind == POSTS})
        stamp += (billed,)
        kept = WORLDS.get(database, fiscal_year, stamp)
        if kept is not None:
            return kept
        settings, problems = world_settings(_settings(world))
        found = [m for m in members if m.id is not None]
        for m in members:
            if m.id is None:
                message = f"post {m.code}, fiscal year {m.fiscal_year}, is no longer in the database"
                problems.append(error(Source(f"{m.kind}/{m.folder}"), message))
        files, problems = read_world_tables(
            _stored_world_cells(connection, world["id"]),
            settings,
            problems,
            tuple(Path(POSTS, m.folder) for m in found if m.kind == POSTS),
            tuple(Path(TDY, m.folder) for m in found if m.kind == TDY),
        )
        if files is None:
            return StoredWorldRun(WorldRun(tuple(problems)), None, [])
        own = [m for m in found if m.kind == POSTS]
        runs = _post_runs(connection, [(m.id, m.revision) for m in own])
        read = [(m.folder, _post_of(connection, m.id, run)) for m, run in zip(own, runs, strict=True)]
    tdy: list[WorldTdy] = [(m.folder, partial(tdy_run, engine, m.id)) for m in found if m.kind == TDY]
    run = world_of_runs(files, problems, read, runs, tdy, billed)
    consolidation, more = consolidate_world(run)
    result = StoredWorldRun(run, consolidation, more)
    WORLDS.put(database, fiscal_year, stamp, result)
    return result


def _post_runs(connection: Connection, members: list[tuple[int, str]]) -> list[PostRun]:
    """Each post's kept run at its revision; those not kept are read together, run one by one (each its own
    state, as any reader of the post would make it) and kept."""
    from icass.catalog import load_catalog
    from icass.catalog.counting import load_counting_rules
    from icass.store.compute import STATES, read_stored_parts, state_read

    database = database_of(connection)
    runs: dict[int, PostRun] = {}
    for post_id, revision in members:
        kept = STATES.get(database, post_id, revision)
        if kept is not None:
            runs[post_id] = kept.run
    missing = [(post_id, revision) for post_id, revision in members if post_id not in runs]
    if missing:
        catalog, rules = load_catalog(), load_counting_rules()
        read = read_stored_parts(connection, [post_id for post_id, _ in missing])
        for (post_id, revision), parts in zip(missing, read, strict=True):
            state = state_read(*parts, catalog, rules)
            STATES.put(database, post_id, revision, state)
            runs[post_id] = state.run
    return [runs[post_id] for post_id, _ in members]


def _post_of(connection: Connection, post_id: int, run: PostRun) -> Post:
    """The post as read (from its run when the run has its records)."""
    from icass.store.compute import _post

    return run.records.entered.post if run.records is not None else _post(connection, post_id)


def stored_world_years(engine: Engine) -> list[int]:
    """The fiscal years of the worlds the database holds."""
    with engine.connect() as connection:
        return list(connection.execute(select(worlds.c.fiscal_year).order_by(worlds.c.fiscal_year)).scalars())


def versioned_world(engine: Engine, fiscal_year: int, basis: Basis) -> StoredWorldRun:
    """The stored world computed from its posts' versions (issue 20 §1), not their rows: `initial` from each
    post's newest initial version the ISC accepted, else its newest initial version (informational); `final`
    from each post's newest accepted final version (payable). A post with no such version is left out of the
    world and listed; while one is, nothing is billed below the line (_without_posts). Each version's frozen
    bundle is read and run as `icass world` reads and runs the bundles of its posts/ folder, so that the world
    of versions is the world of their exported folders. Kept until the world, its prior-year posts or the
    versions chosen change."""
    from icass.catalog import load_catalog
    from icass.catalog.counting import load_counting_rules
    from icass.store.tdy_path import billed_in_world
    from icass.store.versions import tdy_run

    database = database_of(engine)
    with engine.connect() as connection:
        world = _world_row(connection, fiscal_year)
        members = _members(connection, world["id"])
        own = [m for m in members if m.kind == POSTS and m.id is not None]
        chosen = {m.folder: _chosen_version(connection, m.id, basis) for m in own}
        kept_out = {m.code for m in own if chosen[m.folder] is None}
        tdy_members = [m for m in members if m.kind == TDY and m.id is not None and m.code not in kept_out]
        # A TDY invoice is billed once headquarters approved it, whatever the budget basis of the world.
        billed = billed_in_world(connection, fiscal_year, {m.code for m in own if m.code not in kept_out})
        stamp = (
            world["revision"],
            *((m.folder, m.id, *(chosen[m.folder] or ((),))[:2]) for m in own),
            *((m.folder, m.id, m.revision) for m in tdy_members),
            *_rates_versions(connection, tdy_members),
            billed,
        )
        held = VERSIONED_WORLDS.get(database, (fiscal_year, basis.value), stamp)
        if held is not None:
            return held
        settings, problems = world_settings(_settings(world))
        for m in members:
            if m.id is None:
                message = f"post {m.code}, fiscal year {m.fiscal_year}, is no longer in the database"
                problems.append(error(Source(f"{m.kind}/{m.folder}"), message))
        taken = [m for m in own if chosen[m.folder] is not None]
        files, problems = read_world_tables(
            _stored_world_cells(connection, world["id"]),
            settings,
            problems,
            tuple(Path(POSTS, m.folder) for m in taken),
            tuple(Path(TDY, m.folder) for m in tdy_members),
        )
    if files is None:
        return StoredWorldRun(WorldRun(tuple(problems)), None, [], WorldBasis(basis, (), tuple(sorted(kept_out))))
    files = _without_posts(files, kept_out)
    if basis in (Basis.INITIAL, Basis.FINAL):
        files = dataclasses.replace(files, world=dataclasses.replace(files.world, stage=Stage(basis.value)))
    versions = []
    with tempfile.TemporaryDirectory(prefix="icass-world-") as folder:
        read_posts = []
        folders = []
        for m in taken:
            version = chosen[m.folder]
            assert version is not None
            target = Path(folder) / m.folder
            write_texts(target, version[2])
            folders.append(target)
            versions.append(BasisVersion(m.code, version[3], version[4], version[5], version[6], version[7]))
        for target, read in zip(folders, read_bundles(folders), strict=True):
            read_posts.append(
                WorldPost(target.name, read, read[0].post if read[0] is not None else read_post(target)[0])
            )
        tdy: list[WorldTdy] = [(m.folder, partial(tdy_run, engine, m.id)) for m in tdy_members]
        run = world_run(files, problems, read_posts, tdy, load_catalog(), load_counting_rules(), billed)
    if kept_out and run.ok:
        run = _without_adjustments(run)
    consolidation, more = consolidate_world(run)
    result = StoredWorldRun(run, consolidation, more, WorldBasis(basis, tuple(versions), tuple(sorted(kept_out))))
    VERSIONED_WORLDS.put(database, (fiscal_year, basis.value), stamp, result)
    return result


def _rates_versions(connection: Connection, members: list[Any]) -> tuple[Any, ...]:
    """The accepted final version each prior-year post's TDY rates are read from (icass.store.versions.stored_tdy),
    for the stamp a world is kept under: accepting one bills the visits again."""
    from icass.store.versions import accepted_final

    found = (accepted_final(connection, m.id) if m.id is not None else None for m in members)
    return tuple((v.id, v.created_at) if v is not None else None for v in found)


def _without_adjustments(run: WorldRun) -> WorldRun:
    """A world left partial with the AmSal and PAT targets at what its posts budgeted: the targets are the whole
    world's (H-424 b(1), b(2)), so their adjustment is made only once every post is in (_without_posts)."""
    assert run.files is not None
    figures = [post_figures(p) for p in run.posts]
    world = dataclasses.replace(
        run.files.world,
        amsal_target=sum(f.funding.get("AMSAL", 0) for f in figures),
        pat_target=sum(f.funding.get("PAT", 0) for f in figures),
    )
    return dataclasses.replace(run, files=dataclasses.replace(run.files, world=world))


def _chosen_version(connection: Connection, post_id: int, basis: Basis) -> tuple[Any, ...] | None:
    """The post's version a world of `basis` is computed from: (row id, its making, bundle, number, kind,
    revision of its kind, state, SHA-256), or None."""
    from icass.model.approval import State
    from icass.store.schema import post_versions as v

    query = (
        select(v.c.id, v.c.created_at, v.c.bundle, v.c.number, v.c.kind, v.c.kind_revision, v.c.state, v.c.sha256)
        .where(v.c.post_id == post_id, v.c.kind == basis.value)
        .order_by(v.c.number.desc())
    )
    found = connection.execute(query).all()
    accepted = [r for r in found if r.state == State.ACCEPTED]
    if accepted:
        return tuple(accepted[0])
    if basis == Basis.INITIAL and found:
        return tuple(found[0])
    return None


def _without_posts(files: WorldFiles, left_out: set[str]) -> WorldFiles:
    """The world's files without the posts left out: their lines of posts.csv and targets, and the files of the
    costs below the line. Those are shared on counts of every post of the world (H-424 b): shared among some
    posts only, an agency's part would change when the others come in, so none is billed until every post is in
    (StoredWorldRun.invoices leaves out the adjustments the consolidation still makes)."""
    if not left_out:
        return files
    return dataclasses.replace(
        files,
        profiles=tuple(p for p in files.profiles if p.post not in left_out),
        items=(),
        dependents=(),
        tokens=(),
        gfs_workload=(),
        targets=tuple((post, target) for post, target in files.targets if post not in left_out),
    )
