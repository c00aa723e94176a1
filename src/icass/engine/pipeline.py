"""The distribution of a batch of posts, step by step (the numbered steps are those of the engine spec
in docs/engine.md, which cites the handbook for each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from icass.engine.apportion import apportion
from icass.engine.columns import MISCELLANEOUS, NON_ICASS, WORKLOAD, Columns, columns_of
from icass.engine.fan_out import fan_out, slots
from icass.model import PostBundle

IntArray = npt.NDArray[np.int64]


class EngineError(ValueError):
    """Input the engine cannot distribute; validation reports these first, with file and row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


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

    def lines(self, post: int = 0) -> Iterator[tuple[str, str, str, int, int, int]]:
        """(agency, cost center, funding, share, redistribution, total) for every non-zero line, in code order."""
        cols = self.columns
        share, redis = self.share[post], self.redistribution[post]
        for a, c, f in zip(*np.nonzero((share != 0) | (redis != 0)), strict=True):
            s, r = int(share[a, c, f]), int(redis[a, c, f])
            yield cols.agencies[a], cols.cost_centers[c], cols.funding_sources[f], s, r, s + r


def distribute(bundle: PostBundle, kind_of: Callable[[str], str]) -> Distribution:
    """The distribution of one validated post bundle."""
    return distribute_columns(columns_of([bundle], kind_of))


def distribute_columns(cols: Columns) -> Distribution:
    n_posts, n_cc, n_fund, n_agency = (
        len(cols.posts),
        len(cols.cost_centers),
        len(cols.funding_sources),
        len(cols.agencies),
    )
    cost = cost_centers(cols).reshape(n_posts, n_cc, n_fund)
    share = np.zeros((n_posts, n_agency, n_cc, n_fund), dtype=np.int64)
    kind = cols.cost_center_kind
    _non_icass(cols, cost, share, kind == NON_ICASS)
    _by_workload(cols, cost, share, kind == WORKLOAD)
    service = kind != NON_ICASS
    _miscellaneous(cols, cost, share, kind == MISCELLANEOUS, weights=share[:, :, kind == WORKLOAD].sum(axis=(2, 3)))
    redistribution = icass_redistribution(cols, share, weights=share[:, :, service].sum(axis=(2, 3)))
    return Distribution(cols, cost, share, redistribution)


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
        raise EngineError([f"a position has a cost pool but no time allocation (pool line {unallocated[0]})"])
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
        raise EngineError(["0000 has cost but agency 1900.0 (State) is not at post (H-341.14-4)"])
    share[:, cols.state, mask] += cost[:, mask]


def _by_workload(cols: Columns, cost: IntArray, share: IntArray, mask: npt.NDArray[np.bool_]) -> None:
    """Step 4: each cost center's cost per funding source, by weight = count x modification (key: agency)."""
    n_posts, n_cc, n_fund = cost.shape
    target = np.zeros_like(cost, dtype=bool)
    target[:, mask] = cost[:, mask] != 0
    groups = np.flatnonzero(target)  # (post, cc, fund), so the groups of one (post, cc) are contiguous
    per_slot = np.bincount(groups // n_fund, minlength=n_posts * n_cc).astype(np.int64)
    start = np.cumsum(per_slot) - per_slot
    work_slot = cols.workload_post * n_cc + cols.workload_cost_center
    row, group = fan_out(work_slot, start, per_slot)
    weight = cols.workload_weight[row]
    weighted = np.zeros(groups.shape[0], dtype=np.int64)
    np.add.at(weighted, group, weight > 0)
    if (missing := np.flatnonzero(weighted == 0)).size:
        raise EngineError([_describe(cols, groups[g], n_cc, n_fund) + " has cost but no workload" for g in missing])
    agency = cols.workload_agency[row]
    shares = apportion(cost.reshape(-1)[groups], group, weight, agency)
    slot = groups[group]
    post, rest = np.divmod(slot, n_cc * n_fund)
    np.add.at(share.reshape(-1), (post * share.shape[1] + agency) * (n_cc * n_fund) + rest, shares)


def _miscellaneous(
    cols: Columns, cost: IntArray, share: IntArray, mask: npt.NDArray[np.bool_], weights: IntArray
) -> None:
    """Step 5: 8790 follows each agency's share of the service costs of step 4, ICASS included (H-341.13-4)."""
    if not mask.any():
        return
    _by_agency_totals(cols, cost[:, mask], weights, share, np.flatnonzero(mask), "8790 follows service costs")


def icass_redistribution(cols: Columns, share: IntArray, weights: IntArray) -> IntArray:
    """Step 6: what 1901.0 (ICASS) holds in each cost center and funding source goes to the other agencies
    by their totals after steps 4-5; 1901.0 then shows it as share and minus it as redistribution."""
    redistribution = np.zeros_like(share)
    if cols.icass < 0:
        return redistribution
    held = share[:, cols.icass].copy()
    weights = weights.copy()
    weights[:, cols.icass] = 0
    every = np.arange(held.shape[1])
    _by_agency_totals(cols, held, weights, redistribution, every, "ICASS redistribution")
    redistribution[:, cols.icass] -= held
    return redistribution


def _by_agency_totals(
    cols: Columns, amounts: IntArray, weights: IntArray, into: IntArray, cc_index: IntArray, rule: str
) -> None:
    """Apportion amounts[p, k, f] (k-th of `cc_index`) over agencies by weights[p, a], into into[p, a, cc, f]."""
    n_posts, n_k, n_fund = amounts.shape
    groups = np.flatnonzero(amounts)
    if groups.size == 0:
        return
    post_of_group = groups // (n_k * n_fund)
    order, start, count = slots(np.flatnonzero(weights > 0) // weights.shape[1], n_posts)
    if (empty := np.flatnonzero(count[post_of_group] == 0)).size:
        raise EngineError([f"{rule}: post {cols.posts[post_of_group[empty[0]]]} has no agency to share with"])
    payer = np.flatnonzero(weights > 0)[order]  # (post, agency) flat, grouped by post
    group, right = fan_out(post_of_group, start, count)
    agency = payer[right] % weights.shape[1]
    shares = apportion(amounts.reshape(-1)[groups], group, weights.reshape(-1)[payer[right]], agency)
    post, rest = np.divmod(groups[group], n_k * n_fund)
    k, fund = np.divmod(rest, n_fund)
    np.add.at(into, (post, agency, cc_index[k], fund), shares)


def _describe(cols: Columns, slot: int, n_cc: int, n_fund: int) -> str:
    post, rest = divmod(int(slot), n_cc * n_fund)
    cc, fund = divmod(rest, n_fund)
    return f"post {cols.posts[post]}: cost center {cols.cost_centers[cc]} ({cols.funding_sources[fund]})"
