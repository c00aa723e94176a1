"""The handbook's budget rules on time allocation by position category, title and cost center (group c), each a check
(icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
