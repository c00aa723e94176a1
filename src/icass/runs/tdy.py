"""The TDY module on a post's run (docs/tdy.md): rates from the prior year's final distribution, then the
visits of its tdy/ folder billed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from icass.bundle.tables import CellSource
from icass.bundle.tdy import read_tdy
from icass.catalog import Catalog, load_catalog
from icass.catalog.tdy import TdyRules, load_tdy_rules
from icass.checks import tdy_rules
from icass.diagnostics import Diagnostic, has_errors
from icass.model import Post
from icass.model.tdy import TdyRecords
from icass.runs.post import PostRun, _bundle, run_post
from icass.tdy.invoices import TdyBilling, bill_visits
from icass.tdy.rates import Rates, tdy_rates


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
    return tdy_of(run, Path(folder), as_of, catalog)


def read_judged(
    post: Post, root: Path | CellSource, catalog: Catalog, rules: TdyRules, policy_text: str | None = None
) -> tuple[TdyRecords | None, list[Diagnostic]]:
    """The tdy/ folder read (icass.bundle.tdy) and judged by the TDY rules of the handbook's budget rules (R66,
    R140, R142; R141 where the threshold is read), or None with the reasons when any is an error."""
    records, problems = read_tdy(root, post.methodology, catalog, rules, policy_text)
    problems = [*tdy_rules.prior_year_budget(post), *problems]
    if records is None:
        return None, problems
    problems += tdy_rules.judged(records, rules)
    return (None, problems) if has_errors(problems) else (records, problems)


def tdy_of(
    run: PostRun, root: Path | CellSource, as_of: dt.date, catalog: Catalog, policy_text: str | None = None
) -> TdyRun:
    """The TDY module on a post's run, its tdy/ folder read from `root`: the bundle's folder, or the database's
    rows of it with policy.toml's text as kept (icass.store)."""
    if not run.ok:
        return TdyRun(run, run.diagnostics)
    bundle, distribution = _bundle(run), run.distribution
    assert distribution is not None  # ok: distributed
    rules = load_tdy_rules()
    diagnostics = list(run.diagnostics)
    rates = tdy_rates(bundle, distribution, catalog, rules)
    records, problems = read_judged(bundle.post, root, catalog, rules, policy_text)
    diagnostics += problems
    if records is None:
        return TdyRun(run, tuple(diagnostics), None, rates)
    billing = bill_visits(records, rates, _at_post(run), as_of, rules)
    return TdyRun(run, (*diagnostics, *billing.diagnostics), records, rates, billing)


def _at_post(run: PostRun) -> frozenset[str]:
    bundle = _bundle(run)
    return frozenset(a.code for a in bundle.agencies) & {w.agency for w in bundle.workload if w.count > 0}


def billed_on(run: TdyRun, as_of: dt.date) -> TdyBilling | None:
    """The run's visits billed again as judged on another day (an invoice judged on the day it was submitted,
    H-363.1-6 b); None when the run has no billing."""
    if run.billing is None or run.records is None or run.rates is None:
        return None
    if as_of == run.billing.as_of:
        return run.billing
    return bill_visits(run.records, run.rates, _at_post(run.post), as_of, load_tdy_rules())
