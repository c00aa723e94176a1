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

from collections.abc import Mapping

from icass.catalog.budget_rules import budget_rules
from icass.checks import (
    budget,
    counts,
    funding,
    object_classes,
    other_rules,
    positions,
    references,
    shares,
    sub_cost_centers,
    subscriptions,
    targets,
    tdy_rules,
    time_rules,
    workload_rules,
)
from icass.checks.context import Check, Context, Costs, Needs, each_kind_of_line
from icass.checks.facts import fact_given
from icass.diagnostics import Diagnostic, has_errors
from icass.model import PostBundle, SourceRecords

__all__ = [
    "CHECKS",
    "Check",
    "Context",
    "Costs",
    "Needs",
    "checked_rules",
    "judged_rules",
    "run_checks",
    "run_each",
    "unjudged_rules",
]

# Where a cost center first appears, which messages on costs point at (budget._first_rows).
_FIRST_ROWS = {"budget", "time_allocation"}

CHECKS: tuple[Check, ...] = (
    Check(references.duplicate_agencies, reads=frozenset({"agencies"})),
    Check(references.agency_dates, reads=frozenset({"agencies"})),
    Check(references.duplicate_grades, reads=frozenset({"cost_factors"})),
    Check(references.duplicate_positions, reads=frozenset({"positions"})),
    Check(references.duplicate_allocations, reads=frozenset({"time_allocation"})),
    Check(references.duplicate_counts, reads=frozenset({"workload"})),
    Check(references.grade_references, reads=frozenset({"positions", "cost_factors"}), budget_rule="R21"),
    Check(references.pool_references, reads=frozenset({"positions", "position_costs"})),
    Check(
        references.centrally_funded, reads=frozenset({"position_costs", "budget"}), budget_rule="R01", line_by_line=True
    ),
    Check(references.allocation_references, reads=frozenset({"post", "positions", "time_allocation"})),
    Check(references.budget_references, reads=frozenset({"post", "budget"}), line_by_line=True),
    Check(references.count_references, reads=frozenset({"post", "agencies", "workload"})),
    Check(positions.time_sums, reads=frozenset({"positions", "time_allocation"}), budget_rule="R52"),
    Check(positions.time_not_all_non_icass, reads=frozenset({"positions", "time_allocation"}), budget_rule="R41"),
    Check(budget.lite_financial_management, reads=frozenset({"post", "budget", "time_allocation", "workload"})),
    Check(counts.workload_lines, reads=frozenset({"post", "workload"})),
    # The sums need every position's grade to be known.
    Check(budget.sums, Needs.SOUND_ROWS, frozenset({"budget", "positions", "position_costs", "cost_factors"})),
    Check(budget.cost_without_workload, Needs.COSTS, frozenset({"post", "workload", "agencies", *_FIRST_ROWS})),
    Check(budget.service_rules, Needs.COSTS, frozenset({"post", "workload", *_FIRST_ROWS})),
    Check(budget.miscellaneous_share, Needs.COSTS, frozenset({"post", *_FIRST_ROWS}), budget_rule="R118"),
    Check(budget.basic_package_share, Needs.COSTS, frozenset({"post", *_FIRST_ROWS}), budget_rule="R117"),
    # Needs the rows alone, but what it finds has always come after what the checks on costs find.
    Check(counts.mandatory, Needs.COSTS, frozenset({"post", "agencies", "workload"}), budget_rule="R53"),
    # The handbook's budget rules (icass.catalog.budget_rules), by group.
    *funding.CHECKS,
    *object_classes.CHECKS,
    *time_rules.CHECKS,
    *shares.CHECKS,
    *subscriptions.CHECKS,
    *sub_cost_centers.CHECKS,
    *workload_rules.CHECKS,
    *other_rules.CHECKS,
)


# Budget rules judged outside CHECKS, on what a PostBundle does not hold: the targets are the ISC's, read beside
# the post's rows (a bundle's targets.csv, or a world's), and judged once the run has the post's budget.
JUDGED_APART = {"R119": targets.over_targets}


def checked_rules(checks: tuple[Check, ...] = CHECKS) -> frozenset[str]:
    """The ids of the budget rules some check judges, with those judged apart: the targets beside the rows
    (JUDGED_APART), the TDY rules where the tdy/ folder is read (icass.checks.tdy_rules), and the rules judged
    on modifications.csv's rows where they are applied (icass.checks.counts)."""
    apart = frozenset(JUDGED_APART) | tdy_rules.RULES | counts.JUDGED_WHERE_APPLIED
    return frozenset(check.budget_rule for check in checks if check.budget_rule) | apart


def judged_rules(post: PostBundle, records: SourceRecords | None = None) -> frozenset[str]:
    """The ids of the budget rules judged on this post: those of its methodology whose facts it gives (in its
    source `records` for a fact of theirs)."""
    methodology = str(post.post.methodology)
    return frozenset(
        rule.id
        for rule in budget_rules().values()
        if rule.judges(methodology) and all(fact_given(post, fact, records) for fact in rule.facts)
    )


def unjudged_rules(post: PostBundle, records: SourceRecords | None = None) -> dict[str, tuple[str, ...]]:
    """Each fact this post does not give, with the rules of its methodology left unjudged for want of it:
    said once for the post, not on every row the rule would have judged."""
    methodology = str(post.post.methodology)
    missing: dict[str, list[str]] = {}
    for rule in budget_rules().values():
        if rule.judges(methodology):
            for fact in rule.facts:
                if not fact_given(post, fact, records):
                    missing.setdefault(fact, []).append(rule.id)
    return {fact: tuple(ids) for fact, ids in missing.items()}


def run_checks(post: PostBundle, context: Context, checks: tuple[Check, ...] = CHECKS) -> list[Diagnostic]:
    """What the checks find, in their order, in one of two passes, since the cost they judge is computed
    between them: without `context.costs`, the checks on rows (one that needs sound rows only when no check
    before it found an error); with it, the checks on costs (the rows' passed before the cost was computed)."""
    return [problem for found in run_each(post, context, checks).values() for problem in found]


def run_each(
    post: PostBundle,
    context: Context,
    checks: tuple[Check, ...] = CHECKS,
    kept: Mapping[Check, list[Diagnostic]] | None = None,
) -> dict[Check, list[Diagnostic]]:
    """run_checks, with what each check that ran found apart, in their order. `kept`: what some of the checks
    found on the same records in the fields they read, with the same context, taken instead of running them
    (the run after an edit that left those fields alone, icass.runs.post)."""
    on_costs = context.costs is not None
    found: dict[Check, list[Diagnostic]] = {}
    judged = judged_rules(post, context.records)
    for check in checks:
        if (check.needs is Needs.COSTS) != on_costs:
            continue
        if check.budget_rule and check.budget_rule not in judged:
            continue
        if check.needs is Needs.SOUND_ROWS and any(map(has_errors, found.values())):
            continue
        known = None if kept is None else kept.get(check)
        if known is not None:
            found[check] = known
        else:
            found[check] = each_kind_of_line(check, post, context) if check.line_by_line else check.rule(post, context)
    return found
