"""A broken rule of the handbook's budget rules (icass.catalog.budget_rules) as a Diagnostic: the severity,
section and advice are the table's, so that every face tells the rule the same way; the check says only where
and what it found."""

from __future__ import annotations

from icass.catalog.budget_rules import budget_rule
from icass.diagnostics import Diagnostic
from icass.model.provenance import Source


def broken(rule_id: str, source: Source, found: str, field: str = "", alone: bool = False) -> Diagnostic:
    """`found`: what this row holds that breaks the rule, in a clause ("SOC 0006 is funded RB"); the message
    adds what to do and the rule's id. A broken rule is the post's problem until fixed, since the rows that
    break it together may be fixed in any order (Diagnostic.spans_rows); but a row that breaks an error rule
    by its own cells `alone` (SOC 0006 funded RB) is refused in the workspace as a malformed cell is, its
    problem shown beside the field."""
    rule = budget_rule(rule_id)
    message = f"{found}. {rule.message} (rule {rule.id})" if found else f"{rule.message} (rule {rule.id})"
    return Diagnostic(rule.severity, source, message, field, rule.section, spans_rows=not alone, rule=rule.id)
