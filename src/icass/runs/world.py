"""A world (docs/world.md): every post bundle of the folder run through the post pipeline in batches, the
world's own files checked against them, the TDY item's invoices billed, then the consolidation (H-424)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

import numpy as np

from icass.bundle.load import read_bundles, read_post
from icass.bundle.world import WorldFiles, read_world_files
from icass.catalog import Catalog, load_catalog
from icass.catalog.counting import CountingRules, load_counting_rules
from icass.catalog.tdy import load_tdy_rules
from icass.diagnostics import Diagnostic, error, has_errors
from icass.distribution.consolidation import Consolidation, PartialYearAtPost, PostFigures, consolidate
from icass.distribution.invoice import invoice as agency_invoice
from icass.distribution.partial_year import partial_year
from icass.model import CostFactor, Post, PostRecords, Source
from icass.model.world import BASIS_COST_CENTERS, TdyCharge
from icass.money import format_grouped
from icass.runs.post import PostRun, run_read
from icass.runs.tdy import TdyRun, run_tdy


@dataclass(frozen=True)
class WorldRun:
    """The world's files and every post's run, with every diagnostic (a post's named by its folder)."""

    diagnostics: tuple[Diagnostic, ...]
    files: WorldFiles | None = None
    posts: tuple[PostRun, ...] = ()
    # The TDY item's invoices: those the prior-year bundles in tdy/ issue (a world of folders), or those
    # headquarters approved for the year (a stored world, icass.store.tdy_path.billed_in_world).
    tdy: tuple[TdyCharge, ...] = ()

    @property
    def ok(self) -> bool:
        return self.files is not None and not has_errors(self.diagnostics)


def _in_folder(folder: str, diagnostics: tuple[Diagnostic, ...], parent: str = "posts") -> list[Diagnostic]:
    prefix = f"{parent}/{folder}/"
    return [
        dataclasses.replace(d, source=dataclasses.replace(d.source, file=prefix + d.source.file)) for d in diagnostics
    ]


@dataclass(frozen=True)
class WorldPost:
    """One post bundle of a world as read: its folder's name under posts/, its records and problems, and its
    post as read even when the rest of the bundle has an error (None when post.toml itself has one)."""

    folder: str
    read: tuple[PostRecords | None, list[Diagnostic]]
    post: Post | None


# A bundle of tdy/: its folder's name, and its TDY run on the day the world bills visits (world.toml's tdy_as_of).
WorldTdy = tuple[str, Callable[[dt.date], TdyRun]]


def run_world(folder: str | Path, catalog: Catalog | None = None, rules: CountingRules | None = None) -> WorldRun:
    """Read a world (docs/world.md) and run every post bundle in it through the pipeline."""
    catalog = catalog or load_catalog()
    rules = rules or load_counting_rules()
    files, problems = read_world_files(folder)
    if files is None:
        return WorldRun(tuple(problems))
    posts = [
        # A bundle with errors still has its post.toml read, so posts.csv and items.csv are not held against it.
        WorldPost(f.name, read, read[0].post if read[0] is not None else read_post(f)[0])
        for f, read in zip(files.post_folders, read_bundles(files.post_folders), strict=True)
    ]
    tdy: list[WorldTdy] = [(f.name, partial(run_tdy, f, catalog=catalog)) for f in files.tdy_folders]
    return world_run(files, problems, posts, tdy, catalog, rules)


def world_run(
    files: WorldFiles,
    problems: list[Diagnostic],
    posts: Sequence[WorldPost],
    tdy: Sequence[WorldTdy],
    catalog: Catalog,
    rules: CountingRules,
    billed: Sequence[TdyCharge] | None = None,
) -> WorldRun:
    """A world whose files and post bundles are read (from its folder, or from the database: icass.store.worlds):
    every post through the pipeline, the world's files checked against them, the TDY invoices billed."""
    runs = run_read([with_world_factors(files, p.read) for p in posts], catalog, rules)
    return world_of_runs(files, problems, [(p.folder, p.post) for p in posts], runs, tdy, billed)


def with_world_factors(
    files: WorldFiles, read: tuple[PostRecords | None, list[Diagnostic]]
) -> tuple[PostRecords | None, list[Diagnostic]]:
    """A post of a world with the ISC's AmSal and PAT factors (world/cost_factors.csv), which are programmed
    centrally (H-423.1-1 b; H-423.1-2 b: "a single cost factor for PAT costs"); a factor of its own that differs
    is an error. Without the world's file, the post keeps its own."""
    return with_central_factors(files.cost_factors, "world/cost_factors.csv", read)


def with_central_factors(
    central: tuple[CostFactor, ...] | None, where: str, read: tuple[PostRecords | None, list[Diagnostic]]
) -> tuple[PostRecords | None, list[Diagnostic]]:
    """A post with the ISC's table of the fiscal year's factors (`central`, named `where` in a message: a world's
    file, or the workspace's table) in place of its own; a grade whose own factors differ is an error naming
    both. Without a table (None), the post keeps its own."""
    records, problems = read
    if central is None or records is None:
        return read
    by_grade = {f.grade: f for f in central}
    differing = [
        error(
            own.source,
            f"grade {own.grade}'s factors (AmSal ${format_grouped(own.amsal)}, PAT ${format_grouped(own.pat)}) "
            f"differ from the ISC's (AmSal ${format_grouped(by_grade[own.grade].amsal)}, PAT "
            f"${format_grouped(by_grade[own.grade].pat)}, {where}): the ISC's are the ones budgeted",
            field="amsal" if own.amsal != by_grade[own.grade].amsal else "pat",
            section="H-423.1-1 b",
        )
        for own in records.entered.cost_factors
        if own.grade in by_grade and (own.amsal, own.pat) != (by_grade[own.grade].amsal, by_grade[own.grade].pat)
    ]
    entered = dataclasses.replace(records.entered, cost_factors=central)
    return dataclasses.replace(records, entered=entered), [*problems, *differing]


def world_of_runs(
    files: WorldFiles,
    problems: list[Diagnostic],
    posts: Sequence[tuple[str, Post | None]],
    runs: Sequence[PostRun],
    tdy: Sequence[WorldTdy],
    billed: Sequence[TdyCharge] | None = None,
) -> WorldRun:
    """A world whose posts are run already (each one's folder, post as read, and run): the world's files
    checked against them, the TDY invoices billed. A stored world gives its posts' kept runs (icass.store.states),
    so that an edit to one post runs that post again and not the others, and the TDY invoices its headquarters
    approved (`billed`, icass.store.tdy_path.billed_in_world): then the bundles of tdy/ are still checked, but
    what they would issue on tdy_as_of is not billed. A world of folders has no path: it bills what they issue."""
    problems = list(problems)
    runs = list(runs)
    seen: dict[str, str] = {}
    for (folder, post), run in zip(posts, runs, strict=True):
        problems += _in_folder(folder, run.diagnostics)
        if post is None:
            continue
        where = Source(f"posts/{folder}/post.toml")
        if post.code in seen:
            problems.append(error(where, f"post {post.code} is also posts/{seen[post.code]}", field="post.code"))
        seen.setdefault(post.code, folder)
        if post.fiscal_year != files.world.fiscal_year:
            message = f"fiscal year {post.fiscal_year}, but the world is fiscal year {files.world.fiscal_year}"
            problems.append(error(where, message, field="post.fiscal_year"))
    problems += _world_references(files, seen, runs)
    charges, more = _world_tdy(files, seen, tdy)
    return WorldRun(tuple(problems + more), files, tuple(runs), charges if billed is None else tuple(billed))


def _world_tdy(
    files: WorldFiles, posts: dict[str, str], tdy: Sequence[WorldTdy]
) -> tuple[tuple[TdyCharge, ...], list[Diagnostic]]:
    """The TDY item's charges: each bundle in tdy/ is a post's final budget of the year before the world's,
    its visits ending in the world's year billed on world.toml's tdy_as_of (today when it has none)."""
    as_of = files.world.tdy_as_of or dt.date.today()
    charges: list[TdyCharge] = []
    problems: list[Diagnostic] = []
    for folder, run_on in tdy:
        run = run_on(as_of)
        problems += _in_folder(folder, run.diagnostics, "tdy")
        if run.rates is None or run.billing is None:
            continue
        post, where = run.rates.post, Source(f"tdy/{folder}/post.toml")
        if post.fiscal_year != files.world.fiscal_year - 1:
            prior = files.world.fiscal_year - 1
            message = f"fiscal year {post.fiscal_year}: the world's TDY invoices come from FY {prior} final budgets"
            problems.append(error(where, message, "post.fiscal_year", load_tdy_rules().prior_year_section))
        if post.code not in posts:
            problems.append(error(where, f"post {post.code} has no bundle in posts/", "post.code"))
        for invoice in run.billing.issued():
            source = Source(f"tdy/{folder}/tdy/visits.csv", key=invoice.invoice)
            charges.append(TdyCharge(post.code, invoice.invoice, invoice.agency, invoice.total, source))
    return tuple(charges), problems


def _world_references(files: WorldFiles, posts: dict[str, str], runs: list[PostRun]) -> list[Diagnostic]:
    """posts.csv covers every post once and only those; items name posts and agencies that exist."""
    found: list[Diagnostic] = []
    profiled: dict[str, Source] = {}
    for profile in files.profiles:
        if profile.post in profiled:
            found.append(error(profile.source, f"post {profile.post} is already on {profiled[profile.post]}", "post"))
        elif profile.post not in posts:
            found.append(error(profile.source, f"post {profile.post} has no bundle in posts/", field="post"))
        profiled.setdefault(profile.post, profile.source)
    for code, folder in sorted(posts.items()):
        if code not in profiled:
            found.append(error(Source("posts.csv"), f"post {code} (posts/{folder}) has no row", field="post"))
    agencies = {a.code for run in runs if run.records is not None for a in run.records.entered.agencies}
    for line in files.items:
        if line.post and line.post not in posts:
            found.append(error(line.source, f"post {line.post} has no bundle in posts/", field="post"))
        if line.agency and line.agency not in agencies:
            found.append(error(line.source, f"agency {line.agency} is at no post of the world", field="agency"))
    return found


def post_figures(run: PostRun) -> PostFigures:
    """What the consolidation needs of one post's finished run: totals after ICASS redistribution, the cost
    per funding source, and the unmodified and modified counts per (cost center, agency)."""
    bundle, distribution = run.bundle, run.distribution
    assert bundle is not None, "a post that did not distribute"
    assert distribution is not None
    index = distribution.post_index(bundle.post.code)
    cols = distribution.columns
    # [agency, funding], summed over cost centers; of this post only, should the distribution be a batch
    by_agency = (distribution.share[index] + distribution.redistribution[index]).sum(axis=1)
    totals = {
        (cols.agencies[a], str(cols.funding_sources[f])): int(by_agency[a, f])
        for a, f in zip(*np.nonzero(by_agency), strict=True)
    }
    cost = distribution.cost_of(bundle.post.code).sum(axis=0).tolist()
    counts: dict[tuple[str, str], Decimal] = {}
    modified: dict[tuple[str, str], Decimal] = {}
    for w in bundle.workload:
        if w.cost_center not in BASIS_COST_CENTERS:  # the consolidation asks for no other count
            continue
        key = (w.cost_center, w.agency)
        counts[key] = counts.get(key, Decimal(0)) + w.count
        modified[key] = modified.get(key, Decimal(0)) + w.modified_count
    funding = {str(f): int(c) for f, c in zip(distribution.columns.funding_sources, cost, strict=True)}
    partial_years = _partial_years(run, totals)
    return PostFigures(bundle.post.code, str(bundle.post.region), totals, funding, counts, modified, partial_years)


def _partial_years(run: PostRun, totals: dict[tuple[str, str], int]) -> dict[str, PartialYearAtPost]:
    """The agencies at the post for part of the fiscal year, each with its days: their totals in `totals` become
    their partial-year invoices' (what the post bills them, which the headquarters invoice consolidates, H-424 a)."""
    bundle, distribution = run.bundle, run.distribution
    assert bundle is not None
    assert distribution is not None
    found: dict[str, PartialYearAtPost] = {}
    for agency in bundle.agencies:
        if agency.arrives_on is None and agency.leaves_on is None:
            continue
        bill = agency_invoice(bundle, distribution, agency.code, run.catalog.kind_of(bundle.post.methodology))
        part = partial_year(bill, agency.arrives_on, agency.leaves_on)
        if part is None:
            continue
        for funding in {f for a, f in totals if a == agency.code} | {f for line in part.lines for f in line.amounts}:
            cents = part.subtotal(funding)
            if cents:
                totals[(agency.code, funding)] = cents
            else:
                totals.pop((agency.code, funding), None)
        found[agency.code] = PartialYearAtPost(part.first_day, part.last_day, part.days, part.year_days, bill.total)
    return found


def consolidate_world(run: WorldRun) -> tuple[Consolidation | None, list[Diagnostic]]:
    """The world's consolidation, once every post distributed (H-424)."""
    if not run.ok or run.files is None:
        return None, []
    files = run.files
    figures = [post_figures(p) for p in run.posts]
    return consolidate(
        files.world, figures, files.profiles, files.items, files.dependents, files.tokens, files.gfs_workload, run.tdy
    )
