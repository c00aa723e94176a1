"""The handbook's rules on positions outside ICASS and costs ICASS excludes or misplaces (group h, R120-R142): each
broken alone on the valid base bundle fires alone, on its file, row and field; the same bundle following it is
silent."""

from __future__ import annotations

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context
from icass.checks.other_rules import ds_program_security
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

# The position a case adds is row 4 of positions.csv, the budget line it adds row 7 of budget.csv.
POSITION, LINE = 4, 7


def findings(tmp_path, position=None, budget=()):
    """(rule, file, row, field) of every diagnostic of the base bundle with this position (category, title; all
    its time on 6139) and these budget lines added (each new cost center but 8790 counted for one agency), and
    every other diagnostic as its text (none is expected)."""
    counted = {line.split(",")[0] for line in BASE["workload.csv"].splitlines()} | {"8790"}
    uncounted = {line.split(",")[0] for line in budget} - counted
    changes = {
        "budget_csv": BASE["budget.csv"] + "".join(line + "\n" for line in budget),
        "workload_csv": BASE["workload.csv"] + "".join(f"{code},2000.0,1,\n" for code in sorted(uncounted)),
    }
    if position is not None:
        category, title = position
        grade = "FS-02" if category == "USDH" else "FSN-9"
        changes["positions_csv"] = BASE["positions.csv"] + f"P3,{category},{grade},{title}\n"
        changes["time_allocation_csv"] = BASE["time_allocation.csv"] + "P3,6139,100\n"
        if category == "LE":
            changes["position_costs_csv"] = BASE["position_costs.csv"] + "P3,RB,1100,20000.00\n"
    bundle = write_bundle(tmp_path / "bundle", **changes)
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in run_post(bundle).diagnostics]


# A guard program line beside the contract, and a contract budgeted in its parts.
GUARDS = "5826,LGP,3100,100.00,Guard booths"
CONTRACT = ["5826,LGP,2521,700.00,Guard contract: standard services", "5826,LGP,2521,100.00,Guard contract: VAT"]
AT_POSITION = [("positions.csv", POSITION, "title")]
AT_LINE = [("budget.csv", LINE, "description")]

# (rule, position added, budget lines added, what the bundle finds): each rule broken, then kept.
CASES = [
    ("R120", ("USDH", "Facility Manager"), [], AT_POSITION),
    ("R120", ("LE", "Facility Manager"), [], []),
    ("R121", ("USDH", "Assistant Regional Security Officer"), [], AT_POSITION),
    ("R121", ("LE", "RSO investigator"), [], []),
    ("R122", ("LE", "LE Security Coordinator"), [], AT_POSITION),
    ("R122", ("LE", "Security assistant"), [], []),
    ("R124", ("LE", "RIMC network technician"), [], AT_POSITION),
    ("R124", ("LE", "Network technician"), [], []),
    ("R125", ("LE", "CMR gardener"), [], AT_POSITION),
    ("R125", ("LE", "Gardener"), [], []),
    ("R126", None, ["7850,RB,2500,800.00,Grounds care of the CMR"], AT_LINE),
    ("R126", None, ["7850,RB,2500,800.00,Grounds care of the common areas"], []),
    ("R127", None, ["5624,RB,2100,800.00,Medevac travel"], AT_LINE),
    ("R127", None, ["5624,RB,2100,800.00,Travel of the post nurse"], []),
    ("R128", None, ["5458,RB,3100,800.00,PBX replacement"], AT_LINE),
    ("R128", None, ["5458,RB,3100,800.00,IT equipment not covered by GITM"], []),
    ("R129", None, ["5880,RB,3100,800.00,CAMS installation"], AT_LINE),
    ("R129", None, ["5880,RB,3100,800.00,Camera maintenance"], []),
    ("R130", None, ["6139,RB,2100,800.00,Driver per diem"], AT_LINE),
    ("R130", None, ["6139,RB,2600,800.00,Driver uniforms"], []),
    ("R131", None, ["6150,RB,2600,800.00,Fuel"], AT_LINE),
    ("R131", None, ["6139,RB,2600,800.00,Fuel"], []),
    ("R132", None, ["6195,RB,2330,800.00,Cell phone charges of ICASS sections"], AT_LINE),
    ("R132", None, ["8790,RB,2330,800.00,Cell phone charges of ICASS sections"], []),
    ("R133", None, ["6150,RB,2100,800.00,Training travel of ICASS staff"], AT_LINE),
    ("R133", None, ["8790,RB,2100,800.00,Training travel of ICASS staff"], []),
    ("R134", None, ["7850,RB,2600,800.00,Welcome kits"], AT_LINE),
    ("R134", None, ["6143,RB,2500,800.00,FAP moving contract"], AT_LINE),
    ("R134", None, ["6144,RB,2600,800.00,Welcome kits"], []),
    ("R135", None, ["6139,RB,3100,800.00,Armored vehicle"], AT_LINE),
    ("R135", None, ["6139,RB,3100,800.00,Motor pool sedan"], []),
    ("R136", None, [GUARDS, "5826,LGP,2521,800.00,Guard services contract"], [("budget.csv", LINE + 1, "description")]),
    ("R136", None, [GUARDS, *CONTRACT], []),
]


@pytest.mark.parametrize(("rule", "position", "budget", "where"), CASES, ids=[c[0] for c in CASES])
def test_an_other_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, position, budget, where):
    assert findings(tmp_path, position, budget) == [(rule, *place) for place in where]


def test_residential_security_coordinators_are_icass_staff(tmp_path):
    """The residential security coordinators and technicians are ICASS's (H-341.5 f NOTE 3), unlike the LE
    security coordinators DS funds; their time here is R33's to judge."""
    positions = BASE["positions.csv"] + "P3,LE,FSN-9,Residential Security Coordinator\n"
    changes = {
        "positions_csv": positions,
        "time_allocation_csv": BASE["time_allocation.csv"] + "P3,6139,100\n",
        "position_costs_csv": BASE["position_costs.csv"] + "P3,RB,1100,20000.00\n",
    }
    bundle = run_post(write_bundle(tmp_path / "bundle", **changes)).bundle
    assert bundle is not None
    assert ds_program_security(bundle, Context(load_catalog(), load_counting_rules())) == []
