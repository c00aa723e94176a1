"""Derive the workload counts of a post from its records, by the catalog's counting rules.

A cost center is derived when it is activated (it has cost, time allocation or subscriptions; the mandatory
ones as soon as anyone is counted) and the file its rule reads is in the bundle; otherwise workload.csv
holds its counts. The result is the trail (every record and how it counted, `icass workload --explain`)
and the counts it sums to, each rounded once per (cost center, agency, factor) to four decimal places.
"""

from __future__ import annotations

import polars as pl

from icass.catalog import Catalog
from icass.catalog.counting import CountingRules, ItRule, PeopleRule, ProcurementRule, SpaceRule, load_counting_rules
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.model import Origin, PostRecords, Source, Workload
from icass.workload import people, records_rules, trail
from icass.workload.checks import check
from icass.workload.dates import count_period
from icass.workload.derivation import Derivation


def activated(records: PostRecords) -> set[str]:
    """Cost centers with cost, time allocation or a subscription."""
    bundle = records.entered
    codes = {line.cost_center for line in bundle.budget} | {t.cost_center for t in bundle.time_allocation}
    if records.sources.subscriptions is not None:
        codes |= set(records.sources.subscriptions.get_column("cost_center").unique().to_list())
    return codes


def derive(records: PostRecords, catalog: Catalog, rules: CountingRules | None = None) -> Derivation:
    rules = rules or load_counting_rules()
    post = records.post
    methodology = str(post.methodology)
    period = count_period(post.fiscal_year, rules, post.count_date)
    sources = records.sources
    agencies = {a.code for a in records.entered.agencies}
    problems = check(sources, agencies, catalog, methodology)
    if has_errors(problems) or not sources.present():
        return Derivation(period, trail.empty(), (), frozenset(), tuple(problems))

    active = activated(records)
    subscribers = (
        sources.subscriptions
        if sources.subscriptions is not None
        else pl.DataFrame(schema={"row": pl.Int64, "cost_center": pl.String, "agency": pl.String})
    )
    parts: list[pl.DataFrame] = []
    derived: set[str] = set()
    by_code = rules.for_methodology(methodology)

    if sources.people is not None:
        persons = people.personas(sources.people, rules, methodology, period)
        if persons.filter(pl.col("at_post")).height:
            active |= set(rules.mandatory_set(methodology))
        for code, rule in by_code.items():
            if isinstance(rule, PeopleRule) and code in active:
                counted = people.counted(persons, rule, methodology, subscribers)
                parts += [counted, people.none_counted(rule, methodology, counted, subscribers)]
                derived.add(code)
    for code, rule in by_code.items():
        if code not in active:
            continue
        if isinstance(rule, ItRule) and sources.it_inventory is not None:
            separate = pl.DataFrame(
                {"agency": [a.code for a in records.entered.agencies if a.separate_network]},
                schema={"agency": pl.String},
            )
            parts.append(records_rules.information_technology(sources.it_inventory, separate, rule, methodology))
        elif isinstance(rule, ProcurementRule) and sources.procurement is not None:
            parts.append(records_rules.procurement(sources.procurement, rule, methodology, period))
        elif isinstance(rule, SpaceRule) and rule.measure == "guard_hours":
            if sources.guard_hours is None or sources.housing is None:
                continue
            parts.append(
                records_rules.guard_hours(
                    sources.guard_hours, sources.housing, rule, rules.vacancy, methodology, period
                )
            )
        elif isinstance(rule, SpaceRule) and rule in rules.housing and sources.housing is not None:
            parts.append(records_rules.housing(sources.housing, rule, rules.vacancy, methodology, period))
        elif isinstance(rule, SpaceRule) and rule in rules.office and sources.office_space is not None:
            parts.append(records_rules.office_space(sources.office_space, rule, methodology))
        else:
            continue
        derived.add(code)
    if sources.activity is not None:
        transaction, more = _transactions(sources.activity, active, by_code, catalog, methodology)
        problems += more
        if transaction:
            parts.append(records_rules.transactions(sources.activity, transaction, period, rules.transactions_section))
            derived |= set(transaction)
    full = pl.concat(parts) if parts else trail.empty()
    lines = tuple(
        Workload(
            cc, agency, count, factor=factor, origin=Origin.DERIVED, source=Source("workload", key=f"{cc}/{agency}")
        )
        for cc, agency, factor, count in trail.counts(full)
        if count > 0
    )
    problems += _landing(lines, agencies, full)
    return Derivation(period, full, lines, frozenset(derived), tuple(problems))


def _transactions(
    activity: pl.DataFrame, active: set[str], by_code: dict[str, object], catalog: Catalog, methodology: str
) -> tuple[list[str], list[Diagnostic]]:
    """The activated cumulative cost centers that activity.csv counts; its rows for any other cost center are
    an error (not a transaction cost center) or a warning (not activated)."""
    problems: list[Diagnostic] = []
    first_rows = activity.group_by("cost_center").agg(pl.col("row").min()).sort("cost_center")
    counted: list[str] = []
    for code, row in first_rows.iter_rows():
        spec = catalog.find(code, methodology)
        if spec is None:
            continue  # reported by the record checks
        if spec.count_basis != "cumulative" or code in by_code:
            problems.append(
                error(
                    Source("activity.csv", row),
                    f"{code} is not counted from dated transactions ({spec.count_basis} count, "
                    f"{spec.count_section}); activity.csv holds cumulative cost centers only",
                    field="cost_center",
                    section=spec.count_section,
                )
            )
        elif code not in active:
            problems.append(
                warning(
                    Source("activity.csv", row),
                    f"{code} has no cost, time allocation or subscription: its activity is not counted",
                    field="cost_center",
                )
            )
        else:
            counted.append(code)
    for code in sorted(active - set(first_rows.get_column("cost_center").to_list())):
        spec = catalog.find(code, methodology)
        if spec is not None and spec.count_basis == "cumulative" and code not in by_code:
            counted.append(code)  # activated with no activity: derived as no workload, which validation reports
    return counted, problems


def _landing(lines: tuple[Workload, ...], agencies: set[str], full: pl.DataFrame) -> list[Diagnostic]:
    """Routed workload lands on special agency codes; each must be at post (in agencies.csv)."""
    missing = sorted({line.agency for line in lines} - agencies)
    problems: list[Diagnostic] = []
    for agency in missing:
        example = full.filter(pl.col("counted") & (pl.col("agency") == agency)).row(0, named=True)
        # The routing note ends with the section that routes it: "role MSG -> 1931.0 (H-341.5 d)".
        route = example["note"]
        section = route[route.rfind("(") + 1 : -1] if route.endswith(")") else example["section"]
        problems.append(
            error(
                Source(example["file"], example["rows"][0]),
                f"workload routed to {agency} ({route}) needs {agency} in agencies.csv",
                field="role" if example["file"] == "people.csv" else "agency",
                section=section,
            )
        )
    return problems
