"""The pipeline of one post, each step once: read -> derive (workload counts from the post's records) ->
combine (entered counts and modifications) -> validate -> distribute. Every step returns its value and its
diagnostics; the run stops after the first step with an error, so nothing downstream sees half-valid input,
and what it did compute (records, counts) is still there to show. The views (invoice, explain, workload)
take a finished run. The same steps will serve the database: only `read` is about files.

A world (docs/world.md) is every post's run, then the consolidation of their figures (run_world,
consolidate_world).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path

import numpy as np
import numpy.typing as npt

from icass.bundle import read_bundle
from icass.bundle.load import read_bundles, read_post
from icass.bundle.tdy import read_tdy
from icass.bundle.validate import validate_costs, validate_records
from icass.bundle.world import WorldFiles, read_world_files
from icass.catalog import Catalog, load_catalog
from icass.catalog.counting import CountingRules, load_counting_rules
from icass.catalog.tdy import load_tdy_rules
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.engine import Distribution, EngineError, distribute_columns
from icass.engine.columns import Columns, columns_of
from icass.engine.consolidation import Consolidation, PostFigures, consolidate
from icass.engine.pipeline import cost_centers
from icass.model import PostBundle, PostRecords, Source
from icass.model.tdy import TdyRecords
from icass.model.world import BASIS_COST_CENTERS, TdyCharge
from icass.tdy.invoices import TdyBilling, bill_visits
from icass.tdy.rates import Rates, tdy_rates
from icass.workload.dates import count_period
from icass.workload.derivation import Derivation
from icass.workload.modify import combine


def _derive(posts: list[PostRecords], catalog: Catalog, rules: CountingRules) -> list[Derivation]:
    """Every post's counts, derived as one batch (icass.workload.derive)."""
    if not any(records.sources.present() for records in posts):
        return [Derivation(count_period(r.post.fiscal_year, rules, r.post.count_date), None) for r in posts]
    # Imported here: polars takes about 0.4 s to import, which only bundles with source records should pay
    # (docs/benchmarks.md).
    from icass.workload.derive import derive_posts

    return derive_posts(posts, catalog, rules)


def _checked(posts: list[PostRecords], catalog: Catalog) -> list[list[Diagnostic]]:
    """The checks across each post's records, every post at once."""
    if not posts:
        return []
    from icass.workload.derive import check_posts  # with polars: see _derive

    return check_posts(posts, catalog)


class Through(Enum):
    """How far a run goes: the counts (read, derive, combine, validate the records), or the distribution
    (validate the costs, distribute)."""

    COUNTS = 1
    DISTRIBUTION = 2


@dataclass(frozen=True)
class PostRun:
    """How far one post got, and every diagnostic on the way."""

    diagnostics: tuple[Diagnostic, ...]
    records: PostRecords | None = None
    derivation: Derivation | None = None
    bundle: PostBundle | None = None  # the records with the counts they are distributed by; None on any error
    # None on any error, or when the run stopped at the counts. Posts run together (a world) share batch
    # distributions: ask one for this post by its code.
    distribution: Distribution | None = None
    catalog: Catalog = dataclasses.field(default_factory=load_catalog)

    @property
    def ok(self) -> bool:
        """Every step the run was asked to take went through without an error."""
        return self.bundle is not None and not has_errors(self.diagnostics)


def run_post(
    folder: str | Path,
    catalog: Catalog | None = None,
    rules: CountingRules | None = None,
    through: Through = Through.DISTRIBUTION,
) -> PostRun:
    catalog = catalog or load_catalog()
    rules = rules or load_counting_rules()
    return _run_posts([read_bundle(folder)], catalog, rules, through)[0]


