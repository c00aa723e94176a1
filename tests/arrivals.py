"""A bundle whose agency 2000.0 arrives at post on April 1 of its fiscal year 2027: 183 days of 365."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import BASE, write_bundle
from tests.worlds import ROOT, write_world

AGENCIES = (
    "code,name,bureau,arrives_on,leaves_on\n1900.0,State,EUR,,\n1901.0,ICASS,EUR,,\n2000.0,Other agency,,2027-04-01,\n"
)
# The local guard program, which a partial-year invoice leaves out.
BUDGET = BASE["budget.csv"] + "5826,LGP,2521,7300.00,Guard contract\n"
WORKLOAD = BASE["workload.csv"] + "5826,1900.0,10,\n5826,1901.0,1,\n5826,2000.0,10,\n"


def write_arriving(folder: Path) -> Path:
    return write_bundle(folder, agencies_csv=AGENCIES, budget_csv=BUDGET, workload_csv=WORKLOAD)


ARRIVING = "7200.0"  # at KVR, with local guard program lines (5822, 5826)


def write_arriving_world(folder: Path) -> Path:
    """The sample world with 7200.0 arriving at KVR on April 1, 2027 (183 of 365 days)."""
    world = write_world(folder)
    agencies = world / "posts" / "kivara" / "agencies.csv"
    lines = (ROOT / "examples" / "standard-post" / "agencies.csv").read_text().splitlines()
    dated = [lines[0] + ",arrives_on,leaves_on"]
    dated += [line + (",2027-04-01," if line.startswith(ARRIVING + ",") else ",,") for line in lines[1:]]
    agencies.write_text("\n".join(dated) + "\n")
    return world
