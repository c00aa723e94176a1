"""Workload counts derived from the post's records: each counting rule, routing, exclusions, the trail, and
counts typed in workload.csv that replace derived ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from icass.diagnostics import ERROR, WARNING
from tests.bundles import BASE
from tests.core.test_handbook_examples import DEVICE_TABLE  # H-341.4-4 b, with the exact FBI figure
from tests.sources import PEOPLE, PEOPLE_HEADER, by_agency, counts, run, write_sources

D = Decimal
BUDGET = BASE["budget.csv"]


def ok(tmp_path, **files):
    result = run(write_sources(tmp_path / "post", **files))
    assert result.ok, [str(d) for d in result.diagnostics]
    return result


def messages(tmp_path, **files) -> list[str]:
    return [str(d) for d in run(write_sources(tmp_path / "post", **files)).diagnostics]


def test_basic_package_counts_each_category_as_its_own_factor(tmp_path):
    # H-341.1-4 a and NOTE 2: USDH, uniformed and other Basic Package staff, each category a factor; LE staff,
    # EFMs and members of household are not counted; X1 left before the count date.
    assert counts(ok(tmp_path), "6150") == {
        ("1900.0", "USDH"): D(1),
        ("1942.0", "USDH"): D(1),  # S2 is the RSO: H-341.5 b
        ("1931.0", "UNIFORMED"): D(1),  # M1, MSG: H-341.5 d
        ("2000.0", "USDH"): D(1),
    }


def test_clo_counts_family_members_but_not_sma_or_household(tmp_path):
    # H-341.2-4 a: F1 (S1's), F2 (the RSO's, follows S2 to 1942.0) and F3 (not MED eligible, still CLO);
    # F4 is on SMA and H1 is a member of household: neither counts.
    assert counts(ok(tmp_path), "6443") == {
        ("1900.0", "USDH"): D(1),
        ("1900.0", "EFM"): D(1),
        ("1942.0", "USDH"): D(1),
        ("1942.0", "EFM"): D(1),
        ("1931.0", "UNIFORMED"): D(1),
        ("2000.0", "USDH"): D(1),
        ("2000.0", "EFM"): D(1),
    }


def test_health_counts_only_med_eligible_people(tmp_path):
    assert ("2000.0", "EFM") not in counts(ok(tmp_path), "5624")  # F3 is not MED eligible, F4 on SMA
    assert counts(ok(tmp_path), "5624")[("1942.0", "EFM")] == D(1)


def test_security_counts_le_staff_and_employed_family_members(tmp_path):
    # 5880: Basic Package plus LE staff; F2 is employed by 1900.0, so also LE staff of 1900.0; G1 is a PSA
    # guard, routed to 1901.0 (H-341.5 f).
    assert counts(ok(tmp_path), "5880") == {
        ("1900.0", "USDH"): D(1),
        ("1900.0", "LE_STAFF"): D(1),
        ("1901.0", "LE_STAFF"): D(1),
        ("1931.0", "UNIFORMED"): D(1),
        ("1942.0", "USDH"): D(1),
        ("2000.0", "USDH"): D(1),
        ("2000.0", "LE_STAFF"): D(1),
    }


def test_a_dependent_counts_only_while_its_sponsor_is_at_post(tmp_path):
    people = PEOPLE + "F9,,EFM,X1,,,2023-01-01,,,\n"  # X1 left on 2025-12-31, before the count date
    assert by_agency(ok(tmp_path, people_csv=people), "6443").get("3000.0") is None


def test_non_mandatory_people_count_only_for_subscribers_but_routed_workload_always_lands(tmp_path):
    budget = BUDGET + "6441,RB,2500,1000.00,\n"
    result = ok(tmp_path, budget_csv=budget, subscriptions_csv="cost_center,agency\n6441,2000.0\n")
    # 1900.0 does not subscribe: S1 is not counted; the RSO's workload lands on 1942.0 all the same.
    assert counts(result, "6441") == {("2000.0", "USDH"): D(1), ("1942.0", "USDH"): D(1)}


def test_a_subscriber_with_nobody_counted_gets_one_under_factor_other(tmp_path):
    # H-341.9-2(D): 3000.0 subscribes to 6194 and has nobody at post; judged after routing.
    budget = BUDGET + "6194,RB,2500,1000.00,\n"
    subscriptions = "cost_center,agency\n6194,3000.0\n6194,2000.0\n"
    result = ok(tmp_path, budget_csv=budget, subscriptions_csv=subscriptions)
    assert counts(result, "6194") == {("3000.0", "OTHER"): D(1), ("2000.0", "USDH"): D(1), ("1942.0", "USDH"): D(1)}


def people_of(heads: int, le_staff: int, agency: str = "2000.0", extra: str = "") -> str:
    rows = [f"U{i},{agency},USDH,,,,2020-01-01,,," for i in range(heads)]
    rows += [f"L{i},{agency},LE_STAFF,,,,2020-01-01,,," for i in range(le_staff)]
    return PEOPLE_HEADER + "\n".join(rows) + "\n" + extra


def test_6143_worked_example(tmp_path):
    # H-341.7-7(D) a: 16 Basic Package + 40 LE staff x 0.2 = 24. Guards are not counted (H-341.5 f NOTE 1-2).
    guards = "G1,2000.0,LE_STAFF,,,PSA_GUARD,2020-01-01,,,\nG2,2000.0,LE_STAFF,,,SD_GUARD,2020-01-01,,,\n"
    budget = BUDGET + "6143,RB,2500,1000.00,\n"
    result = ok(
        tmp_path,
        budget_csv=budget,
        people_csv=people_of(16, 40, extra=guards),
        subscriptions_csv="cost_center,agency\n6143,2000.0\n",
    )
    assert by_agency(result, "6143") == {"2000.0": D(24)}
    assert counts(result, "6143") == {("2000.0", "USDH"): D(16), ("2000.0", "LE_STAFF"): D(8)}


def lite(tmp_path, **files):
    post = BASE["post.toml"].replace('methodology = "standard"', 'methodology = "lite"')
    return ok(tmp_path, post_toml=post, **files)


def test_6145_lite_worked_example_and_guards_at_six_hundredths(tmp_path):
    # H-342.7-4 a: 20 USDH + 50 LE staff x 0.2 = 30; PSA and SD guards count 0.3 x 0.2 = 0.06 each
    # (H-342.5 f NOTE 1-2), routed to 1901.0 and 1942.0; a bodyguard 0.2 as every LE staff member (NOTE 1),
    # routed to 1942.0.
    guards = (
        "G1,2000.0,LE_STAFF,,,PSA_GUARD,2020-01-01,,,\n"
        "G2,2000.0,LE_STAFF,,,SD_GUARD,2020-01-01,,,\n"
        "G3,2000.0,LE_STAFF,,,BODYGUARD,2020-01-01,,,\n"
    )
    result = lite(
        tmp_path,
        budget_csv=BUDGET + "6145,RB,2500,1000.00,\n",
        people_csv=people_of(20, 50, extra=guards),
        subscriptions_csv="cost_center,agency\n6145,2000.0\n",
    )
    assert by_agency(result, "6145") == {"2000.0": D(30), "1901.0": D("0.06"), "1942.0": D("0.26")}


def test_5458_worked_example_from_the_inventory(tmp_path):
    codes = {name: f"{4000 + i}.0" for i, name in enumerate(sorted(DEVICE_TABLE))}
    agencies = "code,name,separate_network\n" + "".join(
        f"{codes[n]},{n},{'yes' if sep else 'no'}\n" for n, (_, _, sep, _) in DEVICE_TABLE.items()
    )
    agencies += "1900.0,State D,\n1901.0,ICASS D,\n2000.0,Other,\n3000.0,Third,\n1931.0,MSG,\n1942.0,DS,\n"
    inventory = "agency,devices,opennet_accounts\n" + "".join(
        f"{codes[n]},{d},{a}\n" for n, (d, a, _, _) in DEVICE_TABLE.items()
    )
    result = ok(
        tmp_path, agencies_csv=agencies, budget_csv=BUDGET + "5458,RB,2500,1000.00,\n", it_inventory_csv=inventory
    )
    assert by_agency(result, "5458") == {codes[n]: D(total) for n, (_, _, _, total) in DEVICE_TABLE.items()}


def test_6134_multi_agency_contract(tmp_path):
    # H-341.7-3(D) c NOTE 6: a $250,000 contract shared X $190,000 (2), Y $50,000 (2), Z $10,000 (1); a formal
    # contract above $250,000 weighs 3; an action dated outside the window does not count.
    procurement = (
        "action_id,date,agency,amount\n"
        "C1,2025-06-01,1900.0,190000\n"
        "C1,2025-06-01,2000.0,50000\n"
        "C1,2025-06-01,3000.0,10000\n"
        "C2,2026-04-30,1900.0,200000.00\n"
        "C2,2026-04-30,1900.0,50000.01\n"
        "C3,2025-04-30,3000.0,5\n"
    )
    result = ok(tmp_path, budget_csv=BUDGET + "6134,RB,2500,1000.00,\n", procurement_csv=procurement)
    assert by_agency(result, "6134") == {"1900.0": D(5), "2000.0": D(2), "3000.0": D(1)}


HOUSING = "unit_id,building_id,tenure,agency,net_square_meters,vacant_since\n"


def test_apartment_building_worked_example(tmp_path):
    # H-341.12-1(D) e: 2 units of 110, 4 of 140, 2 of 200 net square meters = 1,180; shares printed 19, 47
    # and 34 percent (exactly 18.64, 47.46, 33.90: test_handbook_examples holds the distribution to it).
    units = [("2000.0", 110)] * 2 + [("3000.0", 140)] * 4 + [("1900.0", 200)] * 2
    housing = HOUSING + "".join(f"U{i},APT,GOCL,{a},{m2},\n" for i, (a, m2) in enumerate(units))
    result = ok(tmp_path, budget_csv=BUDGET + "7810,RB,2300,1180000.00,\n", housing_csv=housing)
    assert by_agency(result, "7810") == {"2000.0": D(220), "3000.0": D(560), "1900.0": D(400)}


def test_vacant_housing_after_ninety_days_is_routed(tmp_path):
    # Count date 2026-05-01: 91 days vacant moves (GO/CL to 1900.0, OL to 1901.0); 90 days stays.
    housing = HOUSING + (
        "U1,B,GOCL,2000.0,100,2026-01-30\n"  # 91 days
        "U2,B,GOCL,2000.0,100,2026-01-31\n"  # 90 days
        "U3,C,OL,3000.0,50,2025-01-01\n"
        "U4,C,OL,3000.0,70,\n"
    )
    budget = BUDGET + "7810,RB,2300,1000.00,\n7850,RB,2300,1000.00,\n5823,LGP,2500,1000.00,\n"
    result = ok(tmp_path, budget_csv=budget, housing_csv=housing)
    assert by_agency(result, "7810") == {"1900.0": D(100), "2000.0": D(100)}
    assert by_agency(result, "7850") == {"1901.0": D(50), "3000.0": D(70)}
    assert by_agency(result, "5823") == {"1900.0": D(1), "2000.0": D(1), "1901.0": D(1), "3000.0": D(1)}


def test_guard_hours_are_shared_by_units_and_rounded_once(tmp_path):
    # Two buildings of 3 units with 1 guard hour each: 2000.0 holds one unit in each, exactly 2/3 of an hour.
    # Rounded once: 0.6667 (rounding each building's 1/3 first would give 0.6666).
    housing = HOUSING + "".join(
        f"{b}{i},{b},GOCL,{a},50,\n" for b in "AB" for i, a in enumerate(["2000.0", "1900.0", "1900.0"])
    )
    result = ok(
        tmp_path,
        budget_csv=BUDGET + "5821,LGP,2500,1000.00,\n",
        housing_csv=housing,
        guard_hours_csv="building_id,annual_hours\nA,1\nB,1\n",
    )
    assert by_agency(result, "5821") == {"2000.0": D("0.6667"), "1900.0": D("1.3333")}


def test_office_space_by_tenure(tmp_path):
    space = "building_id,tenure,agency,net_square_meters\nCH,GOCL,1900.0,2400\nCH,GOCL,2000.0,600.5\nAN,OL,3000.0,80\n"
    budget = BUDGET + "7820,RB,2300,1000.00,\n7860,RB,2300,1000.00,\n"
    result = ok(tmp_path, budget_csv=budget, office_space_csv=space)
    assert by_agency(result, "7820") == {"1900.0": D(2400), "2000.0": D("600.5")}
    assert by_agency(result, "7860") == {"3000.0": D(80)}


ACTIVITY = "cost_center,agency,date,quantity\n"


def test_transactions_sum_the_window_both_ends_inclusive(tmp_path):
    activity = ACTIVITY + (
        "6139,2000.0,2025-05-01,10\n"
        "6139,2000.0,2026-04-30,2.5\n"
        "6139,2000.0,2025-04-30,1000\n"  # before the window
        "6139,2000.0,2026-05-01,1000\n"  # the count date itself is outside the window
        "6139,1901.0,2025-12-01,7\n"
    )
    result = ok(tmp_path, workload_csv="cost_center,agency,count,modification\n", activity_csv=activity)
    assert by_agency(result, "6139") == {"2000.0": D("12.5"), "1901.0": D(7)}


def test_post_toml_may_move_the_count_date(tmp_path):
    post = BASE["post.toml"] + "count_date = 2026-03-01\n"
    activity = ACTIVITY + "6139,2000.0,2025-03-01,1\n6139,2000.0,2026-02-28,1\n6139,2000.0,2026-03-01,100\n"
    result = ok(tmp_path, post_toml=post, workload_csv="cost_center,agency,count,modification\n", activity_csv=activity)
    assert by_agency(result, "6139") == {"2000.0": D(2)}


def test_an_entered_count_replaces_every_derived_factor_line_and_says_so(tmp_path):
    workload = BASE["workload.csv"].replace("6150,2000.0,5,0.6\n", "6150,2000.0,7,\n")
    workload = "\n".join(
        line for line in workload.splitlines() if line.startswith(("cost_center", "6150,2000.0", "6139"))
    )
    result = run(write_sources(tmp_path / "post", workload_csv=workload + "\n"))
    assert result.ok
    assert counts(result, "6150")[("2000.0", "")] == D(7)
    assert ("2000.0", "USDH") not in counts(result, "6150")
    found = [d for d in result.diagnostics if "replaces what the records derive" in d.message]
    assert [(d.severity, str(d.source)) for d in found] == [(WARNING, "workload.csv, row 2")]
    assert "(7) replaces what the records derive (1)" in found[0].message


def test_activity_of_a_static_cost_center_is_an_error(tmp_path):
    found = messages(tmp_path, activity_csv=ACTIVITY + "6150,2000.0,2025-06-01,1\n")
    assert any(
        m.startswith("error: activity.csv, row 2, cost_center: 6150 is a static count") and "(rule R96)" in m
        for m in found
    )


def test_routed_workload_needs_its_special_agency_at_post(tmp_path):
    agencies = "code,name\n1900.0,State\n1901.0,ICASS\n1931.0,MSG\n2000.0,Other\n3000.0,Third\n"
    found = messages(tmp_path, agencies_csv=agencies)
    assert (
        "error: people.csv, row 3, role: workload routed to 1942.0 (role RSO -> 1942.0 (H-341.5 b)) needs 1942.0 "
        "in agencies.csv (6 FAH-5 H-341.5 b)" in found
    )


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        (
            "Z1,,EFM,,,,2024-01-01,,,",
            "people.csv, row 14, sponsor_id: a family member (EFM, MOH) names its sponsor's person_id",
        ),
        ("Z1,,EFM,NOBODY,,,2024-01-01,,,", "people.csv, row 14, sponsor_id: sponsor NOBODY is not in people.csv"),
        ("Z1,2000.0,SPOUSE,,,,2024-01-01,,,", "people.csv, row 14, category: 'SPOUSE' is not one of USDH"),
        ("Z1,2000.0,USDH,,,CHEF,2024-01-01,,,", "people.csv, row 14, role: 'CHEF' is not one of RSO"),
        ("Z1,2000.0,USDH,,,,2025-01-01,2024-01-01,,", "people.csv, row 14, end_date: is before start_date"),
        ("Z1,,EFM,S1,9999.0,,2024-01-01,,,", "people.csv, row 14, employed_by: unknown agency 9999.0"),
        ("Z1,2000.0,USDH,,,,2024-13-01,,,", "people.csv, row 14, start_date: '2024-13-01' is not a date YYYY-MM-DD"),
        ("Z1,2000.0,USDH,,,,2024-01-01,,maybe,", "people.csv, row 14, med_eligible: 'maybe' is not yes or no"),
        ("S1,2000.0,USDH,,,,2024-01-01,,,", "people.csv, row 14, person_id: duplicate person_id S1: already on row 2"),
    ],
)
def test_bad_people_rows(tmp_path, people, expected):
    found = messages(tmp_path, people_csv=PEOPLE + people + "\n")
    assert any(m.startswith(f"error: {expected}") for m in found), found


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"housing_csv": HOUSING + "U1,B,LEASED,2000.0,10,\n"},
            "housing.csv, row 2, tenure: 'LEASED' is not one of GOCL, OL",
        ),
        (
            {"housing_csv": HOUSING + "U1,B,GOCL,2000.0,-10,\n"},
            "housing.csv, row 2, net_square_meters: '-10' is not a plain number",
        ),
        (
            {"guard_hours_csv": "building_id,annual_hours\nB,-5\n"},
            "guard_hours.csv, row 2, annual_hours: '-5' is not a plain number",
        ),
        (
            {"activity_csv": ACTIVITY + "6139,2000.0,2025-06-01,-1\n"},
            "activity.csv, row 2, quantity: '-1' is not a plain number",
        ),
        (
            {"activity_csv": ACTIVITY + "9999,2000.0,2025-06-01,1\n"},
            "activity.csv, row 2, cost_center: unknown cost center 9999",
        ),
        (
            {"subscriptions_csv": "cost_center,agency\n6441,7777.0\n"},
            "subscriptions.csv, row 2, agency: unknown agency 7777.0",
        ),
        (
            {"guard_hours_csv": "building_id,annual_hours\nNOWHERE,5\n", "housing_csv": HOUSING},
            "guard_hours.csv, row 2, building_id: the building has no residential units in housing.csv",
        ),
    ],
)
def test_bad_record_rows(tmp_path, files, expected):
    result = run(write_sources(tmp_path / "post", **files))
    found = [str(d) for d in result.diagnostics if d.severity == ERROR]
    assert any(m.startswith(f"error: {expected}") for m in found), found
    assert result.bundle is None


def test_every_bad_record_is_reported_at_once(tmp_path):
    people = PEOPLE + "Z1,,EFM,,,,2024-01-01,,,\nZ2,2000.0,USDH,,,,2025-01-01,2024-01-01,,\n"
    found = messages(tmp_path, people_csv=people, activity_csv=ACTIVITY + "6139,2000.0,bad,1\n")
    assert sum(m.startswith("error:") for m in found) == 3


MODIFICATIONS = "cost_center,agency,factor,modification,justification,bc_approved_on,med_approved_on\n"


def test_a_modification_of_one_factor_and_of_all_factors(tmp_path):
    mods = MODIFICATIONS + (
        "6443,2000.0,EFM,0.5,family members live in the capital,2026-06-01,\n"
        "5880,2000.0,,0.8,remote office,2026-06-01,\n"
    )
    result = ok(tmp_path, modifications_csv=mods)
    assert result.bundle is not None
    modified = {
        (w.cost_center, w.agency, w.factor): w.modification for w in result.bundle.workload if w.modification != 1
    }
    assert modified == {
        ("6443", "2000.0", "EFM"): D("0.5"),
        ("5880", "2000.0", "USDH"): D("0.8"),
        ("5880", "2000.0", "LE_STAFF"): D("0.8"),
    }


def test_6143_receiving_and_delivery_is_a_named_level(tmp_path):
    mods = MODIFICATIONS + "6143,2000.0,,RECEIVING_AND_DELIVERY,receiving and disposal only,2026-06-01,\n"
    result = ok(
        tmp_path,
        budget_csv=BUDGET + "6143,RB,2500,1000.00,\n",
        subscriptions_csv="cost_center,agency\n6143,2000.0\n",
        modifications_csv=mods,
    )
    assert {w.modification for w in result.bundle.workload if (w.cost_center, w.agency) == ("6143", "2000.0")} == {
        D("0.3")
    }


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "5458,2000.0,,0.5,x,2026-06-01,",
            "modification: 5458 is modified 0.5 (H-341.4-4 c: not modifiable). Remove the modification",
        ),
        ("6150,2000.0,,1.5,x,2026-06-01,", "modification: modification 1.5 is outside (0, 1]. Give a modification"),
        (
            "6150,2000.0,,0.5,,2026-06-01,",
            "justification: a modification needs its justification (6 FAH-5 H-341.1-4 d)",
        ),
        (
            "6150,2000.0,,0.5,x,,",
            "bc_approved_on: no date of the budget committee's approval. Record the date",
        ),
        (
            "5624,2000.0,,0.3,x,2026-06-01,",
            "med_approved_on: a 5624 modification without the approval of the post medical officer. Record",
        ),
        (
            "6150,2000.0,,HALF,x,2026-06-01,",
            "modification: 'HALF' is neither a number in (0, 1] nor a named level; 6150 offers no named level "
            "(6 FAH-5 H-341.1-4 d)",
        ),
        (
            "6150,2000.0,,RECEIVING_AND_DELIVERY,x,2026-06-01,",
            "modification: 'RECEIVING_AND_DELIVERY' is neither a number in (0, 1] nor a named level; "
            "RECEIVING_AND_DELIVERY is a level of 6143 only (6 FAH-5 H-341.7-7(D) b)",
        ),
        (
            "6451,2000.0,,0.2,x,2026-06-01,",
            "modification: 6451 is modified 0.2, below 0.3. Give the agency",
        ),
    ],
)
def test_modification_rules(tmp_path, line, expected):
    files = {"modifications_csv": MODIFICATIONS + line + "\n"}
    if line.startswith("5458"):
        files |= {
            "budget_csv": BUDGET + "5458,RB,2500,10.00,\n",
            "it_inventory_csv": "agency,devices,opennet_accounts\n2000.0,3,3\n",
        }
    if line.startswith("6451"):
        files |= {
            "budget_csv": BUDGET + "6451,RB,2500,10.00,\n",
            "subscriptions_csv": "cost_center,agency\n6451,2000.0\n",
        }
    found = messages(tmp_path, **files)
    assert any(line.startswith(f"error: modifications.csv, row 2, {expected}") for line in found), found


def test_two_modifications_of_the_same_line(tmp_path):
    mods = MODIFICATIONS + "6150,2000.0,,0.5,x,2026-06-01,\n6150,2000.0,USDH,0.6,y,2026-06-01,\n"
    found = messages(tmp_path, modifications_csv=mods)
    assert (
        "error: modifications.csv, row 3, modification: a second modification of the line 6150/2000.0/USDH "
        "(already on modifications.csv, row 2)" in found
    )


def test_a_modification_of_nothing_is_a_warning(tmp_path):
    found = messages(tmp_path, modifications_csv=MODIFICATIONS + "6150,3000.0,,0.5,x,2026-06-01,\n")
    assert found == ["warning: modifications.csv, row 2: modifies no count: 3000.0 has no workload in 6150"]


def test_the_workload_command_lists_every_count_in_its_exact_csv_form(tmp_path):
    from click.testing import CliRunner

    from icass.cli import app

    folder = write_sources(tmp_path / "post", modifications_csv=MODIFICATIONS + "6150,2000.0,,0.5,x,2026-06-01,\n")
    result = CliRunner().invoke(app, ["workload", str(folder), "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "cost_center,agency,factor,count,modification,origin"
    body = [line.split(",") for line in lines[1:]]
    assert body == sorted(body)
    assert ["6150", "2000.0", "USDH", "1", "0.5", "derived"] in body
    assert ["6139", "2000.0", "", "250", "1", "entered"] in body
    assert {row[5] for row in body} == {"derived", "entered"}


def test_the_workload_command_explains_a_count_by_its_records(tmp_path):
    from click.testing import CliRunner

    from icass.cli import app

    folder = write_sources(tmp_path / "post")
    result = CliRunner().invoke(app, ["workload", str(folder), "--explain", "6443", "--agency", "1942.0"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "people.csv, row 3" in text  # S2, the RSO
    assert "role RSO -> 1942.0 (H-341.5 b)" in text
    assert "follows sponsor: role RSO -> 1942.0 (H-341.5 b)" in text  # F2
    assert "H-341.2-4 a" in text
    assert "2000.0" not in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--agency", "2000.0"], "error: --agency goes with --explain COST_CENTER\n"),
        (["--explain", "9999"], "error: '9999' is not a cost center of the standard methodology\n"),
    ],
)
def test_the_workload_command_refuses_bad_arguments(tmp_path, args, expected):
    from click.testing import CliRunner

    from icass.cli import app

    result = CliRunner().invoke(app, ["workload", str(write_sources(tmp_path / "post")), *args])
    assert result.exit_code == 2
    assert result.stderr == expected


def test_sums_of_bounded_lines_cannot_wrap(tmp_path):
    # 100 lines at the bound of a line add up past what a cost center may hold: refused, naming the cost center
    # (before, 100,000 such lines wrapped int64 and distributed a negative post total).
    budget = BUDGET + "".join("6139,RB,2500,1000000000000.00,\n" for _ in range(100))
    found = [m for m in messages(tmp_path, budget_csv=budget) if m.startswith("error")]
    assert found == [
        "error: budget.csv, row 7, amount: the budget lines of cost center 6139 add up to "
        "$100,000,000,000,000.00, more than the $1,000,000,000,000.00 a cost center may hold"
    ]


def test_a_position_s_cost_pool_and_the_post_s_budget_are_bounded_too(tmp_path):
    # The sums are looked at line by line only when the whole post's could pass the bound (icass.checks.budget.sums).
    line = "1000000000000.00"
    costs = BASE["position_costs.csv"] + "".join(f"P2,RB,1100,{line}\n" for _ in range(101))
    found = [m for m in messages(tmp_path / "a", position_costs_csv=costs) if m.startswith("error")]
    assert found == [
        "error: positions.csv, row 3, position_id: the cost pool of position P2 adds up to "
        "$101,000,000,020,000.00, more than $1,000,000,000,000.00"
    ]
    budget = BUDGET + "6139,RB,2500,600000000000.00,\n6150,RB,2500,600000000000.00,\n"
    found = [m for m in messages(tmp_path / "b", budget_csv=budget) if m.startswith("error")]
    assert found == [
        "error: budget.csv: the post's budget adds up to $1,200,000,226,500.00, more than $1,000,000,000,000.00"
    ]
    # Many lines, each far from the bound, whose sum stays under it: nothing to say.
    fine = BUDGET + "".join("6139,RB,2500,1000000.00,\n" for _ in range(1000))
    assert [m for m in messages(tmp_path / "c", budget_csv=fine) if m.startswith("error")] == []


def test_compound_worked_example(tmp_path):
    # H-341.12-1(D) g: chancery 5,700 and warehouse 1,200 m2 (nonresidential, 7820); apartment complex 1,180,
    # COM residence 800 (1900.0) and MSGQ 700 (1931.0) residential (7810); 9,580 in all. The handbook prints
    # the nonresidential part as 73 percent (its rounded 60 + 13); exactly it is 6,900 / 9,580 = 72.03 percent.
    space = "building_id,tenure,agency,net_square_meters\nCHANCERY,GOCL,1900.0,4200\nCHANCERY,GOCL,2000.0,1500\n"
    space += "WAREHOUSE,GOCL,1901.0,1200\n"
    apartments = [("2000.0", 110)] * 2 + [("3000.0", 140)] * 4 + [("1900.0", 200)] * 2
    housing = HOUSING + "".join(f"A{i},APT,GOCL,{a},{m2},\n" for i, (a, m2) in enumerate(apartments))
    housing += "CMR,CMR,GOCL,1900.0,800,\nMSGQ,MSGQ,GOCL,1931.0,700,\n"
    budget = BUDGET + "7810,RB,2300,1000.00,\n7820,RB,2300,1000.00,\n"
    result = ok(tmp_path, budget_csv=budget, office_space_csv=space, housing_csv=housing)
    nonresidential = sum(by_agency(result, "7820").values())
    residential = sum(by_agency(result, "7810").values())
    assert (nonresidential, residential) == (D(6900), D(2680))
    assert round(100 * nonresidential / (nonresidential + residential), 2) == D("72.03")
    assert by_agency(result, "7810") == {"2000.0": D(220), "3000.0": D(560), "1900.0": D(1200), "1931.0": D(700)}


def test_the_workload_command_shows_counts_a_budget_error_would_not_let_distribute(tmp_path):
    from click.testing import CliRunner

    from icass.cli import app

    # 6441 has cost but nobody subscribes: the post cannot be distributed, and the counts say why.
    folder = write_sources(tmp_path / "post", budget_csv=BUDGET + "6441,RB,2500,1000.00,\n")
    (folder / "people.csv").write_text(PEOPLE_HEADER + "S1,1900.0,USDH,,,,2024-08-01,,,\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["validate", str(folder)]).exit_code == 2
    shown = CliRunner().invoke(app, ["workload", str(folder), "--explain", "6441"])
    assert shown.exit_code == 0, shown.output
    assert "not counted: the agency does not subscribe to 6441 (subscriptions.csv)" in shown.stdout


def test_a_modification_of_a_factor_the_cost_center_does_not_have(tmp_path):
    found = messages(tmp_path, modifications_csv=MODIFICATIONS + "6150,2000.0,SPOUSE,0.5,x,2026-06-01,\n")
    assert found == [
        "error: modifications.csv, row 2, factor: 'SPOUSE' is not a distribution factor of 6150 ((empty: all), "
        "INSTITUTIONAL_CONTRACTOR, OTHER, TCN, UNIFORMED, USDH, US_CONTRACTOR) (6 FAH-5 H-341.1-4 NOTE 2)"
    ]


def test_a_bad_cell_does_not_make_its_record_unknown_to_the_other_checks(tmp_path):
    # S1's category is refused; S1 stays a known sponsor, so F1 and H1 are not reported as orphans.
    found = [
        m for m in messages(tmp_path, people_csv=PEOPLE.replace("S1,1900.0,USDH", "S1,1900.0,usdh")) if "error" in m
    ]
    assert found == [
        "error: people.csv, row 2, category: 'usdh' is not one of USDH, UNIFORMED, TCN, US_CONTRACTOR, "
        "INSTITUTIONAL_CONTRACTOR, OTHER, LE_STAFF, EFM, MOH"
    ]


def test_a_family_member_of_le_staff_is_not_counted_and_the_trail_says_why(tmp_path):
    result = ok(tmp_path, people_csv=PEOPLE + "F9,,EFM,O2,,,2024-01-01,,,\n")  # O2 is LE staff, at post
    assert counts(result, "6443").get(("2000.0", "EFM")) == D(1)  # F3 only
    trail = result.derivation.trail
    row = trail.filter((trail["cost_center"] == "6443") & (trail["what"] == "person F9 EFM")).row(0, named=True)
    assert (row["counted"], row["note"]) == (False, "not counted: the sponsor is not Basic Package staff (H-341.2-4 a)")


def test_vacancy_routing_of_guard_hours_is_shown(tmp_path):
    housing = HOUSING + "A1,A,OL,2000.0,50,2025-12-01\nA2,A,OL,3000.0,50,\n"
    result = ok(
        tmp_path,
        budget_csv=BUDGET + "5821,LGP,2500,1000.00,\n",
        housing_csv=housing,
        guard_hours_csv="building_id,annual_hours\nA,100\n",
    )
    assert by_agency(result, "5821") == {"1901.0": D(50), "3000.0": D(50)}
    trail = result.derivation.trail
    note = trail.filter((trail["cost_center"] == "5821") & (trail["agency"] == "1901.0"))["note"].to_list()
    assert note == ["vacant more than 90 days on the count date -> 1901.0 (H-341.12-3(D) c)"]


def test_explain_is_a_table_only(tmp_path):
    from click.testing import CliRunner

    from icass.cli import app

    folder = write_sources(tmp_path / "post")
    result = CliRunner().invoke(app, ["workload", str(folder), "--explain", "6443", "--format", "csv"])
    assert result.exit_code == 2
    assert result.stderr == "error: --explain shows a table: leave out --format csv\n"


def test_regional_staff_count_in_the_basic_package_at_their_home_post_only(tmp_path):
    # H-341.1-4 c: "Regional personnel based abroad are charged to Basic Package Services at their home post
    # only": a person whose home post is another is not counted in 6150 here, and is in the other cost centers.
    header = PEOPLE_HEADER.replace(",sma\n", ",sma,home_post\n")
    people = header + "".join(
        f"{person},2000.0,USDH,,,,2020-01-01,,,,{home}\n" for person, home in (("A", ""), ("B", "TST"), ("C", "ALD"))
    )
    result = ok(tmp_path, people_csv=people)
    assert by_agency(result, "6150")["2000.0"] == Decimal(2)  # A and B: B's home post is this one
    assert by_agency(result, "5880")["2000.0"] == Decimal(3)
    trail = result.derivation.trail
    left_out = trail.filter((trail["cost_center"] == "6150") & ~trail["counted"])
    assert left_out["what"].to_list() == ["person C USDH"]
    assert left_out["note"].to_list() == ["not counted: regional staff, counted at the home post ALD (H-341.1-4 c)"]
