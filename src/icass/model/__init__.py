"""Typed, immutable records of the post's ICASS domain."""

from icass.model.records import (
    FUNDING_SOURCES,
    METHODOLOGIES,
    REGIONS,
    Agency,
    BudgetLine,
    CostFactor,
    PoolLine,
    Position,
    Post,
    PostBundle,
    Source,
    TimeAllocation,
    Workload,
)
from icass.model.special import BASIC_PACKAGE, ICASS_AGENCY, MISCELLANEOUS, NON_ICASS, STATE_AGENCY

__all__ = [
    "BASIC_PACKAGE",
    "FUNDING_SOURCES",
    "ICASS_AGENCY",
    "METHODOLOGIES",
    "MISCELLANEOUS",
    "NON_ICASS",
    "REGIONS",
    "STATE_AGENCY",
    "Agency",
    "BudgetLine",
    "CostFactor",
    "PoolLine",
    "Position",
    "Post",
    "PostBundle",
    "Source",
    "TimeAllocation",
    "Workload",
]
