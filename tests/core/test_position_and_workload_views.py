"""The views of the position and workload pages (issue 18): a position's pool and where its time goes in the
cents the engine distributes; the workload by cost center with names, subtotals and the derived counts; the
rule a position given whole in one form is held to; amounts as people type them."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from icass.checks.positions import allocation_given_problem
from icass.diagnostics import error
from icass.distribution.explain import explain
from icass.model import Origin, Source
from icass.money import plain_amount
from icass.runs.post import PostRun, run_post
from icass.store.steps import workload_record
from icass.views.positions import (
    funding_name,
    page_holding,
    page_of_pools,
    pools_total,
    position_choices,
    position_pools,
    position_records,
)
from icass.views.workload import (
    LINES_A_PAGE,
    agencies_counted,
    kept_groups,
    line_records,
    lines_page,
    workload_groups,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def run() -> PostRun:
    found = run_post(EXAMPLES / "standard-post")
    assert found.ok
    return found


def test_a_positions_time_carries_its_pool_in_the_cents_the_engine_distributes(run):
    assert run.bundle is not None
    assert run.distribution is not None
    pools = position_pools(run)
    assert [p.position_id for p in pools] == [p.position_id for p in run.bundle.positions]
    first = pools[0]
    assert [(part.funding, part.from_grade) for part in first.pool[:2]] == [("AMSAL", True), ("PAT", True)]
    factors = {f.grade: f for f in run.bundle.cost_factors}
    assert first.pool[0].cents == factors[first.grade].amsal
    for p in pools:
        assert p.percent == 100
        assert sum(t.cents for t in p.time) == p.total  # every cent of the pool goes somewhere
        assert all(t.name for t in p.time)  # each cost center by its name
    # What the positions bring each cost center is what the engine's explanation of it says they bring.
    for cost_center in sorted({t.cost_center for p in pools for t in p.time}):
        brought = sum(t.cents for p in pools for t in p.time if t.cost_center == cost_center)
        explained = explain(run.bundle, run.distribution, cost_center).contributions
        assert brought == sum(c.cents for c in explained if c.what.startswith("position "))


def test_a_position_in_error_still_shows_with_its_problems(run):
    assert run.records is not None
    first = run.records.entered.positions[0]
    problem = error(Source("positions", first.source.row), "time allocation sums to 90 percent, not 100", "position_id")
    broken = dataclasses.replace(run, bundle=None, diagnostics=(*run.diagnostics, problem))
    pools = position_pools(broken)
    assert [p.position_id for p in pools] == [p.position_id for p in position_pools(run)]
    assert pools[0].problems == (problem,)  # named with or without the file's extension, as the checks do
    assert all(not p.problems for p in pools[1:])


def test_the_form_offers_codes_with_their_names(run):
    choices = position_choices(run)
    assert [(c.code, c.name) for c in choices.fundings] == [
        ("RB", "Regional bureau"),
        ("OBO", "Overseas Buildings Operations"),
        ("LGP", "Local guard program"),
    ]
    assert ("6150", "Basic Package Services") in [(c.code, c.name) for c in choices.cost_centers]
    assert [c.code for c in choices.categories] == ["USDH", "LE", "EFM"]
    assert choices.grades[0].name.startswith("AmSal $")
    assert funding_name("AMSAL") == "American salaries"
    assert funding_name("XYZ") == "XYZ"


def test_a_time_allocation_given_whole_adds_up_to_100():
    assert allocation_given_problem(["60", "40"]) is None
    assert allocation_given_problem(["33.3333", "33.3333", "33.3334"]) is None
    problem = allocation_given_problem(["60", "", "30", "lots"])  # the blank and the word are their cells' problems
    assert problem is not None
    assert problem.message == "the time allocation adds up to 90 percent, not 100"
    assert (problem.field, problem.section) == ("percent", "H-341.14-1")
    nothing = allocation_given_problem([])
    assert nothing is not None
    assert "0 percent" in nothing.message


def test_amounts_as_people_type_them():
    assert plain_amount("12,000") == "12000"
    assert plain_amount("$12,000.00") == "12000.00"
    assert plain_amount(" $ 950.5 ") == "950.5"
    assert plain_amount("1,234,567") == "1234567"
    # Not grouped by threes: left as typed, for the amount's own check to refuse.
    for typed in ("12,00", "1,2345", "twelve", "-5", "12.000,50"):
        assert plain_amount(typed) == typed


def test_the_workload_by_cost_center_with_names_subtotals_and_derived_counts(run):
    assert run.bundle is not None
    lines = [workload_record(w, None) for w in run.bundle.workload]  # as the store gives them to the API
    typed = next(i for i, line in enumerate(lines) if line.cost_center == "6150" and line.origin == Origin.DERIVED)
    lines[typed] = dataclasses.replace(lines[typed], count="500", origin=str(Origin.ENTERED))
    groups = workload_groups(run, lines)
    assert [g.cost_center for g in groups] == sorted({w.cost_center for w in run.bundle.workload})
    basic = next(g for g in groups if g.cost_center == "6150")
    assert basic.name == "Basic Package Services"
    assert basic.unit
    assert sum(s.count for s in basic.subtotals) == sum(Decimal(r.line.count) for r in basic.rows)
    assert [s.factor for s in basic.subtotals] == list(dict.fromkeys(r.line.factor for r in basic.rows))
    (entered,) = [r for r in basic.rows if r.entered]
    assert entered.derived == run.bundle.workload[typed].count  # what the records derive, beside the 500
    assert entered.differs
    assert (basic.entered, basic.differing) == (1, 1)
    assert all(r.agency_name for r in basic.rows)
    halved = next(r for g in groups for r in g.rows if Decimal(r.line.modification) != 1)
    assert halved.modified == Decimal(halved.line.count) * Decimal(halved.line.modification)


def test_the_cost_centers_a_search_keeps_and_a_page_of_their_lines(run):
    assert run.bundle is not None
    groups = workload_groups(run, [workload_record(w, None) for w in run.bundle.workload])
    assert kept_groups(groups, "", "") == groups
    (basic,) = kept_groups(groups, "6150", "")
    assert basic.cost_center == "6150"
    counting = kept_groups(groups, "", "1100.0")
    assert 0 < len(counting) < len(groups)
    assert all(any(r.line.agency == "1100.0" for r in g.rows) for g in counting)
    assert kept_groups(groups, "9999", "") == ()
    big = next(g for g in groups if len(g.rows) > LINES_A_PAGE)
    first, second = lines_page(big, "", 1), lines_page(big, "", 2)
    assert (first.pages, first.found, len(first.rows)) == (2, len(big.rows), LINES_A_PAGE)
    assert first.rows + second.rows == big.rows  # each line on one page, in order
    assert (second.first, lines_page(big, "", 99).page, lines_page(big, "", 0).page) == (LINES_A_PAGE + 1, 2, 1)
    alone = lines_page(basic, "1931.0", 1)
    assert alone.rows
    assert {r.line.agency for r in alone.rows} == {"1931.0"}
    assert alone.found == len(alone.rows)
    assert alone.group is basic  # its headings and subtotals are the cost center's
    empty = lines_page(basic, "no such agency", 3)
    assert (empty.rows, empty.page, empty.pages, empty.found) == ((), 1, 1, 0)
    named = agencies_counted(groups)
    assert [code for code, _ in named] == sorted({w.agency for w in run.bundle.workload})
    assert all(name for _, name in named)


def test_the_records_behind_a_count(run):
    found = line_records(run, "6150", "1931.0", "UNIFORMED")
    assert found is not None
    assert found.derived == found.line.count == len(found.counted)
    assert all(c.file == "people.csv" for c in found.counted)
    assert line_records(run, "6150", "1931.0", "NO_SUCH_FACTOR") is None
    assert line_records(dataclasses.replace(run, derivation=None), "6150", "1931.0", "UNIFORMED") is None


def test_positions_are_paged_and_found_by_number_or_title(run):
    pools = position_pools(run)
    positions = position_records(run)
    assert len(positions) > 25
    assert pools_total(run) == sum(p.total for p in pools)
    first = page_of_pools(positions, "", 1, run)
    assert (first.page, first.pages, first.found) == (1, -(-len(pools) // 25), len(pools))
    assert first.pools == pools[:25]
    last = page_of_pools(positions, "", 10_000, run)  # kept within the pages there are
    assert last.page == last.pages
    assert last.pools == pools[(last.pages - 1) * 25 :]
    wanted = pools[30]
    found = page_of_pools(positions, wanted.position_id.lower(), 1, run)
    assert wanted in found.pools
    assert all(wanted.position_id.lower() in f"{p.position_id} {p.title}".lower() for p in found.pools)
    assert page_of_pools(positions, "no such position anywhere", 1, run).found == 0
    assert page_holding(positions, wanted.position_id) == 2
    assert page_holding(positions, "nobody") == 1
    assert position_pools(run, {wanted.position_id}) == (wanted,)
