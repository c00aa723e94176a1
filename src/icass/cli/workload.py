"""`icass workload`: every count a post distributes by, and how each was made."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from icass.cli.app import CSV, _fail, _out, _quiet_when_stdout_closes, _run, bundle_argument, table_or_csv_option
from icass.report import WORKLOAD_HEADER, workload_rows
from icass.runs.post import Through

if TYPE_CHECKING:  # rich is imported where a table is printed: not for --format csv
    from rich.table import Table
    from rich.text import Text

    from icass.workload.explain import CountExplanation


@click.command("workload")
@bundle_argument
@table_or_csv_option
@click.option("--explain", help="Show how each count of this cost center was made.")
@click.option("--agency", help="With --explain: only this agency.")
@_quiet_when_stdout_closes
def workload_command(bundle: Path, format: str, explain: str | None, agency: str | None) -> None:
    """Every workload count: derived from the post's records by the handbook's counting rules, or entered in
    workload.csv; with the budget committee's modification of each."""
    result = _run(bundle, Through.COUNTS)  # the counts need no distribution: a budget error does not hide them
    post, derivation = result.bundle, result.derivation
    assert post is not None  # ok: _run exits otherwise
    assert derivation is not None
    if agency is not None and explain is None:
        _fail("--agency goes with --explain COST_CENTER")
    if explain is not None and format == CSV:
        _fail("--explain shows a table: leave out --format csv")
    if explain is not None:
        methodology = str(post.post.methodology)
        spec = result.catalog.find(explain, methodology)
        if spec is None:
            _fail(f"{explain!r} is not a cost center of the {methodology} methodology")
        if agency is not None and agency not in {a.code for a in post.agencies}:
            _fail(f"agency {agency!r} is not in {bundle / 'agencies.csv'}")
        from rich.console import Group
        from rich.text import Text

        # Imported here: it needs polars (about 0.4 s to import), and only --explain does.
        from icass.workload.explain import explain_counts

        heading = Text(f"{spec.code} {spec.name}", style="bold")
        heading.append(f" (6 FAH-5 {spec.section}): {spec.factor} ({spec.unit}; {spec.count_basis} count, ")
        heading.append(f"{spec.count_section}). {derivation.period}.", style="")
        _out().print(Group(heading, *_explanations(explain_counts(post.workload, derivation, explain, agency))))
        return
    lines = workload_rows(post.workload)
    if format == CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(WORKLOAD_HEADER)
        writer.writerows(lines)
        return
    from icass.cli.tables import CODE, NUMBER, grid

    p = post.post
    _out().print(
        grid(
            f"{p.code} {p.name}: workload counts, FY {p.fiscal_year} ({derivation.period})",
            [
                ("cost center", CODE),
                ("agency", CODE),
                ("factor", CODE),
                ("count", NUMBER),
                ("modification", NUMBER),
                ("origin", CODE),
            ],
            [list(line) for line in lines],
            caption="derived: from the post's records by the counting rules (icass workload --explain CC); "
            "entered: typed in workload.csv, which replaces whatever the records derive for that agency.",
        )
    )


def _explanations(found: tuple[CountExplanation, ...]) -> list[Table | Text]:
    from rich.text import Text

    from icass.cli.tables import CODE, NUMBER, TEXT, WIDE, grid

    shown: list[Table | Text] = []
    for item in found:
        line = item.line
        factor = f", factor {line.factor}" if line.factor else ""
        title = f"{line.agency}{factor}: count {line.count}, modification {line.modification} ({line.origin})"
        if line.origin == "entered":
            derived = "" if item.derived is None else f"; the records derive {item.derived}"
            shown.append(Text(f"{title}: typed in {line.source}{derived}, replaced by it."))
            continue
        body = [[c.where, c.what, c.quantity, c.weight, c.count, c.note, c.section] for c in item.counted]
        body += [[c.where, c.what, c.quantity, c.weight, "0", c.note, c.section] for c in item.not_counted]
        shown.append(
            grid(
                title,
                [
                    ("file, rows", CODE),
                    ("record", TEXT),
                    ("quantity", NUMBER),
                    ("weight", NUMBER),
                    ("counts", NUMBER),
                    ("routing or exclusion", WIDE),
                    ("section", CODE),
                ],
                body,
                footer=[["", "count (rounded once, 4 places, half to even)", "", "", str(line.count), "", ""]],
            )
        )
    if not shown:
        shown.append(Text("No counts."))
    return shown
