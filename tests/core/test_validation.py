"""Every validation rule: the message names file, row, field and, for handbook rules, the section."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.catalog.budget_rules import budget_rules
from icass.diagnostics import ERROR
from icass.runs.post import run_post
from tests.bundles import append, replace_line, write_bundle

RULES = budget_rules()


def diagnostics(tmp_path, **changes):
    result = run_post(write_bundle(tmp_path / "bundle", **changes))
    return result, [str(d) for d in result.diagnostics]


def only_error(tmp_path, **changes) -> str:
    result, messages = diagnostics(tmp_path, **changes)
    errors = [str(d) for d in result.diagnostics if d.severity == ERROR]
    assert result.bundle is None, "an invalid bundle must not come back"
    assert len(errors) == 1, messages
    return errors[0]


def test_base_bundle_is_valid_without_warnings(tmp_path):
    result, messages = diagnostics(tmp_path)
    assert result.ok
    assert messages == []
    assert result.bundle.agencies[0].extra == (("bureau", "EUR"),)


def test_missing_file(tmp_path):
    assert only_error(tmp_path, workload_csv=None) == "error: workload.csv: the file is missing"


def test_missing_column(tmp_path):
    message = only_error(tmp_path, budget_csv="cost_center,funding,soc,amount\n6150,RB,2500,1.00\n")
    assert message == "error: budget.csv, row 1: the header lacks column(s) description"


def test_row_with_wrong_number_of_fields(tmp_path):
    message = only_error(tmp_path, budget_csv=append("budget.csv", "6139,RB,2500"))
    assert message == "error: budget.csv, row 7: has 3 fields; the header has 5"


def test_post_toml_that_is_not_toml(tmp_path):
    assert "post.toml: is not valid TOML" in only_error(tmp_path, post_toml="[post\n")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('region = "EUR"', 'region = "XYZ"', "post.region: 'XYZ' is not a known region"),
        ('methodology = "standard"', 'methodology = "pro"', "post.methodology: 'pro' is not a known methodology"),
        ("fiscal_year = 2027", 'fiscal_year = "2027"', "post.fiscal_year: '2027' is not a fiscal year"),
        ('country = "Testland"\n', "", "post.country: is missing"),
    ],
)
def test_post_fields(tmp_path, old, new, expected):
    message = only_error(tmp_path, post_toml=replace_line("post.toml", old, new))
    assert message.startswith("error: post.toml, ")
    assert expected in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1000.005", "'1000.005' has more than two decimal places"),
        ("-5.00", "'-5.00' is negative"),
        ('"12,00"', "'12,00' is not a plain decimal number"),
        ("1e3", "'1e3' is not a plain decimal number"),
        ("", "'' is not a plain decimal number"),
    ],
)
def test_amounts(tmp_path, value, expected):
    message = only_error(
        tmp_path, budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00", f"6150,RB,2500,{value}")
    )
    assert message == f"error: budget.csv, row 5, amount: {expected}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.34567", "'12.34567' has more than 4 decimal places"),
        ("1000000000.5", "'1000000000.5' is larger than 1,000,000,000"),
        ("NaN", "'NaN' is not a plain decimal number"),
    ],
)
def test_counts_out_of_range(tmp_path, value, expected):
    message = only_error(
        tmp_path, workload_csv=replace_line("workload.csv", "6139,2000.0,250,", f"6139,2000.0,{value},")
    )
    assert message == f"error: workload.csv, row 15, count: {expected}"


def test_amount_out_of_range(tmp_path):
    message = only_error(
        tmp_path, budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00", "6150,RB,2500,1000000000000.01")
    )
    assert message == "error: budget.csv, row 5, amount: '1000000000000.01' is larger than 1,000,000,000,000.00"


def test_negative_count(tmp_path):
    message = only_error(tmp_path, workload_csv=replace_line("workload.csv", "6139,2000.0,250,", "6139,2000.0,-250,"))
    assert message == "error: workload.csv, row 15, count: '-250' is negative"


def test_negative_percent(tmp_path):
    message = only_error(
        tmp_path, time_allocation_csv=replace_line("time_allocation.csv", "P2,6139,100", "P2,6139,-100")
    )
    assert message == "error: time_allocation.csv, row 5, percent: '-100' is negative"


def test_unknown_funding_source(tmp_path):
    message = only_error(tmp_path, budget_csv=replace_line("budget.csv", "5880,RB,", "5880,XX,"))
    assert message.startswith("error: budget.csv, row 3, funding: 'XX' is not a known funding source (RB, OBO")


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("agencies.csv", "2000.0,Again,", "agencies.csv, row 5: duplicate agency code '2000.0': already on row 4"),
        ("cost_factors.csv", "FS-02,1.00,1.00", "cost_factors.csv, row 3: duplicate grade 'FS-02'"),
        ("positions.csv", "P2,LE,FSN-8,Clerk", "positions.csv, row 4: duplicate position_id 'P2'"),
        (
            "workload.csv",
            "6139,2000.0,1,",
            "workload.csv, row 16: duplicate (cost_center, agency, factor) ('6139', '2000.0', '')",
        ),
    ],
)
def test_duplicate_keys(tmp_path, name, line, expected):
    message = only_error(tmp_path, **{name.replace(".", "_"): append(name, line)})
    assert expected in message


@pytest.mark.parametrize(
    ("name", "line"),
    [("budget.csv", "6150,RB,2500,5.00,a second contract"), ("position_costs.csv", "P2,RB,1100,5.00")],
)
def test_repeated_lines_are_line_items_not_duplicates(tmp_path, name, line):
    # Two contracts under one SOC are two budget lines; both are distributed (issue 5, item 2).
    once = run_post(write_bundle(tmp_path / "once"))
    twice = run_post(write_bundle(tmp_path / "twice", **{name.replace(".", "_"): append(name, line)}))
    assert twice.ok, [str(d) for d in twice.diagnostics]
    assert int(twice.distribution.cost.sum()) == int(once.distribution.cost.sum()) + 500


def test_duplicate_time_allocation(tmp_path):
    result, messages = diagnostics(tmp_path, time_allocation_csv=append("time_allocation.csv", "P2,6139,0"))
    assert any("time_allocation.csv, row 6: duplicate (position_id, cost_center)" in m for m in messages)
    assert result.bundle is None


def test_unknown_cost_center(tmp_path):
    message = only_error(tmp_path, budget_csv=append("budget.csv", "9999,RB,2500,1.00,"))
    assert message.startswith("error: budget.csv, row 7, cost_center: '9999' is not a cost center of the standard")
    assert message.endswith("(6 FAH-5 Exhibit H-341)")


def test_lite_code_at_a_standard_post(tmp_path):
    assert "'6145' is not a cost center" in only_error(tmp_path, budget_csv=append("budget.csv", "6145,RB,2500,1.00,"))


def test_sub_cost_center_of_an_unknown_parent(tmp_path):
    message = only_error(tmp_path, budget_csv=append("budget.csv", "6999-X001,RB,2500,1.00,"))
    assert "'6999-X001' is not a cost center" in message


def test_post_defined_sub_cost_center_is_accepted(tmp_path):
    result, messages = diagnostics(
        tmp_path,
        budget_csv=append("budget.csv", "6139-X777,RB,2500,100.00,armored vehicle pool"),
        workload_csv=append("workload.csv", "6139-X777,2000.0,4,"),
    )
    assert result.ok, messages


def test_unknown_agency(tmp_path):
    message = only_error(tmp_path, workload_csv=append("workload.csv", "6139,5555.0,1,"))
    assert message == "error: workload.csv, row 16, agency: unknown agency '5555.0' (not in agencies.csv)"


def test_unknown_position(tmp_path):
    _result, messages = diagnostics(tmp_path, position_costs_csv=append("position_costs.csv", "P9,RB,1100,1.00"))
    assert "error: position_costs.csv, row 3, position_id: unknown position 'P9'" in messages


def test_unknown_usdh_grade(tmp_path):
    message = only_error(tmp_path, positions_csv=replace_line("positions.csv", "P1,USDH,FS-02", "P1,USDH,FS-09"))
    assert message.startswith("error: positions.csv, row 2, grade: USDH grade 'FS-09' has no cost factors. ")
    assert message.endswith("(rule R21) (6 FAH-5 H-423.1-1 b)")


def test_le_grades_are_free_text(tmp_path):
    result, _ = diagnostics(tmp_path, positions_csv=replace_line("positions.csv", "P2,LE,FSN-9", "P2,LE,Local 12/B"))
    assert result.ok


def test_percents_must_sum_to_exactly_100(tmp_path):
    message = only_error(
        tmp_path, time_allocation_csv=replace_line("time_allocation.csv", "P1,5624,30", "P1,5624,29.99")
    )
    assert message == (
        "error: positions.csv, row 2, position_id: position P1: time allocation sums to 99.99 percent, "
        f"not 100 (time_allocation.csv). {RULES['R52'].message} (rule R52) (6 FAH-5 H-341.14-3 a; H-423.1 b)"
    )


def test_position_without_time_allocation(tmp_path):
    message = only_error(tmp_path, positions_csv=append("positions.csv", "P3,LE,FSN-5,Clerk"))
    assert "position P3: time allocation sums to 0 percent" in message


def test_hundred_percent_on_non_icass_dual_positions(tmp_path):
    text = "position_id,cost_center,percent\nP1,0000,100\nP2,6139,100\n"
    message = only_error(tmp_path, time_allocation_csv=text)
    assert message.startswith("error: positions.csv, row 2, position_id: position P1 is allocated 100 percent to 0000")
    assert message.endswith("(rule R41) (6 FAH-5 H-341.14-1 NOTE; H-342.14-1 NOTE)")


def test_modification_on_a_cost_center_that_is_not_modifiable(tmp_path):
    message = only_error(tmp_path, workload_csv=replace_line("workload.csv", "6139,2000.0,250,", "6139,2000.0,250,0.6"))
    assert message.startswith(
        "error: workload.csv, row 15, modification: 2000.0's count: 6139 is modified 0.6 (H-341.7-6(D) b"
    )
    assert "(rule R67)" in message


def test_modification_below_the_minimum(tmp_path):
    message = only_error(tmp_path, workload_csv=append("workload.csv", "6451,2000.0,12,0.2"))
    assert message.startswith(
        "error: workload.csv, row 16, modification: 2000.0's count: 6451 is modified 0.2, below 0.3."
    )
    assert "(rule R59) (6 FAH-5 H-341.11-2(D)" in message


@pytest.mark.parametrize("value", ["0", "1.5"])
def test_modification_outside_zero_one(tmp_path, value):
    message = only_error(
        tmp_path, workload_csv=replace_line("workload.csv", "6150,2000.0,5,0.6", f"6150,2000.0,5,{value}")
    )
    assert f"modification {value} is outside (0, 1]" in message


@pytest.mark.parametrize("code", ["0000", "8790"])
def test_workload_on_cost_centers_without_a_factor(tmp_path, code):
    message = only_error(tmp_path, workload_csv=append("workload.csv", f"{code},2000.0,1,"))
    assert message.startswith(f"error: workload.csv, row 16, cost_center: {code} takes no count")
    assert "(rule R109)" in message


def test_cost_without_workload(tmp_path):
    message = only_error(tmp_path, budget_csv=append("budget.csv", "6133,RB,2600,250.00,paper"))
    assert message.startswith(
        "error: budget.csv, row 7, cost_center: 6133 Administrative Supply Services has cost ($250.00) but no workload"
    )
    assert "(6 FAH-5 H-341.7-2(D)" in message


def test_cost_from_time_allocation_without_workload(tmp_path):
    text = replace_line("time_allocation.csv", "P1,5624,30", "P1,6462,30")
    message = only_error(tmp_path, time_allocation_csv=text)
    assert message.startswith("error: time_allocation.csv, row 4, cost_center: 6462 Travel Services has cost")


def test_non_icass_cost_needs_state(tmp_path):
    agencies = "code,name\n1901.0,ICASS\n2000.0,Other\n"
    workload = "\n".join(line for line in append("workload.csv", "").splitlines() if ",1900.0," not in line) + "\n"
    message = only_error(tmp_path, agencies_csv=agencies, workload_csv=workload)
    assert "0000 has cost, which is charged to 1900.0 (State), but agencies.csv lacks 1900.0" in message


def test_several_errors_are_reported_together(tmp_path):
    result, messages = diagnostics(
        tmp_path,
        budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00", "6150,RB,2500,1.001"),
        workload_csv=replace_line("workload.csv", "6139,2000.0,250,", "6139,2000.0,x,"),
    )
    assert result.bundle is None
    assert len([m for m in messages if m.startswith("error")]) == 2


def test_missing_mandatory_subscription_is_an_error(tmp_path):
    workload = "\n".join(line for line in append("workload.csv", "").splitlines() if line != "6443,2000.0,5,") + "\n"
    result, messages = diagnostics(tmp_path, workload_csv=workload)
    assert not result.ok
    assert len(messages) == 1
    assert messages[0].startswith("error: workload.csv, row 10, agency: agency 2000.0 counts in 6150 but not in 6443.")
    assert "(rule R53) (6 FAH-5 H-341 b;" in messages[0]


def test_basic_package_above_six_percent_is_a_warning(tmp_path):
    result, messages = diagnostics(
        tmp_path, budget_csv=replace_line("budget.csv", "6150,RB,2500,1000.00", "6150,RB,2500,20000.00")
    )
    assert result.ok
    assert messages == [
        "warning: budget.csv, row 5: 6150 Basic Package Services is 8.1% of the post budget, above 6%. "
        f"{RULES['R117'].message} (rule R117) (6 FAH-5 H-341.1-2 NOTE 3; H-342.1-2 NOTE 3)"
    ]


def test_miscellaneous_above_five_percent_is_a_warning(tmp_path):
    result, messages = diagnostics(
        tmp_path, budget_csv=replace_line("budget.csv", "8790,RB,2500,500.00", "8790,RB,2500,15000.00")
    )
    assert result.ok
    assert messages == [
        "warning: budget.csv, row 6: 8790 Miscellaneous Costs is 6.2% of the post budget, above 5%. "
        f"{RULES['R118'].message} (rule R118) (6 FAH-5 H-341.13-1; H-342.13-1)"
    ]


def test_not_a_directory(tmp_path):
    result = run_post(tmp_path / "nowhere")
    assert [str(d) for d in result.diagnostics] == [f"error: {tmp_path / 'nowhere'}: is not a bundle directory"]


def test_what_the_engine_refuses_is_reported_by_validation(tmp_path):
    # One cent of cost goes to ICASS (the larger count); no customer agency then has a total to take it
    # in ICASS redistribution.
    message = only_error(
        tmp_path,
        agencies_csv="code,name\n1901.0,ICASS\n2000.0,Other\n",
        cost_factors_csv="grade,amsal,pat\n",
        positions_csv="position_id,category,grade,title\n",
        position_costs_csv="position_id,funding,soc,amount\n",
        time_allocation_csv="position_id,cost_center,percent\n",
        budget_csv="cost_center,funding,soc,amount,description\n6139,RB,2500,0.01,\n",
        workload_csv="cost_center,agency,count,modification\n6139,1901.0,2,\n6139,2000.0,1,\n",
    )
    assert message == (
        "error: workload [TST]: ICASS redistribution: no agency to share with (no agency has service costs)"
    )


@pytest.mark.parametrize("funding", ["AMSAL", "PAT"])
def test_centrally_funded_costs_are_not_entered_by_hand(tmp_path, funding):
    message = only_error(tmp_path, position_costs_csv=append("position_costs.csv", f"P1,{funding},0006,1000.00"))
    assert message.startswith(f"error: position_costs.csv, row 3, funding: a line funded {funding} is typed. ")
    assert message.endswith("(rule R01) (6 FAH-5 H-423.1 b; H-423.1-1 b; H-423.1-2 b)")
    message = only_error(tmp_path / "b", budget_csv=append("budget.csv", f"6150,{funding},0005,1.00,"))
    assert message.startswith(f"error: budget.csv, row 7, funding: a line funded {funding} is typed")


def test_lite_post_cannot_use_6225_and_the_separate_financial_codes(tmp_path):
    lite = replace_line("post.toml", 'methodology = "standard"', 'methodology = "lite"')
    both = append("budget.csv", "6225,RB,2500,100.00,") + "6223,RB,2500,50.00,\n"
    workload = append("workload.csv", "6225,2000.0,10,") + "6223,2000.0,10,\n"
    message = only_error(tmp_path, post_toml=lite, budget_csv=both, workload_csv=workload)
    assert message == (
        "error: budget.csv, row 8, cost_center: 6223 and 6225 are both used: a Lite post budgets financial "
        "management either in 6225 or in the separate cost centers, not both (6 FAH-5 H-342.10)"
    )
    alone = append("budget.csv", "6225,RB,2500,100.00,")
    result, messages = diagnostics(
        tmp_path / "ok", post_toml=lite, budget_csv=alone, workload_csv=append("workload.csv", "6225,2000.0,10,")
    )
    assert result.ok, messages


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "positions_csv": append("positions.csv", "P1,LE,FSN-9,Again\nP3,USDH,FS-09,No factor"),
            "position_costs_csv": append("position_costs.csv", "P9,RB,1100,5.00\nP2,AMSAL,1100,5.00"),
            "time_allocation_csv": append("time_allocation.csv", "P8,6139,10\nP2,6139,5\nP2,9999,1\nP3,0000,100"),
            "budget_csv": append("budget.csv", "9998,PAT,2500,1.00,\n6150,RB,2500,1.00,"),
        },
        {
            "post_toml": replace_line("post.toml", "standard", "lite"),
            "budget_csv": append("budget.csv", "6225,RB,1,1,\n6211,RB,1,1,"),
        },
        {
            "workload_csv": append(
                "workload.csv",
                "6139,9999.0,1,\n9997,1900.0,1,\n0000,1900.0,5,\n6150,1900.0,2,0.5\n5624,2000.0,1,1.5\n"
                "6139,1900.0,1,\n6139,1900.0,2,",
            ),
        },
        {"workload_csv": "cost_center,agency,count,modification,factor\n5880,2000.0,5,,USDH\n5880,2000.0,1,,NOPE\n"},
        {
            "workload_csv": "cost_center,agency,count,modification\n"
            "6150,2000.0,5,\n5624,1900.0,10,\n6150,1900.0,10,0.6\n"
        },
    ],
)
def test_the_checks_say_the_same_of_records_read_as_columns_as_of_the_same_records(tmp_path, changes):
    """A bundle's large tables are read as columns and never made into records on the way to a distribution
    (icass.model.columnar); every check must say exactly what it says of the records themselves, in the same
    order, and the engine's columns must be the same."""
    from dataclasses import fields, replace

    import numpy as np

    from icass.bundle import read_bundle
    from icass.catalog import load_catalog
    from icass.catalog.counting import load_counting_rules
    from icass.checks import Context, Costs, run_checks
    from icass.distribution.columns import columns_of
    from icass.distribution.steps import cost_centers
    from icass.model.columnar import RecordColumns
    from icass.workload.dates import count_period
    from icass.workload.derivation import Derivation
    from icass.workload.modify import combine

    records, problems = read_bundle(write_bundle(tmp_path / "bundle", **changes))
    assert records is not None, problems
    as_read = records.entered
    large = ("positions", "position_costs", "time_allocation", "budget", "workload")
    assert all(isinstance(getattr(as_read, name), RecordColumns) for name in large)
    made = replace(as_read, **{name: tuple(getattr(as_read, name)) for name in large})
    assert made == as_read
    catalog, rules = load_catalog(), load_counting_rules()
    derivation = Derivation(count_period(as_read.post.fiscal_year, rules), None)
    combined, problems = combine(records, derivation, catalog, rules)
    assert (tuple(combined), problems) == combine(replace(records, entered=made), derivation, catalog, rules)
    context = Context(catalog, rules)
    found = run_checks(as_read, context)
    assert found == run_checks(made, context)
    assert [str(d) for d in found] == [str(d) for d in run_checks(made, context)]
    if found:
        return
    kind_of = catalog.kind_of(as_read.post.methodology)
    columns, expected = columns_of([as_read], kind_of), columns_of([made], kind_of)
    for field in fields(columns):
        assert np.array_equal(getattr(columns, field.name), getattr(expected, field.name)), field.name
    cost = cost_centers(columns)
    assert run_checks(as_read, Context(catalog, rules, costs=Costs(columns, cost))) == run_checks(
        made, Context(catalog, rules, costs=Costs(expected, cost))
    )


