"""The one-to-many join the engine uses everywhere, on index columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]


def slots(slot_of_row: IntArray, n_slots: int) -> tuple[IntArray, IntArray, IntArray]:
    """Group rows by slot: (order that sorts rows by slot, first sorted position of each slot, row count)."""
    order = np.argsort(slot_of_row, kind="stable")
    count = np.bincount(slot_of_row, minlength=n_slots).astype(np.int64)
    start = np.cumsum(count) - count
    return order, start, count


def fan_out(left_slot: IntArray, start: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
    """Pairs (left row, right position) for every right row in the left row's slot.

    `start`/`count` describe right rows laid out contiguously per slot (see `slots`); the right position
    returned indexes that layout.
    """
    reps = count[left_slot]
    total = int(reps.sum())
    left = np.repeat(np.arange(left_slot.shape[0], dtype=np.int64), reps)
    first = np.cumsum(reps) - reps
    right = np.repeat(start[left_slot] - first, reps) + np.arange(total, dtype=np.int64)
    return left, right
