"""The handbook's rules on subscriptions and modifications (group d, R53-R70): each broken alone on the valid base
bundle fires alone, on its file, row and field; the same bundle following it is silent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import Context
from icass.checks.subscriptions import one_general_services_modification
from icass.model import Methodology, Workload
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

# The base counts with a factor column; the first line a case adds is row 16.
HEADER, *LINES = BASE["workload.csv"].splitlines()
WORKLOAD = "".join(f"{line}\n" for line in (f"{HEADER},factor", *(f"{line}," for line in LINES)))
# A third agency with only LE staff, and the base agencies saying which runs its own medical program.
AGENCIES = BASE["agencies.csv"] + "3000.0,LE-only agency,\n"
MEDICAL = "code,name,bureau,own_medical_program\n1900.0,State,EUR,no\n1901.0,ICASS,EUR,no\n2000.0,Other agency,,yes\n"
UNDER_COM = "code,name,under_com\n1900.0,State,yes\n1901.0,ICASS,no\n2000.0,Other agency,yes\n"
CO_LOCATED = "code,name,co_located\n1900.0,State,yes\n1901.0,ICASS,no\n2000.0,Other agency,no\n"
PRESENT = "code,name,physically_present\n1900.0,State,yes\n1901.0,ICASS,yes\n2000.0,Other agency,yes\n"
HOUSED = "code,name,government_housing\n1900.0,State,no\n1901.0,ICASS,no\n2000.0,Other agency,yes\n"
_HOUSED = ("agencies.csv", 4, "government_housing")
MODIFICATIONS = "cost_center,agency,factor,modification,justification,bc_approved_on,med_approved_on\n"


def findings(tmp_path, counts=(), *, drop="", **changes):
    """(rule, file, row, field) of every diagnostic of the base bundle with these counts added (and the line
    `drop` removed), and every other diagnostic as its text (none is expected)."""
    workload = "".join(line + "\n" for line in (WORKLOAD + "\n".join(counts)).splitlines() if line and line != drop)
    bundle = write_bundle(tmp_path / "bundle", **{"workload_csv": workload, "agencies_csv": AGENCIES, **changes})
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in run_post(bundle).diagnostics]


_TYPED = ("workload.csv", 15, "modification")
_APPROVAL = ("modifications.csv", 2, "bc_approved_on")

# (rule, counts added, other changes, what the bundle finds): each rule broken, then kept.
CASES = [
    ("R53", [], {"drop": "6443,2000.0,5,,"}, [("workload.csv", 10, "agency")]),
    ("R53", [], {}, []),
    (
        "R53",
        [],
        {"drop": "6443,2000.0,5,,", "agencies_csv": "code,name,under_com\n1900.0,S,yes\n1901.0,I,yes\n2000.0,O,no\n"},
        [],
    ),
    ("R55", ["5821,1900.0,100,,"], {"agencies_csv": UNDER_COM}, [("workload.csv", 10, "agency")]),
    ("R55", ["5821,1900.0,100,,", "5821,2000.0,10,,"], {"agencies_csv": UNDER_COM}, []),
    ("R56", ["7820,2000.0,100,,"], {"agencies_csv": CO_LOCATED}, [("agencies.csv", 2, "co_located")]),
    ("R56", ["7820,2000.0,100,,", "7820,1900.0,100,,"], {"agencies_csv": CO_LOCATED}, []),
    ("R57", ["7850,1900.0,200,,", "6148,1900.0,1,,"], {"agencies_csv": HOUSED}, [_HOUSED]),
    ("R57", ["7850,2000.0,200,,", "6148,1900.0,1,,"], {"agencies_csv": HOUSED}, [_HOUSED]),
    ("R57", ["7850,2000.0,200,,", "6148,2000.0,1,,"], {"agencies_csv": HOUSED}, []),
    ("R57", ["7810,2000.0,200,,", "6148,1900.0,1,,", "6144,1900.0,1,,"], {"agencies_csv": HOUSED}, [_HOUSED]),
    ("R57", ["7810,2000.0,200,,", "6148,1900.0,1,,", "6144,2000.0,1,,"], {"agencies_csv": HOUSED}, []),
    (
        "R57",
        ["7810,2000.0,200,,", "6144,1900.0,1,,"],
        {"agencies_csv": HOUSED, "post_toml": BASE["post.toml"] + 'furniture_pool = "no"\n'},
        [],
    ),
    ("R58", [], {"agencies_csv": PRESENT}, [("agencies.csv", 2, "physically_present")]),
    ("R58", ["6139,1900.0,10,,"], {"agencies_csv": PRESENT}, []),
    ("R54", ["6451,3000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "agency")]),
    ("R54", ["6451,3000.0,4,,LE_STAFF", "5880,3000.0,4,,LE_STAFF"], {}, []),
    ("R59", ["5880,3000.0,4,,LE_STAFF", "6451,1900.0,2,,LE_STAFF"], {}, [("workload.csv", 16, "agency")]),
    ("R59", ["5880,3000.0,4,,LE_STAFF"], {}, []),  # a post without HR services
    ("R59", ["5880,3000.0,4,,LE_STAFF", "6451,3000.0,4,0.2,LE_STAFF"], {}, [("workload.csv", 17, "modification")]),
    (
        "R59",
        ["5880,3000.0,4,,LE_STAFF", "6451,3000.0,4,,LE_STAFF"],
        {"modifications_csv": MODIFICATIONS + "6451,3000.0,,0.2,Own HR office,2026-06-18,\n"},
        # modifications.csv's row, and the typed count it modifies (the checks see only the count as modified).
        [("modifications.csv", 2, "modification"), ("workload.csv", 17, "modification")],
    ),
    ("R59", ["5880,3000.0,4,,LE_STAFF", "6451,3000.0,4,0.3,LE_STAFF"], {}, []),
    # A line dropped and one typed instead: the typed one is row 15.
    ("R60", ["5624,2000.0,5,0.2,"], {"drop": "5624,2000.0,5,,", "agencies_csv": MEDICAL}, [_TYPED]),
    ("R60", ["5624,2000.0,5,0.3,"], {"drop": "5624,2000.0,5,,", "agencies_csv": MEDICAL}, []),
    ("R61", ["7860-X099,2000.0,50,,", "6143,1900.0,5,,"], {}, [("workload.csv", 16, "")]),
    ("R61", ["7860-X099,2000.0,50,,"], {}, []),  # a post without a warehouse
    ("R61", ["7860-X099,2000.0,50,,", "6143,2000.0,5,0.6,"], {}, []),
    ("R62", ["6143,2000.0,5,0.6,"], {}, [("workload.csv", 16, "modification")]),
    ("R62", ["6143,2000.0,5,0.3,"], {}, []),
    ("R63", ["6441,2000.0,3,,"], {}, [("workload.csv", 16, "agency")]),
    ("R63", ["6441,1900.0,3,,"], {}, []),
    (
        "R64",
        [],
        {"agencies_csv": AGENCIES + "4000.0,Employee Recreation Association,\n"},
        [("agencies.csv", 6, "name")],
    ),
    ("R64", [], {"agencies_csv": AGENCIES + "4000.0,Peace Corps,\n"}, []),
    ("R67", ["6139,2000.0,250,0.6,"], {"drop": "6139,2000.0,250,,"}, [_TYPED]),
    (
        "R67",
        [],
        {"modifications_csv": MODIFICATIONS + "6139,2000.0,,0.6,Own facilities staff,2026-06-18,\n"},
        [("modifications.csv", 2, "modification"), ("workload.csv", 15, "modification")],
    ),
    ("R67", [], {"modifications_csv": MODIFICATIONS + "6443,2000.0,,0.6,Own community office,2026-06-18,\n"}, []),
    ("R68", [], {"modifications_csv": MODIFICATIONS + "6443,2000.0,,0.6,Own community office,,\n"}, [_APPROVAL]),
    (
        "R68",
        [],
        {"modifications_csv": MODIFICATIONS + "5624,2000.0,,0.3,Own health unit nearby,2026-06-18,\n"},
        [("modifications.csv", 2, "med_approved_on")],
    ),
    ("R68", [], {"modifications_csv": MODIFICATIONS + "5624,2000.0,,0.3,Own health unit,2026-06-18,2026-06-11\n"}, []),
    ("R70", ["6443,2000.0,5,1.5,"], {"drop": "6443,2000.0,5,,"}, [_TYPED]),
    ("R70", ["6443,2000.0,5,0,"], {"drop": "6443,2000.0,5,,"}, [_TYPED]),
    ("R70", ["6443,2000.0,5,1,"], {"drop": "6443,2000.0,5,,"}, []),
    (
        "R70",
        [],
        {"modifications_csv": MODIFICATIONS + "6443,2000.0,,1.5,Own community office,2026-06-18,\n"},
        # modifications.csv's row, and the typed count it modifies.
        [("modifications.csv", 2, "modification"), ("workload.csv", 13, "modification")],
    ),
]


@pytest.mark.parametrize(("rule", "counts", "changes", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_subscription_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, counts, changes, where):
    assert findings(tmp_path, counts, **changes) == [(rule, *place) for place in where]


def test_an_agency_with_its_own_medical_program_keeps_health_services(tmp_path):
    kept = findings(tmp_path / "kept", agencies_csv=MEDICAL)
    assert kept == []
    # Dropped from Health Services: the agency's row says it runs its own program (R53 sees the missing count).
    dropped = findings(tmp_path / "dropped", drop="5624,2000.0,5,,", agencies_csv=MEDICAL)
    assert ("R60", "agencies.csv", 4, "code") in dropped


def test_one_general_services_modification_per_agency_at_a_lite_post(tmp_path):
    bundle = run_post(write_bundle(tmp_path / "bundle")).bundle
    assert bundle is not None
    lite = dataclasses.replace(bundle.post, methodology=Methodology.LITE)
    context = Context(load_catalog(), load_counting_rules())

    def at_lite(*lines: tuple[str, str]) -> list[tuple[str | None, int, str]]:
        counts = tuple(Workload("6145", "2000.0", Decimal(1), modification=m, factor=f) for f, m in lines)
        post = dataclasses.replace(bundle, post=lite, workload=counts)
        return [(d.rule, d.source.row, d.field) for d in one_general_services_modification(post, context)]

    assert at_lite(("USDH", Decimal("0.6")), ("LE_STAFF", Decimal("0.3"))) == [("R69", 0, "modification")]
    assert at_lite(("USDH", Decimal("0.6")), ("LE_STAFF", Decimal("0.6"))) == []
