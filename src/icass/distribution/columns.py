"""A batch of posts as integer columns: the form the engine computes on.

One post is a batch of one; the worldwide run is a batch of every post. Codes become indexes into
sorted code tables, so an index order is also the codes' ascending string order (the tie-break key).
Money is int64 cents; time allocation percents and modified workload counts are int64 over a power of ten
shared by the whole column, so every ratio the engine forms is exact.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from icass.model import FUNDING_SOURCES, ICASS_AGENCY, STATE_AGENCY, PostBundle
from icass.model.columnar import column
from icass.money import scaled_integers

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]


# How each cost center is shared (see catalog `distribution`).
WORKLOAD, MISCELLANEOUS, NON_ICASS = 0, 1, 2
KINDS = {"workload": WORKLOAD, "miscellaneous": MISCELLANEOUS, "non_icass": NON_ICASS}


@dataclass(frozen=True)
class Columns:
    """The batch's records as integer columns, codes as indexes into sorted code tables."""

    posts: tuple[str, ...]
    agencies: tuple[str, ...]  # sorted
    cost_centers: tuple[str, ...]  # sorted
    cost_center_kind: IntArray  # per cost center: WORKLOAD, MISCELLANEOUS or NON_ICASS
    # budget lines
    budget_post: IntArray
    budget_cost_center: IntArray
    budget_funding: IntArray
    budget_cents: IntArray
    # position cost pool lines (positions numbered across the batch)
    pool_position: IntArray
    pool_funding: IntArray
    pool_cents: IntArray
    position_post: IntArray
    # time allocation, percent * 10**percent_exponent
    allocation_position: IntArray
    allocation_cost_center: IntArray
    allocation_weight: IntArray
    # workload, count * modification * 10**workload_exponent
    workload_post: IntArray
    workload_cost_center: IntArray
    workload_agency: IntArray
    workload_weight: IntArray

    @property
    def funding_sources(self) -> tuple[str, ...]:
        return FUNDING_SOURCES

    def agency_index(self, code: str) -> int:
        """Index of a special agency code, or -1 when no post of the batch has it."""
        return self.agencies.index(code) if code in self.agencies else -1

    @property
    def state(self) -> int:
        return self.agency_index(STATE_AGENCY)

    @property
    def icass(self) -> int:
        return self.agency_index(ICASS_AGENCY)


def _ints(values: Sequence[int]) -> IntArray:
    return np.fromiter(values, np.int64, len(values))  # a quarter faster than np.array on a list of ints


def _indexer(codes: Sequence[str]) -> Callable[[Sequence[str]], IntArray]:
    lookup = {code: i for i, code in enumerate(codes)}
    return lambda items: np.fromiter(map(lookup.__getitem__, items), np.int64, len(items))


def columns_of(
    bundles: Sequence[PostBundle],
    kind_of: Callable[[str], str],
    kept: Columns | None = None,
    unchanged: frozenset[str] = frozenset(),
) -> Columns:
    """Integer columns of already validated bundles; `kind_of` gives a cost center's distribution kind. Read
    field by field (icass.model.columnar): no record of the large tables is made. `kept`: the columns of the
    same posts' bundles as they were before a change that left the PostBundle fields `unchanged` as they were
    (the same records): each part made of those alone is taken from it, when the code tables are the same."""
    agencies = tuple(sorted({a.code for b in bundles for a in b.agencies}))
    used: set[str] = set()
    for b in bundles:
        used.update(column(b.budget, "cost_center"), column(b.time_allocation, "cost_center"))
        used.update(column(b.workload, "cost_center"))
    cost_centers = tuple(sorted(used))
    same = kept is not None and kept.agencies == agencies and kept.cost_centers == cost_centers
    parts: dict[str, IntArray] = {}
    for part in PARTS:
        if kept is not None and same and part.made_of <= unchanged:
            parts.update((name, getattr(kept, name)) for name in part.fields)
        else:
            parts.update(part.make(bundles, agencies, cost_centers))
    return Columns(
        posts=tuple(b.post.code for b in bundles),
        agencies=agencies,
        cost_centers=cost_centers,
        cost_center_kind=_ints([KINDS[kind_of(cc)] for cc in cost_centers]),
        **parts,
    )


def _positions(bundles: Sequence[PostBundle]) -> list[dict[str, int]]:
    """Each bundle's positions -> their index across the batch."""
    local: list[dict[str, int]] = []
    base = 0
    for bundle in bundles:
        ids = column(bundle.positions, "position_id")
        local.append({position_id: base + i for i, position_id in enumerate(ids)})
        base += len(ids)
    return local


