"""The handbook's budget rules as data (budget_rules.toml): each rule's id, the section that states it, its
severity, the methodologies it judges, the handbook's words, what it checks, what a person whose row breaks it
should do, and the optional facts it needs. icass.checks holds the function that judges each rule; the table
says what it is, so that `icass rules`, the messages and the docs tell the same rule the same way."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

GROUPS = (
    "funding",
    "object_class",
    "time_allocation",
    "subscriptions",
    "sub_cost_centers",
    "counts",
    "shares",
    "other",
)
SEVERITIES = ("error", "warning", "info")
APPLIES = ("standard", "lite", "both")


@dataclass(frozen=True, slots=True)
class BudgetRule:
    """One rule of the handbook a post's budget must keep."""

    id: str
    group: str
    section: str
    severity: str
    applies: str
    words: str
    title: str
    message: str
    facts: tuple[str, ...] = ()

    def judges(self, methodology: str) -> bool:
        return self.applies in ("both", methodology)

    @property
    def number(self) -> int:
        """R07 -> 7: the rules' order."""
        return int(self.id[1:])


@cache
def budget_rules() -> dict[str, BudgetRule]:
    """Every rule by its id, in the order of their numbers."""
    text = (resources.files("icass.catalog") / "budget_rules.toml").read_text(encoding="utf-8")
    rules = [
        BudgetRule(
            entry["id"],
            entry["group"],
            entry["section"],
            entry["severity"],
            entry["applies"],
            entry["words"],
            entry["title"],
            entry["message"],
            tuple(entry.get("facts", ())),
        )
        for entry in tomllib.loads(text)["rule"]
    ]
    for rule in rules:
        if rule.group not in GROUPS or rule.severity not in SEVERITIES or rule.applies not in APPLIES:
            raise ValueError(f"budget_rules.toml, {rule.id}: unknown group, severity or applies")
    return {rule.id: rule for rule in sorted(rules, key=lambda r: r.number)}


def budget_rule(rule_id: str) -> BudgetRule:
    return budget_rules()[rule_id]
