"""The counts a post distributes by: derived counts, replaced pair by pair by counts typed in workload.csv,
then the budget committee's modifications (modifications.csv), each checked against the rules that govern
it: the cost center must be modifiable, within (0, 1] and above any floor, justified, approved by the budget
committee and, for 5624, by the post medical officer."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from icass.catalog import Catalog, CostCenterSpec
from icass.catalog.counting import CountingRules
from icass.checks.broken import broken
from icass.checks.context import per_columns
from icass.checks.counts import modification_rules
from icass.diagnostics import Diagnostic, error, warning
from icass.model import Modification, PostRecords, Workload
from icass.model.columnar import RecordColumns, column, source_of
from icass.workload.derivation import Derivation

ONE = Decimal(1)


@dataclass(frozen=True)
class Combined:
    """The workload lines to distribute, sorted by (cost center, agency, factor), and what was found on the
    way: where a typed count replaces a derived one (`replaced`), and what applying the modifications found
    (`modified`), which reads the lines' keys and never their counts."""

    lines: Sequence[Workload]
    replaced: tuple[Diagnostic, ...] = ()
    modified: tuple[Diagnostic, ...] = ()

    @property
    def problems(self) -> list[Diagnostic]:
        return [*self.replaced, *self.modified]


def combine(
    records: PostRecords, derivation: Derivation, catalog: Catalog, rules: CountingRules
) -> tuple[Sequence[Workload], list[Diagnostic]]:
    """The workload lines to distribute, sorted by (cost center, agency, factor), and what was found on the way."""
    combined = combined_counts(records, derivation, catalog, rules)
    return combined.lines, combined.problems


def combined_counts(records: PostRecords, derivation: Derivation, catalog: Catalog, rules: CountingRules) -> Combined:
    """combine, with what it found kept apart as recount needs it."""
    entered = records.entered.workload
    nothing_derived = not derivation.lines and not derivation.derived
    if nothing_derived and not records.modifications and isinstance(entered, RecordColumns):
        return Combined(_sorted_columns(entered))  # counts typed in workload.csv alone, as read: nothing to merge
    typed = set(zip(column(entered, "cost_center"), column(entered, "agency"), strict=True))
    lines = [line for line in derivation.lines if (line.cost_center, line.agency) not in typed] + list(entered)
    lines, modified = _apply(lines, records, catalog, rules)
    ordered = sorted(lines, key=lambda w: (w.cost_center, w.agency, w.factor))
    return Combined(_as_columns(ordered), tuple(_replaced(entered, derivation)), tuple(modified))


