"""Rules on the counts a post distributes by (workload.csv) and their modifications: a count only where a
cost center takes workload, under one of its factors, modified only as the budget committee may, and the
mandatory cost centers counted together."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from icass.catalog import CostCenterSpec
from icass.checks.broken import broken
from icass.checks.context import Context
from icass.checks.workload_rules import NOT_COUNTED
from icass.diagnostics import Diagnostic, error
from icass.model import BASIC_PACKAGE, Origin, PostBundle
from icass.model.columnar import column, source_of
from icass.model.provenance import Source

ONE = Decimal(1)
# Budget rules judged on modifications.csv's rows alone, where they are applied (icass.workload.modify): no check
# sees those rows, and a count typed with its own modification records no approval to judge.
JUDGED_WHERE_APPLIED = frozenset({"R68"})


def outside_full_service(modification: Decimal) -> bool:
    """R70: a modification reduces a full-service count (1) to a part of it, so it lies in (0, 1]."""
    return not Decimal(0) < modification <= ONE


def modification_problem(spec: CostCenterSpec, modification: Decimal) -> tuple[str, str] | None:
    """(message, section) when this cost center allows other values than this modification. Whether it lies in
    (0, 1], whether the cost center may be modified at all and how low are budget rules of their own (R70, R67,
    R59): outside_full_service, rule_problem."""
    if modification == ONE or spec.modifiable == "no" or outside_full_service(modification):
        return None
    if spec.allowed_modifications and modification not in spec.allowed_modifications:
        allowed = ", ".join(str(v) for v in spec.allowed_modifications)
        return (
            f"{spec.code} allows only the modifications {allowed}, not {modification}",
            spec.modifiable_section,
        )
    return None


def rule_problem(spec: CostCenterSpec, modification: Decimal) -> tuple[str, str] | None:
    """(budget rule, what is wrong) when a modification in (0, 1) breaks one: R67, on a cost center that is not
    modifiable; R59, below the floor of HR services for LE staff."""
    if not Decimal(0) < modification < ONE:
        return None
    if spec.modifiable == "no":
        return "R67", f"{spec.code} is modified {modification} ({spec.modifiable_section}: not modifiable)"
    if spec.min_modification is not None and modification < spec.min_modification:
        return "R59", f"{spec.code} is modified {modification}, below {spec.min_modification}"
    return None


def modification_rules(spec: CostCenterSpec, modification: Decimal, source: Source) -> list[Diagnostic]:
    """What a modification given on a row of modifications.csv breaks, as that row's Diagnostics: the rows are
    judged where they are applied (icass.workload.modify), the counts typed with their own by the checks."""
    if outside_full_service(modification):
        return [broken("R70", source, f"modification {modification} is outside (0, 1]", "modification", alone=True)]
    found: list[Diagnostic] = []
    problem = modification_problem(spec, modification)
    if problem is not None:
        found.append(error(source, problem[0], field="modification", section=problem[1]))
    broke = rule_problem(spec, modification)
    if broke is not None:
        found.append(broken(broke[0], source, broke[1], "modification", alone=True))
    return found


def _typed(bundle: PostBundle, context: Context, rule: str) -> list[Diagnostic]:
    """The counts typed in workload.csv whose own modification breaks `rule` (R67 or R59)."""
    methodology = str(bundle.post.methodology)
    workload = bundle.workload
    specs: dict[str, CostCenterSpec | None] = {}
    found: list[Diagnostic] = []
    names = ("cost_center", "agency", "modification", "origin")
    for k, (code, agency, modification, origin) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if modification == ONE or origin != Origin.ENTERED:
            continue  # a derived count's modification is a row of modifications.csv, judged there
        if code not in specs:
            specs[code] = context.catalog.find(code, methodology)
        spec = specs[code]
        broke = None if spec is None else rule_problem(spec, modification)
        if broke is not None and broke[0] == rule:
            found.append(
                broken(rule, source_of(workload, k), f"{agency}'s count: {broke[1]}", "modification", alone=True)
            )
    return found


def beyond_full_service(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R70: a count typed with a modification outside (0, 1] (modifications.csv's are judged where applied)."""
    workload = bundle.workload
    names = ("agency", "modification", "origin")
    return [
        broken(
            "R70",
            source_of(workload, k),
            f"{agency}'s count: modification {modification} is outside (0, 1]",
            "modification",
            alone=True,
        )
        for k, (agency, modification, origin) in enumerate(zip(*(column(workload, n) for n in names), strict=True))
        if origin == Origin.ENTERED and outside_full_service(modification)
    ]


