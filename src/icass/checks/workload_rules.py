"""The handbook's budget rules on workload counts: who is counted where, and with what weight (group f),
each a check (icass.catalog.budget_rules holds its section, severity and advice).

The counts judged are those the post distributes by (derived from its records, replaced by typed counts): a
count the counting rules derive follows the handbook by construction, so what these checks find is a count
typed in workload.csv. A row of workload.csv is a subscription: the bundle keeps no list of subscribers apart
from the counts.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from icass.checks.broken import broken
from icass.checks.context import Check, Context
from icass.diagnostics import Diagnostic
from icass.model import PostBundle
from icass.model.columnar import column, source_of

# H-341.9-2(D) a; H-342.9-4 a: the radio program, whose every subscriber counts at least 1.
RADIO_PROGRAM = {"standard": "6194", "lite": "6196"}
RADIO_PROGRAM_FLOOR = Decimal(1)


def radio_program_subscribers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R111: an agency counted in the radio program (a subscriber) counts at least 1 there, its people added
    over their factors, before any modification."""
    code = RADIO_PROGRAM[str(bundle.post.methodology)]
    workload = bundle.workload
    totals: dict[str, Decimal] = defaultdict(Decimal)
    first: dict[str, int] = {}
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    for k, (cost_center, agency, count) in enumerate(lines):
        if cost_center == code:
            totals[agency] += count
            first.setdefault(agency, k)
    return [
        broken("R111", source_of(workload, first[agency]), f"agency {agency} counts {total} in {code}", "count")
        for agency, total in sorted(totals.items())
        if total < RADIO_PROGRAM_FLOOR
    ]


_COUNTS = frozenset({"post", "workload"})

CHECKS: tuple[Check, ...] = (Check(radio_program_subscribers, reads=_COUNTS, budget_rule="R111"),)
