"""The handbook's budget rules on subscriptions, mandatory cost centers and modifications (group d),
each a check (icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
