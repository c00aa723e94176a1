"""Rules on the rows that name other rows or codes: each key once, and every code a row names known (a
cost center of the catalog, a position, an agency, a grade with its cost factors)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from icass.catalog import Catalog
from icass.checks.broken import broken
from icass.checks.context import Context, per_columns
from icass.diagnostics import Diagnostic, error
from icass.model import Origin, PostBundle, Source
from icass.model.columnar import column, source_of

# AmSal and PAT come only from the grade cost factors the ICASS software applies (rule R01).
CENTRALLY_FUNDED = frozenset({"AMSAL", "PAT"})


def _duplicates(
    records: Sequence[Any], names: tuple[str, ...], what: str, rows: list[int] | None = None
) -> list[Diagnostic]:
    """A key given twice in a table whose rows it names one by one; `rows`: the indexes of the records to check,
    when not all."""
    keys: list[Hashable] = (
        column(records, names[0])
        if len(names) == 1
        else list(zip(*(column(records, name) for name in names), strict=True))
    )
    if rows is not None:
        keys = [keys[k] for k in rows]
    if len(set(keys)) == len(keys):
        return []  # the usual case, found at C speed
    found: list[Diagnostic] = []
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
    return found


# A key given twice, table by table (each its own check, so that an edit to one table judges that table's
# again only). Budget and position cost lines are line items: two contracts under one SOC are two lines, not a
# duplicate.


def duplicate_agencies(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    return _duplicates(bundle.agencies, ("code",), "agency code")


# Where the handbook uses an agency's days at post: its partial-year invoice (icass.distribution.partial_year).
AGENCY_DAYS_SECTION = "H-341.5-3(D) NOTE 1"


def agency_dates(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """An agency leaves post on or after the day it arrives: its days at post are counted from `arrives_on`
    through `leaves_on`, both days included, so one day is the least (icass.distribution.partial_year)."""
    found: list[Diagnostic] = []
    arrivals, departures = column(bundle.agencies, "arrives_on"), column(bundle.agencies, "leaves_on")
    for k, (arrives, leaves) in enumerate(zip(arrivals, departures, strict=True)):
        if arrives is not None and leaves is not None and leaves < arrives:
            message = (
                f"leaves_on {leaves.isoformat()} is before arrives_on {arrives.isoformat()}: an agency leaves post "
                f"on or after the day it arrives, and its partial-year invoice counts the days between "
                f"({AGENCY_DAYS_SECTION})"
            )
            found.append(error(source_of(bundle.agencies, k), message, field="leaves_on", section=AGENCY_DAYS_SECTION))
    return found


def duplicate_grades(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    return _duplicates(bundle.cost_factors, ("grade",), "grade")


def duplicate_positions(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    return _duplicates(bundle.positions, ("position_id",), "position_id")


def duplicate_allocations(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    return list(_duplicate_allocations(bundle.time_allocation))


@per_columns("position_id", "cost_center")  # a percent changed leaves the keys as they were
def _duplicate_allocations(allocation: Sequence[Any]) -> list[Diagnostic]:
    return _duplicates(allocation, ("position_id", "cost_center"), "(position_id, cost_center)")


def duplicate_counts(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Counts entered twice for one line; derived lines are made one a line by the rules."""
    origins = column(bundle.workload, "origin")
    entered = None if Origin.DERIVED not in origins else [k for k, o in enumerate(origins) if o == Origin.ENTERED]
    return _duplicates(bundle.workload, ("cost_center", "agency", "factor"), "(cost_center, agency, factor)", entered)


def unknown_cost_center(code: str, catalog: Catalog, methodology: str, source: Source) -> list[Diagnostic]:
    if catalog.find(code, methodology) is not None:
        return []
    return [
        error(
            source,
            f"{code!r} is not a cost center of the {methodology} methodology, nor a sub-cost center "
            "PARENT-XXXX of one: pick one of the catalog's cost centers",
            field="cost_center",
            section="Exhibit H-341",
        )
    ]


