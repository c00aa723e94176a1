"""Rules on the rows that name other rows or codes: each key once, and every code a row names known (a
cost center of the catalog, a position, an agency, a grade with its cost factors)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from icass.catalog import Catalog
from icass.checks.context import Context
from icass.diagnostics import Diagnostic, error
from icass.model import Origin, PostBundle, Source
from icass.model.columnar import column, source_of

# AmSal and PAT come only from the grade cost factors the ICASS software applies (H-423.1-1 b, H-423.1-2 b).
CENTRALLY_FUNDED = {"AMSAL": "H-423.1-1 b", "PAT": "H-423.1-2 b"}


def duplicates(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """A key given twice in a table whose rows it names one by one."""
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


def unknown_cost_center(code: str, catalog: Catalog, methodology: str, source: Source) -> list[Diagnostic]:
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


def references(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """Every code a row names is known: a cost center of the catalog, a position, an agency, a grade's cost
    factor; and no row enters by hand what the grades bring."""
    catalog = context.catalog
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
                found += unknown_cost_center(code, catalog, methodology, source_of(bundle.time_allocation, k))
    if not unknown.isdisjoint(budgeted):
        for k, code in enumerate(budgeted):
            if code in unknown:
                found += unknown_cost_center(code, catalog, methodology, source_of(bundle.budget, k))
    counting = column(bundle.workload, "agency")
    if not unknown.isdisjoint(counted) or not agencies.issuperset(counting):
        for k, (code, agency) in enumerate(zip(counted, counting, strict=True)):
            if code in unknown:
                found += unknown_cost_center(code, catalog, methodology, source_of(bundle.workload, k))
            if agency not in agencies:
                source = source_of(bundle.workload, k)
                found.append(
                    error(source, f"unknown agency {agency!r} (not in agencies.csv)", field="agency", spans_rows=True)
                )
    return found
