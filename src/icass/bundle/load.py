"""Load a post bundle: parse every file, then check every rule; a bundle comes back only when no error
was found, so nothing downstream ever sees half-valid input."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icass.bundle import tables as t
from icass.bundle.validate import validate
from icass.catalog import Catalog, load_catalog
from icass.diagnostics import Diagnostic, error, has_errors
from icass.model import (
    FUNDING_SOURCES,
    METHODOLOGIES,
    REGIONS,
    Agency,
    BudgetLine,
    CostFactor,
    PoolLine,
    Position,
    Post,
    PostBundle,
    Source,
    TimeAllocation,
    Workload,
)
from icass.model.records import POSITION_CATEGORIES


@dataclass(frozen=True)
class LoadResult:
    bundle: PostBundle | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.bundle is not None


def one_of(choices: tuple[str, ...], what: str) -> t.Parser:
    def parse(value: str) -> str:
        code = value.strip()
        if code not in choices:
            raise ValueError(f"{value!r} is not a known {what} ({', '.join(choices)})")
        return code

    return parse


FUNDING = one_of(FUNDING_SOURCES, "funding source")

AGENCY_COLUMNS = {"code": t.text, "name": t.text}
COST_FACTOR_COLUMNS = {"grade": t.text, "amsal": t.cents, "pat": t.cents}
POSITION_COLUMNS = {
    "position_id": t.text,
    "category": one_of(POSITION_CATEGORIES, "position category"),
    "grade": t.text,
    "title": t.optional_text,
}
POSITION_COST_COLUMNS = {"position_id": t.text, "funding": FUNDING, "soc": t.text, "amount": t.cents}
TIME_ALLOCATION_COLUMNS = {"position_id": t.text, "cost_center": t.text, "percent": t.quantity}
BUDGET_COLUMNS = {
    "cost_center": t.text,
    "funding": FUNDING,
    "soc": t.text,
    "amount": t.cents,
    "description": t.optional_text,
}
WORKLOAD_COLUMNS = {
    "cost_center": t.text,
    "agency": t.text,
    "count": t.quantity,
    "modification": t.optional_quantity,
}


def _read_post(folder: Path) -> tuple[Post | None, list[Diagnostic]]:
    source = Source("post.toml")
    path = folder / "post.toml"
    if not path.is_file():
        return None, [error(source, "the file is missing")]
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        return None, [error(source, f"is not valid TOML: {problem}")]
    table: Any = document.get("post")
    if not isinstance(table, dict):
        return None, [error(source, "lacks the [post] table")]
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

    def year(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2200:
            raise ValueError(f"{value!r} is not a fiscal year such as 2027")
        return value

    values = {
        "code": field("code", string),
        "name": field("name", string),
        "country": field("country", string),
        "region": field("region", lambda v: one_of(REGIONS, "region")(string(v))),
        "methodology": field("methodology", lambda v: one_of(METHODOLOGIES, "methodology")(string(v))),
        "fiscal_year": field("fiscal_year", year),
    }
    if problems:
        return None, problems
    return Post(**values, source=source), []


def load_bundle(folder: str | Path, catalog: Catalog | None = None) -> LoadResult:
    """Read and check the bundle in `folder`; every problem found is returned, errors and warnings."""
    root = Path(folder)
    if not root.is_dir():
        return LoadResult(None, (error(Source(str(root)), "is not a bundle directory"),))
    catalog = catalog or load_catalog()
    post, problems = _read_post(root)
    agencies, p1 = t.read_table(root, "agencies.csv", AGENCY_COLUMNS, keep_extra=True)
    factors, p2 = t.read_table(root, "cost_factors.csv", COST_FACTOR_COLUMNS)
    positions, p3 = t.read_table(root, "positions.csv", POSITION_COLUMNS)
    costs, p4 = t.read_table(root, "position_costs.csv", POSITION_COST_COLUMNS)
    allocation, p5 = t.read_table(root, "time_allocation.csv", TIME_ALLOCATION_COLUMNS)
    budget, p6 = t.read_table(root, "budget.csv", BUDGET_COLUMNS)
    workload, p7 = t.read_table(root, "workload.csv", WORKLOAD_COLUMNS)
    problems += p1 + p2 + p3 + p4 + p5 + p6 + p7
    if has_errors(problems) or post is None:
        # Cross-file rules would only repeat what the broken rows already say.
        return LoadResult(None, tuple(problems))

    bundle = PostBundle(
        post=post,
        agencies=tuple(Agency(**r.values, extra=r.extra, source=r.source) for r in agencies),
        cost_factors=tuple(CostFactor(**r.values, source=r.source) for r in factors),
        positions=tuple(Position(**r.values, source=r.source) for r in positions),
        position_costs=tuple(PoolLine(**r.values, source=r.source) for r in costs),
        time_allocation=tuple(TimeAllocation(**r.values, source=r.source) for r in allocation),
        budget=tuple(BudgetLine(**r.values, source=r.source) for r in budget),
        workload=tuple(
            Workload(
                r.values["cost_center"],
                r.values["agency"],
                r.values["count"],
                r.values["modification"] if r.values["modification"] is not None else _ONE,
                source=r.source,
            )
            for r in workload
        ),
    )
    problems += validate(bundle, catalog)
    return LoadResult(None if has_errors(problems) else bundle, tuple(problems))


_ONE = t.quantity("1")
