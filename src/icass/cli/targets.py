"""`icass targets`: each post's budget against its targets by funding source (H-422, H-423), from a bundle (its
own targets.csv) or a world (world/targets.csv, the ISC's); and `icass budget-summary`, the Budget Summary
Worksheet of a bundle (H-341.5-1(B) NOTE 5)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from icass.cli.app import CSV, INPUT_ERROR, _err, _out, _quiet_when_stdout_closes, _report, table_or_csv_option
from icass.diagnostics import ERROR
from icass.money import format_grouped

if TYPE_CHECKING:  # rich is imported where a table is printed: not for --format csv
    from rich.table import Table

    from icass.checks.targets import TargetLine


@click.command("targets")
@click.argument("path", type=click.Path(path_type=Path))
@table_or_csv_option
@_quiet_when_stdout_closes
def targets_command(path: Path, format: str) -> None:
    """Each post's budget against its RB, OBO and LGP targets: the centrally funded contracts and the PSU charge
    inside them, the operating allowance, and how far over or under (6 FAH-5 H-422, H-423). PATH is a post
    bundle or a world folder."""
    from icass import report
    from icass.checks.targets import target_lines

    lines: list[TargetLine] = []
    bureaus: dict[str, str] = {}  # a world's post -> its regional bureau
    if (path / "world.toml").is_file():
        from icass.runs.world import run_world

        world = run_world(path)
        if world.files is None or any(d.severity == ERROR for d in world.diagnostics):
            err = _err()
            for d in world.diagnostics:
                err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
            raise click.exceptions.Exit(INPUT_ERROR)
        targets = world.files.targets
        for run in world.posts:
            assert run.records is not None  # ok: no error
            code = run.records.post.code
            bureaus[code] = str(run.records.post.region)
            lines += target_lines(code, run.records.entered, [t for post, t in targets if post == code])
    else:
        from icass.runs.post import Through, run_post

        run = run_post(path, through=Through.COUNTS)
        _report(run)
        if run.records is None or not run.ok:
            raise click.exceptions.Exit(INPUT_ERROR)
        lines = target_lines(run.records.post.code, run.records.entered, run.records.targets)
    if format == CSV:
        sys.stdout.write(report.targets_csv(lines))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text("Budgets against targets (6 FAH-5 H-422, H-423)", style="table.title"))
    for column in ("post", "funding", "kind", "target", "budgeted", "central contracts", "PSU", "operating allowance"):
        table.add_column(Text(column), justify="left" if column in ("post", "funding", "kind") else "right")
    table.add_column(Text("over (+) / under (-)"), justify="right")
    for line in sorted(lines, key=lambda line: (line.post, line.funding, line.kind)):
        figures = (line.target, line.budgeted, line.central_contracts, line.psu, line.operating_allowance)
        table.add_row(
            *map(Text, (line.post, line.funding, line.kind, *map(format_grouped, figures))),
            Text(format_grouped(line.difference), style="red" if line.difference > 0 else ""),
        )
    _out().print(table)
    if bureaus:
        _out().print(_by_bureau(lines, bureaus))


def _by_bureau(lines: list[TargetLine], bureaus: dict[str, str]) -> Table:
    """A world's targets and budgets summed by regional bureau, and in total, per funding source and kind."""
    from rich.table import Table
    from rich.text import Text

    sums: dict[tuple[str, str, str], list[int]] = {}
    for line in lines:
        for bureau in (bureaus[line.post], "all bureaus"):
            figures = sums.setdefault((bureau, line.funding, line.kind), [0, 0])
            figures[0] += line.target
            figures[1] += line.budgeted
    table = Table(title=Text("By regional bureau, and worldwide", style="table.title"))
    for column in ("bureau", "funding", "kind", "target", "budgeted", "over (+) / under (-)"):
        table.add_column(Text(column), justify="left" if column in ("bureau", "funding", "kind") else "right")
    for (bureau, funding, kind), (target, budgeted) in sorted(
        sums.items(), key=lambda item: (item[0][0] == "all bureaus", item[0])
    ):
        table.add_row(*map(Text, (bureau, funding, kind, *map(format_grouped, (target, budgeted, budgeted - target)))))
    return table


@click.command("budget-summary")
@click.argument("bundle", type=click.Path(path_type=Path))
@table_or_csv_option
@_quiet_when_stdout_closes
def budget_summary_command(bundle: Path, format: str) -> None:
    """The Budget Summary Worksheet: the post's budget by object class (SOC) and funding source, position cost
    pools included, and the local guard program's contract lines one by one (6 FAH-5 H-341.5-1(B) NOTE 5)."""
    from icass.runs.post import Through, run_post
    from icass.views.budget_summary import budget_summary, summary_csv

    run = run_post(bundle, through=Through.COUNTS)
    _report(run)
    if run.records is None or not run.ok:
        raise click.exceptions.Exit(INPUT_ERROR)
    summary = budget_summary(run.records.entered)
    if format == CSV:
        sys.stdout.write(summary_csv(summary))
        return
    from rich.table import Table
    from rich.text import Text

    from icass.model import FUNDING_SOURCES

    fundings = [str(f) for f in FUNDING_SOURCES]
    table = Table(title=Text("Budget Summary Worksheet: the budget by SOC and funding source", style="table.title"))
    table.add_column(Text("SOC"))
    for column in (*fundings, "total"):
        table.add_column(Text(column), justify="right")
    for line in summary.lines:
        cells = (format_grouped(line.by_funding.get(f, 0)) for f in fundings)
        table.add_row(Text(line.soc), *map(Text, cells), Text(format_grouped(line.total)))
    totals = (format_grouped(summary.total(f)) for f in fundings)
    table.add_row(Text("total", style="bold"), *map(Text, totals), Text(format_grouped(summary.total())))
    out = _out()
    out.print(table)
    if summary.contracts:
        contracts = Table(title=Text("Local guard program contracts, line by line", style="table.title"))
        for column in ("cost center", "SOC", "contract line item", "amount"):
            contracts.add_column(Text(column), justify="right" if column == "amount" else "left")
        for c in summary.contracts:
            contracts.add_row(*map(Text, (c.cost_center, c.soc, c.description, format_grouped(c.amount))))
        out.print(contracts)
