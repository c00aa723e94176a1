"""The handbook's budget rules on funding sources allowed or forbidden on each cost center (group a), each a check
(icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
