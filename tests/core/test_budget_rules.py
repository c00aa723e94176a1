"""The handbook's budget rules as data (icass.catalog.budget_rules) and the checks that judge them."""

from __future__ import annotations

import dataclasses
import re

import pytest

from icass.catalog.budget_rules import budget_rules
from icass.catalog.sections import headings
from icass.checks import CHECKS, checked_rules, judged_rules, unjudged_rules
from icass.checks.broken import broken
from icass.checks.facts import FACTS, RECORD_FACTS
from icass.diagnostics import Diagnostic
from icass.model import Methodology, Source
from icass.runs.post import run_post
from tests.bundles import write_bundle

RULES = budget_rules()
HEADING = re.compile(r"\bH-\d{3}(?:\.\d+)*(?:-\d+)?(?:\([A-Z]\))?")


def test_the_rules_are_r01_to_r142_in_order():
    assert list(RULES) == [f"R{n:02d}" for n in range(1, 143)]


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda r: r.id)
def test_every_rule_cites_headings_of_the_handbook(rule):
    cited = HEADING.findall(rule.section)
    assert cited or "(D) part" in rule.section or rule.section.startswith("General"), rule.section
    assert [c for c in cited if c not in headings()] == []


def test_every_check_of_a_rule_names_a_rule_of_the_table_with_its_words():
    for check in CHECKS:
        if check.budget_rule:
            rule = RULES[check.budget_rule]
            assert rule.title, f"{rule.id} is checked: it needs a title"
            assert rule.message, f"{rule.id} is checked: it needs a message"


def test_a_rule_is_told_only_once_checked():
    told = {r.id for r in RULES.values() if r.title or r.message}
    assert told == set(checked_rules()), "a rule gets its title and message with its check"


def test_every_fact_a_rule_needs_is_known():
    assert {fact for r in RULES.values() for fact in r.facts} <= set(FACTS) | set(RECORD_FACTS)


def test_a_broken_rule_names_its_id_section_and_advice():
    rule = RULES["R19"]
    d = broken(rule.id, Source("budget.csv", 4), "SOC 0006 is funded RB", field="soc")
    assert isinstance(d, Diagnostic)
    assert d.rule == rule.id
    assert d.severity == rule.severity
    assert str(d).startswith(f"{rule.severity}: budget.csv, row 4, soc: SOC 0006 is funded RB.")
    assert f"(rule {rule.id})" in str(d)
    assert str(d).endswith(f"(6 FAH-5 {rule.section})")


def test_a_post_is_judged_by_the_rules_of_its_methodology_whose_facts_it_gives(tmp_path):
    bundle = run_post(write_bundle(tmp_path / "bundle")).bundle
    judged = judged_rules(bundle)
    standard_only = {r.id for r in RULES.values() if r.applies == "standard" and not r.facts}
    assert standard_only
    assert standard_only <= judged
    lite = dataclasses.replace(bundle, post=dataclasses.replace(bundle.post, methodology=Methodology.LITE))
    assert not standard_only & judged_rules(lite)
    needing = {r.id: r.facts for r in RULES.values() if r.facts}
    assert not set(needing) & judged
    assert sorted({r for ids in unjudged_rules(bundle).values() for r in ids}) == sorted(needing)


def test_the_agency_facts_are_the_format_columns_in_the_record_order():
    from icass.bundle import format
    from icass.checks import facts
    from icass.model import Agency

    names = [f.name for f in dataclasses.fields(Agency)]
    after = names.index("separate_network") + 1
    declared = tuple(name for name, *_ in format.AGENCY_FACTS)
    assert tuple(names[after : after + len(declared)]) == declared
    assert declared == facts.AGENCY_FACTS
