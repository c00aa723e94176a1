"""The handbook's budget rules on workload counts: who is counted where, and with what weight (group f),
each a check (icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
