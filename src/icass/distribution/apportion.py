"""Apportion whole cents by weights: the largest-remainder (Hamilton) method, exact and vectorized.

Every row r of group g receives floor(N_g * w_r / W_g), computed in integers; the N_g - sum(floor) cents
left over (always fewer than the rows of g) go one each to the rows with the largest remainder, equal
remainders first to the smaller key. So the shares of a group add up to N_g exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt

    Int64Array = npt.NDArray[np.int64]


_LIMIT = int(np.iinfo(np.int64).max)


def apportion(
    amount: Int64Array,
    group: npt.NDArray[np.integer],
    weight: Int64Array,
    key_rank: npt.NDArray[np.integer],
) -> Int64Array:
    """Shares of `amount[group[r]]` for every row r, by `weight[r]`, ties to the smaller `key_rank[r]`.

    `amount` has one entry per group (any sign); `group`, `weight` (>= 0) and `key_rank` one per row.
    A group whose weights are all zero must have a zero amount.
    """
    amount = np.asarray(amount, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.int64)
    rows: Int64Array = np.asarray(group, dtype=np.int64)
    keys: Int64Array = np.asarray(key_rank, dtype=np.int64)
    group, key_rank = rows, keys
    n_groups = amount.shape[0]
    if group.shape[0] == 0:
        if np.any(amount != 0):
            raise ValueError("an amount has no rows to go to")
        return np.zeros(0, dtype=np.int64)
    if np.any(weight < 0):
        raise ValueError("weights must not be negative")

    rows_per_group = np.bincount(group, minlength=n_groups)
    # The group totals must not wrap: bound them before summing.
    if int(weight.max()) > _LIMIT // max(int(rows_per_group.max()), 1):
        return _apportion_exact_python(amount, rows, weight, keys)
    total = np.zeros(n_groups, dtype=np.int64)
    np.add.at(total, group, weight)
    if np.any((total == 0) & (amount != 0)):
        raise ValueError("an amount has only zero weights to go by")

    n = amount[group]
    w_total = np.where(total == 0, 1, total)[group]
    # int64 wraps silently: when |N| * w might not fit, the rows at risk are done in Python integers.
    risky = None
    if int(weight.max()) * int(np.abs(amount).max()) > _LIMIT:
        risky = weight > (_LIMIT // np.maximum(np.abs(n), 1))
    if risky is not None and np.any(risky):
        floor, remainder = _floor_and_remainder_mixed(n, weight, w_total, risky)
    else:
        product = n * weight
        floor = product // w_total
        remainder = product - floor * w_total

    leftover = amount.copy()
    np.subtract.at(leftover, group, floor)
    # Rank rows inside each group: larger remainder first, then smaller key. One packed int64 key sorts far
    # faster than a three-key lexsort; it is used whenever it cannot wrap (remainders are below W_g).
    n_keys = int(key_rank.max()) + 1
    w_max = int(total.max())
    if n_groups * (w_max + 1) * n_keys <= _LIMIT:
        order = np.argsort((group * (w_max + 1) + (w_max - remainder)) * n_keys + key_rank, kind="stable")
    else:
        order = np.lexsort((key_rank, -remainder, group))
    starts = np.cumsum(rows_per_group) - rows_per_group
    position = np.arange(group.shape[0], dtype=np.int64) - starts[group[order]]
    bonus = np.zeros(group.shape[0], dtype=np.int64)
    bonus[order] = position < leftover[group[order]]
    return floor + bonus


def apportion_block(amount: Int64Array, weight: Int64Array) -> Int64Array:
    """The same rule with one group per row of a dense (groups x recipients) weight block, the column index
    being the tie-break key: `result[g, a]` is recipient a's share of `amount[g]`.

    Agencies are the columns when the engine shares cost centers among them, so each group's ranking is a
    short row sort instead of one sort over every row of every group.
    """
    amount = np.asarray(amount, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.int64)
    n_groups, width = weight.shape
    if n_groups == 0 or width == 0:
        if np.any(amount != 0):
            raise ValueError("an amount has no rows to go to")
        return np.zeros_like(weight)
    if np.any(weight < 0):
        raise ValueError("weights must not be negative")
    max_w, max_n = int(weight.max()), int(np.abs(amount).max())
    # The row sums, the products N*w and the packed ranking key (remainder * width + column, with
    # remainder < W <= max_w * width) must all stay inside int64; otherwise the exact row kernel decides.
    if max_w * width * width >= _LIMIT or max_w * max_n > _LIMIT:
        rows = np.repeat(np.arange(n_groups, dtype=np.int64), width)
        keys = np.tile(np.arange(width, dtype=np.int64), n_groups)
        return apportion(amount, rows, weight.reshape(-1), keys).reshape(n_groups, width)
    total = weight.sum(axis=1)
    if np.any((total == 0) & (amount != 0)):
        raise ValueError("an amount has only zero weights to go by")
    w_total = np.where(total == 0, 1, total)[:, None]
    packed = amount[:, None] * weight
    floor = packed // w_total
    scratch = floor * w_total
    packed -= scratch  # now the remainder
    leftover = amount - floor.sum(axis=1)
    # Larger packed value = served first: larger remainder, then smaller column. A cell with a zero remainder
    # packs below `width` and never wins, because fewer cents are left over than cells with a remainder.
    packed *= width
    packed += np.arange(width - 1, -1, -1, dtype=np.int64)
    np.copyto(scratch, packed)
    scratch.sort(axis=1)
    cutoff = scratch[np.arange(n_groups), width - np.maximum(leftover, 1)]
    cutoff[leftover == 0] = _LIMIT  # nothing left over: no cell reaches it
    floor += packed >= cutoff[:, None]
    return floor


def _floor_and_remainder_mixed(
    n: Int64Array, weight: Int64Array, w_total: Int64Array, risky: npt.NDArray[np.bool_]
) -> tuple[Int64Array, Int64Array]:
    floor = np.empty_like(n)
    remainder = np.empty_like(n)
    safe = ~risky
    product = n[safe] * weight[safe]
    floor[safe] = product // w_total[safe]
    remainder[safe] = product - floor[safe] * w_total[safe]
    big = n[risky].astype(object) * weight[risky].astype(object)
    w_big = w_total[risky].astype(object)
    q = big // w_big
    floor[risky] = q.astype(np.int64)  # |q| <= |N|, so it fits
    remainder[risky] = (big - q * w_big).astype(np.int64)  # 0 <= r < W, so it fits
    return floor, remainder


def _apportion_exact_python(
    amount: Int64Array, group: Int64Array, weight: Int64Array, key_rank: Int64Array
) -> Int64Array:
    """The same rule in Python integers, for weights so large their sums would wrap int64."""
    totals: dict[int, int] = {}
    for g, w in zip(group.tolist(), weight.tolist(), strict=True):
        totals[g] = totals.get(g, 0) + w
    floors: list[int] = []
    ranked: dict[int, list[tuple[int, int, int]]] = {}
    for r, (g, w, k) in enumerate(zip(group.tolist(), weight.tolist(), key_rank.tolist(), strict=True)):
        total = totals[g]
        n = int(amount[g])
        if total == 0:
            if n:
                raise ValueError("an amount has only zero weights to go by")
            floors.append(0)
            continue
        q, rem = divmod(n * w, total)
        floors.append(q)
        ranked.setdefault(g, []).append((-rem, k, r))
    result = np.array(floors, dtype=np.int64)
    for g, rows in ranked.items():
        left = int(amount[g]) - sum(floors[r] for _, _, r in rows)
        for _, _, r in sorted(rows)[:left]:
            result[r] += 1
    return result
