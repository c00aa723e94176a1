"""The rules a post must keep before it is distributed, as a list of checks run in order (as Beancount's
validations): each is a function `(post, context) -> list[Diagnostic]`, and every broken rule is a value
that names the file, row and field and the handbook section where the rule comes from, collected and
reported together rather than raised one at a time.

The checks on cells (a value's type, a code's shape, a required cell) belong to the file formats
(icass.bundle): a row that fails them never reaches these. The checks across a post's source records run
on a batch of posts at once, before the derivation: icass.checks.records.

A new rule is a function in the module of its concept, added to CHECKS where it needs to run.
"""

from __future__ import annotations

from icass.checks import budget, counts, positions, references
from icass.checks.context import Check, Context, Costs, Needs
from icass.diagnostics import Diagnostic, has_errors
from icass.model import PostBundle

__all__ = ["CHECKS", "Check", "Context", "Costs", "Needs", "run_checks"]

CHECKS: tuple[Check, ...] = (
    Check(references.duplicates),
    Check(references.references),
    Check(positions.time_allocation),
    Check(budget.lite_financial_management),
    Check(counts.workload_lines),
    Check(budget.sums, Needs.SOUND_ROWS),  # the sums need every position's grade to be known
    Check(budget.cost_without_workload, Needs.COSTS),
    Check(budget.service_rules, Needs.COSTS),
    Check(budget.ceilings, Needs.COSTS),
    # Needs the rows alone, but its warnings have always come after those on costs.
    Check(counts.mandatory, Needs.COSTS),
)


def run_checks(post: PostBundle, context: Context, checks: tuple[Check, ...] = CHECKS) -> list[Diagnostic]:
    """What the checks find, in their order, in one of two passes, since the cost they judge is computed
    between them: without `context.costs`, the checks on rows (one that needs sound rows only when no check
    before it found an error); with it, the checks on costs (the rows' passed before the cost was computed)."""
    on_costs = context.costs is not None
    found: list[Diagnostic] = []
    for check in checks:
        if (check.needs is Needs.COSTS) != on_costs:
            continue
        if check.needs is Needs.SOUND_ROWS and has_errors(found):
            continue
        found += check.rule(post, context)
    return found