def test_records_read_as_columns_are_a_sequence_of_their_records(tmp_path):
    import copy
    import pickle

    from icass.bundle import read_bundle
    from icass.model import Source

    records, _ = read_bundle(write_bundle(tmp_path / "bundle"))
    assert records is not None
    budget = records.entered.budget
    plain = tuple(budget)
    assert len(budget) == len(plain) == 5
    assert budget == plain
    assert plain == budget
    assert budget[-2:] == plain[-2:]
    assert hash(budget) == hash(plain)
    assert repr(budget) == repr(plain)
    assert budget[0].source == Source("budget.csv", 2)
    assert budget.index(plain[3]) == 3
    assert type(pickle.loads(pickle.dumps(budget))) is tuple
    assert pickle.loads(pickle.dumps(records.entered)) == records.entered
    assert copy.deepcopy(records.entered) == records.entered


_PERCENTS = st.sampled_from(["0", "12.5", "33.3333", "50", "50.0", "66.6667", "100", "7", "93", "1E+30", "0.00001"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "P9"]), st.sampled_from(["6139", "0000"]), _PERCENTS)))
def test_time_allocation_sums_are_checked_exactly(rows):
    """The sums are found in int64 arrays (icass.checks.positions._allocation_suspects); what is said is what
    summing each position's Decimals says."""
    from collections import defaultdict
    from dataclasses import replace
    from decimal import Decimal

    from icass.catalog import load_catalog
    from icass.catalog.counting import load_counting_rules
    from icass.checks import Context
    from icass.checks.positions import time_not_all_non_icass, time_sums
    from icass.model import Position, Post, PostBundle, TimeAllocation

    positions = tuple(Position(p, "LE", "FSN-9", "") for p in ("P1", "P2", "P3", "P1"))
    allocation = tuple(TimeAllocation(p, cc, Decimal(v)) for p, cc, v in rows)
    post = Post("TST", "Testville", "Testland", "EUR", "standard", 2027)
    bundle = PostBundle(post, (), (), positions, (), allocation, (), ())
    totals, dual = defaultdict(Decimal), defaultdict(Decimal)
    for a in allocation:
        totals[a.position_id] += a.percent
        dual[a.position_id] += a.percent if a.cost_center == "0000" else 0
    sums = [f"position {p.position_id}: time allocation sums to {totals[p.position_id]} percent" for p in positions]
    all_dual = [f"position {p.position_id} is allocated 100 percent to 0000" for p in positions]
    context = Context(load_catalog(), load_counting_rules())
    found_sums = [d.message for d in time_sums(replace(bundle), context)]
    found_dual = [d.message for d in time_not_all_non_icass(replace(bundle), context)]
    assert [m.split(", not 100")[0] for m in found_sums] == [
        said for said, p in zip(sums, positions, strict=True) if totals[p.position_id] != 100
    ]
    assert [m.split(". ")[0] for m in found_dual] == [
        said for said, p in zip(all_dual, positions, strict=True) if dual[p.position_id] == 100
    ]


