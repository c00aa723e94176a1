"""Rules on positions and their time allocation: where each position's time goes."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np

from icass.checks.broken import broken
from icass.checks.context import Context, per_tables
from icass.diagnostics import Diagnostic, error
from icass.model import NON_ICASS, PostBundle, Source
from icass.model.columnar import column, source_of
from icass.money import parse_decimal, scaled_integers

HUNDRED = Decimal(100)
# Where a dual position's program share goes: 0000 for State's (H-341.14-3 a), 0009 for a USAID alternate
# service provider's (H-341.14-3 b). Neither may hold all of a position's time (H-341.14-1 NOTE; for 0009 by
# the same reason: a position with no ICASS duties is not an ICASS position).
NON_ICASS_DUTIES = (NON_ICASS, "0009")


class _Allocated(NamedTuple):
    """A position whose time allocation may break a rule: its index in positions, its total, and its time on
    non-ICASS duties (with the codes that hold it)."""

    k: int
    position_id: str
    total: Decimal
    non_icass: Decimal
    non_icass_codes: tuple[str, ...]


def time_sums(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Each position's time allocation sums to 100 percent (R52)."""
    return [
        broken(
            "R52",
            source_of(bundle.positions, found.k),
            f"position {found.position_id}: time allocation sums to {found.total} percent, not 100"
            " (time_allocation.csv)",
            field="position_id",
        )
        for found in _allocated(bundle)
        if found.total != HUNDRED
    ]


def time_not_all_non_icass(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A non-ICASS dual position does not spend all its time on non-ICASS duties (R41)."""
    return [
        broken(
            "R41",
            source_of(bundle.positions, found.k),
            f"position {found.position_id} is allocated 100 percent to {' and '.join(found.non_icass_codes)}",
            field="position_id",
        )
        for found in _allocated(bundle)
        if found.non_icass == HUNDRED
    ]


def _allocated(bundle: PostBundle) -> list[_Allocated]:
    """The positions whose time allocation does not sum to 100 or is all on non-ICASS duties (R52, R41 read the
    same, made once for the tables)."""
    return _allocated_in(bundle.positions, bundle.time_allocation)


@per_tables
def _allocated_in(position_table: Sequence[Any], allocation: Sequence[Any]) -> list[_Allocated]:
    """The positions whose time allocation does not sum to 100 or is all on non-ICASS duties, with their sums,
    in the order of positions.csv; found in int64 arrays first, since most posts have none."""
    ids, codes, percents = (column(allocation, name) for name in ("position_id", "cost_center", "percent"))
    positions = column(position_table, "position_id")
    suspects = _allocation_suspects(positions, ids, codes, percents)
    if suspects == set():
        return []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    on_non_icass: dict[str, Decimal] = defaultdict(Decimal)
    non_icass_codes: dict[str, set[str]] = defaultdict(set)
    for position_id, code, percent in zip(ids, codes, percents, strict=True):
        if suspects is None or position_id in suspects:
            totals[position_id] += percent
            if code in NON_ICASS_DUTIES:
                on_non_icass[position_id] += percent
                non_icass_codes[position_id].add(code)
    return [
        _Allocated(
            k,
            position_id,
            totals[position_id],
            on_non_icass[position_id],
            tuple(sorted(non_icass_codes[position_id])),
        )
        for k, position_id in enumerate(positions)
        if suspects is None or position_id in suspects
    ]


def _allocation_suspects(
    positions: list[str], ids: list[str], codes: list[str], percents: list[Decimal]
) -> set[str] | None:
    """The positions whose time allocation may not sum to 100, or be 100 on non-ICASS duties, found in int64
    arrays (the percents over a common power of ten, exact); None when they cannot be (a value past int64):
    then every position is summed in Decimals, which is what the messages show anyway."""
    try:
        scaled, exponent = scaled_integers(percents)
    except OverflowError:
        return None
    if len(scaled) and int(np.abs(scaled).max()) * len(scaled) >= 2**63:
        return None
    slot = {position_id: k for k, position_id in enumerate(positions)}
    at = np.fromiter(map(slot.get, ids, repeat(len(positions))), np.int64, len(ids))
    totals = np.zeros(len(positions) + 1, dtype=np.int64)
    np.add.at(totals, at, scaled)
    on_non_icass = np.zeros(len(positions) + 1, dtype=np.int64)
    dual = np.fromiter(map(NON_ICASS_DUTIES.__contains__, codes), np.bool_, len(codes))
    np.add.at(on_non_icass, at[dual], scaled[dual])
    hundred = 100 * 10**exponent
    of_position = np.fromiter(map(slot.__getitem__, positions), np.int64, len(positions))
    odd = (totals[of_position] != hundred) | (on_non_icass[of_position] == hundred)
    return {positions[k] for k in np.flatnonzero(odd).tolist()}


def allocation_given_problem(percents: Sequence[str]) -> Diagnostic | None:
    """The time allocation a new position comes with in one form (the position page) adds up to 100 percent
    (H-341.14-1): given whole, it is not a state passed through while rows are edited one by one, so it is
    refused rather than left as the post's problem. A percent that is not a number is its own cell's problem."""
    total = Decimal(0)
    for text in percents:
        with contextlib.suppress(ValueError):
            total += parse_decimal(text) if text.strip() else Decimal(0)
    if total == HUNDRED:
        return None
    return error(
        Source("time_allocation.csv", key="time_allocation"),
        f"the time allocation adds up to {total} percent, not 100",
        field="percent",
        section="H-341.14-1",
        spans_rows=True,
    )