def recount(
    before: Combined, entered_before: Sequence[Workload], records: PostRecords, derivation: Derivation
) -> Combined | None:
    """`before` (combined_counts of records whose typed counts were `entered_before`) after an edit that
    changed only the counts of typed lines, not which lines there are nor anything else: the same lines with
    the new counts, without merging and applying the modifications again. None when the edit did more."""
    entered = records.entered.workload
    lines = before.lines
    if not (
        isinstance(entered, RecordColumns)
        and isinstance(entered_before, RecordColumns)
        and isinstance(lines, RecordColumns)
        and lines.sources is not None
        and entered.numbers is entered_before.numbers
        and entered.columns.keys() == entered_before.columns.keys()
        and all(cells is entered_before.columns[name] for name, cells in entered.columns.items() if name != "count")
    ):
        return None
    old, new = entered_before.columns["count"], entered.columns["count"]
    changed = [k for k, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if not changed:
        return before
    place = {source: k for k, source in enumerate(lines.sources) if source.file == entered.file}
    counts = list(lines.columns["count"])
    for k in changed:
        counts[place[source_of(entered, k)]] = new[k]
    recounted = RecordColumns(
        lines.record, lines.file, lines.numbers, {**lines.columns, "count": counts}, lines.sources
    )
    return Combined(recounted, tuple(_replaced(entered, derivation)), before.modified)


def _replaced(entered: Sequence[Workload], derivation: Derivation) -> list[Diagnostic]:
    """A warning for each (cost center, agency) whose typed counts replace a different count the records
    derive, on the first typed line of the pair, in the order of the pairs."""
    derived_total = derivation.totals
    entered_total: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    first: dict[tuple[str, str], int] = {}
    pairs = zip(column(entered, "cost_center"), column(entered, "agency"), strict=True)
    for k, (pair, count) in enumerate(zip(pairs, column(entered, "count"), strict=True)):
        entered_total[pair] += count
        first.setdefault(pair, k)
    return [
        warning(
            source_of(entered, k),
            f"the count entered for {pair[1]} in {pair[0]} ({entered_total[pair]}) replaces what the "
            f"records derive ({derived_total.get(pair, Decimal(0))})",
            field="count",
        )
        for pair, k in sorted(first.items())
        if pair[0] in derivation.derived and entered_total[pair] != derived_total.get(pair, Decimal(0))
    ]


def _as_columns(lines: list[Workload]) -> RecordColumns[Workload]:
    """The combined lines as columns, each with its own source (derived or typed), the records kept: the checks
    and the distribution read them column by column, and a count edited is one cell of one (recount)."""
    names = [f.name for f in dataclasses.fields(Workload) if f.name != "source"]
    columns = {name: [getattr(w, name) for w in lines] for name in names}
    return RecordColumns.made(Workload, columns, [w.source for w in lines], tuple(lines))


def _sorted_columns(entered: RecordColumns[Workload]) -> RecordColumns[Workload]:
    """The entered lines sorted as combine sorts lines, still as columns (icass.model.columnar): a large post
    types thousands of counts, and a record and a Source each are made only when asked for. A column an edit
    left alone comes out as the same list as before, so that the checks' views of it are kept (per_columns)."""
    order = _order(entered)
    if order is None:
        return entered
    columns = {name: _in_order(cells, order) for name, cells in entered.columns.items()}
    return RecordColumns(entered.record, entered.file, _in_order(entered.numbers, order), columns)


@per_columns("cost_center", "agency", "factor")
def _order(entered: RecordColumns[Workload]) -> list[int] | None:
    """The lines' order by (cost center, agency, factor), stable as sorting the records is; None when sorted."""
    keys = list(zip(*(column(entered, name) for name in ("cost_center", "agency", "factor")), strict=True))
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return None if order == list(range(len(keys))) else order


# The last columns put in order, each with the column and the order it was made from: entering a count copies
# only the count's column, and the others must come out as the lists they were (see _sorted_columns). Replaced
# whole, as icass.checks.context's views are, so that two threads only ever make a column again.
_IN_ORDER: list[tuple[tuple[list[Any], list[int], list[Any]], ...]] = [()]
_KEPT_COLUMNS = 16


def _in_order(cells: list[Any], order: list[int]) -> list[Any]:
    held = _IN_ORDER[0]
    for seen, by, made in held:
        if seen is cells and by is order:
            return made
    made = list(map(cells.__getitem__, order))
    _IN_ORDER[0] = ((cells, order, made), *held[: _KEPT_COLUMNS - 1])
    return made


def _resolve(m: Modification, spec: CostCenterSpec, rules: CountingRules) -> tuple[Decimal | None, list[Diagnostic]]:
    if m.modification is not None:
        return m.modification, []
    level = rules.level(m.cost_center.split("-")[0], m.level)
    if level is None:
        names = [x.name for x in rules.levels if x.cost_center == spec.code.split("-")[0]]
        elsewhere = [x for x in rules.levels if x.name == m.level]
        if names:
            offered = f"; {spec.code} offers {', '.join(names)}"
        elif elsewhere:
            offered = f"; {m.level} is a level of {', '.join(x.cost_center for x in elsewhere)} only"
        else:
            offered = f"; {spec.code} offers no named level"
        message = f"{m.level!r} is neither a number in (0, 1] nor a named level{offered}"
        section = elsewhere[0].section if elsewhere else spec.modifiable_section
        return None, [error(m.source, message, field="modification", section=section)]
    return level.modification, []


def _governance(m: Modification, spec: CostCenterSpec, value: Decimal, rules: CountingRules) -> list[Diagnostic]:
    found: list[Diagnostic] = modification_rules(spec, value, m.source)
    if not m.justification:
        found.append(
            error(
                m.source,
                "a modification needs its justification",
                field="justification",
                section=spec.modifiable_section,
            )
        )
    # R68: the approvals the bundle records (the written policy 6144 needs is the budget committee's).
    if m.bc_approved_on is None:
        found.append(broken("R68", m.source, "no date of the budget committee's approval", "bc_approved_on", True))
    for approval in rules.approvals:
        if approval.cost_center == spec.code.split("-")[0] and getattr(m, approval.column) is None:
            found.append(
                broken(
                    "R68",
                    m.source,
                    f"a {approval.cost_center} modification without the approval of {approval.who}",
                    approval.column,
                    alone=True,
                )
            )
    return found


def _apply(
    lines: list[Workload], records: PostRecords, catalog: Catalog, rules: CountingRules
) -> tuple[list[Workload], list[Diagnostic]]:
    methodology = str(records.post.methodology)
    problems: list[Diagnostic] = []
    claimed: dict[tuple[str, str, str], Modification | Workload] = {}
    for line in lines:
        if line.modification != ONE:  # typed in workload.csv's own modification column
            claimed[(line.cost_center, line.agency, line.factor)] = line
    value_of: dict[tuple[str, str, str], Decimal] = {}
    by_pair: dict[tuple[str, str], list[Workload]] = defaultdict(list)  # each line once, not once a modification
    for line in lines:
        by_pair[(line.cost_center, line.agency)].append(line)
    for m in records.modifications:
        spec = catalog.find(m.cost_center, methodology)
        if spec is None:
            problems.append(
                error(m.source, f"unknown cost center {m.cost_center!r}", field="cost_center", section="Exhibit H-341")
            )
            continue
        value, more = _resolve(m, spec, rules)
        problems += more
        if value is None:
            continue
        problems += _governance(m, spec, value, rules)
        factors = rules.factors(m.cost_center, methodology)
        if m.factor not in factors:
            offered = ", ".join(f or "(empty: all)" for f in sorted(factors))
            message = f"{m.factor!r} is not a distribution factor of {m.cost_center} ({offered})"
            problems.append(error(m.source, message, field="factor", section="H-341.1-4 NOTE 2"))
            continue
        targets = [
            (w.cost_center, w.agency, w.factor)
            for w in by_pair.get((m.cost_center, m.agency), ())
            if not m.factor or w.factor == m.factor
        ]
        if not targets:
            problems.append(
                warning(
                    m.source,
                    f"modifies no count: {m.agency} has no workload"
                    + (f" under factor {m.factor}" if m.factor else "")
                    + f" in {m.cost_center}",
                )
            )
        for key in targets:
            other = claimed.get(key)
            if other is not None:
                problems.append(
                    error(
                        m.source,
                        f"a second modification of the line {'/'.join(k for k in key if k)} "
                        f"(already on {other.source})",
                        field="modification",
                    )
                )
                continue
            claimed[key] = m
            value_of[key] = value
    return [
        dataclasses.replace(w, modification=value_of[(w.cost_center, w.agency, w.factor)])
        if (w.cost_center, w.agency, w.factor) in value_of
        else w
        for w in lines
    ], problems