# Every code a row names is known, table by table (each its own check, as the duplicates). Each code is looked
# up once: a large post names a few hundred codes on some 15,000 lines. Then a table is gone through row by
# row only when one of its values is wrong (records read as columns are never made into records:
# icass.model.columnar).


def _unknown(codes: list[str], catalog: Catalog, methodology: str) -> set[str]:
    return {code for code in set(codes) if catalog.find(code, methodology) is None}


def grade_references(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Every USDH position's grade has its cost factors: the one way a bundle can break R21, since a USDH
    position's AmSal line is made from its grade's factor, never typed."""
    grades = {f.grade for f in bundle.cost_factors}
    found: list[Diagnostic] = []
    for k, (category, grade) in enumerate(
        zip(column(bundle.positions, "category"), column(bundle.positions, "grade"), strict=True)
    ):
        if category == "USDH" and grade not in grades:
            found.append(
                broken("R21", source_of(bundle.positions, k), f"USDH grade {grade!r} has no cost factors", "grade")
            )
    return found


def pool_references(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Every cost line names a position."""
    positions = set(column(bundle.positions, "position_id"))
    pooled = column(bundle.position_costs, "position_id")
    if positions.issuperset(pooled):
        return []
    return [
        error(
            source_of(bundle.position_costs, k),
            f"unknown position {position_id!r}",
            field="position_id",
            spans_rows=True,
        )
        for k, position_id in enumerate(pooled)
        if position_id not in positions
    ]


def centrally_funded(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R01: no row enters by hand what the grades bring to each USDH position's pool."""
    found: list[Diagnostic] = []
    for table in (bundle.position_costs, bundle.budget):
        funding = column(table, "funding")
        if CENTRALLY_FUNDED.isdisjoint(funding):
            continue
        found += [
            broken("R01", source_of(table, k), f"a line funded {fund} is typed", "funding", alone=True)
            for k, fund in enumerate(funding)
            if fund in CENTRALLY_FUNDED
        ]
    return found


def allocation_references(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Every time allocation row names a position and a cost center of the catalog."""
    catalog, methodology = context.catalog, bundle.post.methodology
    positions = set(column(bundle.positions, "position_id"))
    allocated = column(bundle.time_allocation, "cost_center")
    unknown = _unknown(allocated, catalog, methodology)
    shares = column(bundle.time_allocation, "position_id")
    if positions.issuperset(shares) and not unknown:
        return []
    found: list[Diagnostic] = []
    for k, (position_id, code) in enumerate(zip(shares, allocated, strict=True)):
        if position_id not in positions:
            source = source_of(bundle.time_allocation, k)
            found.append(error(source, f"unknown position {position_id!r}", field="position_id", spans_rows=True))
        if code in unknown:
            found += unknown_cost_center(code, catalog, methodology, source_of(bundle.time_allocation, k))
    return found


def budget_references(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Every budget line names a cost center of the catalog."""
    catalog, methodology = context.catalog, bundle.post.methodology
    budgeted = column(bundle.budget, "cost_center")
    unknown = _unknown(budgeted, catalog, methodology)
    found: list[Diagnostic] = []
    if unknown:
        for k, code in enumerate(budgeted):
            if code in unknown:
                found += unknown_cost_center(code, catalog, methodology, source_of(bundle.budget, k))
    return found


def count_references(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Every count names a cost center of the catalog and an agency at post."""
    catalog, methodology = context.catalog, bundle.post.methodology
    agencies = {a.code for a in bundle.agencies}
    counted = column(bundle.workload, "cost_center")
    unknown = _unknown(counted, catalog, methodology)
    counting = column(bundle.workload, "agency")
    if not unknown and agencies.issuperset(counting):
        return []
    found: list[Diagnostic] = []
    for k, (code, agency) in enumerate(zip(counted, counting, strict=True)):
        if code in unknown:
            found += unknown_cost_center(code, catalog, methodology, source_of(bundle.workload, k))
        if agency not in agencies:
            source = source_of(bundle.workload, k)
            found.append(
                error(source, f"unknown agency {agency!r} (not in agencies.csv)", field="agency", spans_rows=True)
            )
    return found