def _pool_part(
    bundles: Sequence[PostBundle], agencies: Sequence[str], cost_centers: Sequence[str]
) -> dict[str, IntArray]:
    pool_position: list[int] = []
    pool_funding: list[str] = []
    pool_cents: list[int] = []
    position_post: list[int] = []
    for p, (bundle, local) in enumerate(zip(bundles, _positions(bundles), strict=True)):
        position_post += [p] * len(local)
        pool_ids, funding, cents = bundle.cost_pool_columns()
        pool_position += map(local.__getitem__, pool_ids)
        pool_funding += funding
        pool_cents += cents
    return {
        "pool_position": _ints(pool_position),
        "pool_funding": _indexer(FUNDING_SOURCES)(pool_funding),
        "pool_cents": _ints(pool_cents),
        "position_post": _ints(position_post),
    }


def _allocation_part(
    bundles: Sequence[PostBundle], agencies: Sequence[str], cost_centers: Sequence[str]
) -> dict[str, IntArray]:
    allocation_position: list[int] = []
    allocation_cost_center: list[str] = []
    percents: list[Decimal] = []
    for bundle, local in zip(bundles, _positions(bundles), strict=True):
        allocation = bundle.time_allocation
        allocation_position += map(local.__getitem__, column(allocation, "position_id"))
        allocation_cost_center += column(allocation, "cost_center")
        percents += column(allocation, "percent")
    percent, _ = scaled_integers(percents)
    return {
        "allocation_position": _ints(allocation_position),
        "allocation_cost_center": _indexer(cost_centers)(allocation_cost_center),
        "allocation_weight": percent,
    }


def _budget_part(
    bundles: Sequence[PostBundle], agencies: Sequence[str], cost_centers: Sequence[str]
) -> dict[str, IntArray]:
    budget_post: list[int] = []
    budget_cost_center: list[str] = []
    budget_funding: list[str] = []
    budget_cents: list[int] = []
    for p, bundle in enumerate(bundles):
        budget_post += [p] * len(bundle.budget)
        budget_cost_center += column(bundle.budget, "cost_center")
        budget_funding += column(bundle.budget, "funding")
        budget_cents += column(bundle.budget, "amount")
    return {
        "budget_post": _ints(budget_post),
        "budget_cost_center": _indexer(cost_centers)(budget_cost_center),
        "budget_funding": _indexer(FUNDING_SOURCES)(budget_funding),
        "budget_cents": _ints(budget_cents),
    }


def _workload_part(
    bundles: Sequence[PostBundle], agencies: Sequence[str], cost_centers: Sequence[str]
) -> dict[str, IntArray]:
    workload_post: list[int] = []
    workload_cost_center: list[str] = []
    workload_agency: list[str] = []
    modified: list[Decimal] = []
    for p, bundle in enumerate(bundles):
        workload = bundle.workload
        workload_post += [p] * len(workload)
        workload_cost_center += column(workload, "cost_center")
        workload_agency += column(workload, "agency")
        modified += map(operator.mul, map(Decimal, column(workload, "count")), column(workload, "modification"))
    weight, _ = scaled_integers(modified)
    return {
        "workload_post": _ints(workload_post),
        "workload_cost_center": _indexer(cost_centers)(workload_cost_center),
        "workload_agency": _indexer(agencies)(workload_agency),
        "workload_weight": weight,
    }


class Part(NamedTuple):
    """A part of the columns: the PostBundle fields it is made from (with the code tables), its fields of
    Columns, and how it is made. A part made of tables that did not change is the same arrays (columns_of's
    `kept`)."""

    made_of: frozenset[str]
    fields: tuple[str, ...]
    make: Callable[[Sequence[PostBundle], Sequence[str], Sequence[str]], dict[str, IntArray]]


PARTS = (
    Part(
        frozenset({"positions", "position_costs", "cost_factors"}),
        ("pool_position", "pool_funding", "pool_cents", "position_post"),
        _pool_part,
    ),
    Part(
        frozenset({"positions", "time_allocation"}),
        ("allocation_position", "allocation_cost_center", "allocation_weight"),
        _allocation_part,
    ),
    Part(frozenset({"budget"}), ("budget_post", "budget_cost_center", "budget_funding", "budget_cents"), _budget_part),
    Part(
        frozenset({"workload"}),
        ("workload_post", "workload_cost_center", "workload_agency", "workload_weight"),
        _workload_part,
    ),
)
