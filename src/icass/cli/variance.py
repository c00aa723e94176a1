"""`icass variance OLD NEW`: the change of every agency's charge between two budgets of a post, split into what
the costs, the counts and the modifications did (icass.distribution.variance), and the largest changes in
words."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from icass.distribution.variance import VarianceLine

from icass.cli.app import CSV, INPUT_ERROR, JSON, TABLE, TABLE_CSV_OR_JSON, _out, _quiet_when_stdout_closes, _run


@click.command("variance")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--agency", metavar="CODE", help="Only this agency's lines, e.g. 1900.0.")
@click.option("--format", type=TABLE_CSV_OR_JSON, default=TABLE, show_default=True, help="table, csv or json.")
@_quiet_when_stdout_closes
def variance_command(old: Path, new: Path, agency: str | None, format: str) -> None:
    """Explain the change of each agency's charge from OLD to NEW (two bundles of one post): per agency, cost
    center and funding source, the change split into the cost effect (NEW's costs with OLD's counts), the count
    effect (NEW's counts with OLD's modifications) and the modification effect, each a whole distribution, to
    the cent."""
    from icass import report
    from icass.catalog import load_catalog
    from icass.distribution.variance import variance
    from icass.views.variance import drivers, in_words

    before, after = _run(old), _run(new)
    assert before.bundle is not None  # ok: _run exits otherwise
    assert after.bundle is not None
    if before.bundle.post.methodology != after.bundle.post.methodology:
        click.echo(
            f"{old} is a {before.bundle.post.methodology} post and {new} a {after.bundle.post.methodology} "
            "one: compare two budgets of one methodology",
            err=True,
        )
        raise click.exceptions.Exit(INPUT_ERROR)
    catalog = load_catalog()
    found = variance(before.bundle, after.bundle, catalog.kind_of(after.bundle.post.methodology))
    lines = [line for line in found.lines if agency is None or line.agency == agency]
    names = {a.code: a.name for a in (*before.bundle.agencies, *after.bundle.agencies)}
    names |= {spec.code: spec.name for spec in catalog.methodology(str(after.bundle.post.methodology))}
    told = [in_words(d, found, before.bundle, after.bundle, names) for d in drivers(found, agency)]
    if format == CSV:
        sys.stdout.write(report.variance_csv(lines))
        return
    if format == JSON:
        sys.stdout.write(report.variance_json(lines, told))
        return
    _print_tables(lines, told, names)


def _print_tables(lines: list[VarianceLine], told: list[str], names: dict[str, str]) -> None:
    from rich.table import Table
    from rich.text import Text

    from icass.distribution.variance import totals_by
    from icass.money import format_grouped

    heads = ("old", "new", "change", "cost effect", "count effect", "modification effect")
    for field, title in (("agency", "By agency"), ("cost_center", "By cost center")):
        table = Table(title=Text(f"{title}: the change from OLD to NEW and what made it", style="table.title"))
        table.add_column(Text(field.replace("_", " ")))
        table.add_column(Text("name"), max_width=40, overflow="ellipsis", no_wrap=True)
        for head in heads:
            table.add_column(Text(head), justify="right")
        sums = totals_by(lines, field)
        for code, (old, new, cost, count, modification) in sums.items():
            figures = (old, new, new - old, cost, count, modification)
            table.add_row(Text(code), Text(names.get(code, "")), *(Text(format_grouped(f)) for f in figures))
        every = [sum(s[k] for s in sums.values()) for k in range(5)]
        total = (every[0], every[1], every[1] - every[0], *every[2:])
        table.add_row(Text("total", style="bold"), Text(""), *(Text(format_grouped(f), style="bold") for f in total))
        _out().print(table)
    out = _out()
    out.print(Text("The largest changes:", style="bold") if told else Text("Nothing changed."))
    for sentence in told:
        out.print(Text(f"- {sentence}"))
