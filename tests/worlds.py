"""A small world folder of the three sample posts, with one-file changes for the reading tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.bundles import write_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {"kivara": "standard-post", "port-solace": "lite-post", "aldmere": "consulate"}

WORLD: dict[str, str] = {
    "world.toml": """[world]
fiscal_year = 2027
stage = "initial"
amsal_target = "2800000.00"
pat_target = 760000.00
dpm_pouch_percent = 35.5
fob_rsa_fee = "125.00"
""",
    "posts.csv": (
        "post,mail,separation_pay,psa_guards,medevac\nKVR,APO,yes,yes,yes\nPSL,POUCH,no,yes,no\nALD,BORDER,no,,\n"
    ),
    "items.csv": (
        "item,amount,post,funding,agency,cost_center,note\n"
        "GFS,120000.00,,AMSAL,,6221,CGFS accounting salaries\n"
        "GFS,80000.00,,,,6223,CGFS vouchering\n"
        "SDT,45000.00,,,,,\n"
        "DPM,90000.00,,,,,\n"
        "DPM_SALARY,30000.00,,,,,\n"
        "CF_REPLENISHMENT,12000.00,KVR,RB,,,contingency fund replenishment\n"
        "FLO,25000.00,,,,,\n"
        "MED,60000.00,,,,,\n"
        "MEDEVAC,15000.00,,,,,\n"
        "FSN_SEPARATION,40000.00,,,,,\n"
        "LGP_VEHICLES,18000.00,,,,,\n"
        "GITM,70000.00,,,,,\n"
        "ISC_NONSALARY,22000.00,,,,,\n"
        "ISC_SALARY,33000.00,,,,,\n"
        "IWG_CHAIR,5000.00,,,,,\n"
        "OVERSEAS_SCHOOLS,50000.00,,,,,\n"
        "OTHER,-1500.00,,,7200.0,,credit for a duplicate charge last year\n"
    ),
    "dependents.csv": "agency,dependents\n1900.0,61\n7200.0,40\n",
    "tokens.csv": "agency,tokens\n1900.0,12\n9700.0,3\n",
    "gfs_workload.csv": "cost_center,agency,count\n6221,7200.0,310\n",
}


def write_world(folder: Path, **changes: str | None) -> Path:
    """The small world with whole files replaced (name with '.' as '_'), or removed when None."""
    for name, sample in SAMPLES.items():
        shutil.copytree(ROOT / "examples" / sample, folder / "posts" / name)
    return write_files(folder, WORLD, changes)