def test_the_checks_run_in_order_in_two_passes():
    """run_checks runs a list of checks in its order: without costs those on rows, leaving out one that needs
    sound rows once an error is found; with costs, those on costs alone."""
    from dataclasses import replace

    from icass.catalog import load_catalog
    from icass.catalog.counting import load_counting_rules
    from icass.checks import Check, Context, Costs, Needs, run_checks
    from icass.diagnostics import error, warning
    from icass.model import Post, PostBundle, Source

    def finding(name, severity=warning):
        return lambda post, context: [severity(Source("budget.csv", 2), name)]

    checks = (
        Check(finding("first")),
        Check(finding("sums", error), Needs.SOUND_ROWS),
        Check(finding("wrong", error)),
        Check(finding("after an error"), Needs.SOUND_ROWS),
        Check(finding("last")),
        Check(finding("cost"), Needs.COSTS),
    )
    post = PostBundle(Post("TST", "Testville", "Testland", "EUR", "standard", 2027), (), (), (), (), (), (), ())
    context = Context(load_catalog(), load_counting_rules())
    assert [d.message for d in run_checks(post, context, checks)] == ["first", "sums", "wrong", "last"]
    with_costs = replace(context, costs=Costs(columns=None, flat=None))  # the checks here read neither
    assert [d.message for d in run_checks(post, with_costs, checks)] == ["cost"]
