"""A post's summary, the dashboard's figures: its budget by cost center and funding source, each agency's
total and share of the post, and its problems. Made once per state of the post (icass.store.compute keeps it
with the state), so a page that shows it only lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from icass.diagnostics import Diagnostic
from icass.model import FUNDING_SOURCES
from icass.money import percent_of
from icass.runs.post import PostRun
from icass.views.totals import agency_bills


@dataclass(frozen=True)
class CostCenterTotal:
    cost_center: str
    by_funding: tuple[tuple[str, int], ...]  # (funding source, cents), the funding sources it has cost under
    total: int
    name: str = ""  # the catalog's name of the cost center at the post's methodology


@dataclass(frozen=True)
class AgencyShare:
    agency: str
    name: str
    total: int  # cents, ICASS redistribution included
    percent: Decimal  # of the post's whole distributed cost


@dataclass(frozen=True, eq=False)  # one summary a state, known by its identity (icass.web.charts keeps by it)
class PostSummary:
    """Everything the dashboard shows of the post's figures; empty figures when it could not be distributed."""

    problems: tuple[Diagnostic, ...]
    ok: bool
    distributed: bool
    fundings: tuple[str, ...] = ()  # the funding sources the post has any cost under, in their order
    cost_centers: tuple[CostCenterTotal, ...] = ()  # those with any cost, in code order
    funding_totals: tuple[tuple[str, int], ...] = ()  # per funding source of `fundings`
    total: int = 0
    agencies: tuple[AgencyShare, ...] = ()  # every agency billed, in code order
    # Every (cost center, funding source, cents) of the cost centers by the funding sources of `fundings`, zeros
    # included: what the budget's chart is drawn from.
    cells: tuple[tuple[str, str, int], ...] = ()


def _name(run: PostRun, code: str, methodology: str) -> str:
    spec = run.catalog.find(code, methodology)
    return spec.name if spec is not None else ""


def post_summary(run: PostRun) -> PostSummary:
    if run.distribution is None or run.bundle is None:
        return PostSummary(run.diagnostics, run.ok, distributed=False)
    post = run.bundle.post.code
    cost = run.distribution.cost_of(post).tolist()
    fundings = [str(f) for f in FUNDING_SOURCES]
    used = [j for j in range(len(fundings)) if sum(row[j] for row in cost)]
    cost_centers = run.distribution.columns.cost_centers
    methodology = run.bundle.post.methodology
    budget = tuple(
        CostCenterTotal(cc, tuple((fundings[j], row[j]) for j in used if row[j]), sum(row), _name(run, cc, methodology))
        for cc, row in zip(cost_centers, cost, strict=True)
        if sum(row)
    )
    whole = sum(map(sum, cost))
    names = {a.code: a.name for a in run.bundle.agencies}
    bills = agency_bills(run.distribution, post)
    return PostSummary(
        problems=run.diagnostics,
        ok=run.ok,
        distributed=True,
        fundings=tuple(fundings[j] for j in used),
        cost_centers=budget,
        funding_totals=tuple((fundings[j], sum(row[j] for row in cost)) for j in used),
        total=whole,
        agencies=tuple(
            AgencyShare(a, names.get(a, ""), bill.total, percent_of(bill.total, whole))
            for a, bill in sorted(bills.items())
        ),
        cells=tuple((cc, fundings[j], row[j]) for cc, row in zip(cost_centers, cost, strict=True) for j in used),
    )
