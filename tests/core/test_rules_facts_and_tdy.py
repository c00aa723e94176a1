"""The handbook's rules that needed a fact of their own (R08, R18, R43, R123, R139) and the TDY rules judged on the
tdy/ folder (R66, R140, R141, R142): each broken alone on a valid bundle fires alone, on its file, row and field;
the same bundle following it is silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from icass.checks import checked_rules, unjudged_rules
from icass.checks.tdy_rules import RULES as TDY_RULES
from icass.runs.post import run_post
from icass.runs.tdy import run_tdy
from tests.bundles import BASE, write_bundle
from tests.core.test_tdy import AS_OF, POLICY, SMALL_FILES, icass, service, visit, write_small, write_tdy

Found = tuple[str, str, int, str]  # rule, file, row, field


def found(tmp_path: Path, **changes: str) -> list[Found | str]:
    """What the whole pipeline says of the base bundle with these changes (a diagnostic of no rule as its text)."""
    result = run_post(write_bundle(tmp_path / "bundle", **changes))
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in result.diagnostics]


def with_position(line: str, time: str, pool: str = "", header: str = "") -> dict[str, str]:
    """The base bundle with position P3 (positions.csv row 4) added, its time, its pool lines and a count on each
    cost center it serves; `header`: more columns of positions.csv, empty on the base rows."""
    codes = {row.split(",")[1] for row in time.strip().splitlines()} - {"0000"}
    positions = BASE["positions.csv"]
    if header:
        rows = positions.splitlines()
        blank = "," * header.count(",") + ","
        positions = "\n".join([rows[0] + "," + header, *(row + blank for row in rows[1:])]) + "\n"
    return {
        "positions_csv": positions + line + "\n",
        "time_allocation_csv": BASE["time_allocation.csv"] + time,
        "position_costs_csv": BASE["position_costs.csv"] + pool,
        "workload_csv": BASE["workload.csv"] + "".join(f"{code},1900.0,10,\n" for code in sorted(codes)),
    }


# ------------------------------------------------------------------------------------------ R08: EFM positions
GUARD = "P3,{category},FSN-4,Local guard"


@pytest.mark.parametrize(
    ("category", "soc", "expected"),
    [
        ("EFM", "1100", [("R08", "position_costs.csv", 3, "soc")]),  # salary
        ("EFM", "1200", [("R08", "position_costs.csv", 3, "soc")]),  # benefits and base allowances
        ("EFM", "2100", []),  # travel stays in the pool
        ("LE", "1100", []),  # an LE guard's salary is the post's
    ],
)
def test_an_efm_guard_position_has_no_salary_lines(tmp_path, category, soc, expected):
    changes = with_position(GUARD.format(category=category), "P3,5821,100\n", f"P3,LGP,{soc},8000.00\n")
    assert found(tmp_path, **changes) == expected


def test_an_efm_position_outside_the_guard_program_keeps_its_salary(tmp_path):
    changes = with_position("P3,EFM,FSN-4,Dispatcher", "P3,6139,100\n", "P3,RB,1100,8000.00\n")
    assert found(tmp_path, **changes) == []


# ---------------------------------------------------------------------------- R18: alternate service providers
def with_provider() -> str:
    """The base budget with an empty provider column."""
    header, *rows = BASE["budget.csv"].splitlines()
    return "\n".join([header + ",provider", *(row + "," for row in rows)]) + "\n"


def test_an_alternate_service_providers_lines_skip_the_funding_checks(tmp_path):
    budget = with_provider()
    state = budget + "6139,OBO,2500,100.00,Vehicle lease,\n"
    assert found(tmp_path / "state", budget_csv=state) == [("R04", "budget.csv", 7, "funding")]
    provider = budget + "6139,OBO,2500,100.00,Vehicle lease,2000.0\n6139,OBO,2500,50.00,Fuel,2000.0\n"
    assert found(tmp_path / "asp", budget_csv=provider) == [("R18", "budget.csv", 7, "provider")]


def test_without_a_provider_nothing_is_said(tmp_path):
    assert found(tmp_path, budget_csv=with_provider()) == []


# -------------------------------------------------------------------------------- R43: dual-function positions
DUAL = "dual_function,dual_approved_on"


def dual(p1: str, p2: str) -> dict[str, str]:
    """The base bundle with P2 (LE, positions.csv row 3) giving 20 percent to 0000, and the two designations."""
    positions = (
        f"position_id,category,grade,title,{DUAL}\nP1,USDH,FS-02,Management officer,{p1}\nP2,LE,FSN-9,Dispatcher,{p2}\n"
    )
    time = BASE["time_allocation.csv"].replace("P2,6139,100\n", "P2,6139,80\nP2,0000,20\n")
    return {"positions_csv": positions, "time_allocation_csv": time}


@pytest.mark.parametrize(
    ("p1", "p2", "expected"),
    [
        ("yes,", "no,", [("R43", "positions.csv", 3, "dual_function")]),
        ("no,", "yes,2026-03-02", [("R43", "positions.csv", 2, "dual_function")]),
        ("yes,", "yes,", [("R43", "positions.csv", 3, "dual_approved_on")]),  # LE: the committee's date
        ("yes,", "yes,2026-03-02", []),  # a USDH position needs no date
    ],
)
def test_time_on_non_icass_needs_a_dual_function_designation(tmp_path, p1, p2, expected):
    assert found(tmp_path, **dual(p1, p2)) == expected


def test_a_post_that_designates_no_position_is_not_judged(tmp_path):
    changes = dual("no,", "no,")
    assert found(tmp_path, **changes) == []
    bundle = run_post(write_bundle(tmp_path / "b", **changes)).bundle
    assert bundle is not None
    assert unjudged_rules(bundle)["positions.csv dual_function"] == ("R43",)


# ------------------------------------------------------------------------------------- R123: USDH IM officers
ISO = "P3,USDH,FS-02,Information Systems Officer"
POST = BASE["post.toml"]


@pytest.mark.parametrize(
    ("program", "time", "expected"),
    [
        ("no", "P3,5458,100\n", [("R123", "positions.csv", 4, "title")]),  # the sole one is ICASS's
        ("no", "P3,5458,60\nP3,0000,40\n", []),  # the sole one, the program's, shared through 0000
        ("yes", "P3,5458,100\n", []),  # the program's outside the positions, the ISO ICASS's
        ("yes", "P3,5458,60\nP3,0000,40\n", [("R123", "positions.csv", 4, "title")]),  # two, none ICASS
    ],
)
def test_usdh_im_officers(tmp_path, program, time, expected):
    changes = with_position(ISO, time) | {"post_toml": POST + f'state_program_im = "{program}"\n'}
    assert found(tmp_path, **changes) == expected


def test_two_icass_im_officers(tmp_path):
    changes = with_position(ISO, "P3,5458,100\n") | {"post_toml": POST + 'state_program_im = "no"\n'}
    changes["positions_csv"] += "P4,USDH,FS-02,Information Management Officer\n"
    changes["time_allocation_csv"] += "P4,5458,100\n"
    assert found(tmp_path, **changes) == [("R123", "positions.csv", 5, "title")]


# --------------------------------------------------------------------- R139: local guard coordinator approvals
APPROVALS = "ds_approved_on,council_approved_on"
COORDINATOR = "P3,LE,FSN-7,Local Guard Coordinator,{approvals}"


@pytest.mark.parametrize(
    ("approvals", "expected"),
    [
        (",", [("R139", "positions.csv", 4, "ds_approved_on")]),
        ("2025-01-06,", [("R139", "positions.csv", 4, "council_approved_on")]),
        ("2025-01-06,2025-02-11", []),
    ],
)
def test_a_guard_coordinator_needs_ds_and_council_approval(tmp_path, approvals, expected):
    line = COORDINATOR.format(approvals=approvals)
    changes = with_position(line, "P3,5821,100\n", "P3,LGP,1100,8000.00\n", header=APPROVALS)
    assert found(tmp_path, **changes) == expected


# ------------------------------------------------------------------------------------------------ the TDY rules
def tdy_found(tmp_path: Path, visits: list[str], services: list[str] = (), policy: str = POLICY, **post: str):
    """What the TDY run says of the small bundle with this tdy/ folder, by the TDY rules (the small bundle's budget
    breaks some warnings of its own)."""
    folder = write_tdy(write_small(tmp_path / "post", **post), visits, services, policy)
    run = run_tdy(folder, AS_OF)
    return run, [(d.rule, d.source.file, d.source.row, d.field) for d in run.diagnostics if d.rule in TDY_RULES]


@pytest.mark.parametrize(
    ("category", "comment", "expected"),
    [
        ("ROUTINE", "", [("R66", "tdy/services.csv", 2, "comment")]),
        ("ROUTINE", "MED consultations only", []),
        ("VIP", "", []),  # exempt: no mandatory daily lines
        ("CABINET", "", []),
    ],
)
def test_a_mandatory_modification_below_one_is_explained(tmp_path, category, comment, expected):
    run, rules = tdy_found(
        tmp_path, [visit("V1", category=category, depart="2027-11-30")], [service("V1", "5624", "", "0.5", comment)]
    )
    assert rules == expected
    assert (run.billing is None) == bool(expected)


@pytest.mark.parametrize(
    ("visits", "expected"),
    [
        ([visit("V1", arrive="2026-12-01", depart="2027-11-30")], [("R140", "tdy/visits.csv", 2, "depart")]),
        ([visit("V1", arrive="2026-12-02", depart="2027-11-30")], []),  # 364 days
        (
            [
                visit("V1", arrive="2026-11-01", depart="2027-05-31"),
                visit("V2", arrive="2027-06-01", depart="2027-11-20", related_to="V1"),
            ],
            [("R140", "tdy/visits.csv", 2, "arrive")],
        ),
        (
            [
                visit("V1", arrive="2026-11-01", depart="2027-05-31"),
                visit("V2", arrive="2027-06-01", depart="2027-11-20"),  # unrelated visits
            ],
            [],
        ),
    ],
)
def test_visits_of_one_function_for_a_year_should_be_a_position(tmp_path, visits, expected):
    run, rules = tdy_found(tmp_path, visits)
    assert rules == expected
    assert run.ok


@pytest.mark.parametrize(("threshold", "expected"), [("499.99", ["R141"]), ("500", [])])
def test_the_threshold_is_at_least_500_dollars(tmp_path, threshold, expected):
    policy = f'[policy]\nthreshold = {threshold}\ninvoices = "yes"\n'
    _, rules = tdy_found(tmp_path, [visit("V1")], policy=policy)
    assert [rule for rule, *_ in rules] == expected
    assert [(file, field) for _, file, _, field in rules] == [("tdy/policy.toml", "policy.threshold")] * len(expected)


def test_the_rates_come_from_a_final_budget(tmp_path):
    draft = SMALL_FILES["post.toml"].replace('stage = "final"\n', 'stage = "draft"\n')
    run, rules = tdy_found(tmp_path / "draft", [visit("V1")], post_toml=draft)
    assert rules == [("R142", "post.toml", 0, "post.stage")]
    assert run.ok  # a warning: the rates may still be previewed
    assert tdy_found(tmp_path / "final", [visit("V1")])[1] == []


def test_icass_validate_judges_the_tdy_folder(tmp_path):
    folder = write_tdy(write_small(tmp_path / "post"), [visit("V1")], [service("V1", "5624", "", "0.5")])
    result = icass("validate", folder)
    assert result.exit_code == 2, result.output
    assert "tdy/services.csv, row 2, comment:" in result.stderr
    assert "(rule R66)" in result.stderr
    explained = write_tdy(write_small(tmp_path / "kept"), [visit("V1")], [service("V1", "5624", "", "0.5", "why")])
    assert icass("validate", explained).exit_code == 0


def test_the_tdy_rules_are_listed_as_checked():
    assert {"R66", "R140", "R141", "R142"} <= checked_rules()
    listed = icass("rules", "--format", "csv").stdout
    for rule in ("R66", "R140", "R141", "R142"):
        assert any(line.startswith(f"{rule},") and ",yes," in line for line in listed.splitlines())
