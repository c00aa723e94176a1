"""The distribution of a batch of posts, step by step (the numbered steps are those of the engine spec
in docs/distribution.md, which cites the handbook for each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from icass.diagnostics import Diagnostic, error
from icass.distribution.apportion import apportion, apportion_block
from icass.distribution.columns import MISCELLANEOUS, NON_ICASS, WORKLOAD, Columns, columns_of
from icass.distribution.fan_out import fan_out, slots
from icass.model import PostBundle, Source

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]


class DistributionError(ValueError):
    """Input the engine cannot distribute. Validation reports these first, with file and row; what it did not
    foresee still comes out as diagnostics that name the table and key (`cost center 6139 (RB)`)."""

    def __init__(self, problems: Sequence[Diagnostic]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class DistributionLine(NamedTuple):
    """One agency's charge in one cost center from one funding source, at one post; amounts in cents."""

    agency: str
    cost_center: str
    funding: str
    share: int
    redistribution: int
    total: int


@dataclass(frozen=True)
class Distribution:
    """Every agency's charge per cost center and funding source, for each post of a batch.

    `cost[p, c, f]` is the cost of cost center c from funding source f at post p (budget plus time
    allocated cost pools); `share[p, a, c, f]` is agency a's part of it from its workload (or from the rule
    of 0000 and 8790); `redistribution[p, a, c, f]` is ICASS redistribution, summing to zero over agencies.
    """

    columns: Columns
    cost: IntArray
    share: IntArray
    redistribution: IntArray

    @property
    def total(self) -> IntArray:
        return self.share + self.redistribution

    def post_index(self, post: str | None = None) -> int:
        """The batch index of a post code; None names the only post of a batch of one."""
        if post is None:
            if len(self.columns.posts) != 1:
                raise ValueError(f"a batch of {len(self.columns.posts)} posts: name the post")
            return 0
        try:
            return self.columns.posts.index(post)
        except ValueError:
            raise KeyError(f"post {post} is not in this distribution") from None

    def lines(self, post: str | None = None) -> Iterator[DistributionLine]:
        """Every non-zero line of a post, in code order (agency, cost center, funding source)."""
        cols, p = self.columns, self.post_index(post)
        share, redistributed = self.share[p], self.redistribution[p]
        at = np.nonzero((share != 0) | (redistributed != 0))
        agencies, centers, funding = cols.agencies, cols.cost_centers, cols.funding_sources
        # Whole columns to Python ints at once: indexing an array cell by cell costs more than the line.
        for a, c, f, s, r in zip(
            *(i.tolist() for i in at), share[at].tolist(), redistributed[at].tolist(), strict=True
        ):
            yield DistributionLine(agencies[a], centers[c], funding[f], s, r, s + r)

    def sorted_lines(self, post: str | None = None) -> tuple[list[str], list[str], list[str], IntArray, IntArray]:
        """The lines of a post as columns (agency, cost center, funding source, share, redistribution), sorted by
        the three codes as strings: `sorted(lines(post))` without a Python object per line."""
        codes, at, share, redistribution = self.sorted_line_indexes(post)
        names = [list(map(table.__getitem__, index.tolist())) for table, index in zip(codes, at, strict=True)]
        return names[0], names[1], names[2], share, redistribution

    def sorted_line_indexes(
        self, post: str | None = None
    ) -> tuple[tuple[tuple[str, ...], ...], tuple[IntArray, ...], IntArray, IntArray]:
        """sorted_lines as the code tables (agencies, cost centers, funding sources) and each line's index into
        each. Agency and cost center indexes are in their codes' string order (Columns keeps its code tables
        sorted), so only the funding axis is put in the order of its names."""
        cols, p = self.columns, self.post_index(post)
        funding = tuple(sorted(cols.funding_sources))
        order = [cols.funding_sources.index(f) for f in funding]
        share, redistributed = self.share[p][:, :, order], self.redistribution[p][:, :, order]
        at = np.nonzero((share != 0) | (redistributed != 0))
        return (cols.agencies, cols.cost_centers, funding), at, share[at], redistributed[at]

    def cost_of(self, post: str | None = None) -> IntArray:
        """cost[cost center, funding source] of one post."""
        cost: IntArray = self.cost[self.post_index(post)]
        return cost