def _run_posts(
    read: list[tuple[PostRecords | None, list[Diagnostic]]],
    catalog: Catalog,
    rules: CountingRules,
    through: Through = Through.DISTRIBUTION,
) -> list[PostRun]:
    """Posts as read, each through the pipeline; their counts are derived as one batch."""
    runs: dict[int, PostRun] = {}
    broken: list[tuple[int, PostRecords]] = []  # bad source record rows
    going: list[tuple[int, PostRecords]] = []
    for i, (records, problems) in enumerate(read):
        if records is None:
            runs[i] = PostRun(tuple(problems), catalog=catalog)
        else:
            (broken if has_errors(problems) else going).append((i, records))
    # Rows with errors: report what the checks across records find too.
    for (i, records), more in zip(broken, _checked([r for _, r in broken], catalog), strict=True):
        runs[i] = PostRun(tuple(read[i][1] + more), records, catalog=catalog)
    counted: dict[int, PostRun] = {}
    for (i, records), derivation in zip(going, _derive([r for _, r in going], catalog, rules), strict=True):
        counted[i] = _after_derivation(records, derivation, catalog, rules, read[i][1], Through.COUNTS)
    if through is Through.DISTRIBUTION:
        counted.update(_distribute_together(counted, catalog, rules))
    runs.update(counted)
    return [runs[i] for i in range(len(read))]


# Posts distributed together: the engine's arrays are dense (post x agency x cost center x funding source),
# so a batch of every post of a world is mostly zeros (500 MB for 250 posts) and slower than each post
# alone, while small batches share each kernel call: 16 posts a batch distribute a world in about a third
# of the time of one post at a time (docs/benchmarks.md).
BATCH_POSTS = 16


def _distribute_together(runs: dict[int, PostRun], catalog: Catalog, rules: CountingRules) -> dict[int, PostRun]:
    """The posts whose counts went through, distributed in batches of posts of one methodology. A batch
    gives each post exactly what it gets alone (every apportionment is within one post's group). A post
    that breaks a cost rule stops alone; should the engine still refuse a batch, each of its posts is
    distributed on its own, so that a refusal is its post's."""
    ready = [(i, run) for i, run in runs.items() if run.ok]
    done: dict[int, PostRun] = {}
    for methodology in sorted({str(_bundle(run).post.methodology) for _, run in ready}):
        same = [(i, run) for i, run in ready if str(_bundle(run).post.methodology) == methodology]
        for start in range(0, len(same), BATCH_POSTS):
            done.update(_distribute_batch(dict(same[start : start + BATCH_POSTS]), methodology, catalog, rules))
    return done


def _distribute_batch(
    group: dict[int, PostRun], methodology: str, catalog: Catalog, rules: CountingRules
) -> dict[int, PostRun]:
    if len(group) == 1:
        return {i: _distribute_one(run, catalog, rules) for i, run in group.items()}
    kind_of = catalog.kind_of(methodology)
    cols = columns_of([_bundle(run) for run in group.values()], kind_of)
    try:
        cost = cost_centers(cols).reshape(len(group), -1)
    except EngineError:
        return {i: _distribute_one(run, catalog, rules) for i, run in group.items()}
    done: dict[int, PostRun] = {}
    passing: dict[int, PostRun] = {}
    for k, (i, run) in enumerate(group.items()):
        more = _cost_problems(run, catalog, rules, cols, cost[k])
        checked = dataclasses.replace(run, diagnostics=run.diagnostics + tuple(more))
        if has_errors(more):
            done[i] = dataclasses.replace(checked, bundle=None)
        else:
            passing[i] = checked
    if not passing:
        return done
    if len(passing) < len(group):
        cols = columns_of([_bundle(run) for run in passing.values()], kind_of)
    try:
        distribution = distribute_columns(cols)
    except EngineError:
        return done | {i: _distribute_one(run, catalog, rules) for i, run in passing.items()}
    return done | {i: dataclasses.replace(run, distribution=distribution) for i, run in passing.items()}


def _cost_problems(
    run: PostRun, catalog: Catalog, rules: CountingRules, cols: Columns, cost: npt.NDArray[np.int64]
) -> list[Diagnostic]:
    """The cost rules of one post, on its cost as the engine computed it (`cost`: this post's part)."""
    derived = run.derivation.derived if run.derivation is not None else frozenset()
    return validate_costs(_bundle(run), catalog, rules, cols, cost, derived)


def _bundle(run: PostRun) -> PostBundle:
    assert run.bundle is not None
    return run.bundle


def run_records(
    records: PostRecords,
    catalog: Catalog,
    rules: CountingRules,
    problems: list[Diagnostic] | None = None,
    through: Through = Through.DISTRIBUTION,
) -> PostRun:
    """The steps after reading, for records from any source."""
    derivation = _derive([records], catalog, rules)[0]
    return _after_derivation(records, derivation, catalog, rules, problems, through)


