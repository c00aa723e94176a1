"""The distribution and the catalog in their interchange forms (CSV, JSON): plain decimals, never floats."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from icass.catalog import CostCenterSpec
from icass.catalog.budget_rules import BudgetRule
from icass.checks.targets import TargetLine
from icass.distribution import Distribution
from icass.distribution.steps import DistributionLine
from icass.distribution.variance import VarianceLine
from icass.model import PostBundle, Workload
from icass.money import format_plain

VARIANCE_HEADER = (
    "agency",
    "cost_center",
    "funding",
    "old",
    "new",
    "cost_effect",
    "count_effect",
    "modification_effect",
)
DISTRIBUTION_HEADER = ("agency", "cost_center", "funding", "share", "redistribution", "total")
WORKLOAD_HEADER = ("cost_center", "agency", "factor", "count", "modification", "origin")
CATALOG_HEADER = ("code", "name", "mandatory", "count_basis", "modifiable", "section")


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def distribution_rows(distribution: Distribution, post: str | None = None) -> list[DistributionLine]:
    """Every non-zero line of a post, sorted by agency, cost center and funding source (as strings)."""
    return sorted(distribution.lines(post))


def _plain_rows(distribution: Distribution) -> list[tuple[str, ...]]:
    return [
        (a, c, f, format_plain(s), format_plain(r), format_plain(t))
        for a, c, f, s, r, t in distribution_rows(distribution)
    ]


def distribution_csv(distribution: Distribution) -> str:
    """Every line of the post in `distribution_rows`'s order, each amount in `format_plain`'s form. Made with one
    string formatting for the whole file, from a table of cells filled column by column (codes, and amounts
    split into sign, dollars and cents, in arrays): a large post has thousands of lines, and a csv writer's
    row with three formatted amounts a line was a large share of an `icass distribute` that has a speed aim
    (docs/benchmarks.md)."""
    codes, at, share, redistribution = distribution.sorted_line_indexes()
    table = np.empty((len(share), 12), dtype=object)
    for j, (names, index) in enumerate(zip(codes, at, strict=True)):
        table[:, j] = np.array(_quoted(names), dtype=object)[index]
    for k, amounts in enumerate((share, redistribution, share + redistribution)):
        dollars, cents = np.divmod(np.abs(amounts), 100)
        table[:, 3 + 3 * k] = _SIGNS[(amounts < 0).view(np.int8)]
        table[:, 4 + 3 * k] = dollars  # Python ints in an object array
        table[:, 5 + 3 * k] = _CENTS[cents]
    line = "%s,%s,%s,%s%d%s,%s%d%s,%s%d%s\n"
    return _csv(DISTRIBUTION_HEADER, ()) + line * len(share) % tuple(table.ravel().tolist())


# The sign and the cents of an amount as shared strings: only the dollars are formatted a line.
_SIGNS = np.array(["", "-"], dtype=object)
_CENTS = np.array([f".{c:02d}" for c in range(100)], dtype=object)


def _quoted(cells: Sequence[str]) -> list[str]:
    """Each cell as the csv module writes it in a row of several (quoted only when it must be)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    written = []
    for cell in cells:
        writer.writerow((cell, ""))
        written.append(out.getvalue()[:-2])  # less the empty cell's comma and the line's end
        out.seek(0)
        out.truncate()
    return written


def distribution_json(bundle: PostBundle, distribution: Distribution) -> str:
    post = bundle.post
    lines = [dict(zip(DISTRIBUTION_HEADER, row, strict=True)) for row in _plain_rows(distribution)]
    document: dict[str, Any] = {
        "post": {
            "code": post.code,
            "name": post.name,
            "methodology": post.methodology,
            "fiscal_year": post.fiscal_year,
        },
        "total": format_plain(int(distribution.cost.sum())),
        "lines": lines,
    }
    import json  # here: `icass distribute --format csv` has a speed aim, and only JSON output needs it

    return json.dumps(document, indent=2) + "\n"


def workload_rows(workload: Iterable[Workload]) -> list[tuple[str, str, str, str, str, str]]:
    """The `icass workload` rows, sorted, in their interchange form (plain decimals, no trailing zeros)."""
    return sorted(
        (w.cost_center, w.agency, w.factor, _plain(w.count), _plain(w.modification), str(w.origin)) for w in workload
    )


def workload_csv(workload: Iterable[Workload]) -> str:
    return _csv(WORKLOAD_HEADER, workload_rows(workload))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


TARGETS_HEADER = (
    "post",
    "funding",
    "kind",
    "target",
    "budgeted",
    "central_contracts",
    "psu",
    "operating_allowance",
    "difference",
)


def targets_csv(lines: Iterable[TargetLine]) -> str:
    """`icass targets --format csv`: one row per post, funding source and kind that has a target, in that order."""
    return _csv(
        TARGETS_HEADER,
        (
            (
                line.post,
                line.funding,
                line.kind,
                *map(
                    format_plain,
                    (
                        line.target,
                        line.budgeted,
                        line.central_contracts,
                        line.psu,
                        line.operating_allowance,
                        line.difference,
                    ),
                ),
            )
            for line in sorted(lines, key=lambda line: (line.post, line.funding, line.kind))
        ),
    )


RULES_HEADER = ("id", "group", "section", "severity", "applies", "checked", "facts", "title")


def rules_csv(rules: Iterable[BudgetRule], checked: frozenset[str]) -> str:
    """`icass rules --format csv`: the handbook's budget rules, one a row, in their order."""
    return _csv(
        RULES_HEADER,
        (
            (
                r.id,
                r.group,
                r.section,
                r.severity,
                r.applies,
                "yes" if r.id in checked else "no",
                " ".join(r.facts),
                r.title,
            )
            for r in rules
        ),
    )


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def catalog_csv(entries: Iterable[CostCenterSpec]) -> str:
    return _csv(
        CATALOG_HEADER,
        (
            (e.code, e.name, "yes" if e.mandatory else "no", e.count_basis, e.modifiable, e.section)
            for e in sorted(entries, key=lambda e: e.code)
        ),
    )


def variance_csv(lines: Iterable[VarianceLine]) -> str:
    """`icass variance --format csv`: the lines as variance() sorts them, dollars to the cent."""
    return _csv(VARIANCE_HEADER, ((a, c, f, *map(format_plain, amounts)) for a, c, f, *amounts in lines))


def variance_json(lines: Iterable[VarianceLine], told: Sequence[str]) -> str:
    """The lines as VARIANCE_HEADER's objects, dollars as strings to the cent, and the largest changes in words."""
    import json  # here, as in distribution_json: only JSON output needs it

    rows = [
        dict(zip(VARIANCE_HEADER, (a, c, f, *map(format_plain, amounts)), strict=True)) for a, c, f, *amounts in lines
    ]
    return json.dumps({"lines": rows, "largest_changes": list(told)}, indent=2) + "\n"
