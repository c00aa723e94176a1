"""Read a post bundle: parse every file into records, collecting every problem. This is the first step of the
pipeline (icass.runs.post): deriving counts, validating and distributing come after, each once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from icass.bundle import tables as t
from icass.bundle.format import AGENCY_FACTS, FILES, POST, Column, File, Kind, every_file
from icass.catalog.budget_rules import budget_rules
from icass.diagnostics import Diagnostic, error, has_errors
from icass.model import (
    Acknowledgement,
    Agency,
    BudgetLine,
    CostFactor,
    Modification,
    Origin,
    PoolLine,
    Position,
    Post,
    PostBundle,
    PostRecords,
    Source,
    SourceRecords,
    Target,
    Termination,
    TimeAllocation,
    Workload,
)
from icass.model.columnar import RecordColumns
from icass.model.sources import FILE_OF

E = TypeVar("E", bound=StrEnum)


# Cached: each parser registers its column reader in the module-level table of icass.bundle.tables, so a
# parser made anew on every read (as post.toml's were) would grow that table by one entry a read.
@functools.cache
def one_of(choices: type[E], what: str, only: tuple[str, ...] | None = None) -> Callable[[str], E]:
    """A code of `choices`; `only`: the codes a column takes of them, where it takes fewer (a target's funding)."""
    by_code = {str(c): c for c in choices if only is None or str(c) in only}

    def parse(value: str) -> E:
        code = value.strip()
        if code in by_code:
            return by_code[code]
        raise ValueError(f"{value!r} is not a known {what} ({', '.join(by_code)})")

    def column(cells: Sequence[str]) -> list[E] | None:
        try:
            return list(map(by_code.__getitem__, cells))
        except KeyError:
            return None  # parse says what is wrong with which cell

    t.register_column(parse, column)
    return parse


@functools.cache
def yes_no(default: bool | None) -> t.Parser:
    def parse(value: str) -> bool | None:
        text = value.strip()
        if not text:
            return default
        if text not in ("yes", "no"):
            raise ValueError(f"{value!r} is not yes or no")
        return text == "yes"

    return parse


def optional_date(value: str) -> dt.date | None:
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD") from None


def modification_value(value: str) -> Decimal | str:
    """A number, or the name of a level the catalog offers (resolved when counts are combined)."""
    text = value.strip()
    if text and (text[0].isalpha() or text[0] == "_"):
        return text
    return t.quantity(text)


def required_date(value: str) -> dt.date:
    parsed = optional_date(value)
    if parsed is None:
        raise ValueError("is empty")
    return parsed


def signed_cents(value: str) -> int:
    """An amount that may be negative (a world's items.csv)."""
    text = value.strip()
    negative = text.startswith("-")
    cents = t.cents(text[1:] if negative else text)
    return -cents if negative else cents


def parser(column: Column) -> t.Parser:
    """How a cell of `column` is read (icass.bundle.format declares its kind)."""
    kind, required = column.kind, column.required
    if kind == Kind.ONE_OF:
        choices = column.choices
        assert choices is not None, column
        assert choices.enum is not None, column  # the model takes the value as its enum
        taken = choices.values()
        return one_of(choices.enum, choices.what, None if len(taken) == len(choices.enum) else taken)
    if kind == Kind.YES_NO:
        return yes_no(column.default)
    by_kind: dict[Kind, tuple[t.Parser, t.Parser]] = {
        Kind.CODE: (t.code, t.optional_code),
        Kind.POST_CODE: (t.post_code, t.optional_post_code),
        Kind.TEXT: (t.text, t.optional_text),
        Kind.AMOUNT: (t.cents, t.cents),
        Kind.SIGNED_AMOUNT: (signed_cents, signed_cents),
        Kind.COUNT: (t.quantity, t.optional_quantity),
        Kind.COUNT_OR_LEVEL: (modification_value, modification_value),
        Kind.DATE: (required_date, optional_date),
    }
    return by_kind[kind][0 if required else 1]


def parsers(file: File) -> tuple[dict[str, t.Parser], dict[str, t.Parser]]:
    """The parsers of `file`'s columns that its header must name, and of those it may leave out."""
    return (
        {c.name: parser(c) for c in file.columns if c.in_header},
        {c.name: parser(c) for c in file.columns if not c.in_header},
    )


def read_file(root: Path | t.CellSource, name: str, file: File | None = None) -> tuple[t.Table, list[Diagnostic]]:
    """One CSV file of the format, column by column, each column by the parser of its declared kind (`file`:
    its declaration, where its name alone does not tell: a world's targets.csv)."""
    file = every_file()[name] if file is None else file
    required, optional = parsers(file)
    return t.read_columns(root, name, required, keep_extra=file.keep_extra, optional=optional)


FUNDING = parser(FILES["budget.csv"].column("funding"))
REGION = parser(POST.key("region"))
METHODOLOGY = parser(POST.key("methodology"))
GUARD_FORCE = parser(POST.key("guard_force"))


def read_post(folder: Path) -> tuple[Post | None, list[Diagnostic]]:
    source = Source("post.toml")
    table, unreadable = t.read_toml_table(folder, "post.toml", "post")
    if table is None:
        return None, unreadable
    problems: list[Diagnostic] = []

    def field(name: str, check: t.Parser) -> Any:
        value = table.get(name)
        if value is None:
            problems.append(error(source, "is missing", field=f"post.{name}"))
            return None
        try:
            return check(value)
        except (ValueError, TypeError) as why:
            problems.append(error(source, str(why), field=f"post.{name}"))
            return None

    def string(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a string")
        return t.text(value)

    def count_date(value: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        parsed = optional_date(string(value))
        if parsed is None:
            raise ValueError("is empty")
        return parsed

    def yes_or_no(value: Any) -> bool:
        """A TOML boolean, or yes or no as the workbook's post sheet and the other files write it."""
        if isinstance(value, bool):
            return value
        parsed = yes_no(None)(string(value))
        if parsed is None:
            raise ValueError("is empty")
        return bool(parsed)

    def year(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2200:
            raise ValueError(f"{value!r} is not a fiscal year such as 2027")
        return value

    values = {
        "code": field("code", lambda v: t.post_code(string(v))),
        "name": field("name", string),
        "country": field("country", string),
        "region": field("region", lambda v: REGION(string(v))),
        "methodology": field("methodology", lambda v: METHODOLOGY(string(v))),
        "fiscal_year": field("fiscal_year", year),
    }
    if "count_date" in table:
        values["count_date"] = field("count_date", count_date)
    if "stage" in table:
        values["stage"] = field("stage", string)
    if "guard_force" in table:
        values["guard_force"] = field("guard_force", lambda v: GUARD_FORCE(string(v)))
    for fact in (
        "medevac_post",
        "furniture_pool",
        "state_program_im",
        "cell_phone_program",
        "radio_repeater_site",
        "new_facilities",
    ):
        if fact in table:
            values[fact] = field(fact, yes_or_no)
    if problems:
        return None, problems
    return Post(**values, source=source), []


def read_bundle(folder: str | Path) -> tuple[PostRecords | None, list[Diagnostic]]:
    """Every record of the bundle in `folder` with every problem found; None when the budget side (post.toml
    and the core tables) has an error."""
    return read_bundles([folder])[0]


def read_bundles(folders: Sequence[str | Path]) -> list[tuple[PostRecords | None, list[Diagnostic]]]:
    """Several bundles (a world's posts): each as read_bundle reads it; the source records of all of them are
    parsed together, one set of column operations per file kind (icass.bundle.frames)."""
    roots = [Path(f) for f in folders]
    sides = [_read_entered(root) for root in roots]
    acknowledged = [read_acknowledgements(t.Folder(root)) if root.is_dir() else ((), []) for root in roots]
    targeted = [read_targets(t.Folder(root)) if root.is_dir() else ((), []) for root in roots]
    with_sources = [i for i, root in enumerate(roots) if root.is_dir() and _has_sources(root)]
    sources: dict[int, tuple[SourceRecords, list[Diagnostic]]] = {}
    if with_sources:
        # Imported here: polars takes about 0.4 s to import, which only bundles with source records should pay.
        from icass.bundle.frames import read_sources_of

        sources = dict(zip(with_sources, read_sources_of([roots[i] for i in with_sources]), strict=True))
    found: list[tuple[PostRecords | None, list[Diagnostic]]] = []
    for i, ((entered, modifications, problems), (acknowledgements, unread), (targets, untargeted)) in enumerate(
        zip(sides, acknowledged, targeted, strict=True)
    ):
        records, more = sources.get(i, (SourceRecords(), []))
        problems = problems + unread + untargeted
        if entered is None:
            # Cross-file rules would only repeat what the broken rows already say.
            found.append((None, problems + more))
        else:
            # Bad cells of source records are null in their frames: the records come back with the errors, so
            # that the checks across records can report every other problem at once (the pipeline stops
            # before counting).
            own = tuple(target for _, target in targets)
            found.append((PostRecords(entered, modifications, records, acknowledgements, own), problems + more))
    return found


def read_targets(
    root: t.CellSource, file: File | None = None
) -> tuple[tuple[tuple[str, Target], ...], list[Diagnostic]]:
    """targets.csv, when there is one: a bundle's own (its rows' post is ""), or a world's (`file`: the world's
    declaration, whose rows name their post)."""
    declared = FILES["targets.csv"] if file is None else file
    if not root.has("targets.csv"):
        return (), []
    read, problems = read_file(root, "targets.csv", declared)
    if has_errors(problems):
        return (), problems
    found: list[tuple[str, Target]] = []
    seen: dict[tuple[str, int, str, str], t.Row] = {}
    for row in read.rows():
        v = row.values
        year = v["fiscal_year"]
        if year != int(year) or not 1990 <= year <= 2200:
            problems.append(error(row.source, f"{year} is not a fiscal year such as 2027", field="fiscal_year"))
            continue
        post = v.get("post", "")
        key = (post, int(year), str(v["funding"]), v["kind"])
        if key in seen:
            said = f"{post + ' ' if post else ''}{int(year)} {v['funding']} {v['kind']}"
            problems.append(error(row.source, f"the {said} target is also {seen[key].source}", field="kind"))
            continue
        seen[key] = row
        found.append((post, Target(int(year), v["funding"], v["kind"], v["amount"], row.source)))
    return tuple(found), problems


def read_acknowledgements(root: t.CellSource) -> tuple[tuple[Acknowledgement, ...], list[Diagnostic]]:
    """acknowledgements.csv, when the bundle has it: the FMO's reasons for leaving warnings as they are. What
    each acknowledges is judged with the run's warnings (icass.checks.acknowledgements)."""
    if not root.has("acknowledgements.csv"):
        return (), []
    read, problems = read_file(root, "acknowledgements.csv")
    if has_errors(problems):
        return (), problems
    found = []
    for row in read.rows():
        v = row.values
        number, rule = v["row"], budget_rules().get(v["rule"])
        if number != int(number):
            problems.append(error(row.source, f"{number} is not a row number", field="row"))
            continue
        if rule is None:
            problems.append(error(row.source, f"{v['rule']} is not one of the budget rules R01-R142", field="rule"))
            continue
        if rule.severity == "error":
            message = f"{rule.id} is an error, and an error cannot be acknowledged: fix the row instead"
            problems.append(error(row.source, message, field="rule", section=rule.section))
            continue
        found.append(Acknowledgement(v["rule"], v["file"], int(number), v["reason"], v["by"], v["on"], row.source))
    return tuple(found), problems


def _has_sources(root: Path) -> bool:
    return any((root / name).exists() or (root / name).is_symlink() for name in FILE_OF.values())


def _read_entered(
    root: Path,
) -> tuple[PostBundle | None, tuple[Modification, ...], list[Diagnostic]]:
    """The budget side and modifications of a bundle, and the problems found; None when any of it has an
    error."""
    if not root.is_dir():
        return None, (), [error(Source(str(root)), "is not a bundle directory")]
    post, problems = read_post(root)
    return read_entered(t.Folder(root), post, problems)


def read_entered(
    root: t.CellSource, post: Post | None, problems: list[Diagnostic]
) -> tuple[PostBundle | None, tuple[Modification, ...], list[Diagnostic]]:
    """The budget side and modifications from `root`'s tables (a folder's files or the database's rows), for
    `post` as read (None when it could not be: then only the tables' problems are found)."""
    problems = list(problems)
    agencies, p1 = read_file(root, "agencies.csv")
    factors, p2 = read_file(root, "cost_factors.csv")
    positions, p3 = read_file(root, "positions.csv")
    costs, p4 = read_file(root, "position_costs.csv")
    allocation, p5 = read_file(root, "time_allocation.csv")
    budget, p6 = read_file(root, "budget.csv")
    workload, p7 = read_file(root, "workload.csv")
    modifications: list[t.Row] = []
    if root.has("modifications.csv"):
        read, p8 = read_file(root, "modifications.csv")
        modifications = read.rows()
        problems += p8
    terminations, p9 = read_terminations(root)
    problems += p1 + p2 + p3 + p4 + p5 + p6 + p7 + p9
    if has_errors(problems) or post is None:
        return None, (), problems
    # Records are made column by column (positional arguments in the order of each record's fields): a large
    # post has some 25,000 of them, and a dict a row would cost more than the reading.
    a, w = agencies.values, workload.values
    facts = [a[fact] for fact, *_ in AGENCY_FACTS]  # Agency's fields after separate_network, in their order
    w["modification"] = [_ONE if m is None else m for m in w["modification"]]
    w["origin"] = [Origin.ENTERED] * len(workload.numbers)
    entered = PostBundle(
        post=post,
        agencies=tuple(
            map(
                Agency,
                a["code"],
                a["name"],
                agencies.extra,
                a["separate_network"],
                *facts,
                a["arrives_on"],
                a["leaves_on"],
                agencies.sources(),
            )
        ),
        cost_factors=_records(CostFactor, factors),
        positions=_columns(Position, positions),
        position_costs=_columns(PoolLine, costs),
        time_allocation=_columns(TimeAllocation, allocation),
        budget=_columns(BudgetLine, budget),
        workload=_columns(Workload, workload),
        terminations=terminations,
    )
    return entered, tuple(_modification(r) for r in modifications), problems


def read_terminations(root: t.CellSource) -> tuple[tuple[Termination, ...] | None, list[Diagnostic]]:
    """terminations.csv, when the bundle has it (None when not: the rule on notices is then not judged). An
    agency gives one notice for a service: a second names the first."""
    if not root.has("terminations.csv"):
        return None, []
    read, problems = read_file(root, "terminations.csv")
    if has_errors(problems):
        return None, problems
    found: list[Termination] = []
    seen: dict[tuple[str, str], Source] = {}
    for row in read.rows():
        v = row.values
        key = (v["agency"], v["cost_center"])
        if key in seen:
            said = f"agency {key[0]} gave notice for {key[1]} in {seen[key]} already"
            problems.append(error(row.source, said, field="cost_center"))
            continue
        seen[key] = row.source
        found.append(
            Termination(v["agency"], v["cost_center"], v["notice_on"], v["ends_on"], v["reassigned_on"], row.source)
        )
    return tuple(found), problems


R = TypeVar("R")


def _records(record: Callable[..., R], table: t.Table) -> tuple[R, ...]:
    """One record a row, its fields in the table's column order, then the row's source."""
    return _columns(record, table).records()


def _columns(record: Callable[..., R], table: t.Table) -> RecordColumns[R]:
    """The table's records as its columns: each record is made only when asked for (icass.model.columnar)."""
    names = [f.name for f in dataclasses.fields(record)]  # type: ignore[arg-type]
    assert names == [*table.values, "source"], (names, list(table.values))
    return RecordColumns(record, table.name, table.numbers, table.values)


def _modification(row: t.Row) -> Modification:
    v = row.values
    value = v["modification"]
    return Modification(
        cost_center=v["cost_center"],
        agency=v["agency"],
        factor=v["factor"],
        modification=value if isinstance(value, Decimal) else None,
        justification=v["justification"],
        bc_approved_on=v["bc_approved_on"],
        med_approved_on=v["med_approved_on"],
        level=value if isinstance(value, str) else "",
        source=row.source,
    )


_ONE = Decimal(1)
