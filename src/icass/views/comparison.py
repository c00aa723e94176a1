"""A what-if scenario's invoices beside the baseline's: every agency's invoice by funding source on each side,
the post's totals, and the errors that keep a side from distributing."""

from __future__ import annotations

from dataclasses import dataclass

from icass.diagnostics import ERROR, Diagnostic
from icass.runs.post import PostRun
from icass.views.totals import agency_bills


@dataclass(frozen=True)
class AgencyComparison:
    agency: str
    name: str
    baseline: dict[str, int] | None  # by funding source, cents; None: the baseline does not distribute
    scenario: dict[str, int] | None

    @property
    def baseline_total(self) -> int | None:
        return None if self.baseline is None else sum(self.baseline.values())

    @property
    def scenario_total(self) -> int | None:
        return None if self.scenario is None else sum(self.scenario.values())

    @property
    def difference(self) -> int | None:
        if self.baseline is None or self.scenario is None:
            return None
        return sum(self.scenario.values()) - sum(self.baseline.values())


@dataclass(frozen=True)
class Comparison:
    fundings: tuple[str, ...]  # every funding source either side bills
    agencies: tuple[AgencyComparison, ...]
    baseline_total: int | None  # the post's whole distributed cost, cents
    scenario_total: int | None
    baseline_errors: tuple[Diagnostic, ...]
    scenario_errors: tuple[Diagnostic, ...]


def _billed(run: PostRun, code: str) -> dict[str, dict[str, int]] | None:
    """Each agency's invoice by funding source (icass.views.totals, as the invoices' subtotals), every agency of
    the post included, at 0 when it is billed nothing."""
    if run.distribution is None or run.bundle is None:
        return None
    billed: dict[str, dict[str, int]] = {a.code: {} for a in run.bundle.agencies}
    for agency, bill in agency_bills(run.distribution, code).items():
        billed[agency] = dict(bill.by_funding)
    return billed


def compare(baseline: PostRun, scenario: PostRun, code: str) -> Comparison:
    """Every agency's invoice, by funding source, on the baseline and in the scenario."""
    before, after = _billed(baseline, code), _billed(scenario, code)
    names = {a.code: a.name for run in (baseline, scenario) if run.bundle for a in run.bundle.agencies}
    agencies = sorted(set(before or ()) | set(after or ()))
    fundings = sorted({f for side in (before, after) if side for billed in side.values() for f in billed})

    def of(side: dict[str, dict[str, int]] | None, agency: str) -> dict[str, int] | None:
        return None if side is None else side.get(agency, {})

    def total(run: PostRun) -> int | None:
        return None if run.distribution is None else int(run.distribution.cost_of(code).sum())

    return Comparison(
        fundings=tuple(fundings),
        agencies=tuple(AgencyComparison(a, names.get(a, ""), of(before, a), of(after, a)) for a in agencies),
        baseline_total=total(baseline),
        scenario_total=total(scenario),
        baseline_errors=tuple(d for d in baseline.diagnostics if d.severity == ERROR),
        scenario_errors=tuple(d for d in scenario.diagnostics if d.severity == ERROR),
    )
