"""The handbook's budget rules on TDY visitors (group h, H-363), judged on a bundle's tdy/ folder rather than on
its budget: the TDY module reads that folder apart from the post's records (icass.bundle.tdy), so these are
functions of its records, called where it is read (icass.runs.tdy, for `icass tdy`, `icass validate` and the
store), not Checks of the post's run.

- R66: the billing puts the four mandatory cost centers on every invoice of a visitor billed per day, so what the
  records can break is the explanation a modification below 1 on one of them needs. Visitors whose category is
  billed no daily lines (VIP, the Secretary, Cabinet level: Exhibit H-363.1-5 c) are exempt.
- R140: a visit, or a chain of related visits (`related_to`) of one sponsoring agency, that covers a year or more
  is a function that should be a position.
- R141: the post's threshold may not be under $500; judged where tdy/policy.toml's threshold is read.
- R142: the rates are computed from the bundle's own budget, never typed, with what H-363.1-3 a(4) leaves out
  already left out; what the bundle can show is whether it says it is the final budget (post.toml `stage`).
"""

from __future__ import annotations

import datetime as dt

from icass.catalog.tdy import TdyRules
from icass.checks.broken import broken
from icass.diagnostics import Diagnostic
from icass.model import Post, Source
from icass.model.tdy import TdyRecords, Visit

# The TDY rules judged on the tdy/ folder: icass rules lists them as checked (icass.checks.checked_rules).
RULES = frozenset({"R66", "R140", "R141", "R142"})
FINAL = "final"  # post.toml stage of the final submitted, ISC-accepted budget (H-363.1-6 a(1))
LONG_TERM_DAYS = 365  # H-363.1-3 e: "a year or more"


def unexplained_modifications(records: TdyRecords, rules: TdyRules) -> list[Diagnostic]:
    """R66: a modification below 1 on a mandatory cost center of a visitor billed per day, with no comment."""
    billed = {category for category, rule in rules.categories.items() if rule.invoiced and rule.daily}
    daily = {v.visit_id for v in records.visits if v.category in billed}
    return [
        broken(
            "R66",
            s.source,
            f"visit {s.visit_id} has modification {s.modification} on mandatory {s.cost_center} with no explanation",
            "comment",
        )
        for s in records.services
        if s.visit_id in daily and s.cost_center in rules.mandatory and s.modification < 1 and not s.comment.strip()
    ]


def long_term_visits(records: TdyRecords) -> list[Diagnostic]:
    """R140: the visits of one function (a visit and those related to it) that span a year or more, told on the
    first of them."""
    dated = {v.visit_id: (v, v.arrive, v.depart) for v in records.visits if v.arrive and v.depart}
    parent = {visit_id: visit_id for visit_id in dated}

    def root(visit_id: str) -> str:
        while parent[visit_id] != visit_id:
            parent[visit_id] = parent[parent[visit_id]]
            visit_id = parent[visit_id]
        return visit_id

    for v, _, _ in dated.values():
        related = dated.get(v.related_to)
        if related is not None and related[0].agency == v.agency:
            parent[root(v.visit_id)] = root(v.related_to)
    chains: dict[str, list[tuple[Visit, dt.date, dt.date]]] = {}
    for visit_id, spanned in dated.items():
        chains.setdefault(root(visit_id), []).append(spanned)
    found: list[Diagnostic] = []
    for chain in chains.values():
        first, arrive, _ = min(chain, key=lambda spanned: (spanned[1], spanned[0].source.row))
        depart = max(spanned[2] for spanned in chain)
        days = (depart - arrive).days + 1
        if days < LONG_TERM_DAYS:
            continue
        if len(chain) == 1:
            what, field = f"visit {first.visit_id} of agency {first.agency} covers", "depart"
        else:
            named = ", ".join(sorted(spanned[0].visit_id for spanned in chain))
            what, field = f"the related visits {named} of agency {first.agency} cover", "arrive"
        found.append(broken("R140", first.source, f"{what} {days} days, {arrive} to {depart}", field))
    return found


def prior_year_budget(post: Post) -> list[Diagnostic]:
    """R142: the TDY rates come from the final budget; a bundle that does not say it is one gives rates that may
    not be published."""
    if post.stage == FINAL:
        return []
    stage = f"stage {post.stage!r}" if post.stage else "no stage"
    return [broken("R142", Source("post.toml"), f"post.toml says {stage}", "post.stage")]


def judged(records: TdyRecords, rules: TdyRules) -> list[Diagnostic]:
    """What the tdy/ folder's records break of R66 and R140."""
    return [*unexplained_modifications(records, rules), *long_term_visits(records)]
