"""The handbook's budget rules on object classes (SOCs): AmSal, PAT, PSU, fenced furniture funds (group b), each a check
(icass.catalog.budget_rules holds its section, severity and advice)."""

from __future__ import annotations

from icass.checks.context import Check

CHECKS: tuple[Check, ...] = ()
