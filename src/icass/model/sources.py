"""The post's own records that workload counts are derived from (docs/bundle.md, "Source records").

They are columns, not one object per row: a large post has thousands of people and tens of thousands of
dated transactions, and every counting rule is a filter, a join and a sum over them. Each frame has a `row`
column, the row of its file as a spreadsheet numbers it, so every count can name the rows it came from.
Dates are polars `Date`; quantities are `Int64` in ten-thousandths (QUANTITY_SCALE); money is `Int64` cents;
yes/no columns are `Boolean` with their default filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

QUANTITY_SCALE = 10_000  # quantities carry at most four decimal places


@dataclass(frozen=True)
class SourceRecords:
    """Each source record file of the bundle as a frame, or None when the bundle lacks it."""

    people: pl.DataFrame | None = None
    subscriptions: pl.DataFrame | None = None
    it_inventory: pl.DataFrame | None = None
    procurement: pl.DataFrame | None = None
    housing: pl.DataFrame | None = None
    office_space: pl.DataFrame | None = None
    guard_hours: pl.DataFrame | None = None
    activity: pl.DataFrame | None = None

    def present(self) -> tuple[str, ...]:
        """The names of the record files the bundle has."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is not None)


FILE_OF = {
    "people": "people.csv",
    "subscriptions": "subscriptions.csv",
    "it_inventory": "it_inventory.csv",
    "procurement": "procurement.csv",
    "housing": "housing.csv",
    "office_space": "office_space.csv",
    "guard_hours": "guard_hours.csv",
    "activity": "activity.csv",
}
