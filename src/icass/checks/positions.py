"""Rules on positions and their time allocation: where each position's time goes."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from itertools import repeat

import numpy as np

from icass.checks.context import Context
from icass.diagnostics import Diagnostic, error
from icass.model import NON_ICASS, PostBundle, Source
from icass.model.columnar import column, source_of
from icass.money import parse_decimal, scaled_integers

HUNDRED = Decimal(100)


def time_allocation(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Each position's time allocation sums to 100 percent, and a non-ICASS dual position is not all on 0000."""
    found: list[Diagnostic] = []
    allocation = bundle.time_allocation
    ids, codes, percents = (column(allocation, name) for name in ("position_id", "cost_center", "percent"))
    positions = column(bundle.positions, "position_id")
    suspects = _allocation_suspects(positions, ids, codes, percents)
    if suspects == set():
        return found  # every position's allocation sums to 100, none all on 0000: the usual case
    totals: dict[str, Decimal] = defaultdict(Decimal)
    on_non_icass: dict[str, Decimal] = defaultdict(Decimal)
    for position_id, code, percent in zip(ids, codes, percents, strict=True):
        if suspects is None or position_id in suspects:
            totals[position_id] += percent
            if code == NON_ICASS:
                on_non_icass[position_id] += percent
    non_icass = context.catalog.find(NON_ICASS, bundle.post.methodology)
    for k, position_id in enumerate(positions):
        if suspects is not None and position_id not in suspects:
            continue
        total = totals[position_id]
        if total != HUNDRED:
            found.append(
                error(
                    source_of(bundle.positions, k),
                    f"position {position_id}: time allocation sums to {total} percent, not 100 (time_allocation.csv)",
                    field="position_id",
                    spans_rows=True,
                )
            )
        if on_non_icass[position_id] == HUNDRED and non_icass is not None:
            found.append(
                error(
                    source_of(bundle.positions, k),
                    f"position {position_id} is allocated 100 percent to 0000; a non-ICASS dual "
                    "position must spend part of its time on ICASS services",
                    field="position_id",
                    section=f"{non_icass.section}-1 NOTE",
                    spans_rows=True,
                )
            )
    return found


def _allocation_suspects(
    positions: list[str], ids: list[str], codes: list[str], percents: list[Decimal]
) -> set[str] | None:
    """The positions whose time allocation may not sum to 100, or be 100 on 0000, found in int64 arrays (the
    percents over a common power of ten, exact); None when they cannot be (a value past int64): then every
    position is summed in Decimals, which is what the messages show anyway."""
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
    dual = np.fromiter(map(NON_ICASS.__eq__, codes), np.bool_, len(codes))
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
