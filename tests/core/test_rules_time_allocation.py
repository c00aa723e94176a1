"""The handbook's rules on time allocation (group c, R27-R52): each broken alone on the valid base bundle fires
alone, on its row and field; the same bundle following it is silent."""

from __future__ import annotations

import dataclasses

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context, run_checks
from icass.model import PostBundle
from icass.runs.post import run_post
from tests.bundles import BASE, append, write_bundle

Found = tuple[str, str, int, str]  # rule, file, row, field


def found(tmp_path, **changes: str) -> list[Found]:
    """What the whole pipeline says of the base bundle with these changes."""
    result = run_post(write_bundle(tmp_path / "bundle", **changes))
    return [(d.rule, d.source.file, d.source.row, d.field) for d in result.diagnostics]


def bundle_of(tmp_path, **changes: str) -> PostBundle:
    bundle = run_post(write_bundle(tmp_path / "bundle", **changes)).bundle
    assert bundle is not None
    return bundle


def found_on_rows(bundle: PostBundle) -> list[Found]:
    """What the checks on rows say of a bundle made in memory (a fact the files do not give yet)."""
    context = Context(load_catalog(), load_counting_rules())
    return [(d.rule, d.source.file, d.source.row, d.field) for d in run_checks(bundle, context)]


def with_post(bundle: PostBundle, **post: object) -> PostBundle:
    return dataclasses.replace(bundle, post=dataclasses.replace(bundle.post, **post))


def with_le_staff(code: str, title: str = "Local guard", *, usdh_share: str = "", **more: str) -> dict[str, str]:
    """The base bundle with an LE position P3 all on `code` (with a count there, so that its cost is shared),
    and, given `usdh_share`, that many of P1's (USDH) 50 percent on 6139 moved to `code` (time_allocation.csv
    row 3)."""
    allocation = BASE["time_allocation.csv"]
    if usdh_share:
        rest = 50 - int(usdh_share)
        allocation = allocation.replace("P1,6139,50\n", f"P1,6139,{rest}\nP1,{code},{usdh_share}\n")
    # A guard program position is paid from the LGP target (R10), every other from the regional bureau's.
    funding = "LGP" if code.split("-")[0] in ("5821", "5822", "5823", "5826") else "RB"
    changes = {
        "positions_csv": append("positions.csv", f"P3,LE,FSN-4,{title}"),
        "position_costs_csv": append("position_costs.csv", f"P3,{funding},1100,8000.00"),
        "time_allocation_csv": allocation + f"P3,{code},100\n",
        "workload_csv": append("workload.csv", f"{code},1900.0,100,"),
    }
    return changes | more


@pytest.mark.parametrize("code", ["5821", "5822", "5823", "5826", "5821-X999"])
def test_no_usdh_time_on_the_local_guard_program(tmp_path, code):
    assert found(tmp_path / "le", **with_le_staff(code)) == []
    assert found(tmp_path / "usdh", **with_le_staff(code, usdh_share="10")) == [
        ("R31", "time_allocation.csv", 3, "cost_center")
    ]


@pytest.mark.parametrize(
    ("code", "rule", "title"),
    [
        ("5823-X023", "R45", "Residential Security Coordinator"),
        ("7850-X799", "R47", "Painter"),
        ("7850-X899", "R48", "Housing maintenance worker"),
    ],
)
def test_only_le_staff_on_residential_security_make_ready_and_commissioning(tmp_path, code, rule, title):
    assert found(tmp_path / "le", **with_le_staff(code, title)) == []
    assert found(tmp_path / "usdh", **with_le_staff(code, title, usdh_share="10")) == [
        (rule, "time_allocation.csv", 3, "cost_center")
    ]


@pytest.mark.parametrize(("code", "rule"), [("6133-X133", "R36"), ("6144-X144", "R46"), ("6144-X244", "R46")])
def test_no_time_on_supplies_issued_or_the_pool_assessments(tmp_path, code, rule):
    parent = code.partition("-")[0]
    assert found(tmp_path / "parent", **with_le_staff(parent, "Supply clerk")) == []
    assert found(tmp_path / "sub", **with_le_staff(code, "Supply clerk")) == [
        (rule, "time_allocation.csv", 6, "cost_center")
    ]


