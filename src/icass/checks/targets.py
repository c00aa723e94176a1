"""A post's budget against its targets (H-422, H-423): for each funding source with a target, what the post
budgets of it, the centrally funded contracts and the PSU charge inside it, the operating allowance that is left
to the post, and how far the budget is over or under the target; and the warning on a post over its target.

Readings (the handbook states none of these as a formula; docs/rules.md):
- the budget counted against a target is every budget line and position cost line of its funding source;
  AmSal and PAT are never counted, being outside every target (H-423.1 a);
- centrally funded RB and DS contracts (`central = yes`, H-423.2-1) and the PSU charge (SOC 2529, H-423.2-2 a)
  are inside the target of their funding source; the ISC takes both out of the post's operating allowance, so
  the operating allowance is the target less both;
- a post over its target is told so against its final target once there is one, else its initial one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from icass.checks.broken import broken
from icass.diagnostics import Diagnostic
from icass.model import PostBundle, Target
from icass.model.columnar import column
from icass.money import format_grouped

PSU_SOC = "2529"  # H-423.2-2 a: the PSU charge is budgeted to SOC 2529, and only it
CENTRAL_SECTION = "H-423.2-1"
PSU_SECTION = "H-423.2-2 a"
KINDS = ("initial", "final")


@dataclass(frozen=True)
class TargetLine:
    """One funding source of one post against one of its targets, in cents."""

    post: str
    funding: str
    kind: str
    target: int
    budgeted: int
    central_contracts: int
    psu: int
    target_source: Target | None = None

    @property
    def operating_allowance(self) -> int:
        return self.target - self.central_contracts - self.psu

    @property
    def difference(self) -> int:
        """Over the target when positive, under it when negative."""
        return self.budgeted - self.target


@dataclass(frozen=True)
class Counted:
    """What a post's budget counts against each funding source's target, in cents."""

    budgeted: dict[str, int]
    central_contracts: dict[str, int]
    psu: dict[str, int]


def counted(bundle: PostBundle) -> Counted:
    budgeted: dict[str, int] = defaultdict(int)
    central: dict[str, int] = defaultdict(int)
    psu: dict[str, int] = defaultdict(int)
    lines = zip(*(column(bundle.budget, name) for name in ("funding", "soc", "amount", "central")), strict=True)
    for funding, soc, amount, is_central in lines:
        budgeted[funding] += amount
        if is_central:
            central[funding] += amount
        if soc == PSU_SOC:
            psu[funding] += amount
    pooled = zip(*(column(bundle.position_costs, name) for name in ("funding", "soc", "amount")), strict=True)
    for funding, soc, amount in pooled:
        budgeted[funding] += amount
        if soc == PSU_SOC:
            psu[funding] += amount
    return Counted(dict(budgeted), dict(central), dict(psu))


def target_lines(post: str, bundle: PostBundle, targets: Iterable[Target]) -> list[TargetLine]:
    """The post's lines, one for each of its targets of its own fiscal year, sorted by funding and kind."""
    found = counted(bundle)
    lines = [
        TargetLine(
            post,
            str(t.funding),
            t.kind,
            t.amount,
            found.budgeted.get(str(t.funding), 0),
            found.central_contracts.get(str(t.funding), 0),
            found.psu.get(str(t.funding), 0),
            t,
        )
        for t in targets
        if t.fiscal_year == bundle.post.fiscal_year
    ]
    return sorted(lines, key=lambda line: (line.post, line.funding, line.kind))


def binding(lines: Sequence[TargetLine]) -> list[TargetLine]:
    """The line each funding source is judged by: its final target once there is one, else its initial one."""
    by_funding: dict[str, TargetLine] = {}
    for line in lines:
        kept = by_funding.get(line.funding)
        if kept is None or KINDS.index(line.kind) > KINDS.index(kept.kind):
            by_funding[line.funding] = line
    return [by_funding[f] for f in sorted(by_funding)]


def over_targets(bundle: PostBundle, targets: Iterable[Target]) -> list[Diagnostic]:
    """Rule R119 for each funding source whose budget is over the target it is judged by (`binding`). A warning,
    not an error: the handbook sets targets but states no rule that a budget stay within them (BUDGET_RULES
    2.9); a final budget over its final target is for the approvals of the ICASS year to stop."""
    return [
        broken(
            "R119",
            line.target_source.source if line.target_source is not None else bundle.post.source,
            f"the post budgets ${format_grouped(line.budgeted)} of {line.funding}, "
            f"${format_grouped(line.difference)} over its {line.kind} {line.funding} target of "
            f"${format_grouped(line.target)}",
            field="amount",
        )
        for line in binding(target_lines(bundle.post.code, bundle, targets))
        if line.difference > 0
    ]
