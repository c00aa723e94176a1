"""Which workload lines each source record counts toward, read off the derivation's trail: shown beside the
record in its editor, so that a person changing a record sees what counts it moves."""

from __future__ import annotations

from collections import defaultdict

import polars as pl

Line = tuple[str, str, str]  # cost center, agency, factor: a derived workload line


def lines_fed(trail: pl.DataFrame | None, file: str) -> dict[int, list[Line]]:
    """Each row of `file` (as a spreadsheet numbers it) -> the workload lines it is counted in, sorted; rows
    that are read but not counted (an exclusion in the trail) count toward nothing."""
    if trail is None:
        return {}
    part = (
        trail.filter((pl.col("file") == file) & pl.col("counted"))
        .select("rows", "cost_center", "agency", "factor")
        .explode("rows")
        .unique()
        .sort("rows", "cost_center", "agency", "factor")
    )
    fed: dict[int, list[Line]] = defaultdict(list)
    for row, cost_center, agency, factor in part.iter_rows():
        fed[int(row)].append((cost_center, agency, factor))
    return dict(fed)
