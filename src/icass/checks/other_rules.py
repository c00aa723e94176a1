"""The handbook's budget rules on positions outside ICASS, costs ICASS excludes or misplaces, and TDY (group h),
each a check (icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
