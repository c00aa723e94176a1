"""Counts with fixed weights: an agency's distribution factor is the sum of its components, each times the
weight the counting rules give it (e.g. OpenNet accounts x 0.3 for agencies with their own network,
H-341.4-4 a(2); LE staff x 0.2 in warehouse operations, H-341.7-7(D) a)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from icass.catalog.counting import load_counting_rules


def weighted_count(components: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """The count of one agency: the sum of count x weight over its (count, weight) components."""
    return sum((count * weight for count, weight in components), Decimal(0))


def procurement_weight(dollars: Decimal, methodology: str = "standard") -> Decimal:
    """The weight of one executed procurement document (or one agency's share of it) by its dollar value
    (the tiers of H-341.7-3(D) c, as catalog/counting/rules.toml records them)."""
    rule = next(r for r in load_counting_rules().procurement if methodology in r.methodologies)
    return rule.weight_of(dollars)
