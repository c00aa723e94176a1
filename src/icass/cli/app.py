"""Commands: catalog, validate, distribute, invoice. Exit status 2 on any error in the input."""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from icass import report
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.cli.output import Refused, check_target, reserved, write_whole
from icass.cli.tables import CODE, NUMBER, TEXT, WIDE, grid
from icass.diagnostics import ERROR
from icass.engine import Distribution
from icass.engine.explain import Explanation, explain
from icass.engine.invoice import Invoice, invoice
from icass.model import FUNDING_SOURCES, Methodology, PostBundle
from icass.money import format_grouped
from icass.pipeline import PostRun, Through, run_post

app = typer.Typer(
    help="ICASS budget and cost distribution (6 FAH-5 H-300): every agency's share of a post's "
    "administrative services, exact to the cent.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
INPUT_ERROR = 2


class CatalogFormat(StrEnum):
    table = "table"
    csv = "csv"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


P = ParamSpec("P")

BundleArg = Annotated[Path, typer.Argument(help="The post bundle directory (see docs/bundle.md).")]


class _StdoutConsole(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1 on its own; hand the closed pipe to _quiet_when_stdout_closes, which exits 0.
        raise BrokenPipeError


def _out() -> Console:
    # Piped or redirected output has no screen width to respect: keep every table whole.
    # What is printed is data (names, descriptions, arguments): never read as markup or :emoji: codes.
    return _StdoutConsole(width=None if sys.stdout.isatty() else 240, highlight=False, markup=False, emoji=False)


def _err() -> Console:
    return Console(
        stderr=True,
        width=200 if not sys.stderr.isatty() else None,
        highlight=False,
        soft_wrap=True,
        markup=False,
        emoji=False,
    )


def _quiet_when_stdout_closes(command: Callable[P, None]) -> Callable[P, None]:
    """`icass invoice BUNDLE | head -1`: a reader that stops early is no error, so exit 0 without a word. (Typer
    and rich would exit 1, so the command must catch it first.)"""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
            sys.stdout.flush()  # what is still buffered meets the closed pipe here, not at exit
        except BrokenPipeError:
            # Python flushes stdout once more on exit: point it at /dev/null so that flush cannot fail.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    return run


def _report(result: PostRun) -> None:
    err = _err()
    for d in result.diagnostics:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if not result.ok:
        errors = sum(d.severity == ERROR for d in result.diagnostics)
        err.print(f"{errors} error(s): nothing was computed.", style="bold red", markup=False)


def _fail(message: str) -> NoReturn:
    """One line on stderr, `error: <what>: <why>`, and exit status 2: the input was wrong, not the program."""
    _err().print(f"error: {message}", style="red", markup=False)
    raise typer.Exit(INPUT_ERROR)


def _run(path: Path, through: Through = Through.DISTRIBUTION) -> PostRun:
    """The pipeline, once, as far as `through`; every diagnostic printed; exit 2 when any is an error."""
    result = run_post(path, through=through)
    _report(result)
    if not result.ok:
        raise typer.Exit(INPUT_ERROR)
    return result


def _load(path: Path) -> tuple[PostBundle, Distribution]:
    result = _run(path)
    assert result.bundle is not None  # ok: _run exits otherwise
    assert result.distribution is not None
    return result.bundle, result.distribution


def _kind_of(bundle: PostBundle) -> Callable[[str], str]:
    return load_catalog().kind_of(bundle.post.methodology)


@app.command()
@_quiet_when_stdout_closes
def catalog(
    methodology: Annotated[Methodology, typer.Option(help="Standard (H-341) or Lite (H-342).")] = Methodology.STANDARD,
    format: Annotated[CatalogFormat, typer.Option("--format", help="A table to read, or CSV.")] = CatalogFormat.table,
) -> None:
    """List the cost centers and standardized sub-cost centers of a methodology (Exhibit H-341, H-341.15)."""
    entries = load_catalog().methodology(methodology.value)
    if format is CatalogFormat.csv:
        sys.stdout.write(report.catalog_csv(entries))
        return
    table = Table(title=Text(f"ICASS cost centers, {methodology.value} methodology", style="table.title"))
    for column in ("code", "name", "mandatory", "distribution factor", "count", "modifiable", "section"):
        table.add_column(Text(column), overflow="fold")
    levels = load_counting_rules().levels
    for e in entries:
        floor = f" (>= {e.min_modification})" if e.min_modification is not None else ""
        named = "".join(f"; {x.name} = {x.modification}" for x in levels if x.cost_center == e.code)
        modifiable = e.modifiable + floor + named
        cells = (e.code, e.name, "yes" if e.mandatory else "", e.unit, e.count_basis, modifiable, e.section)
        table.add_row(*map(Text, cells))
    _out().print(table)


@app.command()
def validate(bundle: BundleArg) -> None:
    """Check a post bundle against the format and the handbook's rules; exit 2 on any error."""
    post, _ = _load(bundle)
    _err().print(
        f"{bundle}: valid ({post.post.code} {post.post.name}, {post.post.methodology}, FY {post.post.fiscal_year})",
        markup=False,
    )


@app.command("distribute")
@_quiet_when_stdout_closes
def distribute_command(
    bundle: BundleArg,
    format: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = OutputFormat.table,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the csv or json to this file instead of the screen: a new file, or a regular file replaced "
            "whole. Refused: a file inside the bundle, a symbolic link, a device or FIFO, a directory.",
        ),
    ] = None,
) -> None:
    """Distribute every cost center to the agencies, with ICASS redistribution."""
    if out is None:
        _print_distribution(*_load(bundle), format)
        return
    if format is OutputFormat.table:
        _fail("--out needs --format csv or json: the table is for the screen")
    try:
        target = check_target(out, bundle)
        with reserved(target) as partial:
            write_whole(partial, target, _distribution_text(*_load(bundle), format))
    except Refused as e:
        _fail(str(e))


