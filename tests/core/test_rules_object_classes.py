"""The handbook's object class (SOC) rules (group b, R19-R26): each broken alone on a valid bundle fires alone, on
its file, row and field; the same bundle keeping it is silent."""

from __future__ import annotations

import dataclasses

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context
from icass.checks.object_classes import post_support_unit
from icass.model import Methodology
from icass.runs.post import run_post
from tests.bundles import replace_line, write_bundle
from tests.core.test_rules_funding import BUDGET, findings

FACTORS = "grade,amsal,pat\nFS-02,150000.00,30000.00\nFS-03,140000.00,30000.00\nFS-04,130000.00,{}\n"

# (rule, budget lines, pool lines, what the bundle with them finds): each rule broken, then kept.
CASES = [
    ("R19", ["7860,OBO,0006,1.00,,yes"], [], [("budget.csv", 7, "soc")]),
    ("R19", [], ["P1,OBO,0006,1.00"], [("position_costs.csv", 3, "soc")]),
    ("R19", ["7860,OBO,2320,1.00,,yes"], ["P1,OBO,2320,1.00"], []),
    ("R20", ["7860,OBO,0005,1.00,,yes"], [], [("budget.csv", 7, "soc")]),
    ("R20", [], ["P1,OBO,0005,1.00"], [("position_costs.csv", 3, "soc")]),
    ("R23", ["6150,RB,2529,100.00,PSU charge,"], [], [("budget.csv", 7, "soc")]),
    ("R23", ["6223,RB,2529,100.00,PSU charge,"], [], []),
    ("R24", ["7850-X799,RB,2540,100.00,Make-ready contract,"], [], [("budget.csv", 7, "soc")]),
    ("R24", ["7850-X799,RB,2510,100.00,Make-ready contract,", "7850-X799,RB,2600,100.00,Cleaning supplies,"], [], []),
    ("R25", ["6144-X144,RB,3100,100.00,FAP purchases,"], [], [("budget.csv", 7, "soc")]),
    ("R25", ["6144-X144,RB,3123,100.00,FAP purchases,", "6144-X144,RB,2224,100.00,FAP transport,"], [], []),
    ("R26", ["6144-X144,RB,3123,100.00,FAP,", "6144,RB,3123,100.00,Furniture,"], [], [("budget.csv", 8, "soc")]),
    ("R26", ["6144-X144,RB,3123,100.00,FAP,", "6144,RB,3100,100.00,Furniture,"], [], []),
    ("R26", ["6144,RB,3123,100.00,Furniture,"], [], []),  # no fenced pool: nothing is fenced
]


@pytest.mark.parametrize(("rule", "budget", "pool", "where"), CASES, ids=[c[0] for c in CASES])
def test_an_object_class_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, budget, pool, where):
    assert findings(tmp_path, budget, pool) == [(rule, *found) for found in where]


def test_amsal_comes_from_a_grade_with_cost_factors(tmp_path):
    grade = replace_line("positions.csv", "P1,USDH,FS-02", "P1,USDH,FS-09")
    assert findings(tmp_path / "broken", positions_csv=grade) == [("R21", "positions.csv", 2, "grade")]
    assert findings(tmp_path / "kept") == []


def test_pat_is_one_factor_for_every_grade(tmp_path):
    found = findings(tmp_path / "broken", cost_factors_csv=FACTORS.format("25000.00"))
    assert found == [("R22", "cost_factors.csv", 4, "pat")]
    assert findings(tmp_path / "kept", cost_factors_csv=FACTORS.format("30000.00")) == []


def test_the_pat_warning_names_every_grade_that_differs(tmp_path):
    factors = FACTORS.format("25000.00") + "FS-05,120000.00,20000.00\n"
    bundle = run_post(write_bundle(tmp_path / "bundle", cost_factors_csv=factors))
    (warning,) = bundle.diagnostics
    assert "the PAT of FS-04, FS-05 differs from the $30,000.00 of the other grades" in warning.message


def test_a_lite_post_budgets_psu_on_its_financial_management_cost_center(tmp_path):
    bundle = run_post(write_bundle(tmp_path / "bundle", budget_csv=BUDGET)).bundle
    assert bundle is not None
    lite = dataclasses.replace(bundle, post=dataclasses.replace(bundle.post, methodology=Methodology.LITE))
    context = Context(load_catalog(), load_counting_rules())
    for code, rules in (("6225", []), ("6223", []), ("6150", ["R23"])):
        line = dataclasses.replace(lite.budget[0], cost_center=code, soc="2529")
        found = post_support_unit(dataclasses.replace(lite, budget=(line,)), context)
        assert [d.rule for d in found] == rules, code
