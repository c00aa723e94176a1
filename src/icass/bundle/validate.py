"""The rules a post bundle must keep before it is distributed; each broken rule is a Diagnostic that
names the file, row and field, and the handbook section where the rule comes from."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Hashable, Sequence
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from icass.catalog import Catalog
from icass.catalog.counting import CountingRules
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.distribution.columns import Columns
from icass.model import (
    BASIC_PACKAGE,
    ICASS_AGENCY,
    MISCELLANEOUS,
    NON_ICASS,
    STATE_AGENCY,
    Origin,
    PositionCategory,
    PostBundle,
    Source,
    Workload,
)
from icass.model.columnar import column, source_of
from icass.money import scaled_integers
from icass.workload.modify import modification_problem

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt


Where = tuple[Sequence[Any], int]  # a table of records and the index of one: its Source made only for a message
HUNDRED = Decimal(100)
# No sum of cents may pass this: a cost center, a position's cost pool, the post's whole budget. With every
# sum below it, no total the engine forms can wrap int64 (which it would do silently).
MAX_TOTAL_CENTS = 100_000_000_000_000
LITE_FINANCIAL_MANAGEMENT = "6225"
LITE_SEPARATE_FINANCIAL_MANAGEMENT = ("6211", "6221", "6223", "6224")
# AmSal and PAT come only from the grade cost factors the ICASS software applies (H-423.1-1 b, H-423.1-2 b).
CENTRALLY_FUNDED = {"AMSAL": "H-423.1-1 b", "PAT": "H-423.1-2 b"}
MISCELLANEOUS_CEILING = Decimal("0.05")  # H-341.13-1: "generally should not exceed five percent"
BASIC_PACKAGE_CEILING = Decimal("0.06")  # H-341.1-2 NOTE 3: "should not exceed six percent"


def validate_records(bundle: PostBundle, catalog: Catalog, rules: CountingRules) -> list[Diagnostic]:
    """The rules on the records themselves; the cost rules (validate_costs) need these to hold first."""
    problems: list[Diagnostic] = []
    problems += _duplicates(bundle)
    problems += _references(bundle, catalog)
    problems += _time_allocation(bundle, catalog)
    problems += _lite_financial_management(bundle)
    problems += _workload(bundle, catalog, rules)
    if has_errors(problems):
        return problems  # the sums need every position's grade to be known
    return problems + _sums(bundle)


def _sums(bundle: PostBundle) -> list[Diagnostic]:
    """Each line is bounded, but many lines could still add up past what 64 bits hold: bound the sums."""
    budget = column(bundle.budget, "amount")
    pooled = column(bundle.position_costs, "amount")
    factors = [f.amsal + f.pat for f in bundle.cost_factors]
    lowest = min((min(f.amsal, f.pat) for f in bundle.cost_factors), default=0)
    if min(budget, default=0) >= 0 and min(pooled, default=0) >= 0 and lowest >= 0:
        # No amount is negative (the files' amounts cannot be), so no sum of some of them passes the whole
        # post's: when even that stays within the bound (a large post's does, by far), every sum does.
        usdh = column(bundle.positions, "category").count(PositionCategory.USDH)
        most = max(factors, default=0) * usdh
        if sum(budget) + sum(pooled) + most <= MAX_TOTAL_CENTS:
            return []
    by_cost_center: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    for k, (code, amount) in enumerate(
        zip(column(bundle.budget, "cost_center"), column(bundle.budget, "amount"), strict=True)
    ):
        by_cost_center[code] += amount
        first.setdefault(code, k)
    by_position: dict[str, int] = defaultdict(int)
    for position_id, _, amount in zip(*bundle.cost_pool_columns(), strict=True):
        by_position[position_id] += amount
    found = [
        error(
            source_of(bundle.budget, first[code]),
            f"the budget lines of cost center {code} add up to {_dollars(total)}, more than the "
            f"{_dollars(MAX_TOTAL_CENTS)} a cost center may hold",
            field="amount",
            spans_rows=True,
        )
        for code, total in sorted(by_cost_center.items())
        if total > MAX_TOTAL_CENTS
    ]
    where = {position_id: k for k, position_id in enumerate(column(bundle.positions, "position_id"))}
    found += [
        error(
            source_of(bundle.positions, where[position]),
            f"the cost pool of position {position} adds up to {_dollars(total)}, more than {_dollars(MAX_TOTAL_CENTS)}",
            field="position_id",
            spans_rows=True,
        )
        for position, total in sorted(by_position.items())
        if total > MAX_TOTAL_CENTS
    ]
    post_total = sum(by_cost_center.values()) + sum(by_position.values())
    if not found and post_total > MAX_TOTAL_CENTS:
        found.append(
            error(
                Source("budget.csv"),
                f"the post's budget adds up to {_dollars(post_total)}, more than {_dollars(MAX_TOTAL_CENTS)}",
                spans_rows=True,
            )
        )
    return found


def _duplicates(bundle: PostBundle) -> list[Diagnostic]:
    found: list[Diagnostic] = []

    def check(records: Sequence[Any], names: tuple[str, ...], what: str, rows: list[int] | None = None) -> None:
        """`rows`: the indexes of the records to check, when not all."""
        keys: list[Hashable] = (
            column(records, names[0])
            if len(names) == 1
            else list(zip(*(column(records, name) for name in names), strict=True))
        )
        if rows is not None:
            keys = [keys[k] for k in rows]
        if len(set(keys)) == len(keys):
            return  # the usual case, found at C speed
        first: dict[Hashable, int] = {}
        for k, key in enumerate(keys):
            at = k if rows is None else rows[k]
            if key in first:
                row = source_of(records, first[key]).row
                found.append(
                    error(source_of(records, at), f"duplicate {what} {key!r}: already on row {row}", spans_rows=True)
                )
            else:
                first[key] = at

    # Budget and position cost lines are line items: two contracts under one SOC are two lines, not a duplicate.
    check(bundle.agencies, ("code",), "agency code")
    check(bundle.cost_factors, ("grade",), "grade")
    check(bundle.positions, ("position_id",), "position_id")
    check(bundle.time_allocation, ("position_id", "cost_center"), "(position_id, cost_center)")
    origins = column(bundle.workload, "origin")
    entered = None if Origin.DERIVED not in origins else [k for k, o in enumerate(origins) if o == Origin.ENTERED]
    check(bundle.workload, ("cost_center", "agency", "factor"), "(cost_center, agency, factor)", entered)
    return found


def _cost_center(code: str, catalog: Catalog, methodology: str, source: Source) -> list[Diagnostic]:
    if catalog.find(code, methodology) is not None:
        return []
    return [
        error(
            source,
            f"{code!r} is not a cost center of the {methodology} methodology, nor a sub-cost center "
            "PARENT-XXXX of one (`icass catalog` lists them)",
            field="cost_center",
            section="Exhibit H-341",
        )
    ]


def _references(bundle: PostBundle, catalog: Catalog) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    methodology = bundle.post.methodology
    agencies = {a.code for a in bundle.agencies}
    grades = {f.grade for f in bundle.cost_factors}
    positions = set(column(bundle.positions, "position_id"))
    # Each code looked up once: a large post names a few hundred codes on some 15,000 lines. Then each table
    # is gone through row by row only when one of its values is wrong (records read as columns are never
    # made into records: icass.model.columnar).
    allocated = column(bundle.time_allocation, "cost_center")
    budgeted = column(bundle.budget, "cost_center")
    counted = column(bundle.workload, "cost_center")
    used = {*allocated, *budgeted, *counted}
    unknown = {code for code in used if catalog.find(code, methodology) is None}
    for k, (category, grade) in enumerate(
        zip(column(bundle.positions, "category"), column(bundle.positions, "grade"), strict=True)
    ):
        if category == "USDH" and grade not in grades:
            found.append(
                error(
                    source_of(bundle.positions, k),
                    f"USDH grade {grade!r} has no AmSal/PAT cost factor in cost_factors.csv",
                    field="grade",
                    section="H-423.1-1",
                    spans_rows=True,
                )
            )
    pooled = column(bundle.position_costs, "position_id")
    if not positions.issuperset(pooled):
        for k, position_id in enumerate(pooled):
            if position_id not in positions:
                source = source_of(bundle.position_costs, k)
                found.append(error(source, f"unknown position {position_id!r}", field="position_id", spans_rows=True))
    for table in (bundle.position_costs, bundle.budget):
        funding = column(table, "funding")
        if CENTRALLY_FUNDED.keys().isdisjoint(funding):
            continue
        for k, fund in enumerate(funding):
            if fund in CENTRALLY_FUNDED:
                found.append(
                    error(
                        source_of(table, k),
                        f"{fund} is not entered by hand: each USDH position's grade brings it from cost_factors.csv",
                        field="funding",
                        section=CENTRALLY_FUNDED[fund],
                    )
                )
    shares = column(bundle.time_allocation, "position_id")
    if not positions.issuperset(shares) or not unknown.isdisjoint(allocated):
        for k, (position_id, code) in enumerate(zip(shares, allocated, strict=True)):
            if position_id not in positions:
                source = source_of(bundle.time_allocation, k)
                found.append(error(source, f"unknown position {position_id!r}", field="position_id", spans_rows=True))
            if code in unknown:
                found += _cost_center(code, catalog, methodology, source_of(bundle.time_allocation, k))
    if not unknown.isdisjoint(budgeted):
        for k, code in enumerate(budgeted):
            if code in unknown:
                found += _cost_center(code, catalog, methodology, source_of(bundle.budget, k))
    counting = column(bundle.workload, "agency")
    if not unknown.isdisjoint(counted) or not agencies.issuperset(counting):
        for k, (code, agency) in enumerate(zip(counted, counting, strict=True)):
            if code in unknown:
                found += _cost_center(code, catalog, methodology, source_of(bundle.workload, k))
            if agency not in agencies:
                source = source_of(bundle.workload, k)
                found.append(
                    error(source, f"unknown agency {agency!r} (not in agencies.csv)", field="agency", spans_rows=True)
                )
    return found


def _lite_financial_management(bundle: PostBundle) -> list[Diagnostic]:
    """A Lite post runs financial management either as one 6225 (H-342.10) or as the Standard codes that
    Exhibit H-341 lists in its Lite column, never both (the catalog's 6225 note gives the reasons)."""
    if bundle.post.methodology != "lite":
        return []
    used: dict[str, Where] = {}
    for table in (bundle.budget, bundle.time_allocation, bundle.workload):
        for k, code in enumerate(column(table, "cost_center")):
            used.setdefault(code.split("-")[0], (table, k))
    separate = [code for code in LITE_SEPARATE_FINANCIAL_MANAGEMENT if code in used]
    if LITE_FINANCIAL_MANAGEMENT not in used or not separate:
        return []
    return [
        error(
            source_of(*used[separate[0]]),
            f"{', '.join(separate)} and {LITE_FINANCIAL_MANAGEMENT} are both used: a Lite post budgets financial "
            f"management either in {LITE_FINANCIAL_MANAGEMENT} or in the separate cost centers, not both",
            field="cost_center",
            section="H-342.10",
            spans_rows=True,
        )
    ]


def _time_allocation(bundle: PostBundle, catalog: Catalog) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    allocation = bundle.time_allocation
    ids, codes, percents = (column(allocation, name) for name in ("position_id", "cost_center", "percent"))
    positions = column(bundle.positions, "position_id")
    suspects = _allocation_suspects(positions, ids, codes, percents)
    if suspects == set():
        return found  # every position's allocation sums to 100, none all on 0000: the usual case
    totals: dict[str, Decimal] = defaultdict(Decimal)
    on_non_icass: dict[str, Decimal] = defaultdict(Decimal)
    for position_id, code, percent in zip(ids, codes, percents, strict=True):
        if suspects is None or position_id in suspects:
            totals[position_id] += percent
            if code == NON_ICASS:
                on_non_icass[position_id] += percent
    non_icass = catalog.find(NON_ICASS, bundle.post.methodology)
    for k, position_id in enumerate(positions):
        if suspects is not None and position_id not in suspects:
            continue
        total = totals[position_id]
        if total != HUNDRED:
            found.append(
                error(
                    source_of(bundle.positions, k),
                    f"position {position_id}: time allocation sums to {total} percent, not 100 (time_allocation.csv)",
                    field="position_id",
                    spans_rows=True,
                )
            )
        if on_non_icass[position_id] == HUNDRED and non_icass is not None:
            found.append(
                error(
                    source_of(bundle.positions, k),
                    f"position {position_id} is allocated 100 percent to 0000; a non-ICASS dual "
                    "position must spend part of its time on ICASS services",
                    field="position_id",
                    section=f"{non_icass.section}-1 NOTE",
                    spans_rows=True,
                )
            )
    return found


def _allocation_suspects(
    positions: list[str], ids: list[str], codes: list[str], percents: list[Decimal]
) -> set[str] | None:
    """The positions whose time allocation may not sum to 100, or be 100 on 0000, found in int64 arrays (the
    percents over a common power of ten, exact); None when they cannot be (a value past int64): then every
    position is summed in Decimals, which is what the messages show anyway."""
    try:
        scaled, exponent = scaled_integers(percents)
    except OverflowError:
        return None
    if len(scaled) and int(np.abs(scaled).max()) * len(scaled) >= 2**63:
        return None
    slot = {position_id: k for k, position_id in enumerate(positions)}
    at = np.fromiter(map(slot.get, ids, repeat(len(positions))), np.int64, len(ids))
    totals = np.zeros(len(positions) + 1, dtype=np.int64)
    np.add.at(totals, at, scaled)
    on_non_icass = np.zeros(len(positions) + 1, dtype=np.int64)
    dual = np.fromiter(map(NON_ICASS.__eq__, codes), np.bool_, len(codes))
    np.add.at(on_non_icass, at[dual], scaled[dual])
    hundred = 100 * 10**exponent
    of_position = np.fromiter(map(slot.__getitem__, positions), np.int64, len(positions))
    odd = (totals[of_position] != hundred) | (on_non_icass[of_position] == hundred)
    return {positions[k] for k in np.flatnonzero(odd).tolist()}


def _workload(bundle: PostBundle, catalog: Catalog, rules: CountingRules) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    methodology = str(bundle.post.methodology)
    workload = bundle.workload
    # A few hundred cost centers and modifications come back on thousands of lines: each looked up once.
    codes = column(workload, "cost_center")
    specs = {code: catalog.find(code, methodology) for code in set(codes)}
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
        factors = rules.factors(code, methodology)
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


def _modified_counts(workload: Sequence[Workload]) -> list[Decimal]:
    """Each line's count times its modification (Workload.modified_count), column by column."""
    return list(map(operator.mul, column(workload, "count"), column(workload, "modification")))


def validate_costs(
    bundle: PostBundle,
    catalog: Catalog,
    rules: CountingRules,
    cols: Columns,
    cost_flat: npt.NDArray[np.int64],
    derived: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """Rules on each cost center's cost, given as the engine's own first steps computed it (`cost_flat` is
    `cost_centers(cols)`), so that what is checked here is exactly what will be distributed. `derived`: the
    cost centers whose counts come from the source records."""
    methodology = bundle.post.methodology
    cost = cost_flat.reshape(len(cols.cost_centers), -1).sum(axis=1)
    cost_of = {code: int(c) for code, c in zip(cols.cost_centers, cost.tolist(), strict=True)}
    post_total = sum(cost_of.values())
    weight: dict[str, Decimal] = defaultdict(Decimal)
    for code, modified in zip(column(bundle.workload, "cost_center"), _modified_counts(bundle.workload), strict=True):
        weight[code] += modified
    first_line = _first_rows(bundle)
    agencies = {a.code for a in bundle.agencies}

    found: list[Diagnostic] = []
    for code, amount in cost_of.items():
        if amount == 0:
            continue
        spec = catalog.find(code, methodology)
        assert spec is not None  # checked by _references
        source = _where(first_line[code])
        if spec.distribution == "workload" and weight[code] == 0:
            found.append(
                error(
                    source,
                    f"{code} {spec.name} has cost ({_dollars(amount)}) but no workload to share it by: "
                    + (
                        "the post's records count nothing in it on the count date or in the window "
                        "(icass workload --explain shows what was left out)"
                        if code in derived
                        else f"add its counts ({spec.factor.rstrip('.')}) to workload.csv"
                    ),
                    field="cost_center",
                    section=spec.count_section,
                    spans_rows=True,
                )
            )
        elif spec.distribution == "non_icass" and STATE_AGENCY not in agencies:
            found.append(
                error(
                    source,
                    f"{code} has cost, which is charged to {STATE_AGENCY} (State), "
                    f"but agencies.csv lacks {STATE_AGENCY}",
                    field="cost_center",
                    section=spec.count_section,
                    spans_rows=True,
                )
            )
    found += _service_rules(bundle, catalog, cost_of, first_line)
    found += _ceilings(bundle, catalog, cost_of, post_total, first_line)
    found += _mandatory(bundle, rules)
    return found


def _service_rules(
    bundle: PostBundle, catalog: Catalog, cost_of: dict[str, int], first_line: dict[str, Where]
) -> list[Diagnostic]:
    """8790 and ICASS redistribution share by agency totals; there must be agencies to share with."""
    found: list[Diagnostic] = []
    by_agency: dict[str, Decimal] = defaultdict(Decimal)
    workload = bundle.workload
    lines = zip(column(workload, "cost_center"), column(workload, "agency"), _modified_counts(workload), strict=True)
    for code, agency, modified in lines:
        if cost_of.get(code, 0):
            by_agency[agency] += modified
    payers = {a for a, w in by_agency.items() if w > 0}
    misc = catalog.find(MISCELLANEOUS, bundle.post.methodology)
    if cost_of.get(MISCELLANEOUS, 0) and not payers and misc is not None:
        found.append(
            error(
                _where(first_line[MISCELLANEOUS]),
                "8790 has cost but no agency has service costs to share it by",
                section=misc.count_section,
                spans_rows=True,
            )
        )
    if ICASS_AGENCY in payers and not payers - {ICASS_AGENCY}:
        found.append(
            error(
                Source("workload", key=ICASS_AGENCY),
                f"only {ICASS_AGENCY} (ICASS) has workload: ICASS redistribution needs customer agencies",
                spans_rows=True,
            )
        )
    return found


def _ceilings(
    bundle: PostBundle, catalog: Catalog, cost_of: dict[str, int], post_total: int, first_line: dict[str, Where]
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if post_total <= 0:
        return found
    methodology = bundle.post.methodology
    for code, ceiling, paragraph, words in (
        (MISCELLANEOUS, MISCELLANEOUS_CEILING, "-1", "generally should not exceed"),
        (BASIC_PACKAGE, BASIC_PACKAGE_CEILING, "-2 NOTE 3", "should not exceed"),
    ):
        spec = catalog.find(code, methodology)
        amount = cost_of.get(code, 0)
        if spec is None or Decimal(amount) <= ceiling * post_total:
            continue
        share = (Decimal(100) * amount / post_total).quantize(Decimal("0.1"))
        found.append(
            warning(
                _where(first_line[code]),
                f"{code} {spec.name} is {share}% of the post budget; it {words} {ceiling * 100:.0f}%",
                section=f"{spec.section}{paragraph}",
            )
        )
    return found


def _mandatory(bundle: PostBundle, rules: CountingRules) -> list[Diagnostic]:
    """H-341 b: every agency with people under chief-of-mission authority subscribes to the four mandatory
    cost centers; an agency counted in one of them but not in another is most likely a missing count."""
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


def _first_rows(bundle: PostBundle) -> dict[str, Where]:
    """Where each cost center first appears (budget line, else time allocation), to point messages at: the
    table and the index in it (_where makes its Source, for a message only)."""
    first: dict[str, Where] = {}
    for table in (bundle.time_allocation, bundle.budget):  # the budget's, where it has the code, replace
        codes = column(table, "cost_center")
        # Each code's first index, at C speed: read backwards, a code's earlier index replaces its later ones.
        at = dict(zip(reversed(codes), range(len(codes) - 1, -1, -1), strict=True))
        first.update((code, (table, k)) for code, k in at.items())
    return first


def _where(found: Where) -> Source:
    return source_of(*found)


def _dollars(cents: int) -> str:
    return f"${Decimal(cents) / 100:,.2f}"
