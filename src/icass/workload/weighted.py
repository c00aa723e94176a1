"""Counts with fixed weights: an agency's distribution factor is the sum of its components, each times the
weight the catalog gives it (e.g. OpenNet accounts x 0.3 for agencies with their own network, H-341.4-4 a(2);
LE staff x 0.2 in warehouse operations, H-341.7-7(D) a)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

# H-341.7-3(D) c: each executed procurement document counts by its dollar value (per agency share,
# NOTE 6): formal contracts above $250,000 count 3, simplified acquisitions above $10,000 count 2,
# micro purchases of $10,000 or less count 1.
PROCUREMENT_TIERS: tuple[tuple[Decimal, Decimal], ...] = (
    (Decimal(250_000), Decimal(3)),
    (Decimal(10_000), Decimal(2)),
)
PROCUREMENT_SECTION = "H-341.7-3(D) c"


def weighted_count(components: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """The count of one agency: the sum of count x weight over its (count, weight) components."""
    return sum((count * weight for count, weight in components), Decimal(0))


def procurement_weight(dollars: Decimal) -> Decimal:
    """The weight of one executed procurement document (or one agency's share of it) by its dollar value."""
    if dollars < 0:
        raise ValueError(f"a procurement of {dollars} dollars is negative ({PROCUREMENT_SECTION})")
    for above, weight in PROCUREMENT_TIERS:
        if dollars > above:
            return weight
    return Decimal(1)
