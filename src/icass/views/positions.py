"""A post's positions as the position page shows them: each position's cost pool (its AmSal and PAT from its
grade, H-423.1, then its own cost lines) and where its time goes, each cost center by name with its percent
and the dollars of the pool that follow it, exactly as the engine distributes them; and the choices the form
for a new position offers (cost centers of the post's methodology, grades, funding sources, with names)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from icass.catalog.glossary import glossary
from icass.diagnostics import Diagnostic
from icass.distribution.explain import split_line
from icass.model import CostFactor, Funding, Position, PositionCategory, PostBundle, Source
from icass.model.records import AMSAL_SOC, PAT_SOC
from icass.money import format_grouped
from icass.runs.post import PostRun

# The funding sources a person types on a cost line: AmSal and PAT come from the grade (H-423.1).
TYPED_FUNDING = (Funding.RB, Funding.OBO, Funding.LGP)
CATEGORY_NAMES = {
    PositionCategory.USDH: "U.S. direct hire",
    PositionCategory.LE: "Locally employed staff",
    PositionCategory.EFM: "Eligible family member",
}


@dataclass(frozen=True)
class PoolPart:
    """One line of a position's cost pool: typed on a cost line (its row), or from the grade (row 0)."""

    funding: str
    soc: str
    cents: int
    from_grade: bool
    row: int  # the cost line's row of position_costs.csv; 0 for the grade's AmSal and PAT


@dataclass(frozen=True)
class TimeShare:
    """Where part of a position's time goes: a cost center, its percent, and the pool's dollars that follow it."""

    cost_center: str
    name: str  # the catalog's name; "" for a code it does not know
    percent: Decimal
    cents: int


@dataclass(frozen=True)
class PositionPool:
    row_id: int  # the position's row of positions.csv as the spreadsheet numbers it
    position_id: str
    category: str
    grade: str
    title: str
    pool: tuple[PoolPart, ...]
    time: tuple[TimeShare, ...]  # in cost center order
    problems: tuple[Diagnostic, ...]  # what the post's run finds in the position's own rows

    @property
    def total(self) -> int:
        return sum(p.cents for p in self.pool)

    @property
    def percent(self) -> Decimal:
        return sum((t.percent for t in self.time), Decimal(0))


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class PositionChoices:
    cost_centers: tuple[Choice, ...]
    grades: tuple[Choice, ...]  # the grades of the cost factors, each named by its AmSal and PAT
    fundings: tuple[Choice, ...]
    categories: tuple[Choice, ...]


def funding_name(code: str) -> str:
    """A funding source in the glossary's words: RB -> "Regional bureau"."""
    return next((t.term for t in glossary() if t.also.upper() == code.upper()), code)


def _records(run: PostRun) -> PostBundle | None:
    return run.bundle if run.bundle is not None else (run.records.entered if run.records else None)


def _names(run: PostRun, bundle: PostBundle) -> dict[str, str]:
    return {e.code: e.name for e in run.catalog.methodology(bundle.post.methodology)}


def position_pools(run: PostRun, only: Collection[str] | None = None) -> tuple[PositionPool, ...]:
    """Every position of the post in its file's order (or those of `only`, a page's), with its pool and where
    its time goes. Read from the records as entered when the post is in error: a grade the cost factors lack
    then brings no AmSal or PAT (the post's problems say so) rather than no page."""
    bundle = _records(run)
    if bundle is None:
        return ()

    def name(code: str) -> str:
        spec = run.catalog.find(code, bundle.post.methodology)  # a post's own sub-cost center too (H-341.15 c)
        return spec.name if spec else ""

    factors = {f.grade: f for f in bundle.cost_factors}
    costs: dict[str, list[PoolPart]] = defaultdict(list)
    for line in bundle.position_costs:
        costs[line.position_id].append(PoolPart(str(line.funding), line.soc, line.amount, False, line.source.row))
    allocation: dict[str, list[tuple[str, Decimal, int]]] = defaultdict(list)
    for share in bundle.time_allocation:
        allocation[share.position_id].append((share.cost_center, share.percent, share.source.row))
    found = []
    for position in bundle.positions:
        if only is not None and position.position_id not in only:
            continue
        pool = _pool(position, factors, costs)
        split = sorted(allocation[position.position_id])
        percents = [percent for _, percent, _ in split]
        dollars = [0] * len(split)
        if sum(percents) > 0:
            for part in pool:
                dollars = [a + b for a, b in zip(dollars, split_line(part.cents, percents), strict=True)]
        rows = {Source("time_allocation.csv", row) for _, _, row in split} | {
            Source("position_costs.csv", part.row) for part in pool if part.row
        }
        found.append(
            PositionPool(
                position.source.row,
                position.position_id,
                str(position.category),
                position.grade,
                position.title,
                pool,
                tuple(
                    TimeShare(code, name(code), percent, cents)
                    for (code, percent, _), cents in zip(split, dollars, strict=True)
                ),
                tuple(d for d in run.diagnostics if _same(d.source, position.source) or d.source in rows),
            )
        )
    return tuple(found)


