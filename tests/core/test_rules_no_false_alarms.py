"""No false alarms (issue 19): budgets that follow the handbook's rules raise none of its errors. The samples
follow every rule checked; budgets drawn from them, their amounts scaled line by line and their rows put in
another order, follow the same rules (no rule judges an amount's size but the share limits, which are
warnings), so none of them may raise an error of a budget rule."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context, Costs, run_checks
from icass.diagnostics import ERROR
from icass.distribution.columns import columns_of
from icass.distribution.steps import cost_centers
from icass.model import PostBundle
from icass.runs.post import run_post

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {name: run_post(ROOT / "examples" / name) for name in ("standard-post", "lite-post", "consulate")}


def _rule_errors(bundle: PostBundle, derived: frozenset[str]) -> list[str]:
    catalog, rules = load_catalog(), load_counting_rules()
    context = Context(catalog, rules, derived)
    found = run_checks(bundle, context)
    if not any(d.severity == ERROR for d in found):
        columns = columns_of([bundle], catalog.kind_of(bundle.post.methodology))
        found += run_checks(bundle, dataclasses.replace(context, costs=Costs(columns, cost_centers(columns))))
    return [str(d) for d in found if d.rule and d.severity == ERROR]


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_samples_raise_no_error_of_a_rule(sample):
    run = SAMPLES[sample]
    assert run.ok
    assert _rule_errors(run.bundle, run.derivation.derived) == []


@settings(max_examples=25, deadline=None)
@given(data=st.data(), sample=st.sampled_from(sorted(SAMPLES)))
def test_budgets_following_the_rules_raise_none_of_their_errors(data, sample):
    run = SAMPLES[sample]
    bundle = run.bundle
    budget = list(bundle.budget.records() if hasattr(bundle.budget, "records") else bundle.budget)
    pool = list(bundle.position_costs.records() if hasattr(bundle.position_costs, "records") else bundle.position_costs)
    scale = st.integers(1, 400)  # percent of the sample's amount, line by line
    budget = [dataclasses.replace(line, amount=line.amount * data.draw(scale) // 100) for line in budget]
    pool = [dataclasses.replace(line, amount=line.amount * data.draw(scale) // 100) for line in pool]
    budget = data.draw(st.permutations(budget))
    pool = data.draw(st.permutations(pool))
    drawn = dataclasses.replace(bundle, budget=tuple(budget), position_costs=tuple(pool))
    assert _rule_errors(drawn, run.derivation.derived) == []
