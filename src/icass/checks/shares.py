"""The handbook's budget rules on a cost center's share of the post's budget (group g), each a check
(icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
