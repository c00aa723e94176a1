"""The handbook's rules on workload counts (group f, R96-R116): each broken alone on the valid base bundle fires
alone, on its file, row and field; the same bundle following it is silent."""

from __future__ import annotations

import pytest

from icass.diagnostics import ERROR
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle
from tests.sources import AGENCIES, PEOPLE, write_sources
from tests.sources import WORKLOAD as RECORDS_WORKLOAD

# The base counts with a factor column; the first line a case adds is row 16.
HEADER, *LINES = BASE["workload.csv"].splitlines()
WORKLOAD = "".join(f"{line}\n" for line in (f"{HEADER},factor", *(f"{line}," for line in LINES)))
LITE = BASE["post.toml"].replace('"standard"', '"lite"')


def findings(tmp_path, counts=(), **changes):
    """(rule, file, row, field) of every diagnostic of the base bundle with these counts added, and every other
    diagnostic as its text (none is expected)."""
    workload = WORKLOAD + "".join(f"{line}\n" for line in counts)
    bundle = write_bundle(tmp_path / "bundle", **{"workload_csv": workload, **changes})
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in run_post(bundle).diagnostics]


# (rule, counts added, other changes, what the bundle finds): each rule broken, then kept.
CASES = [
    ("R97", ["6150,2000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "factor")]),
    ("R97", ["6443,2000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "factor")]),
    ("R97", ["5624,2000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "factor")]),
    ("R97", ["5880,2000.0,4,,LE_STAFF"], {}, []),  # security services count LE staff
    ("R98", ["6443,2000.0,2,,MOH"], {}, [("workload.csv", 16, "factor")]),
    ("R98", ["5624,2000.0,2,,MOH"], {}, [("workload.csv", 16, "factor")]),
    ("R98", ["6443,2000.0,2,,EFM"], {}, []),
    # The base counts of 1900.0 are on rows 2 (5624), 5 (5880), 8 (6150) and 11 (6443); 2000.0's 5624 on row 4.
    ("R99", ["6150,1900.0,2,,USDH"], {}, [("workload.csv", 11, "count"), ("workload.csv", 5, "count")]),
    ("R99", ["6150,1900.0,2,,USDH", "6443,1900.0,2,,USDH", "5880,1900.0,2,,USDH"], {}, []),
    ("R99", ["5624,2000.0,1,,EFM"], {}, [("workload.csv", 4, "count")]),
    ("R99", ["5624,2000.0,1,,EFM", "6443,2000.0,1,,EFM"], {}, []),
    ("R99", ["6441,1900.0,12,,"], {}, [("workload.csv", 16, "count")]),
    ("R99", ["6441,1900.0,3,,"], {}, []),
    ("R100", ["6143,2000.0,2,,INSTITUTIONAL_CONTRACTOR"], {}, [("workload.csv", 16, "factor")]),
    ("R100", ["6145,2000.0,2,,INSTITUTIONAL_CONTRACTOR"], {"post_toml": LITE}, [("workload.csv", 16, "factor")]),
    ("R100", ["6143,2000.0,2,,USDH", "6143,2000.0,0.4,,LE_STAFF"], {}, []),
    ("R100", ["6143,2000.0,2,,USDH", "6143,2000.0,0.5,,LE_STAFF"], {}, [("workload.csv", 17, "count")]),
    ("R100", ["6143,2000.0,2.4,,"], {}, []),
    ("R100", ["6143,2000.0,2.5,,"], {}, [("workload.csv", 16, "count")]),
    ("R100", ["6143,2000.0,1.5,,USDH"], {}, [("workload.csv", 16, "count")]),
    ("R100", ["6145,2000.0,0.46,,LE_STAFF"], {"post_toml": LITE}, []),
    ("R100", ["6145,2000.0,0.45,,LE_STAFF"], {"post_toml": LITE}, [("workload.csv", 16, "count")]),
    ("R102", ["6134,2000.0,7.5,,"], {}, [("workload.csv", 16, "count")]),
    ("R102", ["6134,2000.0,7,,"], {}, []),
    ("R109", ["8790,2000.0,1,,"], {}, [("workload.csv", 16, "cost_center")]),
    ("R109", ["0000,1900.0,1,,"], {}, [("workload.csv", 16, "cost_center")]),
    ("R109", ["6139,1900.0,1,,"], {}, []),
    ("R111", ["6194,1900.0,3,,USDH", "6194,2000.0,0,,OTHER"], {}, [("workload.csv", 17, "count")]),
    ("R111", ["6194,1900.0,3,,USDH", "6194,2000.0,0.5,,USDH"], {}, [("workload.csv", 17, "count")]),
    ("R111", ["6194,1900.0,3,,USDH", "6194,2000.0,1,,OTHER"], {}, []),
    ("R111", ["6194,2000.0,1,0.5,OTHER"], {}, []),  # modified below 1, counted 1
    ("R111", ["6196,2000.0,0,,OTHER"], {"post_toml": LITE}, [("workload.csv", 16, "count")]),
    ("R111", ["6196,2000.0,1,,OTHER"], {"post_toml": LITE}, []),
    ("R116", ["6133,2000.0,0,,"], {}, [("workload.csv", 16, "count")]),
    ("R116", ["6133,2000.0,0,,", "6133,1900.0,4,,"], {}, [("workload.csv", 16, "count")]),
    ("R116", ["6133,2000.0,2,,", "6133,1900.0,4,,"], {}, []),
]


@pytest.mark.parametrize(("rule", "counts", "changes", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_count_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, counts, changes, where):
    assert findings(tmp_path, counts, **changes) == [(rule, *place) for place in where]


# The rules judged on the source records (tests/sources.py's bundle): a record that contradicts the rule, or a
# typed count a record shows wrong. Its workload.csv types 6139 on rows 2-3: a count a case adds is row 4.
INVENTORY = "agency,devices,opennet_accounts\n1900.0,5,3\n2000.0,2,3\n"  # 2000.0 keeps its own network
SPECIAL = AGENCIES + "1920.2,OBO regional facility managers,\n"
REGIONAL = "".join(f"{line},home_post\n" if k == 0 else f"{line},\n" for k, line in enumerate(PEOPLE.splitlines()))
REGIONAL += "R1,2000.0,USDH,,,,2024-01-01,,,,ABC\n"  # based at post ABC
# Two incumbents of position P9 at post on the count date, 2026-05-01; the first leaving on the date given.
POSITIONS = "".join(f"{line},position_id\n" if k == 0 else f"{line},\n" for k, line in enumerate(PEOPLE.splitlines()))
POSITIONS += "A1,2000.0,USDH,,,,2024-08-01,{},,,P9\nA2,2000.0,USDH,,,,2026-04-01,,,,P9\n"
OFFICE = "building_id,tenure,agency,net_square_meters,common\nB1,GOCL,1900.0,300,\nB1,GOCL,2000.0,40,{}\n"
ACTIVITY = "cost_center,agency,date,quantity\n"
DESCRIBED = ACTIVITY.replace("quantity", "quantity,description") + "6139,{},2026-01-10,40,{}\n"
# 2000.0's notice of leaving its leased office space, running out after the fiscal year begins (2026-10-01).
NOTICE = "agency,cost_center,notice_on,ends_on\n2000.0,7860,2026-09-01,2027-04-01\n"
VACANT = "building_id,tenure,agency,net_square_meters,vacant_since\nB1,GOCL,1900.0,300,\nB2,{},{},40,{}\n"
# A residence and an office of agency 2000.0, 150 and 40 square meters, on compound C1 (when given).
HOUSING = "unit_id,building_id,tenure,agency,net_square_meters,vacant_since,compound\nU1,R1,GOCL,2000.0,150,,{}\n"
COMPOUND = "building_id,tenure,agency,net_square_meters,compound\nB1,GOCL,2000.0,40,C1\n"
NO_COUNTS = "cost_center,agency,count,modification\n"
# A residence vacant since the date given, and the official residence (R138); the count date is 2026-05-01.
RESIDENCES = (
    "unit_id,building_id,tenure,agency,net_square_meters,vacant_since,official_residence\n"
    "U1,R1,GOCL,2000.0,150,{},no\nCMR-1,CMR,GOCL,1900.0,900,{},yes\n"
)
GUARDED_RESIDENCES = "building_id,annual_hours\nR1,8760\nCMR,8760\n"


def residences(vacant: str, official_vacant: str = "") -> dict[str, str]:
    return {
        "housing_csv": RESIDENCES.format(vacant, official_vacant),
        "guard_hours_csv": GUARDED_RESIDENCES,
    }


# An agency whose only person arrives on the date given; fiscal year 2027 begins on 2026-10-01.
ARRIVING = {"agencies_csv": AGENCIES + "4000.0,New agency,\n", "people_csv": PEOPLE + "N1,4000.0,USDH,,,,{},,,\n"}


def described(agency, description):
    """One 6139 transaction of `agency` with a description, 6139 derived from it."""
    return {"activity_csv": DESCRIBED.format(agency, description), "workload_csv": NO_COUNTS}


def record_findings(tmp_path, counts=(), **files):
    """(rule, file, row, field) of every rule the bundle with source records breaks, and every other error as
    its text (none is expected); the warnings that a typed count replaces a derived one are no rule's."""
    workload = files.pop("workload_csv", RECORDS_WORKLOAD) + "".join(f"{line}\n" for line in counts)
    run = run_post(write_sources(tmp_path / "bundle", workload_csv=workload, **files))
    return [
        (d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d)
        for d in run.diagnostics
        if d.rule or d.severity == ERROR
    ]


RECORD_CASES = [
    ("R96", [], {"activity_csv": ACTIVITY + "6150,2000.0,2026-01-10,1\n"}, [("activity.csv", 2, "cost_center")]),
    ("R96", [], {"activity_csv": ACTIVITY + "6139,2000.0,2026-01-10,1\n", "workload_csv": NO_COUNTS}, []),
    ("R101", ["5458,2000.0,5,"], {"it_inventory_csv": INVENTORY}, [("workload.csv", 4, "count")]),
    ("R101", ["5458,1900.0,6.8,"], {"it_inventory_csv": INVENTORY}, [("workload.csv", 4, "count")]),
    ("R101", ["5458,2000.0,2.9,", "5458,1900.0,8,"], {"it_inventory_csv": INVENTORY}, []),
    ("R101", ["5458,2000.0,3,"], {"it_inventory_csv": INVENTORY}, []),  # the handbook's example prints 2.9 as 3
    # An SD guard recorded under the MSG code; under its employer State, or under DS, where its role routes it.
    (
        "R103",
        [],
        {"people_csv": PEOPLE + "D1,1931.0,LE_STAFF,,,SD_GUARD,2020-01-01,,,\n"},
        [("people.csv", 14, "agency")],
    ),
    ("R103", [], {"people_csv": PEOPLE + "D1,1900.0,LE_STAFF,,,SD_GUARD,2020-01-01,,,\n"}, []),
    ("R103", [], {"people_csv": PEOPLE + "D1,1942.0,LE_STAFF,,,SD_GUARD,2020-01-01,,,\n"}, []),
    (
        "R104",
        [],
        {"people_csv": PEOPLE + "FM1,1920.2,USDH,,,FACILITY_MANAGER,2020-01-01,,,\n", "agencies_csv": SPECIAL},
        [("people.csv", 14, "agency")],
    ),
    ("R104", [], {"people_csv": PEOPLE + "FM1,1920.2,USDH,,,,2020-01-01,,,\n", "agencies_csv": SPECIAL}, []),
    ("R105", [], described("2000.0", "CODEL airport run"), [("activity.csv", 2, "agency")]),
    ("R105", [], described("2000.0", "ICASS section errands"), [("activity.csv", 2, "agency")]),
    ("R105", [], described("1901.0", "CODEL airport run"), []),
    ("R105", [], described("2000.0", "Airport run"), []),
    # The count date is 2026-05-01.
    (
        "R106",
        [],
        {"office_space_csv": VACANT.format("GOCL", "2000.0", "2026-03-01")},
        [("office_space.csv", 3, "agency")],
    ),
    ("R106", [], {"office_space_csv": VACANT.format("GOCL", "1900.0", "2026-03-01")}, []),
    ("R106", [], {"office_space_csv": VACANT.format("GOCL", "2000.0", "2026-06-01")}, []),
    (
        "R106",
        [],
        {"office_space_csv": VACANT.format("OL", "2000.0", "2025-09-01")},
        [("office_space.csv", 3, "agency")],
    ),
    ("R106", [], {"office_space_csv": VACANT.format("OL", "2000.0", "2026-01-01")}, []),  # six months of notice
    # Vacated long ago, but the tenant's notice runs on into the fiscal year: it bears the cost until then (R65).
    (
        "R106",
        [],
        {"office_space_csv": VACANT.format("OL", "2000.0", "2025-09-01"), "terminations_csv": NOTICE},
        [],
    ),
    (
        "R108",
        ["5826,2000.0,100,"],
        {"housing_csv": HOUSING.format("C1"), "office_space_csv": COMPOUND},
        [("workload.csv", 4, "count")],
    ),
    ("R108", ["5826,2000.0,190,"], {"housing_csv": HOUSING.format("C1"), "office_space_csv": COMPOUND}, []),
    ("R108", ["5826,2000.0,100,"], {"housing_csv": HOUSING.format(""), "office_space_csv": COMPOUND}, []),
    ("R107", [], {"office_space_csv": OFFICE.format("yes")}, [("office_space.csv", 3, "common")]),
    ("R107", [], {"office_space_csv": OFFICE.format("no")}, []),
    ("R110", ["6150,2000.0,2,"], {"people_csv": REGIONAL}, [("workload.csv", 4, "count")]),
    ("R110", ["6150,2000.0,1,"], {"people_csv": REGIONAL}, []),
    ("R110", ["6150,2000.0,2,"], {}, []),
    ("R112", [], described("2000.0", "Utility vehicle for grounds"), [("activity.csv", 2, "description")]),
    ("R112", [], described("2000.0", "Shuttle"), []),
    ("R113", [], described("1901.0", "TDY visitor airport run"), [("activity.csv", 2, "agency")]),
    ("R113", [], described("2000.0", "SecState motorcade"), [("activity.csv", 2, "agency")]),
    ("R113", [], described("1900.0", "SecState motorcade"), []),
    ("R113", [], described("1901.0", "CODEL TDY runs"), []),
    ("R113", [], described("2000.0", "TDY visitor airport run"), []),
    (
        "R114",
        ["5826,4000.0,50,"],
        {**ARRIVING, "people_csv": ARRIVING["people_csv"].format("2026-10-15")},
        [("workload.csv", 4, "count")],
    ),
    ("R114", ["5826,4000.0,50,"], {**ARRIVING, "people_csv": ARRIVING["people_csv"].format("2026-09-15")}, []),
    ("R115", [], {"people_csv": POSITIONS.format("2026-06-30")}, [("people.csv", 14, "position_id")]),
    ("R115", [], {"people_csv": POSITIONS.format("2026-07-15")}, []),  # four and a half months: H-333.2
    ("R138", [], residences("2026-03-01"), [("guard_hours.csv", 2, "annual_hours")]),
    ("R138", [], residences("2026-04-15"), []),  # vacant for 16 days on the count date
    ("R138", [], residences("", "2026-01-01"), []),  # the CMR keeps its guards
    (
        "R115",
        [],
        {"people_csv": POSITIONS.format("2026-04-20")},
        [],
    ),  # gone before the count date  # no regional staff left out: the typed count mends something else
]


@pytest.mark.parametrize(("rule", "counts", "files", "where"), RECORD_CASES, ids=[c[0] for c in RECORD_CASES])
def test_a_records_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, counts, files, where):
    assert record_findings(tmp_path, counts, **files) == [(rule, *place) for place in where]
