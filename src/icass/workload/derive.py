"""Derive the workload counts of posts from their records, by the catalog's counting rules.

A cost center is derived when it is activated (it has cost, time allocation or subscriptions; the mandatory
ones as soon as anyone is counted) and the file its rule reads is in the bundle; otherwise workload.csv
holds its counts. The result is the trail (every record and how it counted, `icass workload --explain`)
and the counts it sums to, each rounded once per (cost center, agency, factor) to four decimal places.

Posts are derived as a batch: each record file of every post is one frame with a `post` column (the post's
place in the batch), so a counting rule is one query for the whole world rather than one per post; a post
alone is a batch of one. Each post gets its own Derivation back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal

import numpy as np
import polars as pl

from icass.catalog import Catalog
from icass.catalog.counting import CountingRules, ItRule, PeopleRule, ProcurementRule, SpaceRule, load_counting_rules
from icass.checks.records import check_records
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.model import Origin, PostRecords, Source, SourceRecords, Workload
from icass.workload import people, records_rules, trail
from icass.workload.dates import CountPeriod, count_period
from icass.workload.derivation import Derivation

NAMES = tuple(f.name for f in fields(SourceRecords))


def activated(records: PostRecords) -> set[str]:
    """Cost centers with cost, time allocation or a subscription."""
    bundle = records.entered
    codes = {line.cost_center for line in bundle.budget} | {t.cost_center for t in bundle.time_allocation}
    if records.sources.subscriptions is not None:
        # An empty cost center activates nothing (the record checks report it).
        codes |= set(records.sources.subscriptions.get_column("cost_center").drop_nulls().unique().to_list())
    return codes


class Batch:
    """The source records of several posts, one frame per file with `post` (place in the batch) and each
    post's count period (`count_date`, `first_day`, `last_day`); `has[name]` is the posts with that file."""

    def __init__(self, posts: Sequence[PostRecords], chosen: Sequence[int], periods: Sequence[CountPeriod]) -> None:
        self.posts = posts
        self.chosen = list(chosen)
        when = pl.DataFrame(
            {
                "post": list(chosen),
                "count_date": [periods[i].count_date for i in chosen],
                "first_day": [periods[i].first_day for i in chosen],
                "last_day": [periods[i].last_day for i in chosen],
                "post_code": [posts[i].post.code for i in chosen],
            },
            schema={
                "post": trail.POST,
                "count_date": pl.Date,
                "first_day": pl.Date,
                "last_day": pl.Date,
                "post_code": pl.String,
            },
        )
        self.has: dict[str, set[int]] = {}
        stacked: dict[str, pl.DataFrame | None] = {}
        for name in NAMES:
            present = [(i, getattr(posts[i].sources, name)) for i in chosen]
            present = [(i, f) for i, f in present if f is not None]
            self.has[name] = {i for i, _ in present}
            if not present:
                stacked[name] = None
                continue
            where = np.repeat(np.array([i for i, _ in present], dtype=np.int32), [f.height for _, f in present])
            # Diagonal: a post's file may leave out an optional column another's has (a missing one reads as empty).
            frame = pl.concat([f for _, f in present], how="diagonal_relaxed")
            stacked[name] = frame.with_columns(pl.Series("post", where, dtype=trail.POST)).join(
                when, on="post", how="left", maintain_order="left"
            )
        self.records = SourceRecords(**stacked)
        self.agencies = pl.DataFrame(
            [(i, a.code) for i in chosen for a in posts[i].entered.agencies],
            schema={"post": trail.POST, "agency": pl.String},
            orient="row",
        )
        self.methodologies = pl.DataFrame(
            [(i, str(posts[i].post.methodology)) for i in chosen],
            schema={"post": trail.POST, "methodology": pl.String},
            orient="row",
        )

    def only(self, name: str, chosen: Sequence[int]) -> pl.DataFrame | None:
        """One file's frame for some posts of the batch (None if none of them has the file)."""
        frame: pl.DataFrame | None = getattr(self.records, name)
        if frame is None or not self.has[name] & set(chosen):
            return None
        if self.has[name] <= set(chosen):
            return frame
        return frame.filter(pl.col("post").is_in(list(chosen)))


def derive(records: PostRecords, catalog: Catalog, rules: CountingRules | None = None) -> Derivation:
    """One post's counts (a batch of one)."""
    found = derive_posts([records], catalog, rules)[0]
    return found if found.trail is not None else Derivation(found.period, trail.empty())


def check_posts(posts: Sequence[PostRecords], catalog: Catalog) -> list[list[Diagnostic]]:
    """The checks across each post's records (icass.checks.records), every post at once."""
    return _checked(posts, catalog, load_counting_rules())[2]