def _after_derivation(
    records: PostRecords,
    derivation: Derivation,
    catalog: Catalog,
    rules: CountingRules,
    problems: list[Diagnostic] | None = None,
    through: Through = Through.DISTRIBUTION,
) -> PostRun:
    found = list(problems or ())

    def stop(derivation: Derivation | None = None) -> PostRun:
        return PostRun(tuple(found), records, derivation, catalog=catalog)

    found += derivation.diagnostics
    if has_errors(found):
        return stop(derivation)
    workload, more = combine(records, derivation, catalog, rules)
    found += more
    bundle = dataclasses.replace(records.entered, workload=workload)
    found += validate_records(bundle, catalog, rules)
    if has_errors(found):
        return stop(derivation)
    counted = PostRun(tuple(found), records, derivation, bundle, catalog=catalog)
    return counted if through is Through.COUNTS else _distribute_one(counted, catalog, rules)


def _distribute_one(run: PostRun, catalog: Catalog, rules: CountingRules) -> PostRun:
    """The cost rules and the distribution of one post whose counts went through."""
    bundle = _bundle(run)
    found = list(run.diagnostics)
    cols = columns_of([bundle], catalog.kind_of(bundle.post.methodology))
    try:
        cost: npt.NDArray[np.int64] = cost_centers(cols)
        found += _cost_problems(run, catalog, rules, cols, cost)
        if has_errors(found):
            return dataclasses.replace(run, diagnostics=tuple(found), bundle=None)
        distribution = distribute_columns(cols, cost)
    except EngineError as refused:
        found += refused.problems
        return dataclasses.replace(run, diagnostics=tuple(found), bundle=None)
    return dataclasses.replace(run, diagnostics=tuple(found), distribution=distribution)


@dataclass(frozen=True)
class WorldRun:
    """The world's files and every post's run, with every diagnostic (a post's named by its folder)."""

    diagnostics: tuple[Diagnostic, ...]
    files: WorldFiles | None = None
    posts: tuple[PostRun, ...] = ()
    tdy: tuple[TdyCharge, ...] = ()  # the issued TDY invoices of the prior-year bundles in tdy/

    @property
    def ok(self) -> bool:
        return self.files is not None and not has_errors(self.diagnostics)


def _in_folder(folder: Path, diagnostics: tuple[Diagnostic, ...], parent: str = "posts") -> list[Diagnostic]:
    prefix = f"{parent}/{folder.name}/"
    return [
        dataclasses.replace(d, source=dataclasses.replace(d.source, file=prefix + d.source.file)) for d in diagnostics
    ]


def run_world(folder: str | Path, catalog: Catalog | None = None, rules: CountingRules | None = None) -> WorldRun:
    """Read a world (docs/world.md) and run every post bundle in it through the pipeline."""
    catalog = catalog or load_catalog()
    rules = rules or load_counting_rules()
    files, problems = read_world_files(folder)
    if files is None:
        return WorldRun(tuple(problems))
    runs = _run_posts(read_bundles(files.post_folders), catalog, rules)
    seen: dict[str, Path] = {}
    for post_folder, run in zip(files.post_folders, runs, strict=True):
        problems += _in_folder(post_folder, run.diagnostics)
        # A bundle with errors still has its post.toml read, so posts.csv and items.csv are not held against it.
        post = run.records.post if run.records is not None else read_post(post_folder)[0]
        if post is None:
            continue
        where = Source(f"posts/{post_folder.name}/post.toml")
        if post.code in seen:
            problems.append(error(where, f"post {post.code} is also posts/{seen[post.code].name}", field="post.code"))
        seen.setdefault(post.code, post_folder)
        if post.fiscal_year != files.world.fiscal_year:
            message = f"fiscal year {post.fiscal_year}, but the world is fiscal year {files.world.fiscal_year}"
            problems.append(error(where, message, field="post.fiscal_year"))
    problems += _world_references(files, seen, runs)
    charges, more = _world_tdy(files, seen, catalog)
    return WorldRun(tuple(problems + more), files, tuple(runs), charges)


