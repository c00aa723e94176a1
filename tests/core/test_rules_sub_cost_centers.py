"""The handbook's rules on sub-cost centers (group e, R71-R95): each broken alone on the valid base bundle fires
alone, on its file, row and field; the same bundle following it is silent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context
from icass.checks.sub_cost_centers import language_programs, regional_medevac, standardized_services
from icass.model import BudgetLine, Funding, Methodology, Workload
from icass.runs.post import run_post
from tests.bundles import BASE, append, write_bundle

# The base agencies with MSG and the regional MEDEVAC code, which some cases count.
AGENCIES = BASE["agencies.csv"] + "1931.0,Marine Security Guards,\n9913.0,Regional MEDEVAC,\n"
# The first count a case adds is row 16, the first budget line row 7, the time allocation's row 6.
ADDED = 16


def findings(tmp_path, counts=(), budget=(), **changes):
    """(rule, file, row, field) of every diagnostic of the base bundle with these counts and budget lines added,
    and every other diagnostic as its text (none is expected)."""
    bundle = write_bundle(
        tmp_path / "bundle",
        **{
            "agencies_csv": AGENCIES,
            "workload_csv": BASE["workload.csv"] + "".join(line + "\n" for line in counts),
            "budget_csv": BASE["budget.csv"] + "".join(line + "\n" for line in budget),
            **changes,
        },
    )
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in run_post(bundle).diagnostics]


# Every agency in the mobile patrol (each agency at post is in some local guard program, R55); 2000.0's line in
# 5823-X023 is the case's own.
PATROLLED = ["5823,1900.0,2,", "5823,1901.0,2,", "5823,2000.0,2,", "5823-X023,1900.0,2,", "5823-X023,1901.0,2,"]
SUPPLIES = ["6133-X133,2000.0,100,", "6133,2000.0,100,"]
# Every agency in a local guard program (R55); a case's own guard lines come after these.
GUARDED = ["5826,1900.0,10,", "5826,2000.0,10,"]
STORED = ["7820-X099,2000.0,50,"]
# A warehouse that serves warehouse operations and dedicated storage.
WAREHOUSE = ["6143,2000.0,5,", "7860-X099,2000.0,50,", "7860,2000.0,100,"]
# The post's facts R81 and R82 need, and the one place they break.
PHONES = {"post_toml": BASE["post.toml"] + 'cell_phone_program = "yes"\n'}
NO_PHONES = {"post_toml": BASE["post.toml"] + 'cell_phone_program = "no"\n'}
PHONE_TIME = {"time_allocation_csv": BASE["time_allocation.csv"].replace("P1,0000,20", "P1,6195-0001,20")}
REPEATER = {"post_toml": BASE["post.toml"] + 'radio_repeater_site = "yes"\n'}
REPEATER_LEASE = ["7860-0001,RB,2320,1200.00,Radio repeater site lease"]
MOVING = {"post_toml": BASE["post.toml"] + 'new_facilities = "yes"\n'}

# (rule, counts, budget lines, other changes, what the bundle finds): each rule broken, then kept.
# A location with guards (R93): its guard contract, counted for every agency (R55).
GUARDS = {"post_toml": BASE["post.toml"] + 'guard_force = "contract"\n'}
GUARD_CONTRACT = ["5826,LGP,2521,1000.00,Guard contract: standard services"]

CASES = [
    ("R93", [], [], GUARDS, [("post.toml", 0, "guard_force")]),
    ("R93", ["5826,1900.0,10,", "5826,2000.0,10,", "5826,1901.0,1,"], GUARD_CONTRACT, GUARDS, []),
    ("R71", [], ["6150-X001,RB,2500,100.00,Language classes"], {}, [("budget.csv", 7, "cost_center")]),
    ("R71", ["6441-X003,2000.0,4,"], ["6441-X003,RB,2500,100.00,Language classes"], {}, []),
    ("R72", ["5624-0001,2000.0,3,"], [], {}, [("workload.csv", ADDED, "agency")]),
    ("R72", ["5624-0001,9913.0,3,"], [], {}, []),
    ("R73", ["6139,9913.0,10,"], [], {}, [("workload.csv", ADDED, "agency")]),
    ("R73", ["6139,9913.0,10,", "5624-0001,9913.0,3,"], [], {}, []),
    ("R74", ["6132-X001,2000.0,2,"], [], {}, [("workload.csv", ADDED, "agency")]),
    ("R74", ["6132-X001,1901.0,2,"], [], {}, []),
    ("R75", SUPPLIES, ["6133-X133,RB,1100,100.00,Supply clerk"], {}, [("budget.csv", 7, "soc")]),
    ("R75", SUPPLIES, ["6133-X133,RB,2600,100.00,Supplies issued"], {}, []),
    (
        "R76",
        ["6133-X133,2000.0,100,", "6133,2000.0,50,"],
        ["6133-X133,RB,2600,100.00,Supplies issued"],
        {},
        [("workload.csv", ADDED, "count")],
    ),
    ("R77", ["6144-X144,2000.0,2.5,"], [], {}, [("workload.csv", ADDED, "count")]),
    ("R77", ["6144-X144,2000.0,2,"], [], {}, []),
    ("R78", ["6144-X144,2000.0,2,", "6144-X244,2000.0,1,"], [], {}, [("workload.csv", ADDED + 1, "agency")]),
    ("R78", ["6144-X144,2000.0,2,", "6144-X244,1900.0,1,"], [], {}, []),
    ("R79", [*PATROLLED, "5823-X023,2000.0,1,"], [], {}, [("workload.csv", ADDED + 5, "")]),
    ("R79", [*PATROLLED, "5823-X023,2000.0,2,"], [], {}, []),
    ("R80", ["5821-X999,1931.0,10,"], [], {}, [("workload.csv", ADDED, "agency")]),
    ("R80", ["5821-X999,1900.0,10,"], [], {}, []),
    ("R83", ["6194-X001,2000.0,1,", "6194-X001,1900.0,1,"], [], {}, [("workload.csv", ADDED, "agency")]),
    ("R83", ["6194-X001,2000.0,2,", "6194,2000.0,5,"], [], {}, [("workload.csv", ADDED, "count")]),
    ("R83", ["6194-X001,2000.0,1,"], [], {}, [("workload.csv", ADDED, "agency")]),
    ("R83", ["6194-X001,2000.0,1,", "6194,2000.0,5,"], [], {}, []),
    ("R86", ["7820-X822,2000.0,5,"], [], {}, [("workload.csv", ADDED, "cost_center")]),
    ("R86", ["7820-X821,2000.0,5,", "7820-X822,2000.0,5,"], [], {}, []),
    ("R88", ["7850-X799,2000.0,50,", "7850,1900.0,100,"], [], {}, [("workload.csv", ADDED, "")]),
    ("R88", ["7850-X799,2000.0,50,", "7850,2000.0,100,"], [], {}, []),
    ("R95", ["6139-X001,2000.0,5,"], [], {}, [("workload.csv", ADDED, "cost_center")]),
    ("R95", ["6139-X001,2000.0,5,"], ["6139-X001,RB,2500,100.00,Staff club use"], {}, []),
    ("R84", [*GUARDED, "5822,2000.0,100,", "5822,1900.0,200,"], [], {}, [("workload.csv", ADDED + 2, "agency")]),
    ("R84", [*GUARDED, "5822-X001,2000.0,100,", "5822-X002,1900.0,200,"], [], {}, []),
    ("R85", [*GUARDED, "5822,1901.0,100,"], [], {}, [("workload.csv", ADDED + 2, "agency")]),
    ("R85", [*GUARDED, "5826-X001,1901.0,100,"], [], {}, []),
    (
        "R87",
        ["7820,2000.0,50,"],
        ["7820,RB,2540,100.00,Dedicated storage shelving"],
        {},
        [("budget.csv", 7, "description")],
    ),
    ("R87", STORED, ["7820-X099,RB,2540,100.00,Dedicated storage shelving"], {}, []),
    (
        "R89",
        ["7850,2000.0,100,"],
        ["7850,RB,2520,100.00,Commissioning of leased residences"],
        {},
        [("budget.csv", 7, "description")],
    ),
    ("R89", ["7850-X899,2000.0,2,"], ["7850-X899,RB,2520,100.00,Commissioning of leased residences"], {}, []),
    ("R90", ["6451-X001,2000.0,4,"], [], {}, [("workload.csv", ADDED, "cost_center")]),
    ("R90", ["6441-X001,2000.0,4,", "6441-X004,2000.0,2,"], [], {}, [("workload.csv", ADDED + 1, "cost_center")]),
    ("R90", ["6441-X001,2000.0,4.5,"], [], {}, [("workload.csv", ADDED, "count")]),
    ("R90", ["6441-X001,2000.0,4,", "6451-X003,2000.0,2,"], [], {}, []),
    (
        "R91",
        ["6139-X005,2000.0,10,"],
        ["6139-X005,RB,2500,100.00,Drive cameras"],
        {},
        [("budget.csv", 7, "description")],
    ),
    ("R91", ["6132-X132,2000.0,2,"], ["6132-X132,RB,2500,100.00,Drive cameras"], {}, []),
    ("R92", ["6443-X001,2000.0,9,"], [], {}, [("workload.csv", ADDED, "count")]),
    ("R92", ["6443-X001,2000.0,5,"], [], {}, []),
    ("R92", [*GUARDED, "5822,2000.0,10,", "5822-X001,2000.0,100,"], [], {}, []),
    (
        "R84",
        [*GUARDED, "5822-X001,2000.0,100,", "5822-X001,1900.0,200,"],
        [],
        {},
        [("workload.csv", ADDED + 2, "agency")],
    ),
    ("R137", WAREHOUSE, ["7860,RB,2340,100.00,Warehouse utilities"], {}, [("budget.csv", 7, "cost_center")]),
    (
        "R137",
        WAREHOUSE,
        ["7860,RB,2340,100.00,Warehouse utilities", "7860-X099,RB,2340,50.00,Warehouse utilities"],
        {},
        [],
    ),
    ("R81", [], [], PHONES, [("post.toml", 0, "cell_phone_program")]),
    ("R81", ["6195-0001,2000.0,5,"], [], PHONES, [("post.toml", 0, "cell_phone_program")]),
    ("R81", ["6195-0001,2000.0,5,"], [], PHONES | PHONE_TIME, []),
    ("R81", [], [], NO_PHONES, []),
    ("R82", [], [], REPEATER, [("post.toml", 0, "radio_repeater_site")]),
    (
        "R82",
        ["7860-0001,1901.0,1,", "7860-0001,2000.0,1,"],
        REPEATER_LEASE,
        REPEATER,
        [("post.toml", 0, "radio_repeater_site")],
    ),
    ("R82", ["7860-0001,1901.0,2,"], REPEATER_LEASE, REPEATER, [("post.toml", 0, "radio_repeater_site")]),
    ("R82", ["7860-0001,1901.0,1,"], [], REPEATER, [("post.toml", 0, "radio_repeater_site")]),
    ("R82", ["7860-0001,1901.0,1,"], REPEATER_LEASE, REPEATER, []),
    (
        "R82",
        ["7860-X099,1901.0,1,"],
        ["7860-X099,RB,2320,1200.00,Lease"],
        REPEATER,
        [("post.toml", 0, "radio_repeater_site")],
    ),
    ("R94", [], [], MOVING, [("post.toml", 0, "new_facilities")]),
    (
        "R94",
        ["7820-X821,1901.0,10,"],
        ["7820-X821,RB,2540,500.00,Parking lot"],
        MOVING,
        [("post.toml", 0, "new_facilities")],
    ),
    ("R94", ["7820-0001,1901.0,100,"], ["7820-0001,RB,2540,500.00,New annex: utilities"], MOVING, []),
    ("R94", [], [], {"post_toml": BASE["post.toml"] + 'new_facilities = "no"\n'}, []),
]


@pytest.mark.parametrize(("rule", "counts", "budget", "changes", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_sub_cost_center_rule_fires_alone_where_broken_and_is_silent_where_kept(
    tmp_path, rule, counts, budget, changes, where
):
    assert findings(tmp_path, counts, budget, **changes) == [(rule, *place) for place in where]


def test_a_medevac_post_has_the_regional_medevac_sub_cost_center(tmp_path):
    bundle = run_post(write_bundle(tmp_path / "bundle", agencies_csv=AGENCIES)).bundle
    assert bundle is not None
    context = Context(load_catalog(), load_counting_rules())
    designated = dataclasses.replace(bundle, post=dataclasses.replace(bundle.post, medevac_post=True))
    assert [(d.rule, d.field) for d in regional_medevac(designated, context)] == [("R72", "medevac_post")]
    counted = run_post(
        write_bundle(
            tmp_path / "counted", agencies_csv=AGENCIES, workload_csv=append("workload.csv", "5624-0001,9913.0,3,")
        )
    ).bundle
    assert counted is not None
    with_office = dataclasses.replace(counted, post=dataclasses.replace(counted.post, medevac_post=True))
    assert regional_medevac(with_office, context) == []


def test_a_lite_post_numbers_its_language_programs_under_6445(tmp_path):
    bundle = run_post(write_bundle(tmp_path / "bundle")).bundle
    assert bundle is not None
    lite = dataclasses.replace(bundle.post, methodology=Methodology.LITE)
    context = Context(load_catalog(), load_counting_rules())

    def at_lite(*counts: tuple[str, str]) -> list[tuple[str | None, str]]:
        lines = tuple(Workload(code, "2000.0", Decimal(count)) for code, count in counts)
        post = dataclasses.replace(bundle, post=lite, workload=lines)
        return [(d.rule, d.field) for d in language_programs(post, context)]

    assert at_lite(("6445-X001", "4"), ("6445-X002", "3"), ("6445-X003", "2")) == []
    assert at_lite(("6445-X001", "4"), ("6445-X004", "2")) == [("R90", "cost_center")]
    assert at_lite(("6445-X002", "2.5")) == [("R90", "count")]


def test_a_lite_post_is_told_its_own_standardized_code(tmp_path):
    bundle = run_post(write_bundle(tmp_path / "bundle")).bundle
    assert bundle is not None
    lite = dataclasses.replace(bundle, post=dataclasses.replace(bundle.post, methodology=Methodology.LITE))
    line = BudgetLine("6145-X005", Funding.RB, "2500", 10000, "Drive cameras for the motor pool")
    found = standardized_services(
        dataclasses.replace(lite, budget=(line,)), Context(load_catalog(), load_counting_rules())
    )
    assert [(d.rule, d.field) for d in found] == [("R91", "description")]
    assert "(6145-X132)" in found[0].message
