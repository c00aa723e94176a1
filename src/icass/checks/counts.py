"""Rules on the counts a post distributes by (workload.csv) and their modifications: a count only where a
cost center takes workload, under one of its factors, modified only as the budget committee may, and the
mandatory cost centers counted together."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from icass.catalog import CostCenterSpec
from icass.checks.context import Context
from icass.diagnostics import Diagnostic, error, warning
from icass.model import BASIC_PACKAGE, Origin, PostBundle
from icass.model.columnar import column, source_of

ONE = Decimal(1)


def modification_problem(spec: CostCenterSpec, modification: Decimal) -> tuple[str, str] | None:
    """(message, section) when the budget committee could not have approved this modification."""
    if not Decimal(0) < modification <= ONE:
        return f"modification {modification} is outside (0, 1]", spec.modifiable_section
    if modification == ONE:
        return None
    if spec.modifiable == "no":
        return (
            f"{spec.code} is not modifiable: the modification must be 1, not {modification}",
            spec.modifiable_section,
        )
    if spec.min_modification is not None and modification < spec.min_modification:
        return (
            f"{spec.code} cannot be modified below {spec.min_modification} (found {modification})",
            spec.modifiable_section,
        )
    if spec.allowed_modifications and modification not in spec.allowed_modifications:
        allowed = ", ".join(str(v) for v in spec.allowed_modifications)
        return (
            f"{spec.code} allows only the modifications {allowed}, not {modification}",
            spec.modifiable_section,
        )
    return None


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
    """H-341 b: every agency with people under chief-of-mission authority subscribes to the four mandatory
    cost centers; an agency counted in one of them but not in another is most likely a missing count."""
    rules = context.rules
    methodology = str(bundle.post.methodology)
    mandatory = rules.mandatory_set(methodology)
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
        if missing:
            found.append(
                warning(
                    source_of(workload, k),
                    f"agency {agency} counts in {BASIC_PACKAGE} but not in {', '.join(missing)}: "
                    "the four mandatory cost centers go together for agencies under chief of mission authority",
                    section=rules.mandatory_section(methodology),
                )
            )
    return found
