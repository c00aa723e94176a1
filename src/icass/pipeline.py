"""The pipeline of one post, each step once: read -> derive (workload counts from the post's records) ->
combine (entered counts and modifications) -> validate -> distribute. Every step returns its value and its
diagnostics; the run stops after the first step with an error, so nothing downstream sees half-valid input,
and what it did compute (records, counts) is still there to show. The views (invoice, explain, workload)
take a finished run. The same steps will serve the database: only `read` is about files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np
import numpy.typing as npt

from icass.bundle import read_bundle
from icass.bundle.validate import validate_costs, validate_records
from icass.catalog import Catalog, load_catalog
from icass.catalog.counting import CountingRules, load_counting_rules
from icass.diagnostics import Diagnostic, has_errors
from icass.engine import Distribution, EngineError, distribute_columns
from icass.engine.columns import columns_of
from icass.engine.pipeline import cost_centers
from icass.model import PostBundle, PostRecords
from icass.workload.dates import count_period
from icass.workload.derivation import Derivation
from icass.workload.modify import combine


def _derive(records: PostRecords, catalog: Catalog, rules: CountingRules) -> Derivation:
    post = records.post
    if not records.sources.present():
        return Derivation(count_period(post.fiscal_year, rules, post.count_date), None)
    # Imported here: polars takes about 0.4 s to import, which only bundles with source records should pay
    # (docs/benchmarks.md).
    from icass.workload.derive import derive

    return derive(records, catalog, rules)


class Stage(Enum):
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
    distribution: Distribution | None = None  # None on any error, or when the run stopped at the counts
    catalog: Catalog = dataclasses.field(default_factory=load_catalog)

    @property
    def ok(self) -> bool:
        """Every step the run was asked to take went through without an error."""
        return self.bundle is not None and not has_errors(self.diagnostics)


def run_post(
    folder: str | Path,
    catalog: Catalog | None = None,
    rules: CountingRules | None = None,
    through: Stage = Stage.DISTRIBUTION,
) -> PostRun:
    catalog = catalog or load_catalog()
    rules = rules or load_counting_rules()
    records, problems = read_bundle(folder)
    if records is None:
        return PostRun(tuple(problems), catalog=catalog)
    if has_errors(problems):  # bad source record rows: report what the checks across records find too
        from icass.workload.checks import check  # with polars: see _derive

        agencies = {a.code for a in records.entered.agencies}
        problems += check(records.sources, agencies, catalog, records.post.methodology)
        return PostRun(tuple(problems), records, catalog=catalog)
    return run_records(records, catalog, rules, problems, through)


def run_records(
    records: PostRecords,
    catalog: Catalog,
    rules: CountingRules,
    problems: list[Diagnostic] | None = None,
    through: Stage = Stage.DISTRIBUTION,
) -> PostRun:
    """The steps after reading, for records from any source."""
    found = list(problems or ())

    def stop(derivation: Derivation | None = None) -> PostRun:
        return PostRun(tuple(found), records, derivation, catalog=catalog)

    derivation = _derive(records, catalog, rules)
    found += derivation.diagnostics
    if has_errors(found):
        return stop(derivation)
    workload, more = combine(records, derivation, catalog, rules)
    found += more
    bundle = dataclasses.replace(records.entered, workload=workload)
    found += validate_records(bundle, catalog, rules)
    if has_errors(found):
        return stop(derivation)
    if through is Stage.COUNTS:
        return PostRun(tuple(found), records, derivation, bundle, catalog=catalog)
    cols = columns_of([bundle], catalog.kind_of(bundle.post.methodology))
    try:
        cost: npt.NDArray[np.int64] = cost_centers(cols)
        found += validate_costs(bundle, catalog, rules, cols, cost, derivation.derived)
        if has_errors(found):
            return stop(derivation)
        distribution = distribute_columns(cols, cost)
    except EngineError as refused:
        found += refused.problems
        return stop(derivation)
    return PostRun(tuple(found), records, derivation, bundle, distribution, catalog)
