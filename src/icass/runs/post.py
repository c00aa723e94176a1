"""The pipeline of one post, each step once: read -> derive (workload counts from the post's records) ->
combine (entered counts and modifications) -> check (icass.checks) -> distribute. Every step returns its value and its
diagnostics; the run stops after the first step with an error, so nothing downstream sees half-valid input,
and what it did compute (records, counts) is still there to show. The views (invoice, explain, workload)
take a finished run. The same steps will serve the database: only `read` is about files.

A world (docs/world.md) is every post's run, then the consolidation of their figures: icass.runs.world.
The TDY module runs on a post's run: icass.runs.tdy. Each is its own module so that a command imports
only the steps it takes (`icass distribute` is timed as a process: docs/benchmarks.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from icass.bundle import read_bundle
from icass.catalog import Catalog, load_catalog
from icass.catalog.counting import CountingRules, load_counting_rules
from icass.checks import Check, Context, Costs, run_checks, run_each
from icass.checks.acknowledgements import acknowledge
from icass.checks.context import EVERY_FIELD
from icass.checks.targets import over_targets
from icass.diagnostics import Diagnostic, has_errors
from icass.distribution import Distribution, DistributionError, distribute_columns
from icass.distribution.columns import Columns, columns_of
from icass.distribution.steps import COST_READS, cost_centers
from icass.model import PostBundle, PostRecords
from icass.workload.dates import count_period
from icass.workload.derivation import Derivation
from icass.workload.modify import Combined, combined_counts, recount

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt


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
    """How far a run goes: the counts (read, derive, combine, check the rows), or the distribution
    (check the costs, distribute)."""

    COUNTS = 1
    DISTRIBUTION = 2


@dataclass(frozen=True)
class Steps:
    """What the run of one post computed on its way past the derivation, kept with it so that the run of the
    same post after an edit takes from it what the edit left as it was (run_derived): the counts combined from
    `records` and what combining found, the records the checks on rows judged (`checked`) and what each found,
    and the distribution's columns and each cost center's cost with the records they were made of
    (`distributed`: this run's, or, when it stopped before, the last run's that got that far)."""

    records: PostRecords
    derivation: Derivation
    catalog: Catalog
    rules: CountingRules
    combined: Combined
    checked: PostBundle
    found: Mapping[Check, list[Diagnostic]]
    distributed: PostBundle | None = None
    columns: Columns | None = None
    cost: npt.NDArray[np.int64] | None = None

    def same(self, derivation: Derivation, catalog: Catalog, rules: CountingRules) -> bool:
        """Whether a run with these is judged by the same rules on the same counts derived."""
        return derivation is self.derivation and catalog is self.catalog and rules is self.rules


def _unchanged(bundle: PostBundle, since: PostBundle) -> frozenset[str]:
    """The fields of `bundle` that hold the same records as `since` (an edit shares the tables it leaves alone:
    icass.bundle.edit)."""
    return frozenset(f for f in EVERY_FIELD if getattr(bundle, f) is getattr(since, f))


@dataclass(frozen=True)
class PostRun:
    """How far one post got, and every diagnostic on the way; `steps`, what it computed on the way that the
    run after an edit may reuse (not part of what the run is: two runs of the same records are equal)."""

    diagnostics: tuple[Diagnostic, ...]
    records: PostRecords | None = None
    derivation: Derivation | None = None
    bundle: PostBundle | None = None  # the records with the counts they are distributed by; None on any error
    # None on any error, or when the run stopped at the counts. Posts run together (a world) share batch
    # distributions: ask one for this post by its code.
    distribution: Distribution | None = None
    catalog: Catalog = dataclasses.field(default_factory=load_catalog)
    steps: Steps | None = dataclasses.field(default=None, compare=False, repr=False)

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
    return run_read([read_bundle(folder)], catalog, rules, through)[0]


def run_read(
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
    return [_acknowledged(runs[i]) for i in range(len(read))]


def _acknowledged(run: PostRun) -> PostRun:
    """The run with a warning for a budget over its targets (a bundle's own targets.csv: a world judges its
    posts by its own), and the warnings the FMO acknowledged marked so (icass.checks.acknowledgements)."""
    records = run.records
    if records is None or not (records.acknowledgements or records.targets):
        return run
    found = run.diagnostics
    if records.targets:
        found += tuple(over_targets(records.entered, records.targets))
    return dataclasses.replace(run, diagnostics=acknowledge(found, records.acknowledgements))


# Posts distributed together: the engine's arrays are dense (post x agency x cost center x funding source),
# so a batch of every post of a world is mostly zeros and slower than each post alone, while small batches
# share each kernel call: a batch of this size was the fastest measured (docs/benchmarks.md).
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
    except DistributionError:
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
    except DistributionError:
        return done | {i: _distribute_one(run, catalog, rules) for i, run in passing.items()}
    return done | {i: dataclasses.replace(run, distribution=distribution) for i, run in passing.items()}


def _cost_problems(
    run: PostRun, catalog: Catalog, rules: CountingRules, cols: Columns, cost: npt.NDArray[np.int64]
) -> list[Diagnostic]:
    """The cost rules of one post, on its cost as the engine computed it (`cost`: this post's part)."""
    derived = run.derivation.derived if run.derivation is not None else frozenset()
    return run_checks(_bundle(run), Context(catalog, rules, derived, costs=Costs(cols, cost)))


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
    """The steps after reading, for records from any source, exactly as for a bundle read from its folder:
    rows with errors stop the post before its derivation (run_read)."""
    return run_read([(records, problems or [])], catalog, rules, through)[0]


def run_derived(
    records: PostRecords,
    derivation: Derivation,
    catalog: Catalog,
    rules: CountingRules,
    problems: list[Diagnostic],
    before: PostRun | None = None,
) -> PostRun:
    """The steps after the derivation, for records whose derivation is known already (a change to a file the
    derivation does not read): what `run_records` gives for the same records, their reading without errors.
    `before`: the run of the same post before an edit (records that share every table the edit left alone,
    icass.bundle.edit); what it computed from those tables alone is taken from it, not computed again."""
    steps = None if before is None else before.steps
    counted = _after_derivation(records, derivation, catalog, rules, problems, Through.COUNTS, steps)
    return _acknowledged(_distribute_one(counted, catalog, rules, steps) if counted.ok else counted)


def _after_derivation(
    records: PostRecords,
    derivation: Derivation,
    catalog: Catalog,
    rules: CountingRules,
    problems: list[Diagnostic] | None = None,
    through: Through = Through.DISTRIBUTION,
    before: Steps | None = None,
) -> PostRun:
    found = list(problems or ())
    found += derivation.diagnostics
    if has_errors(found):
        return PostRun(tuple(found), records, derivation, catalog=catalog)
    if before is not None and not before.same(derivation, catalog, rules):
        before = None
    combined = None
    if (
        before is not None
        and records.modifications is before.records.modifications
        and records.post == before.records.post
    ):
        entered_before = before.records.entered.workload
        if records.entered.workload is entered_before:
            combined = before.combined
        else:
            combined = recount(before.combined, entered_before, records, derivation)
    if combined is None:
        combined = combined_counts(records, derivation, catalog, rules)
    more = combined.problems
    found += more
    bundle = dataclasses.replace(records.entered, workload=combined.lines)
    kept = None
    if before is not None:
        unchanged = _unchanged(bundle, before.checked)
        kept = {check: known for check, known in before.found.items() if check.reads <= unchanged}
    context = Context(
        catalog,
        rules,
        derivation.derived,
        records=records.sources,
        count_date=derivation.period.count_date,
        derived_totals=derivation.totals,
    )
    checked = run_each(bundle, context, kept=kept)
    steps = Steps(records, derivation, catalog, rules, combined, bundle, checked)
    if before is not None:  # the last columns made, for the next run to reuse should this one stop here
        steps = dataclasses.replace(steps, distributed=before.distributed, columns=before.columns, cost=before.cost)
    found += [problem for problems in checked.values() for problem in problems]
    if has_errors(found):
        return PostRun(tuple(found), records, derivation, catalog=catalog, steps=steps)
    counted = PostRun(tuple(found), records, derivation, bundle, catalog=catalog, steps=steps)
    return counted if through is Through.COUNTS else _distribute_one(counted, catalog, rules)


def _distribute_one(run: PostRun, catalog: Catalog, rules: CountingRules, before: Steps | None = None) -> PostRun:
    """The cost rules and the distribution of one post whose counts went through; `before`, the steps of the
    post's run before an edit (run_derived), whose columns and cost are reused where the edit left them."""
    bundle = _bundle(run)
    found = list(run.diagnostics)
    kind_of = catalog.kind_of(bundle.post.methodology)
    if before is None or before.distributed is None or before.columns is None or before.cost is None:
        cols = columns_of([bundle], kind_of)
        cost = None
    else:
        cols = columns_of([bundle], kind_of, before.columns, _unchanged(bundle, before.distributed))
        same = cols.cost_centers == before.columns.cost_centers
        cost = before.cost if same and all(getattr(cols, c) is getattr(before.columns, c) for c in COST_READS) else None
    try:
        if cost is None:
            cost = cost_centers(cols)
        found += _cost_problems(run, catalog, rules, cols, cost)
        if has_errors(found):
            return dataclasses.replace(run, diagnostics=tuple(found), bundle=None)
        distribution = distribute_columns(cols, cost)
    except DistributionError as refused:
        found += refused.problems
        return dataclasses.replace(run, diagnostics=tuple(found), bundle=None)
    steps = None if run.steps is None else dataclasses.replace(run.steps, distributed=bundle, columns=cols, cost=cost)
    return dataclasses.replace(run, diagnostics=tuple(found), distribution=distribution, steps=steps)
