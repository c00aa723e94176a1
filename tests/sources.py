"""A small bundle with source records (tests/bundles.py's base, counts of the mandatory four left out so the
records derive them), and helpers to run it and read its counts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from icass.runs.post import PostRun, run_post
from tests.bundles import BASE, write_bundle

# The base bundle's agencies plus the special codes routed workload lands on.
AGENCIES = (
    "code,name,separate_network\n1900.0,State,\n1901.0,ICASS,\n1931.0,MSG,\n1942.0,DS,\n"
    "2000.0,Other agency,yes\n3000.0,Third agency,\n"
)
# Only the cost center no rule here derives (6139 has no activity.csv unless a test adds one).
WORKLOAD = "cost_center,agency,count,modification\n6139,1901.0,100,\n6139,2000.0,250,\n"
PEOPLE_HEADER = "person_id,agency,category,sponsor_id,employed_by,role,start_date,end_date,med_eligible,sma\n"
PEOPLE = PEOPLE_HEADER + (
    "S1,1900.0,USDH,,,,2024-08-01,,,\n"
    "S2,1900.0,USDH,,,RSO,2024-08-01,,,\n"
    "O1,2000.0,USDH,,,,2025-08-01,,,\n"
    "O2,2000.0,LE_STAFF,,,,2010-01-01,,,\n"
    "F1,,EFM,S1,,,2024-08-01,,,\n"
    "F2,,EFM,S2,1900.0,,2024-08-01,,,\n"
    "F3,,EFM,O1,,,2025-08-01,,no,\n"
    "F4,,EFM,O1,,,2025-08-01,,,yes\n"
    "M1,1931.0,UNIFORMED,,,MSG,2025-06-01,,,\n"
    "G1,1900.0,LE_STAFF,,,PSA_GUARD,2015-01-01,,,\n"
    "X1,3000.0,USDH,,,,2023-01-01,2025-12-31,,\n"
    "H1,,MOH,S1,,,2024-08-01,,,\n"
)


def write_sources(folder: Path, **files: str | None) -> Path:
    """The base bundle with people.csv and the agencies above; `files` as in write_bundle (name_csv=text)."""
    changes: dict[str, str | None] = {"agencies_csv": AGENCIES, "workload_csv": WORKLOAD, "people_csv": PEOPLE}
    changes.update(files)
    extra = {k: v for k, v in changes.items() if k.replace("_csv", ".csv").replace("_toml", ".toml") not in BASE}
    base = {k: v for k, v in changes.items() if k not in extra}
    write_bundle(folder, **base)
    for key, text in extra.items():
        if text is not None:
            (folder / key.replace("_csv", ".csv")).write_text(text, encoding="utf-8")
    return folder


def counts(run: PostRun, cost_center: str) -> dict[tuple[str, str], Decimal]:
    """(agency, factor) -> count of the distributed workload of one cost center."""
    assert run.bundle is not None, [str(d) for d in run.diagnostics]
    return {(w.agency, w.factor): w.count for w in run.bundle.workload if w.cost_center == cost_center}


def by_agency(run: PostRun, cost_center: str) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for (agency, _), count in counts(run, cost_center).items():
        found[agency] = found.get(agency, Decimal(0)) + count
    return found


def run(folder: Path) -> PostRun:
    return run_post(folder)
