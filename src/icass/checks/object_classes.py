"""The handbook's budget rules on object classes (SOCs): AmSal, PAT, PSU, fenced furniture funds (group b), each a check
(icass.catalog.budget_rules holds its section, severity and advice).

R21 (AmSal by the position's grade) is judged where the grades' factors are: each USDH position's AmSal and PAT
lines are made from its grade's factors (PostBundle.cost_pool), never typed (R01), so a grade without factors
is the one way to break it (icass.checks.references.grade_references).
"""

from __future__ import annotations

from collections import Counter

from icass.checks.broken import broken
from icass.checks.context import Check, Context
from icass.checks.funding import FENCED_FURNITURE, family
from icass.diagnostics import Diagnostic
from icass.model import Funding, Methodology, PostBundle
from icass.model.columnar import column, source_of
from icass.model.records import AMSAL_SOC, PAT_SOC
from icass.money import format_grouped

# H-423.2-2 a: the PSU charge's SOC; H-341.10-4(B)(3), H-342.10-2(3): the cost centers that budget it (6223
# vouchering, or Lite's one financial management cost center 6225, or 6223 where a Lite post keeps the
# separate codes, icass.checks.budget.lite_financial_management).
PSU_SOC = "2529"
PSU_COST_CENTERS = {Methodology.STANDARD: frozenset({"6223"}), Methodology.LITE: frozenset({"6223", "6225"})}
# H-341.15-11(B) NOTE 1: the make-ready sub-cost center's contracts are budgeted to 2510. A contract is a line of
# object class 25, other contractual services.
MAKE_READY = "7850-X799"
MAKE_READY_SOC = "2510"
CONTRACTUAL_SERVICES = "25"
# H-341.15-6(B) NOTE 1: the fenced furniture pool's SOCs.
FENCED_SOCS = frozenset({"2224", "3123"})


def _centrally_funded_soc(bundle: PostBundle, rule: str, soc: str, what: str) -> list[Diagnostic]:
    """A SOC that only its central account may fund, typed with OBO or LGP money (RB is R03's, and typed AmSal
    or PAT lines are R01's), in budget.csv or position_costs.csv."""
    found: list[Diagnostic] = []
    for table in (bundle.budget, bundle.position_costs):
        found += [
            broken(rule, source_of(table, k), f"SOC {soc} ({what}) is funded {funding}", "soc", alone=True)
            for k, (funding, line_soc) in enumerate(zip(column(table, "funding"), column(table, "soc"), strict=True))
            if line_soc == soc and funding in (Funding.OBO, Funding.LGP)
        ]
    return found


def amsal_object_class(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R19: SOC 0006 is AmSal's and AmSal's only."""
    return _centrally_funded_soc(bundle, "R19", AMSAL_SOC, "AmSal")


def pat_object_class(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R20: SOC 0005 is PAT's and PAT's only."""
    return _centrally_funded_soc(bundle, "R20", PAT_SOC, "PAT")


def single_pat_factor(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R22: PAT is one factor for every USDH position, whatever its grade: one warning, on the first grade whose
    PAT differs from the one most grades give, naming every such grade."""
    pats = column(bundle.cost_factors, "pat")
    if len(set(pats)) < 2:
        return []
    common, _ = Counter(pats).most_common(1)[0]
    differing = [
        (k, grade)
        for k, (grade, pat) in enumerate(zip(column(bundle.cost_factors, "grade"), pats, strict=True))
        if pat != common
    ]
    grades = ", ".join(grade for _, grade in differing)
    return [
        broken(
            "R22",
            source_of(bundle.cost_factors, differing[0][0]),
            f"the PAT of {grades} differs from the ${format_grouped(common)} of the other grades",
            "pat",
        )
    ]


def post_support_unit(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R23: SOC 2529 is the PSU charge, budgeted on the cost center whose costs list it."""
    allowed = PSU_COST_CENTERS[bundle.post.methodology]
    return [
        broken("R23", source_of(bundle.budget, k), f"SOC {PSU_SOC} is budgeted on {code}", "soc")
        for k, (code, soc) in enumerate(
            zip(column(bundle.budget, "cost_center"), column(bundle.budget, "soc"), strict=True)
        )
        if soc == PSU_SOC and family(code) not in allowed
    ]


def make_ready_contracts(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R24: a make-ready contract is budgeted to SOC 2510."""
    return [
        broken("R24", source_of(bundle.budget, k), f"a contract line of {MAKE_READY} is SOC {soc}", "soc", alone=True)
        for k, (code, soc) in enumerate(
            zip(column(bundle.budget, "cost_center"), column(bundle.budget, "soc"), strict=True)
        )
        if code == MAKE_READY and soc.startswith(CONTRACTUAL_SERVICES) and soc != MAKE_READY_SOC
    ]


def fenced_furniture_socs(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R25: the fenced furniture pool budgets SOCs 2224 and 3123 only."""
    return [
        broken("R25", source_of(bundle.budget, k), f"a line of {code} is SOC {soc}", "soc", alone=True)
        for k, (code, soc) in enumerate(
            zip(column(bundle.budget, "cost_center"), column(bundle.budget, "soc"), strict=True)
        )
        if code in FENCED_FURNITURE and soc not in FENCED_SOCS
    ]


def fenced_socs_elsewhere(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R26: at a post with a fenced furniture pool, SOCs 2224 and 3123 are read as fenced for it."""
    codes = column(bundle.budget, "cost_center")
    if FENCED_FURNITURE.isdisjoint(codes):
        return []
    return [
        broken("R26", source_of(bundle.budget, k), f"a line of {code} is SOC {soc}", "soc")
        for k, (code, soc) in enumerate(zip(codes, column(bundle.budget, "soc"), strict=True))
        if soc in FENCED_SOCS and code not in FENCED_FURNITURE
    ]


_BUDGET = frozenset({"budget"})
_TYPED = frozenset({"budget", "position_costs"})

CHECKS: tuple[Check, ...] = (
    Check(amsal_object_class, reads=_TYPED, budget_rule="R19", line_by_line=True),
    Check(pat_object_class, reads=_TYPED, budget_rule="R20", line_by_line=True),
    Check(single_pat_factor, reads=frozenset({"cost_factors"}), budget_rule="R22"),
    Check(post_support_unit, reads=frozenset({"post", "budget"}), budget_rule="R23", line_by_line=True),
    Check(make_ready_contracts, reads=_BUDGET, budget_rule="R24", line_by_line=True),
    Check(fenced_furniture_socs, reads=_BUDGET, budget_rule="R25", line_by_line=True),
    Check(fenced_socs_elsewhere, reads=_BUDGET, budget_rule="R26", line_by_line=True),
)