def distribute(bundle: PostBundle, kind_of: Callable[[str], str]) -> Distribution:
    """The distribution of one validated post bundle."""
    return distribute_columns(columns_of([bundle], kind_of))


def distribute_columns(cols: Columns, cost_flat: IntArray | None = None) -> Distribution:
    """The distribution of a batch; `cost_flat` is `cost_centers(cols)` when the caller has it already."""
    n_posts, n_cc, n_fund, n_agency = (
        len(cols.posts),
        len(cols.cost_centers),
        len(cols.funding_sources),
        len(cols.agencies),
    )
    cost = (cost_centers(cols) if cost_flat is None else cost_flat).reshape(n_posts, n_cc, n_fund)
    # Agencies last inside the engine: each (post, cost center, funding) group is one contiguous row.
    share = np.zeros((n_posts, n_cc, n_fund, n_agency), dtype=np.int64)
    kind = cols.cost_center_kind
    _non_icass(cols, cost, share, kind == NON_ICASS)
    step4 = _by_workload(cols, cost, share, kind == WORKLOAD)
    misc = kind == MISCELLANEOUS
    step5 = _by_agency_totals(
        cols, cost[:, misc], np.flatnonzero(misc), step4, share, "8790 follows service costs", "H-341.13-4"
    )
    redistribution = icass_redistribution(cols, share, weights=step4 + step5)
    return Distribution(cols, cost, np.moveaxis(share, 3, 1), np.moveaxis(redistribution, 3, 1))


# The columns cost_centers reads beside the code tables: equal in these, two batches have the same cost.
COST_READS = (
    "budget_post",
    "budget_cost_center",
    "budget_funding",
    "budget_cents",
    "pool_position",
    "pool_funding",
    "pool_cents",
    "position_post",
    "allocation_position",
    "allocation_cost_center",
    "allocation_weight",
)


def cost_centers(cols: Columns) -> IntArray:
    """Steps 1-2: each pool line follows its position's time allocation (key: cost center code); a cost
    center's cost per funding source is its budget lines plus what the pools bring. Flat (post, cc, fund)."""
    n_cc, n_fund = len(cols.cost_centers), len(cols.funding_sources)
    cost = np.zeros(len(cols.posts) * n_cc * n_fund, dtype=np.int64)
    budget_slot = (cols.budget_post * n_cc + cols.budget_cost_center) * n_fund + cols.budget_funding
    np.add.at(cost, budget_slot, cols.budget_cents)

    order, start, count = slots(cols.allocation_position, len(cols.position_post))
    unallocated = np.flatnonzero(count[cols.pool_position] == 0)
    if unallocated.size:
        position = int(cols.pool_position[unallocated[0]])
        raise DistributionError(
            [error(Source("position_costs", key=f"position #{position + 1}"), "has a cost pool but no time allocation")]
        )
    line, right = fan_out(cols.pool_position, start, count)
    alloc = order[right]
    cc = cols.allocation_cost_center[alloc]
    shares = apportion(cols.pool_cents, line, cols.allocation_weight[alloc], cc)
    post = cols.position_post[cols.pool_position[line]]
    np.add.at(cost, (post * n_cc + cc) * n_fund + cols.pool_funding[line], shares)
    return cost


def _non_icass(cols: Columns, cost: IntArray, share: IntArray, mask: npt.NDArray[np.bool_]) -> None:
    """Step 3: Non-ICASS dual positions are program work, all charged to State (H-341.14-4)."""
    if not mask.any() or not cost[:, mask].any():
        return
    if cols.state < 0:
        raise DistributionError(
            [
                error(
                    Source("budget", key="0000"),
                    "0000 has cost but agency 1900.0 (State) is not at post",
                    section="H-341.14-4",
                )
            ]
        )
    share[..., cols.state][:, mask] += cost[:, mask]  # a view first: mixed advanced indexes would move axes