def unmodifiable(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R67: a count typed with a modification on a cost center the handbook does not let be modified."""
    return _typed(bundle, context, "R67")


def below_the_floor(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R59's floor: a count typed with a modification below the lowest its cost center allows."""
    return _typed(bundle, context, "R59")


def workload_lines(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Each count entered by hand is in a cost center that takes workload, under one of its distribution
    factors, with a modification its cost center allows (one outside (0, 1] is R70's: beyond_full_service)."""
    catalog, rules = context.catalog, context.rules
    found: list[Diagnostic] = []
    methodology = str(bundle.post.methodology)
    workload = bundle.workload
    # A few hundred cost centers and modifications come back on thousands of lines: each looked up once.
    codes = column(workload, "cost_center")
    specs = {code: catalog.find(code, methodology) for code in set(codes)}
    factors_of = {code: rules.factors(code, methodology) for code, spec in specs.items() if spec is not None}
    judged: dict[tuple[str, Decimal], tuple[str, str] | None] = {}
    lines = zip(codes, *(column(workload, name) for name in ("modification", "factor", "origin")), strict=True)
    for k, (code, modification, factor, origin) in enumerate(lines):
        if origin != Origin.ENTERED:
            continue  # derived counts are made by the rules, and modifications.csv is checked where applied
        spec = specs[code]
        if spec is None:
            continue  # reported as an unknown cost center
        if spec.distribution != "workload":
            continue  # budget rule R109 (icass.checks.workload_rules)
        if (code, modification) not in judged:
            judged[code, modification] = modification_problem(spec, modification)
        problem = judged[code, modification]
        if problem is not None:
            found.append(error(source_of(workload, k), problem[0], field="modification", section=problem[1]))
        factors = factors_of[code]
        if factor not in factors and (code, factor) not in NOT_COUNTED:  # those are budget rules R97 and R98
            offered = ", ".join(f or "(empty)" for f in sorted(factors))
            found.append(
                error(
                    source_of(workload, k),
                    f"{factor!r} is not a distribution factor of {spec.code} ({offered})",
                    field="factor",
                    section="H-341.1-4 NOTE 2",
                )
            )
    return found


def mandatory(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R53: every agency with Americans under chief-of-mission authority (those the Basic Package counts)
    subscribes to the four mandatory cost centers. An agency agencies.csv says is not under chief-of-mission
    authority, or not physically present, is outside the rule (the exceptions the handbook makes elsewhere)."""
    methodology = str(bundle.post.methodology)
    mandatory = context.rules.mandatory_set(methodology)
    outside = {a.code for a in bundle.agencies if a.under_com is False or a.physically_present is False}
    counts: dict[str, set[str]] = defaultdict(set)
    rows: dict[str, int] = {}
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    for k, (code, agency, count) in enumerate(lines):
        if count > 0 and code in mandatory:
            counts[agency].add(code)
            if code == BASIC_PACKAGE:  # Basic Package staff: LE-only agencies count in 5880 alone
                rows.setdefault(agency, k)
    found: list[Diagnostic] = []
    for agency, k in sorted(rows.items()):
        missing = [cc for cc in mandatory if cc not in counts[agency]]
        if missing and agency not in outside:
            found.append(
                broken(
                    "R53",
                    source_of(workload, k),
                    f"agency {agency} counts in {BASIC_PACKAGE} but not in {', '.join(missing)}",
                    "agency",
                )
            )
    return found