def _checked(
    posts: Sequence[PostRecords], catalog: Catalog, rules: CountingRules
) -> tuple[list[CountPeriod], Batch, list[list[Diagnostic]]]:
    """Each post's count period, the batch of the posts with source records, and each post's problems."""
    periods = [count_period(r.post.fiscal_year, rules, r.post.count_date) for r in posts]
    batch = Batch(posts, [i for i, r in enumerate(posts) if r.sources.present()], periods)
    problems: list[list[Diagnostic]] = [[] for _ in posts]
    for post, problem in check_records(batch.records, batch.agencies, catalog, batch.methodologies):
        problems[post].append(problem)
    return periods, batch, problems


def derive_posts(
    posts: Sequence[PostRecords], catalog: Catalog, rules: CountingRules | None = None
) -> list[Derivation]:
    """Every post's counts; a post without source records gets its count period and no trail."""
    rules = rules or load_counting_rules()
    periods, batch, problems = _checked(posts, catalog, rules)
    sourced = batch.chosen
    clean = [i for i in sourced if not has_errors(problems[i])]
    derived: dict[int, set[str]] = {i: set() for i in clean}
    parts: list[pl.DataFrame] = []
    for methodology in sorted({str(posts[i].post.methodology) for i in clean}):
        group = [i for i in clean if str(posts[i].post.methodology) == methodology]
        parts += _derive_group(batch, group, methodology, catalog, rules, derived, problems)
    full = pl.concat(parts) if parts else trail.empty_batch()
    # One order whatever the batch: joins need not keep row order, and a post's trail must not depend on
    # which posts it was derived with. Each cost center's lines by agency and factor, each by file and row.
    order = ["post", "cost_center", "agency", "factor", "file", pl.col("rows").list.first(), "what"]
    full = full.sort(order, maintain_order=True)
    derived_origin = Origin.DERIVED
    lines = {
        post: tuple(
            Workload(cc, agency, count, _ONE, factor, derived_origin, Source("workload", 0, f"{cc}/{agency}"))
            for cc, agency, factor, count in found
            if count > 0
        )
        for post, found in trail.counts(full).items()
    }
    trails = {key[0]: frame for key, frame in full.partition_by("post", as_dict=True, include_key=False).items()}
    nothing = trail.empty()  # one empty frame for every post with no trail row (frames are immutable)
    results = []
    for i, records in enumerate(posts):
        if i not in derived:
            results.append(
                Derivation(periods[i], nothing if i in sourced else None, (), frozenset(), tuple(problems[i]))
            )
            continue
        mine, theirs = lines.get(i, ()), trails.get(i, nothing)
        problems[i] += _landing(mine, {a.code for a in records.entered.agencies}, theirs)
        results.append(Derivation(periods[i], theirs, mine, frozenset(derived[i]), tuple(problems[i])))
    return results


_ONE = Decimal(1)