def _by_workload(cols: Columns, cost: IntArray, share: IntArray, mask: npt.NDArray[np.bool_]) -> IntArray:
    """Step 4: each cost center's cost per funding source, by weight = count x modification (key: agency).
    Returns each agency's total of step 4 per post."""
    n_posts, n_cc, n_fund = cost.shape
    n_agency = share.shape[-1]
    cell = (cols.workload_post * n_cc + cols.workload_cost_center) * n_agency + cols.workload_agency
    table = np.zeros((n_posts * n_cc, n_agency), dtype=np.int64)  # weights per (post, cost center) x agency
    # An agency's weight is the sum over its factor lines (H-341.1-4 NOTE 2); columns_of bounds the sums.
    np.add.at(table.reshape(-1), cell, cols.workload_weight)
    target = np.zeros_like(cost, dtype=bool)
    target[:, mask] = cost[:, mask] != 0
    groups = np.flatnonzero(target)  # flat (post, cc, fund): also the group's row in `share`
    weight = table[groups // n_fund]
    if (missing := np.flatnonzero(~(weight > 0).any(axis=1))).size:
        raise DistributionError([_no_workload(cols, groups[g], n_cc, n_fund) for g in missing])
    shares = apportion_block(cost.reshape(-1)[groups], weight)
    share.reshape(-1, n_agency)[groups] += shares
    return _per_post(groups // (n_cc * n_fund), shares, n_posts)


def icass_redistribution(cols: Columns, share: IntArray, weights: IntArray) -> IntArray:
    """Step 6: what 1901.0 (ICASS) holds in each cost center and funding source goes to the other agencies
    by their totals after steps 4-5 (`weights[post, agency]`); 1901.0 then shows it as share and minus it
    as redistribution."""
    redistribution = np.zeros_like(share)
    if cols.icass < 0:
        return redistribution
    held = share[..., cols.icass].copy()
    others = weights.copy()
    others[:, cols.icass] = 0
    _by_agency_totals(cols, held, np.arange(held.shape[1]), others, redistribution, "ICASS redistribution", "")
    redistribution[..., cols.icass] -= held
    return redistribution


def _by_agency_totals(
    cols: Columns, amounts: IntArray, cc_index: IntArray, weights: IntArray, into: IntArray, rule: str, section: str
) -> IntArray:
    """Apportion amounts[p, k, f] (cost center cc_index[k]) over agencies by weights[p, a], into
    into[p, cc, f, a]; steps 5 (8790, H-341.13-4) and 6. Returns what each agency received, per post."""
    n_posts, n_k, n_fund = amounts.shape
    n_agency = weights.shape[1]
    groups = np.flatnonzero(amounts)
    post, rest = np.divmod(groups, n_k * n_fund)
    weight = np.maximum(weights, 0)[post]
    if (empty := np.flatnonzero(~(weight > 0).any(axis=1))).size:
        where = Source("workload", key=cols.posts[post[empty[0]]])
        raise DistributionError(
            [error(where, f"{rule}: no agency to share with (no agency has service costs)", section=section)]
        )
    shares = apportion_block(amounts.reshape(-1)[groups], weight)
    k, fund = np.divmod(rest, n_fund)
    n_cc = into.shape[1]
    into.reshape(-1, n_agency)[(post * n_cc + cc_index[k]) * n_fund + fund] += shares
    return _per_post(post, shares, n_posts)


def _per_post(post_of_group: IntArray, block: IntArray, n_posts: int) -> IntArray:
    """Sums of block rows per post; rows come grouped by post, in ascending post order."""
    out = np.zeros((n_posts, block.shape[1]), dtype=np.int64)
    if post_of_group.size:
        first = np.flatnonzero(np.r_[True, post_of_group[1:] != post_of_group[:-1]])
        out[post_of_group[first]] = np.add.reduceat(block, first, axis=0)
    return out


def _no_workload(cols: Columns, slot: int, n_cc: int, n_fund: int) -> Diagnostic:
    post, rest = divmod(int(slot), n_cc * n_fund)
    cc, fund = divmod(rest, n_fund)
    code = cols.cost_centers[cc]
    key = f"{cols.posts[post]}/{code}" if len(cols.posts) > 1 else code
    return error(Source("workload", key=key), f"{code} has cost ({cols.funding_sources[fund]}) but no workload")
