"""The handbook's budget rules on sub-cost centers: which may exist, what they hold, and their counts (group e),
each a check (icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