def test_a_furniture_pool_has_someone_s_time(tmp_path):
    bundle = bundle_of(tmp_path, **with_le_staff("6144", "Warehouse worker"))
    assert found_on_rows(with_post(bundle, furniture_pool=True)) == []
    moved = dataclasses.replace(
        bundle,
        time_allocation=tuple(
            dataclasses.replace(a, cost_center="6139") if a.cost_center == "6144" else a for a in bundle.time_allocation
        ),
    )
    assert found_on_rows(with_post(moved, furniture_pool=True)) == [("R39", "post.toml", 0, "furniture_pool")]
    # Subscribers to 6144 do not make a pool: the post says whether it runs one, and without it R39 is not judged.
    assert found_on_rows(with_post(moved, furniture_pool=False)) == []
    assert found_on_rows(moved) == []


def test_no_time_on_special_event_guards_at_a_contract_guard_post(tmp_path):
    bundle = bundle_of(tmp_path, **with_le_staff("5821-X999"))
    assert found_on_rows(with_post(bundle, guard_force="psa")) == []
    assert found_on_rows(with_post(bundle, guard_force="contract")) == [
        ("R44", "time_allocation.csv", 6, "cost_center")
    ]


def test_zero_percent_is_no_time(tmp_path):
    changes = with_le_staff("6144", "Warehouse worker")
    changes["time_allocation_csv"] += "P3,6144-X144,0\nP1,5821,0\n"
    assert found(tmp_path, **changes) == []


def test_a_position_s_time_adds_up_to_100(tmp_path):
    assert found(tmp_path / "base") == []
    short = BASE["time_allocation.csv"].replace("P1,5624,30", "P1,5624,29.5")
    assert found(tmp_path / "short", time_allocation_csv=short) == [("R52", "positions.csv", 2, "position_id")]


@pytest.mark.parametrize(
    ("title", "dual"), [("Management officer", "P1,0000,100"), ("USAID Executive Officer", "P1,0009,100")]
)
def test_no_position_is_all_on_non_icass_duties(tmp_path, title, dual):
    allocation = f"position_id,cost_center,percent\n{dual}\nP2,6139,100\n"
    positions = BASE["positions.csv"].replace("Management officer", title)
    assert found(tmp_path, positions_csv=positions, time_allocation_csv=allocation) == [
        ("R41", "positions.csv", 2, "position_id")
    ]


def _time(*rows: str, workload: tuple[str, ...] = ()) -> dict[str, str]:
    """The base bundle with an LE position P3 (positions.csv row 4) titled as the test says, its time given
    row by row (time_allocation.csv rows 6 on), and counts on the cost centers it serves."""
    counts = "".join(f"{code},1900.0,10,\n" for code in workload)
    # A position all in the guard program is paid from the LGP target (R10), any other from the bureau's.
    guarding = all(row.split("-")[0].split(",")[0] in ("5821", "5822", "5823", "5826") for row in rows)
    return {
        "position_costs_csv": append("position_costs.csv", f"P3,{'LGP' if guarding else 'RB'},1100,8000.00"),
        "time_allocation_csv": BASE["time_allocation.csv"] + "".join(f"P3,{row}\n" for row in rows),
        "workload_csv": BASE["workload.csv"] + counts,
    }


def _titled(title: str, changes: dict[str, str]) -> dict[str, str]:
    return changes | {"positions_csv": append("positions.csv", f"P3,LE,FSN-5,{title}")}


ON_POSITION = ("positions.csv", 4, "title")
ON_ROW_6 = ("time_allocation.csv", 6, "cost_center")
ON_ROW_7 = ("time_allocation.csv", 7, "cost_center")

