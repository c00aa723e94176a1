"""What every check is given beside the post: the rules it judges by, and what was computed before it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from icass.catalog import Catalog
from icass.catalog.counting import CountingRules
from icass.diagnostics import Diagnostic
from icass.distribution.columns import Columns
from icass.model import PostBundle, SourceRecords
from icass.model.columnar import RecordColumns, column
from icass.model.provenance import Source

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class Costs:
    """Each cost center's cost as the distribution's own first step computed it (`flat` is `cost_centers(columns)`,
    this post's part), so that what a check judges is exactly what will be distributed."""

    columns: Columns
    flat: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Context:
    """The catalog and counting rules a post is judged by; the fiscal year is the post's own (`post.post`).
    `derived`: the cost centers whose counts come from the post's source records. `prior`: the same post's
    bundle of the fiscal year before, when known, for rules that compare two years. `costs`: given once the
    checks on rows have passed and the cost is computed (see `Needs`). `records`: the post's source records,
    `count_date` the day its static counts are taken, and `derived_totals` each (cost center, agency)'s count
    derived from them, factors summed, before a typed count replaces it: what a check of the records reads (a
    run after an edit reuses a check's findings only while the derivation is the same, so these never go
    stale under `Check.reads`)."""

    catalog: Catalog
    rules: CountingRules
    derived: frozenset[str] = frozenset()
    records: SourceRecords = field(default_factory=SourceRecords)
    count_date: dt.date | None = None
    derived_totals: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    prior: PostBundle | None = None
    costs: Costs | None = None

    def cost(self) -> Costs:
        assert self.costs is not None, "a check on costs runs only with the costs (run_checks)"
        return self.costs


class Needs(Enum):
    """What a check needs to hold before it can run."""

    ROWS = "rows"  # the post's rows alone
    SOUND_ROWS = "sound rows"  # rows in which no check before it found an error (every grade known, ...)
    COSTS = "costs"  # each cost center's cost (Context.costs), computed once the rows are sound


Rule = Callable[[PostBundle, Context], list[Diagnostic]]

T = TypeVar("T")
R = TypeVar("R")
U = TypeVar("U")


def per_table(make: Callable[[T], R]) -> Callable[[T], R]:
    """`make(table)` kept for the last few tables it was asked of (by identity): many checks read the same view
    of a post's table (its lines grouped by description, each position's cost centers), and the checks of one
    run read the same tables. The pairs kept are replaced whole, so that threads reading two posts at once only
    make a view again, never take another table's."""
    kept: list[tuple[tuple[T, R], ...]] = [()]

    def view(table: T) -> R:
        held = kept[0]
        for seen, made in held:
            if seen is table:
                return made
        made = make(table)
        kept[0] = ((table, made), *held[: KEPT_VIEWS - 1])
        return made

    return view


def per_tables(make: Callable[[T, U], R]) -> Callable[[T, U], R]:
    """per_table for a view of two tables (each position's time with its positions): kept by both identities."""
    kept: list[tuple[tuple[T, U, R], ...]] = [()]

    def view(first: T, second: U) -> R:
        held = kept[0]
        for one, two, made in held:
            if one is first and two is second:
                return made
        made = make(first, second)
        kept[0] = ((first, second, made), *held[: KEPT_VIEWS - 1])
        return made

    return view


def per_columns(*names: str, but: str = "") -> Callable[[Callable[[T], R]], Callable[[T], R]]:
    """per_table for a view that reads only the columns `names` of its table, and where its rows are: kept by
    the identities of those columns (and of the rows' numbers or sources), not of the table. An edit of a row
    copies only the columns it changes and shares the others (icass.bundle.edit), so the views of columns an
    edit left alone are not made again: a position's percent changed leaves the time allocation's rows by
    position as they were. Without `names`, the view reads every column but `but`. A table that is not one
    file's columns is kept by its identity, as per_table."""

    def decorate(make: Callable[[T], R]) -> Callable[[T], R]:
        kept: list[tuple[tuple[tuple[Any, ...], R], ...]] = [()]

        def view(table: T) -> R:
            key = _columns_key(table, names, but)
            held = kept[0]
            for seen, made in held:
                if len(seen) == len(key) and all(a is b for a, b in zip(seen, key, strict=True)):
                    return made
            made = make(table)
            kept[0] = ((key, made), *held[: KEPT_VIEWS - 1])
            return made

        return view

    return decorate


def _columns_key(table: Any, names: tuple[str, ...], but: str) -> tuple[Any, ...]:
    if not isinstance(table, RecordColumns):
        return (table,)
    where = table.numbers if table.sources is None else table.sources
    read = names or [name for name in table.columns if name != but]
    return (table.record, sys.intern(table.file), where, *(table.columns[name] for name in read))


# A view is asked of each of a post's tables (rows_by: the budget, the time allocation, the counts, the pools).
KEPT_VIEWS = 4


# Every field of a PostBundle: what a check reads unless it says less.
EVERY_FIELD = frozenset(
    (
        "post",
        "agencies",
        "cost_factors",
        "positions",
        "position_costs",
        "time_allocation",
        "budget",
        "workload",
        "terminations",
    )
)


@dataclass(frozen=True)
class Check:
    """One rule of the list: the function that finds what breaks it, what it needs, and the PostBundle fields
    it reads (with its Context): given the same records in those, it finds the same, so the run after an edit
    that left them alone takes its findings from the run before (icass.runs.post)."""

    rule: Rule
    needs: Needs = Needs.ROWS
    reads: frozenset[str] = EVERY_FIELD
    budget_rule: str = ""  # the id of the handbook's budget rule it judges (icass.catalog.budget_rules), if one
    # It judges each budget line by the line's own cells, its amount aside: it is then run once on each kind of
    # line (`each_kind_of_line`), since a post's thousands of lines repeat a few hundred kinds.
    line_by_line: bool = False


def _grouped(name: str) -> Callable[[Sequence[Any]], dict[Any, list[int]]]:
    def group(table: Sequence[Any]) -> dict[Any, list[int]]:
        found: dict[Any, list[int]] = {}
        for k, value in enumerate(column(table, name)):
            found.setdefault(value, []).append(k)
        return found

    return per_columns(name)(group)


_BY = {name: _grouped(name) for name in ("cost_center", "position_id")}


def rows_by(table: Sequence[Any], name: str) -> dict[Any, list[int]]:
    """A table's rows by the value of one column ("cost_center" or "position_id"), kept for the table: a post's
    thousands of rows name a few dozen cost centers, and a check asks of each code once."""
    return _BY[name](table)


@per_table
def _kinds_of_line(budget: Sequence[Any]) -> tuple[RecordColumns[Any], dict[int, list[int]]] | None:
    """The budget with one line of each kind (the same cells but the amount), and each kept line's row number
    with the rows of its kind; None for a table that is not one file's columns (a check is then run on it
    whole)."""
    kinds = _kinds(budget)
    if kinds is None:
        return None
    assert isinstance(budget, RecordColumns)
    kept_rows, numbers, columns, rows = kinds
    amounts = [budget.columns["amount"][k] for k in kept_rows]
    columns = {name: amounts if name == "amount" else columns[name] for name in budget.columns}  # records' order
    return RecordColumns(budget.record, budget.file, numbers, columns), rows


@per_columns(but="amount")  # a changed amount leaves the kinds of line as they were
def _kinds(
    budget: Sequence[Any],
) -> tuple[list[int], list[int], dict[str, list[Any]], dict[int, list[int]]] | None:
    """Where each kind of line is first and the rows of each (_kinds_of_line), its cells but the amount."""
    if not isinstance(budget, RecordColumns) or budget.sources is not None:
        return None
    names = [name for name in budget.columns if name != "amount"]
    first: dict[tuple[Any, ...], int] = {}
    rows: dict[int, list[int]] = {}
    numbers = budget.numbers
    for k, cells in enumerate(zip(*(budget.columns[name] for name in names), strict=True)):
        kept = first.setdefault(cells, k)
        rows.setdefault(numbers[kept], []).append(numbers[k])
    if len(first) == len(numbers):
        return None
    kept_rows = list(first.values())
    columns = {name: [budget.columns[name][k] for k in kept_rows] for name in names}
    return kept_rows, [numbers[k] for k in kept_rows], columns, rows


def each_kind_of_line(check: Check, post: PostBundle, context: Context) -> list[Diagnostic]:
    """What a `line_by_line` check finds, judging each kind of budget line once: what it says of a line is said
    of every line of its kind, at its own row, in the order of the rows."""
    kinds = _kinds_of_line(post.budget)
    if kinds is None:
        return check.rule(post, context)
    lines, rows = kinds
    found: list[Diagnostic] = []
    said: list[tuple[int, Diagnostic]] = []
    at = -1  # where the budget's lines go among the rest
    file = lines.file
    for problem in check.rule(dataclasses.replace(post, budget=lines), context):
        source = problem.source
        if source.file == file and source.row in rows:
            at = len(found) if at < 0 else at
            said += [(row, dataclasses.replace(problem, source=Source(file, row))) for row in rows[source.row]]
        else:
            found.append(problem)
    said.sort(key=lambda pair: pair[0])
    found[at:at] = [problem for _, problem in said]
    return found
