"""The handbook's funding rules (group a, R01-R17): each broken alone on a valid bundle fires alone, on its
file, row and field; the same bundle keeping it is silent."""

from __future__ import annotations

import dataclasses

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context, run_checks
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

# The base budget with a lease column; the first line a test adds is row 7.
HEADER, *LINES = BASE["budget.csv"].splitlines()
BUDGET = "".join(f"{line}\n" for line in (f"{HEADER},lease", *(f"{line}," for line in LINES)))
# Counts for the cost centers the tests add lines to, so that their cost has something to share it by.
COUNTS = "".join(
    f"{code},2000.0,10,\n"
    for code in (
        "5821",
        "5826",
        "7810",
        "7820",
        "7860",
        "6144",
        "6144-X144",
        "6132",
        "6132-X132",
        "6223",
        "7850-X799",
        "5458",
    )
)


def findings(tmp_path, budget=(), pool=(), **changes):
    """(rule, file, row, field) of every diagnostic of the bundle with these budget and pool lines added, and
    every other diagnostic as its text (none is expected)."""
    bundle = write_bundle(
        tmp_path / "bundle",
        budget_csv=BUDGET + "".join(line + "\n" for line in budget),
        position_costs_csv=BASE["position_costs.csv"] + "".join(line + "\n" for line in pool),
        **{"workload_csv": BASE["workload.csv"] + COUNTS, **changes},
    )
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in run_post(bundle).diagnostics]


# (rule, budget lines, pool lines, what the bundle with them finds): each rule broken, then kept.
CASES = [
    ("R01", [], ["P1,AMSAL,0006,1.00"], [("position_costs.csv", 3, "funding")]),
    ("R02", [], ["P2,OBO,2320,100.00"], [("position_costs.csv", 3, "funding")]),
    ("R02", [], ["P1,OBO,2320,100.00"], []),  # a USDH position's residential lease
    ("R03", ["6150,RB,0006,1.00,,"], [], [("budget.csv", 7, "soc")]),
    ("R03", [], ["P2,RB,0005,1.00"], [("position_costs.csv", 3, "soc")]),
    ("R03", ["6150,RB,2500,1.00,,"], ["P2,RB,1100,1.00"], []),
    ("R04", ["6150,OBO,2320,100.00,office lease,yes"], [], [("budget.csv", 7, "funding")]),
    ("R04", ["7860,OBO,2320,100.00,office lease,yes"], [], []),
    ("R05", ["7860,OBO,2340,100.00,utilities,no"], [], [("budget.csv", 7, "funding")]),
    ("R05", ["7860,RB,2340,100.00,utilities,no"], [], []),
    ("R06", ["6150,LGP,2600,100.00,supplies,"], [], [("budget.csv", 7, "funding")]),
    ("R06", [], ["P2,LGP,1100,100.00"], [("position_costs.csv", 3, "funding")]),
    ("R06", ["5821,LGP,2521,100.00,residential guard contract: standard services,"], [], []),
    ("R06", ["7860,LGP,2320,100.00,Lease of the guards' shift-change quarters,yes"], [], []),
    ("R07", ["5821,RB,2521,100.00,residential guard contract: standard services,"], [], [("budget.csv", 7, "funding")]),
    ("R07", ["5826,RB,2570,100.00,Screening equipment maintenance,", "5821,RB,2340,100.00,Utilities,"], [], []),
    ("R11", ["7820,RB,2540,100.00,Renovation of the consular section,"], [], [("budget.csv", 7, "description")]),
    ("R11", ["6150,RB,2540,100.00,MCI: new entrance,"], [], [("budget.csv", 7, "description")]),
    ("R11", ["7820,RB,2540,100.00,Minor repairs (BOE),", "5458,RB,2570,100.00,IT modernization,"], [], []),
    ("R12", ["6150,RB,3100,100.00,E&E radios for new staff,"], [], [("budget.csv", 7, "description")]),
    ("R12", ["6150,RB,3100,100.00,Radios for the motor pool,"], [], []),
    ("R13", ["7860,OBO,2320,100.00,E&E radio repeater site,yes"], [], [("budget.csv", 7, "description")]),
    ("R13", ["7860,OBO,2320,100.00,ICASS radio repeater site,yes"], [], []),
    ("R14", ["6144-X144,OBO,3123,100.00,FAP purchases,"], [], [("budget.csv", 7, "funding")]),
    ("R14", ["6144-X144,RB,3123,100.00,FAP purchases,"], [], []),
    ("R15", ["6132-X132,OBO,2520,100.00,DriveCam data service,"], [], [("budget.csv", 7, "funding")]),
    ("R15", ["6132-X132,RB,3100,100.00,Purchase of DriveCam recorders,"], [], [("budget.csv", 7, "description")]),
    ("R15", ["6132-X132,RB,2520,100.00,DriveCam data service,"], [], []),
    ("R16", ["7810,OBO,2320,100.00,capital lease,yes"], [], [("budget.csv", 7, "lease")]),
    ("R16", ["7820,RB,2540,100.00,Preventive maintenance of elevators,"], [], [("budget.csv", 7, "description")]),
    ("R16", ["7810,RB,2540,100.00,Pest control,", "7820,RB,2340,100.00,Utilities and submeters,"], [], []),
    ("R17", ["7860,RB,2600,100.00,Bulk paint and lumber,"], [], [("budget.csv", 7, "description")]),
    ("R17", ["7860,RB,2540,100.00,Preventive maintenance contract (HVAC),"], [], [("budget.csv", 7, "description")]),
    ("R17", ["7860,RB,2600,100.00,Cleaning supplies,", "7860,RB,2600,100.00,Bulk fuel for the generator,"], [], []),
]


@pytest.mark.parametrize(("rule", "budget", "pool", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_funding_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, budget, pool, where):
    assert findings(tmp_path, budget, pool) == [(rule, *found) for found in where]


def test_local_guard_salaries_are_funded_lgp(tmp_path):
    guard = {
        "positions_csv": BASE["positions.csv"] + "P3,LE,FSN-5,Local guard supervisor\n",
        "time_allocation_csv": BASE["time_allocation.csv"] + "P3,5821,100\n",
    }
    assert findings(tmp_path / "rb", [], ["P3,RB,1100,100.00"], **guard) == [
        ("R10", "position_costs.csv", 3, "funding")
    ]
    assert findings(tmp_path / "lgp", [], ["P3,LGP,1100,100.00"], **guard) == []


def _with(tmp_path, line: str, guard_force: str):
    """The base bundle with one budget line, read, then given the post's guard force."""
    bundle = run_post(
        write_bundle(tmp_path / "bundle", budget_csv=BUDGET + line + "\n", workload_csv=BASE["workload.csv"] + COUNTS)
    ).bundle
    assert bundle is not None
    return dataclasses.replace(bundle, post=dataclasses.replace(bundle.post, guard_force=guard_force))


def test_no_lgp_vehicle_purchase_at_a_psa_guard_post(tmp_path):
    context = Context(load_catalog(), load_counting_rules())
    line = "5821,LGP,3100,100.00,Purchase of a new patrol vehicle,"
    found = [(d.rule, d.source.row, d.field) for d in run_checks(_with(tmp_path / "psa", line, "psa"), context)]
    assert found == [("R09", 7, "description")]
    assert run_checks(_with(tmp_path / "contract", line, "contract"), context) == []
    fuel = "5821,LGP,2600,100.00,Patrol vehicle fuel and parts,"
    assert run_checks(_with(tmp_path / "fuel", fuel, "psa"), context) == []