def _print_distribution(post: PostBundle, result: Distribution, format: OutputFormat) -> None:
    if format is OutputFormat.table:
        _out().print(_distribution_table(post, result))
    else:
        sys.stdout.write(_distribution_text(post, result, format))


def _distribution_text(post: PostBundle, result: Distribution, format: OutputFormat) -> str:
    return report.distribution_csv(result) if format is OutputFormat.csv else report.distribution_json(post, result)


def _distribution_table(post: PostBundle, result: Distribution) -> Table:
    """Agencies by funding source: the post's invoices in one view."""
    totals: dict[str, dict[str, int]] = {}
    redistribution: dict[str, int] = {}
    for agency, _, funding, _, redis, total in result.lines():
        row = totals.setdefault(agency, {})
        row[funding] = row.get(funding, 0) + total
        redistribution[agency] = redistribution.get(agency, 0) + redis
    names = {a.code: a.name for a in post.agencies}
    p = post.post
    body = [
        [
            agency,
            names.get(agency, ""),
            *(format_grouped(totals[agency].get(f, 0)) for f in FUNDING_SOURCES),
            format_grouped(redistribution[agency]),
            format_grouped(sum(totals[agency].values())),
        ]
        for agency in sorted(totals)
    ]
    column = result.cost_of().sum(axis=0).tolist()
    footer = [["", "post total", *(format_grouped(c) for c in column), format_grouped(0), format_grouped(sum(column))]]
    return grid(
        f"{p.code} {p.name}: ICASS distribution, FY {p.fiscal_year} ({p.methodology})",
        [
            ("agency", CODE),
            ("name", TEXT),
            *((f, NUMBER) for f in FUNDING_SOURCES),
            ("of which redistribution", NUMBER),
            ("total", NUMBER),
        ],
        body,
        footer,
        caption="Amounts in US dollars.",
    )


@app.command("invoice")
@_quiet_when_stdout_closes
def invoice_command(
    bundle: BundleArg,
    agency: Annotated[
        str | None, typer.Option("--agency", help="The agency code, e.g. 1900.0; every agency when omitted.")
    ] = None,
) -> None:
    """Print an agency's invoice: per cost center its workload, share and amount per funding source."""
    post, result = _load(bundle)
    codes = [a.code for a in post.agencies]
    if agency is not None and agency not in codes:
        _fail(f"agency {agency!r} is not in {bundle / 'agencies.csv'}")
    kind_of = _kind_of(post)
    console = _out()
    for code in [agency] if agency is not None else codes:
        console.print(_invoice_table(invoice(post, result, code, kind_of), post))


def _invoice_table(bill: Invoice, post: PostBundle) -> Table:
    catalog = load_catalog()
    funding = [f for f in FUNDING_SOURCES if any(f in line.amounts for line in bill.lines)]
    body = []
    for line in bill.lines:
        spec = catalog.find(line.cost_center, post.post.methodology)
        body.append(
            [
                line.cost_center,
                spec.name if spec else "",
                "" if line.workload is None else f"{line.workload:,}",
                "" if line.modified_workload is None else f"{line.modified_workload:,}",
                f"{line.share_percent}",
                *(format_grouped(line.amounts.get(f, 0)) for f in funding),
                format_grouped(line.total),
            ]
        )
    blanks = ["", "", ""]
    footer = [
        [
            "",
            "subtotal by funding source",
            *blanks,
            *(format_grouped(bill.subtotal(f)) for f in funding),
            format_grouped(bill.total),
        ],
        ["", "of which ICASS redistribution", *blanks, *("" for _ in funding), format_grouped(bill.redistribution)],
    ]
    return grid(
        f"ICASS invoice FY {bill.fiscal_year}, post {bill.post}: {bill.agency} {bill.agency_name}",
        [
            ("cost center", CODE),
            ("name", TEXT),
            ("workload", NUMBER),
            ("modified", NUMBER),
            ("share %", NUMBER),
            *((f, NUMBER) for f in funding),
            ("total", NUMBER),
        ],
        body,
        footer,
        caption="Amounts in US dollars, ICASS redistribution included.",
    )