def _derive_group(
    batch: Batch,
    group: list[int],
    methodology: str,
    catalog: Catalog,
    rules: CountingRules,
    derived: dict[int, set[str]],
    problems: list[list[Diagnostic]],
) -> list[pl.DataFrame]:
    """The trail of the posts of one methodology (whose rules are the same)."""
    posts = batch.posts
    active = {i: activated(posts[i]) for i in group}
    by_code = rules.for_methodology(methodology)
    parts: list[pl.DataFrame] = []

    def chosen(code: str, *names: str) -> list[int]:
        """The posts where `code` is activated and that have every file it is counted from."""
        return [i for i in group if code in active[i] and all(i in batch.has[n] for n in names)]

    def subscribers(among: list[int]) -> pl.DataFrame:
        found = batch.only("subscriptions", among)
        if found is None:
            return pl.DataFrame(
                schema={"post": trail.POST, "row": pl.Int64, "cost_center": pl.String, "agency": pl.String}
            )
        return found

    def noticed(among: list[int]) -> pl.DataFrame:
        """Each notice of terminating a service that has not run out when its post's fiscal year begins."""
        rows = []
        for i in among:
            entered = posts[i].entered
            begins = dt.date(entered.post.fiscal_year - 1, 10, 1)
            rows += [
                (i, n.cost_center, n.agency, n.counted_until)
                for n in entered.terminations or ()
                if n.counted_until > begins
            ]
        return pl.DataFrame(
            rows,
            schema={"post": trail.POST, "cost_center": pl.String, "agency": pl.String, "until": pl.Date},
            orient="row",
        )

    everyone = batch.only("people", group)
    if everyone is not None:
        persons = people.personas(everyone, rules, methodology)
        present = set(persons.filter(pl.col("at_post")).get_column("post").unique().to_list())
        for i in present:
            active[i] |= set(rules.mandatory_set(methodology))
        for code, rule in by_code.items():
            among = chosen(code, "people")
            if not isinstance(rule, PeopleRule) or not among:
                continue
            theirs = persons if len(among) == len(group) else persons.filter(pl.col("post").is_in(among))
            counted = people.counted(theirs, rule, methodology, subscribers(among), noticed(among))
            parts += [counted, people.none_counted(rule, methodology, counted, subscribers(among))]
            for i in among:
                derived[i].add(code)
    for code, rule in by_code.items():
        if isinstance(rule, ItRule):
            among = chosen(code, "it_inventory")
            if among:
                separate = pl.DataFrame(
                    [(i, a.code) for i in among for a in posts[i].entered.agencies if a.separate_network],
                    schema={"post": trail.POST, "agency": pl.String},
                    orient="row",
                )
                inventory = batch.only("it_inventory", among)
                assert inventory is not None
                parts.append(records_rules.information_technology(inventory, separate, rule, methodology))
        elif isinstance(rule, ProcurementRule):
            among = chosen(code, "procurement")
            if among:
                actions = batch.only("procurement", among)
                assert actions is not None
                parts.append(records_rules.procurement(actions, rule, methodology))
        elif isinstance(rule, SpaceRule) and rule.measure == "guard_hours":
            among = chosen(code, "guard_hours", "housing")
            hours, units = batch.only("guard_hours", among), batch.only("housing", among)
            if hours is not None and units is not None:
                parts.append(records_rules.guard_hours(hours, units, rule, rules.vacancy, methodology))
        elif isinstance(rule, SpaceRule) and rule in rules.housing:
            among = chosen(code, "housing")
            units = batch.only("housing", among)
            if units is not None:
                parts.append(records_rules.housing(units, rule, rules.vacancy, methodology))
        elif isinstance(rule, SpaceRule) and rule in rules.office:
            among = chosen(code, "office_space")
            space = batch.only("office_space", among)
            if space is not None:
                parts.append(records_rules.office_space(space, rule, methodology))
        else:
            continue
        for i in among:
            derived[i].add(code)
    activity = batch.only("activity", group)
    if activity is not None:
        counted_pairs: list[tuple[int, str]] = []
        among = [i for i in group if i in batch.has["activity"]]
        for i, codes, more in _transactions(activity, among, active, by_code, catalog, methodology):
            problems[i] += more
            counted_pairs += [(i, code) for code in codes]
            derived[i] |= set(codes)
        if counted_pairs:
            which = pl.DataFrame(counted_pairs, schema={"post": trail.POST, "cost_center": pl.String}, orient="row")
            parts.append(records_rules.transactions(activity, which, rules.transactions_section))
    return parts


def _transactions(
    activity: pl.DataFrame,
    among: list[int],
    active: dict[int, set[str]],
    by_code: dict[str, object],
    catalog: Catalog,
    methodology: str,
) -> list[tuple[int, list[str], list[Diagnostic]]]:
    """For each post with activity.csv: the activated cumulative cost centers it counts, and the problems of
    its rows for any other cumulative cost center, an error (another rule counts it) or a warning (not
    activated); rows of a static cost center are not counted, and rule R96 judges them."""
    first_rows: dict[int, list[tuple[str, int]]] = {i: [] for i in among}
    grouped = activity.group_by("post", "cost_center").agg(pl.col("row").min()).sort("post", "cost_center")
    for post, code, row in grouped.iter_rows():
        first_rows[post].append((code, row))
    found = []
    for post in among:
        problems: list[Diagnostic] = []
        counted: list[str] = []
        for code, row in first_rows[post]:
            spec = catalog.find(code, methodology)
            if spec is None:
                continue  # reported by the record checks
            if spec.count_basis != "cumulative":
                continue  # a static count taken from transactions: rule R96 (icass.checks.workload_rules)
            if code in by_code:
                problems.append(
                    error(
                        Source("activity.csv", row),
                        f"{code} is counted from its own records ({spec.count_section}), not from dated "
                        "transactions in activity.csv",
                        field="cost_center",
                        section=spec.count_section,
                    )
                )
            elif code not in active[post]:
                problems.append(
                    warning(
                        Source("activity.csv", row),
                        f"{code} has no cost, time allocation or subscription: its activity is not counted",
                        field="cost_center",
                    )
                )
            else:
                counted.append(code)
        for code in sorted(active[post] - {code for code, _ in first_rows[post]}):
            spec = catalog.find(code, methodology)
            if spec is not None and spec.count_basis == "cumulative" and code not in by_code:
                counted.append(code)  # activated with no activity: no workload, which validation reports
        found.append((post, counted, problems))
    return found


def _landing(lines: tuple[Workload, ...], agencies: set[str], full: pl.DataFrame) -> list[Diagnostic]:
    """Routed workload lands on special agency codes; each must be at post (in agencies.csv)."""
    missing = sorted({line.agency for line in lines} - agencies)
    problems: list[Diagnostic] = []
    for agency in missing:
        routed = full.filter(pl.col("counted") & (pl.col("agency") == agency))
        example = routed.sort("file", pl.col("rows").list.first()).row(0, named=True)  # the first record
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