def _pool(
    position: Position, factors: Mapping[str, CostFactor], costs: Mapping[str, list[PoolPart]]
) -> tuple[PoolPart, ...]:
    """A position's cost pool: the AmSal and PAT of a U.S. direct hire's grade, then its own cost lines."""
    factor = factors.get(position.grade) if position.category == PositionCategory.USDH else None
    from_grade = (
        (
            PoolPart(str(Funding.AMSAL), AMSAL_SOC, factor.amsal, True, 0),
            PoolPart(str(Funding.PAT), PAT_SOC, factor.pat, True, 0),
        )
        if factor is not None
        else ()
    )
    return from_grade + tuple(costs.get(position.position_id, ()))


def position_records(run: PostRun) -> Sequence[Position]:
    """The post's positions in their file's order, as position_pools reads them."""
    bundle = _records(run)
    return () if bundle is None else bundle.positions


def pools_total(run: PostRun) -> int:
    """Every position's cost pool added up, in cents (what the positions page heads its list with)."""
    bundle = _records(run)
    if bundle is None:
        return 0
    factors = {f.grade: f for f in bundle.cost_factors}
    own = sum(line.amount for line in bundle.position_costs)
    return own + sum(p.cents for position in bundle.positions for p in _pool(position, factors, {}))


def _same(source: Source, position: Source) -> bool:
    """A problem of the position's own row (the checks name its file with or without the extension)."""
    return source.row == position.row and source.file.removesuffix(".csv") == position.file.removesuffix(".csv")


def position_choices(run: PostRun) -> PositionChoices:
    bundle = _records(run)
    cost_centers = () if bundle is None else tuple(Choice(c, n) for c, n in sorted(_names(run, bundle).items()))
    grades = () if bundle is None else tuple(Choice(f.grade, _grade_name(f.amsal, f.pat)) for f in bundle.cost_factors)
    return PositionChoices(
        cost_centers,
        grades,
        tuple(Choice(str(f), funding_name(str(f))) for f in TYPED_FUNDING),
        tuple(Choice(str(c), name) for c, name in CATEGORY_NAMES.items()),
    )


def _grade_name(amsal: int, pat: int) -> str:
    return f"AmSal ${format_grouped(amsal)}, PAT ${format_grouped(pat)}"


@dataclass(frozen=True)
class PoolsPage:
    """One page of the positions a person asked for: those whose number or title holds `query`, `size` a page."""

    pools: tuple[PositionPool, ...]
    page: int  # from 1
    pages: int
    found: int  # how many positions the query keeps, on every page


def page_of_pools(positions: Sequence[Position], query: str, page: int, run: PostRun, size: int = 25) -> PoolsPage:
    """The page `page` (kept within the pages there are) of the positions `query` finds, in their order, each
    with its pool and time (position_pools of that page's alone: a post may have thousands)."""
    words = query.casefold().split()
    kept = [p for p in positions if all(w in f"{p.position_id} {p.title}".casefold() for w in words)]
    pages = max(1, -(-len(kept) // size))
    page = min(max(page, 1), pages)
    shown = position_pools(run, {p.position_id for p in kept[(page - 1) * size : page * size]})
    return PoolsPage(shown, page, pages, len(kept))


def page_holding(pools: Sequence[Position], position_id: str, size: int = 25) -> int:
    """The page on which `position_id` is shown when nothing is searched (1 when it is not there)."""
    at = next((k for k, p in enumerate(pools) if p.position_id == position_id), 0)
    return at // size + 1
