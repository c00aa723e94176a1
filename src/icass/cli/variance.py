"""`icass variance OLD NEW`: the change of every agency's charge between two budgets of a post, split into what
the costs, the counts and the modifications did (icass.distribution.variance), and the largest changes in
words."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from icass.distribution.variance import VarianceLine
    from icass.runs.post import PostRun

from icass.cli.app import CSV, INPUT_ERROR, JSON, TABLE, TABLE_CSV_OR_JSON, _fail, _out, _quiet_when_stdout_closes, _run
from icass.cli.store import data_option

# A budget of a stored post: POST/FY its live rows, POST/FY/vN its version N (docs/variance.md).
STORED = re.compile(r"(?P<post>[A-Z0-9]{2,8})/(?P<year>[0-9]{4})(?:/v(?P<version>[1-9][0-9]{0,8}))?")


@click.command("variance")
@click.argument("old")
@click.argument("new")
@click.option("--agency", metavar="CODE", help="Only this agency's lines, e.g. 1900.0.")
@click.option("--format", type=TABLE_CSV_OR_JSON, default=TABLE, show_default=True, help="table, csv or json.")
@data_option
@_quiet_when_stdout_closes
def variance_command(old: str, new: str, agency: str | None, format: str, data: Path | None) -> None:
    """Explain the change of each agency's charge from OLD to NEW, two budgets of one post: per agency, cost
    center and funding source, the change split into the cost effect (NEW's costs with OLD's counts), the count
    effect (NEW's counts with OLD's modifications) and the modification effect, each a whole distribution, to
    the cent. Each of OLD and NEW is a bundle folder, or a stored post: POST/FY (its live rows) or POST/FY/vN
    (its version N), e.g. KVR/2026/v4 KVR/2027/v2."""
    from icass import report
    from icass.catalog import load_catalog
    from icass.distribution.variance import variance
    from icass.views.variance import drivers, in_words

    before, after = _budget(old, data), _budget(new, data)
    assert before.bundle is not None  # ok: _budget exits otherwise
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


def _budget(spec: str, data: Path | None) -> PostRun:
    """A bundle folder's run, or a stored post's (its live rows, or one of its versions)."""
    found = STORED.fullmatch(spec)
    if found is None or Path(spec).exists():
        return _run(Path(spec))
    from icass.store.changes import NotFound, find_post
    from icass.store.compute import run_stored
    from icass.store.database import database_url, open_database
    from icass.store.versions import version_run

    engine = open_database(database_url(data))
    try:
        with engine.connect() as connection:
            key = find_post(connection, found["post"], int(found["year"]))
            if found["version"] is None:
                run = run_stored(engine, key.id)
            else:
                _, run = version_run(connection, key, int(found["version"]))
    except NotFound as e:
        _fail(f"{spec}: {e}")
    finally:
        engine.dispose()
    if run.bundle is None or run.distribution is None:
        _fail(f"{spec}: the post has errors and cannot be distributed (icass export it, then icass validate it)")
    return run


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