def _world_tdy(
    files: WorldFiles, posts: dict[str, Path], catalog: Catalog
) -> tuple[tuple[TdyCharge, ...], list[Diagnostic]]:
    """The TDY item's charges: each bundle in tdy/ is a post's final budget of the year before the world's,
    its visits ending in the world's year billed on world.toml's tdy_as_of (today when it has none)."""
    as_of = files.world.tdy_as_of or dt.date.today()
    charges: list[TdyCharge] = []
    problems: list[Diagnostic] = []
    for folder in files.tdy_folders:
        run = run_tdy(folder, as_of, catalog)
        problems += _in_folder(folder, run.diagnostics, "tdy")
        if run.rates is None or run.billing is None:
            continue
        post, where = run.rates.post, Source(f"tdy/{folder.name}/post.toml")
        if post.fiscal_year != files.world.fiscal_year - 1:
            prior = files.world.fiscal_year - 1
            message = f"fiscal year {post.fiscal_year}: the world's TDY invoices come from FY {prior} final budgets"
            problems.append(error(where, message, "post.fiscal_year", load_tdy_rules().prior_year_section))
        if post.code not in posts:
            problems.append(error(where, f"post {post.code} has no bundle in posts/", "post.code"))
        for invoice in run.billing.issued():
            source = Source(f"tdy/{folder.name}/tdy/visits.csv", key=invoice.invoice)
            charges.append(TdyCharge(post.code, invoice.invoice, invoice.agency, invoice.total, source))
    return tuple(charges), problems


def _world_references(files: WorldFiles, posts: dict[str, Path], runs: list[PostRun]) -> list[Diagnostic]:
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
            found.append(error(Source("posts.csv"), f"post {code} (posts/{folder.name}) has no row", field="post"))
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
    return PostFigures(bundle.post.code, str(bundle.post.region), totals, funding, counts, modified)


def consolidate_world(run: WorldRun) -> tuple[Consolidation | None, list[Diagnostic]]:
    """The world's consolidation, once every post distributed (H-424)."""
    if not run.ok or run.files is None:
        return None, []
    files = run.files
    figures = [post_figures(p) for p in run.posts]
    return consolidate(
        files.world, figures, files.profiles, files.items, files.dependents, files.tokens, files.gfs_workload, run.tdy
    )


@dataclass(frozen=True)
class TdyRun:
    """The TDY module on a prior-year final budget: its post's run, the tdy/ folder read, the rates and the
    billing of the visits (each None when an error stopped it before)."""

    post: PostRun
    diagnostics: tuple[Diagnostic, ...]
    records: TdyRecords | None = None
    rates: Rates | None = None
    billing: TdyBilling | None = None

    @property
    def ok(self) -> bool:
        return self.rates is not None and self.records is not None and not has_errors(self.diagnostics)


def run_tdy(folder: str | Path, as_of: dt.date, catalog: Catalog | None = None, run: PostRun | None = None) -> TdyRun:
    """Rates from the bundle's distribution, then its tdy/ folder billed on `as_of` (docs/tdy.md)."""
    catalog = catalog or load_catalog()
    run = run or run_post(folder, catalog)
    if not run.ok:
        return TdyRun(run, run.diagnostics)
    bundle, distribution = _bundle(run), run.distribution
    assert distribution is not None  # ok: distributed
    rules = load_tdy_rules()
    diagnostics = list(run.diagnostics)
    if bundle.post.stage != "final":
        stage = f"stage {bundle.post.stage!r}" if bundle.post.stage else "no stage"
        message = f'says {stage}: TDY rates come from the prior year\'s final budget (stage = "final")'
        diagnostics.append(warning(Source("post.toml"), message, "post.stage", rules.prior_year_section))
    rates = tdy_rates(bundle, distribution, catalog, rules)
    records, problems = read_tdy(Path(folder), bundle.post.methodology, catalog, rules)
    diagnostics += problems
    if records is None:
        return TdyRun(run, tuple(diagnostics), None, rates)
    at_post = frozenset(a.code for a in bundle.agencies) & {w.agency for w in bundle.workload if w.count > 0}
    billing = bill_visits(records, rates, at_post, as_of, rules)
    return TdyRun(run, (*diagnostics, *billing.diagnostics), records, rates, billing)
