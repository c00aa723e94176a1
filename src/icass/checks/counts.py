"""Rules on the counts a post distributes by (workload.csv) and their modifications: a count only where a
cost center takes workload, under one of its factors, modified only as the budget committee may, and the
mandatory cost centers counted together."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from icass.catalog import CostCenterSpec
from icass.checks.broken import broken
from icass.checks.context import Context
from icass.diagnostics import Diagnostic, error
from icass.model import BASIC_PACKAGE, Origin, PostBundle
from icass.model.columnar import column, source_of

ONE = Decimal(1)


def modification_problem(spec: CostCenterSpec, modification: Decimal) -> tuple[str, str] | None:
    """(message, section) when no cost center could take this modification, or this one allows other values.
    Whether the cost center may be modified at all (R67) and how low (R59) are budget rules of their own,
    judged on the counts as modified (unmodifiable, below_the_floor)."""
    if not Decimal(0) < modification <= ONE:
        return f"modification {modification} is outside (0, 1]", spec.modifiable_section
    if modification == ONE or spec.modifiable == "no":
        return None
    if spec.allowed_modifications and modification not in spec.allowed_modifications:
        allowed = ", ".join(str(v) for v in spec.allowed_modifications)
        return (
            f"{spec.code} allows only the modifications {allowed}, not {modification}",
            spec.modifiable_section,
        )
    return None


def _modified(bundle: PostBundle, context: Context, rule: str) -> list[Diagnostic]:
    """The counts, as modified by workload.csv's own column or by modifications.csv, whose modification
    breaks `rule`: R67, a cost center that is not modifiable; R59, below the floor of HR services."""
    methodology = str(bundle.post.methodology)
    workload = bundle.workload
    specs: dict[str, CostCenterSpec | None] = {}
    found: list[Diagnostic] = []
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "modification")), strict=True)
    for k, (code, agency, modification) in enumerate(lines):
        if modification == ONE or not Decimal(0) < modification < ONE:
            continue  # outside (0, 1] is workload_lines' (and modify's)
        if code not in specs:
            specs[code] = context.catalog.find(code, methodology)
        spec = specs[code]
        if spec is None:
            continue
        if rule == "R67" and spec.modifiable == "no":
            found.append(
                broken(rule, source_of(workload, k), f"{agency} is modified {modification} in {code}", "modification")
            )
        elif rule == "R59" and spec.min_modification is not None and modification < spec.min_modification:
            found.append(
                broken(
                    rule,
                    source_of(workload, k),
                    f"{agency} is modified {modification} in {code}, below {spec.min_modification}",
                    "modification",
                )
            )
    return found


def unmodifiable(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R67: a modification of a count on a cost center the handbook does not let be modified."""
    return _modified(bundle, context, "R67")


def below_the_floor(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R59's floor: a modification below the lowest its cost center allows."""
    return _modified(bundle, context, "R59")


def workload_lines(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Each count entered by hand is in a cost center that takes workload, under one of its distribution
    factors, with a modification the budget committee could approve."""
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
            rule = "is charged to 1900.0 (State)" if spec.distribution == "non_icass" else "follows service costs"
            found.append(
                error(
                    source_of(workload, k),
                    f"{spec.code} has no distribution factor and takes no workload: it {rule}",
                    field="cost_center",
                    section=spec.count_section,
                )
            )
            continue
        if (code, modification) not in judged:
            judged[code, modification] = modification_problem(spec, modification)
        problem = judged[code, modification]
        if problem is not None:
            found.append(error(source_of(workload, k), problem[0], field="modification", section=problem[1]))
        factors = factors_of[code]
        if factor not in factors:
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
