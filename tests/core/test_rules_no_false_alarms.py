"""No false alarms (issue 19): budgets that follow the handbook's rules raise none of its errors. The samples
follow every rule checked; budgets drawn from them, their amounts scaled line by line and their rows put in
another order, follow the same rules (no rule judges an amount's size but the share limits, which are
warnings), so none of them may raise an error of a budget rule. Posts grown from them by steps that keep every
rule (more agencies, more positions, more lines, more heads) may raise none either."""

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
from icass.model import PositionCategory, PostBundle
from icass.model.special import MEDEVAC_AGENCY
from icass.runs.post import run_post

ROOT = Path(__file__).resolve().parents[2]
SINGLE_AGENCY = ("5822",)  # H-341.5-2(A) NOTE
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


def _rows(table):
    return list(table.records() if hasattr(table, "records") else table)


@st.composite
def grown_posts(draw, sample: str) -> PostBundle:
    """A post grown from a sample by steps that keep every rule the sample keeps: each agency's counts times a
    whole number (whole heads stay whole, LE steps stay steps, and one agency's counts keep their order), agencies
    of other departments copied under new codes with their counts, LE positions copied with their time and their
    pool, budget lines split in parts of other amounts, and every table in another order."""
    bundle = SAMPLES[sample].bundle
    agencies, workload = _rows(bundle.agencies), _rows(bundle.workload)
    times = {agency.code: draw(st.integers(1, 4), label=f"times {agency.code}") for agency in agencies}
    workload = [dataclasses.replace(count, count=count.count * times[count.agency]) for count in workload]
    # State's own codes and the regional MEDEVAC's stand for one office each; another agency may have two.
    others = [agency for agency in agencies if not agency.code.startswith("19") and agency.code != MEDEVAC_AGENCY]
    for n, agency in enumerate(draw(st.lists(st.sampled_from(others), max_size=3)) if others else []):
        code = f"{9100 + n}.0"
        agencies.append(dataclasses.replace(agency, code=code, name=f"{agency.name} (second office)"))
        # A building one agency occupies alone (5822) is that agency's: the copy has none of its own.
        workload += [
            dataclasses.replace(count, agency=code)
            for count in workload
            if count.agency == agency.code and count.cost_center.split("-")[0] not in SINGLE_AGENCY
        ]
    positions, allocation, pool = _rows(bundle.positions), _rows(bundle.time_allocation), _rows(bundle.position_costs)
    local = [position for position in positions if position.category == PositionCategory.LE]
    for n, position in enumerate(draw(st.lists(st.sampled_from(local), max_size=6)) if local else []):
        copy = f"{position.position_id}-{n}"
        positions.append(dataclasses.replace(position, position_id=copy))
        allocation += [
            dataclasses.replace(t, position_id=copy) for t in allocation if t.position_id == position.position_id
        ]
        pool += [
            dataclasses.replace(line, position_id=copy) for line in pool if line.position_id == position.position_id
        ]
    amounts = st.integers(1, 5_000_000_00)
    budget = [
        dataclasses.replace(line, amount=draw(amounts))
        for line in _rows(bundle.budget)
        for _ in range(draw(st.integers(1, 3)))
    ]
    return dataclasses.replace(
        bundle,
        agencies=tuple(draw(st.permutations(agencies))),
        workload=tuple(draw(st.permutations(workload))),
        positions=tuple(draw(st.permutations(positions))),
        time_allocation=tuple(draw(st.permutations(allocation))),
        position_costs=tuple(draw(st.permutations(pool))),
        budget=tuple(draw(st.permutations(budget))),
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data(), sample=st.sampled_from(sorted(SAMPLES)))
def test_posts_grown_by_steps_that_keep_the_rules_raise_none_of_their_errors(data, sample):
    grown = data.draw(grown_posts(sample))
    assert _rule_errors(grown, SAMPLES[sample].derivation.derived) == []