# rule, the title and time that follow it, the title and time that break it, where it is told
WARNINGS = [
    ("R28", ("Customer Service Clerk", _time("6150,100")), ("Clerk", _time("6150,100")), ON_POSITION),
    ("R29", ("CLO Coordinator", _time("6443,100")), ("CLO Coordinator", _time("6443,40", "6139,60")), ON_POSITION),
    ("R29", ("Human Resources Officer", _time("6443,100")), ("Clerk", _time("6443,100")), ON_ROW_6),
    ("R30", ("Nurse", _time("5624,90", "6150,10")), ("Clerk", _time("5624,100")), ON_ROW_6),
    ("R30", ("Medical Assistant", _time("5624,100")), ("Medical Assistant", _time("5624,50", "6139,50")), ON_ROW_7),
    (
        "R32",
        ("Guard", _time("5821,100", workload=("5821",))),
        ("Housing Assistant", _time("5821,100", workload=("5821",))),
        ON_ROW_6,
    ),
    (
        "R32",
        ("Residential Security Technician", _time("5823,100", workload=("5823",))),
        ("Housing Assistant", _time("5823,100", workload=("5823",))),
        ON_ROW_6,
    ),
    (
        "R33",
        ("Residential Security Coordinator", _time("5823-X023,100", workload=("5823-X023",))),
        ("Residential Security Coordinator", _time("5823-X023,50", "5826,50", workload=("5823-X023", "5826"))),
        ON_ROW_7,
    ),
    (
        "R34",
        ("Local Guard Coordinator", _time("5821,100", workload=("5821",))),
        ("Local Guard Coordinator", _time("5821,50", "5826,50", workload=("5821", "5826"))),
        ON_POSITION,
    ),
    (
        "R35",
        ("Security Investigator", _time("5880,100")),
        ("Assistant Regional Security Officer", _time("5880,100")),
        ON_ROW_6,
    ),
    (
        "R37",
        ("Shipping Supervisor", _time("6136,50", "6139,50", workload=("6136",))),
        ("Shipping Assistant", _time("6136,50", "6139,50", workload=("6136",))),
        ON_ROW_7,
    ),
    ("R38", ("Chauffeur", _time("6139,100")), ("Chauffeur", _time("6139,50", "6150,50")), ON_POSITION),
    ("R40", ("Translator", _time("8790,100")), ("Clerk", _time("8790,100")), ON_ROW_6),
    (
        "R42",
        ("USAID Financial Assistant", _time("0009,30", "6139,70", workload=("0009",))),
        ("Financial Assistant", _time("0009,30", "6139,70", workload=("0009",))),
        ON_ROW_6,
    ),
    (
        "R42",
        ("Financial Assistant", _time("0000,30", "6139,70")),
        ("USAID Financial Assistant", _time("0000,30", "6139,70")),
        ON_ROW_6,
    ),
    (
        "R50",
        ("Language Instructor", _time("6441-X001,100", workload=("6441-X001",))),
        ("Language Instructor", _time("6441,100", workload=("6441",))),
        ON_ROW_6,
    ),
    (
        "R51",
        ("Radio Technician", _time("6195,80", "0000,20", workload=("6195",))),
        ("Radio Technician", _time("6195,100", workload=("6195",))),
        ON_POSITION,
    ),
]


@pytest.mark.parametrize(("rule", "following", "breaking", "where"), WARNINGS, ids=[w[0] for w in WARNINGS])
def test_a_role_guessed_from_the_title_puts_its_time_where_the_handbook_says(
    tmp_path, rule, following, breaking, where
):
    # A local guard coordinator's missing DS and Council approvals are R139's (an info), not this rule's.
    assert [f for f in found(tmp_path / "following", **_titled(*following)) if f[0] != "R139"] == []
    assert [f for f in found(tmp_path / "breaking", **_titled(*breaking)) if f[0] != "R139"] == [(rule, *where)]


def test_a_usdh_position_does_not_spend_most_of_its_time_on_the_basic_package(tmp_path):
    # A budget large enough that half a USDH salary keeps 6150 within its share of it (R117).
    large = {"budget_csv": BASE["budget.csv"].replace("5880,RB,2500,10000.00", "5880,RB,2500,5000000.00")}
    half = BASE["time_allocation.csv"].replace("P1,6139,50", "P1,6150,50")
    assert found(tmp_path / "half", time_allocation_csv=half, **large) == []
    most = BASE["time_allocation.csv"].replace("P1,6139,50\nP1,0000,20", "P1,6150,51\nP1,0000,19")
    assert found(tmp_path / "most", time_allocation_csv=most, **large) == [
        ("R27", "time_allocation.csv", 2, "cost_center")
    ]


def test_a_cell_phone_program_has_someone_s_time(tmp_path):
    program = {"budget_csv": append("budget.csv", "6195-0001,RB,2330,1000.00,Cell phone service plans")}
    staffed = _titled("Telephone Operator", _time("6195-0001,100", workload=("6195-0001",))) | program
    assert found(tmp_path / "staffed", **staffed) == []
    unstaffed = _titled("Telephone Operator", _time("6139,100", workload=("6195-0001",))) | program
    assert found(tmp_path / "unstaffed", **unstaffed) == [("R49", "budget.csv", 7, "cost_center")]