@app.command("explain")
@_quiet_when_stdout_closes
def explain_command(
    bundle: BundleArg,
    cost_center: Annotated[str, typer.Argument(help="The cost center or sub-cost center, e.g. 6139.")],
    agency: Annotated[str | None, typer.Option("--agency", help="Show only this agency's part.")] = None,
) -> None:
    """Explain one cost center: where each cent of its cost comes from, and how it was shared."""
    post, result = _load(bundle)
    methodology = post.post.methodology
    spec = load_catalog().find(cost_center, methodology)
    if spec is None:
        _fail(f"{cost_center!r} is not a cost center of the {methodology} methodology")
    if agency is not None and agency not in {a.code for a in post.agencies}:
        _fail(f"agency {agency!r} is not in {bundle / 'agencies.csv'}")
    why = explain(post, result, cost_center)
    console = _out()
    console.print(Text.assemble((f"{spec.code} {spec.name}", "bold"), f" (6 FAH-5 {spec.section})"))
    if spec.distribution == "workload":
        console.print(
            f"Distribution factor: {spec.factor} ({spec.unit}; {spec.count_basis} count, {spec.count_section}). "
            f"Modifiable: {spec.modifiable} ({spec.modifiable_section}).",
            markup=False,
        )
    elif spec.distribution == "miscellaneous":
        console.print("No distribution factor: shared by each agency's service costs, ICASS included (H-341.13-4).")
    else:
        console.print("No distribution factor: charged entirely to 1900.0 State (H-341.14-4).")
    console.print(_contributions_table(why))
    console.print(_parts_table(why, agency))


def _contributions_table(why: Explanation) -> Table:
    body = [
        [c.funding, c.soc, c.what, str(c.source), format_grouped(c.cents)]
        for c in sorted(why.contributions, key=lambda c: (FUNDING_SOURCES.index(c.funding), c.soc, c.what))
    ]
    footer = [[f, "", "cost from this funding source", "", format_grouped(why.cost[f])] for f in why.cost]
    footer.append(["", "", "cost of the cost center", "", format_grouped(sum(why.cost.values()))])
    return grid(
        f"Where the cost of {why.cost_center} comes from",
        [("funding", CODE), ("SOC", CODE), ("what", WIDE), ("file, row", CODE), ("amount", NUMBER)],
        body,
        footer,
    )


def _parts_table(why: Explanation, agency: str | None) -> Table:
    funding = [f for f in FUNDING_SOURCES if f in why.cost]
    total_modified = why.total_modified
    body = []
    for part in why.parts:
        if agency is not None and part.agency != agency:
            continue
        modified = part.modified
        percent = f"{100 * modified / total_modified:.4f}" if modified is not None and total_modified else ""
        body.append(
            [
                part.agency,
                "" if part.count is None else f"{part.count:,}",
                "" if part.modification is None else str(part.modification),
                "" if modified is None else f"{modified:,}",
                percent,
                *(format_grouped(part.share.get(f, 0)) for f in funding),
                format_grouped(sum(part.redistribution.values())),
                format_grouped(part.total),
            ]
        )
    return grid(
        f"How {why.cost_center} is shared (modified workload {total_modified:,})",
        [
            ("agency", CODE),
            ("count", NUMBER),
            ("modification", NUMBER),
            ("modified", NUMBER),
            ("% of workload", NUMBER),
            *((f"share {f}", NUMBER) for f in funding),
            ("ICASS redistribution", NUMBER),
            ("total", NUMBER),
        ],
        body,
        caption="Shares are exact to the cent: each agency gets the floor of its exact part, and the cents left over "
        "go to the largest remainders (docs/engine.md).",
    )


def main() -> None:
    # A run allocates a few million small objects (rows, records) that live until it ends, and none of them
    # form cycles: the cyclic collector's default thresholds made it rescan them over and over, about a
    # sixth of `icass world` on 250 posts (docs/benchmarks.md). It still runs, every 100,000 allocations.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    app()
