"""The `icass` group and its post commands: catalog, validate, distribute, invoice, explain. Exit status 2 on any
error in the input.

Why click and not typer: typer 0.29 imports pydantic and builds a pydantic TypeAdapter for every parameter when
it parses a command line (75 ms for `icass distribute`, measured), and it imported rich up front: about 0.13 s of
every run, 0.43 s -> 0.30 s for `icass distribute BIG --format csv`, a process that must take well under half
the in-memory reference's time (docs/benchmarks.md). Click, which typer is built on, parses the same line in a
tenth of a millisecond. For the same reason nothing heavy is imported at the top of this module: rich
(rich.console alone is 30-50 ms) only where a table or a diagnostic is printed, the pipeline and its views inside
the commands, and the workload, world and tdy commands only when they run (_LazyGroup). So `icass distribute
BUNDLE --format csv` on a valid bundle never imports rich."""

from __future__ import annotations

import functools
import gc
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from icass.distribution import Distribution
    from icass.distribution.explain import Explanation
    from icass.distribution.invoice import Invoice
    from icass.distribution.partial_year import PartialYear
    from icass.model import PostBundle
    from icass.runs.post import PostRun, Through

INPUT_ERROR = 2
TABLE, CSV, JSON = "table", "csv", "json"
TABLE_OR_CSV = click.Choice([TABLE, CSV])
TABLE_CSV_OR_JSON = click.Choice([TABLE, CSV, JSON])
METHODOLOGIES = ("standard", "lite")  # icass.model.Methodology, not imported for a choice

P = ParamSpec("P")


class _Group(click.Group):
    """Commands listed as they were added, each with its whole first paragraph (click would sort them by name and
    cut their help to the first sentence, at the screen's width)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, c.get_short_help_str(limit=10_000)) for name, c in commands if c is not None and not c.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _LazyGroup(_Group):
    """Click's LazyGroup: a command named in `lazy` ("module:attribute") is imported only when it runs (or when the
    group's help lists it), so `icass distribute` never loads the tdy or world modules."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.commands, *self.lazy]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), self.lazy[cmd_name]
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RuntimeError as e:
            # A PostgreSQL login the database must not be opened with (icass.store.database.UnsafeLogin) is the
            # setup's error, said in one line; the store is looked up, not imported, as most commands never load it.
            store = sys.modules.get("icass.store.database")
            if store is not None and isinstance(e, store.UnsafeLogin):
                _fail(str(e))
            raise


@click.group(
    cls=_LazyGroup,
    lazy={
        "workload": "icass.cli.workload:workload_command",
        "world": "icass.cli.world:world_command",
        "targets": "icass.cli.targets:targets_command",
        "budget-summary": "icass.cli.targets:budget_summary_command",
        "variance": "icass.cli.variance:variance_command",
        "tdy": "icass.cli.tdy:tdy",
        "import": "icass.cli.store:import_command",
        "export": "icass.cli.store:export_command",
        "serve": "icass.cli.serve:serve_command",
        "template": "icass.cli.store:template_command",
        "audit": "icass.cli.audit:audit_command",
        "migrate": "icass.cli.migrate:migrate_command",
    },
    no_args_is_help=True,
)
@click.version_option(package_name="icass", message="%(prog)s %(version)s")  # looked up only when asked for
def app() -> None:
    """ICASS budget and cost distribution (6 FAH-5 H-300): every agency's share of a post's administrative
    services, exact to the cent."""


bundle_argument = click.argument(
    "bundle", type=click.Path(path_type=Path), help="The post bundle directory (see docs/bundle.md)."
)
table_or_csv_option = click.option(
    "--format", type=TABLE_OR_CSV, default=TABLE, show_default=True, help="A table to read, or CSV."
)


def _out() -> Console:
    # Piped or redirected output has no screen width to respect: keep every table whole.
    # What is printed is data (names, descriptions, arguments): never read as markup or :emoji: codes.
    return _stdout_console()(width=None if sys.stdout.isatty() else 240, highlight=False, markup=False, emoji=False)


@functools.cache
def _stdout_console() -> type[Console]:
    from rich.console import Console

    class StdoutConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit 1 on its own; hand the closed pipe to _quiet_when_stdout_closes, which exits 0.
            raise BrokenPipeError

    return StdoutConsole


def _err() -> Console:
    from rich.console import Console

    return Console(
        stderr=True,
        width=200 if not sys.stderr.isatty() else None,
        highlight=False,
        soft_wrap=True,
        markup=False,
        emoji=False,
    )


def _quiet_when_stdout_closes(command: Callable[P, None]) -> Callable[P, None]:
    """`icass invoice BUNDLE | head -1`: a reader that stops early is no error, so exit 0 without a word. (Click
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
    from icass.diagnostics import ERROR

    if not result.diagnostics and result.ok:
        return  # nothing to say: rich is not even imported
    err = _err()
    for d in result.diagnostics:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if not result.ok:
        errors = sum(d.severity == ERROR for d in result.diagnostics)
        err.print(f"{errors} error(s): nothing was computed.", style="bold red", markup=False)


def _fail(message: str) -> NoReturn:
    """One line on stderr, `error: <what>: <why>`, and exit status 2: the input was wrong, not the program."""
    _err().print(f"error: {message}", style="red", markup=False)
    raise click.exceptions.Exit(INPUT_ERROR)


def _run(path: Path, through: Through | None = None) -> PostRun:
    """The pipeline, once, as far as `through` (the distribution when None); every diagnostic printed; exit 2
    when any is an error."""
    from icass.runs.post import Through, run_post

    result = run_post(path, through=Through.DISTRIBUTION if through is None else through)
    _report(result)
    if not result.ok:
        raise click.exceptions.Exit(INPUT_ERROR)
    return result


def _load(path: Path) -> tuple[PostBundle, Distribution]:
    result = _run(path)
    assert result.bundle is not None  # ok: _run exits otherwise
    assert result.distribution is not None
    return result.bundle, result.distribution


def _kind_of(bundle: PostBundle) -> Callable[[str], str]:
    from icass.catalog import load_catalog

    return load_catalog().kind_of(bundle.post.methodology)


@app.command()
@click.option(
    "--methodology",
    type=click.Choice(METHODOLOGIES),
    default="standard",
    show_default=True,
    help="Standard (H-341) or Lite (H-342).",
)
@table_or_csv_option
@_quiet_when_stdout_closes
def catalog(methodology: str, format: str) -> None:
    """List the cost centers and standardized sub-cost centers of a methodology (Exhibit H-341, H-341.15)."""
    from icass import report
    from icass.catalog import load_catalog

    entries = load_catalog().methodology(methodology)
    if format == CSV:
        sys.stdout.write(report.catalog_csv(entries))
        return
    from rich.table import Table
    from rich.text import Text

    from icass.catalog.counting import load_counting_rules

    table = Table(title=Text(f"ICASS cost centers, {methodology} methodology", style="table.title"))
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
@table_or_csv_option
@_quiet_when_stdout_closes
def rules(format: str) -> None:
    """List the handbook's budget rules that every post is checked against (R01-R142), with their sections."""
    from icass import report
    from icass.catalog.budget_rules import budget_rules
    from icass.checks import checked_rules

    every, checked = budget_rules().values(), checked_rules()
    if format == CSV:
        sys.stdout.write(report.rules_csv(every, checked))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text("The handbook's budget rules (6 FAH-5)", style="table.title"))
    for column in ("rule", "severity", "applies", "what it checks", "section"):
        table.add_column(Text(column), overflow="fold")
    for r in every:
        title = r.title if r.id in checked else f"{r.title or r.words} (not checked yet)"
        table.add_row(*map(Text, (r.id, r.severity, r.applies, title, r.section)))
    _out().print(table)


@app.command()
@bundle_argument
def validate(bundle: Path) -> None:
    """Check a post bundle against the format and the handbook's rules; exit 2 on any error."""
    from icass.checks import unjudged_rules

    if (bundle / "world.toml").is_file():
        _fail(f"{bundle} is a world folder (it has world.toml): check it with `icass world {bundle}`")
    result = _run(bundle)
    assert result.bundle is not None  # ok: _run exits otherwise
    assert result.records is not None
    post = result.bundle
    err = _err()
    for fact, rules in unjudged_rules(post, result.records.sources).items():
        file, _, name = fact.partition(" ")
        err.print(f"note: {file} does not give {name}: rule(s) {', '.join(rules)} not judged", markup=False)
    if (bundle / "tdy").is_dir():  # the TDY module's folder, read apart from the budget, judged by its rules too
        from icass.catalog import load_catalog
        from icass.catalog.tdy import load_tdy_rules
        from icass.diagnostics import ERROR, has_errors
        from icass.runs.tdy import read_judged

        _, problems = read_judged(post.post, bundle, load_catalog(), load_tdy_rules())
        for d in problems:
            err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
        if has_errors(problems):
            raise click.exceptions.Exit(INPUT_ERROR)
    err.print(
        f"{bundle}: valid ({post.post.code} {post.post.name}, {post.post.methodology}, FY {post.post.fiscal_year})",
        markup=False,
    )


@app.command("distribute")
@bundle_argument
@click.option("--format", type=TABLE_CSV_OR_JSON, default=TABLE, show_default=True, help="table, csv or json.")
@click.option(
    "--out",
    metavar="FILE",
    help="Write the csv or json to this file instead of the screen: a new file, or a regular file replaced "
    "whole. Refused: a file inside the bundle, a symbolic link, a device or FIFO, a directory.",
)
@_quiet_when_stdout_closes
def distribute_command(bundle: Path, format: str, out: str | None) -> None:
    """Distribute every cost center to the agencies, with ICASS redistribution."""
    if out is None:
        _print_distribution(*_load(bundle), format)
        return
    if format == TABLE:
        _fail("--out needs --format csv or json: the table is for the screen")
    from icass.cli.output import Refused, check_target, reserved, write_whole

    try:
        target = check_target(out, bundle)
        with reserved(target) as partial:
            write_whole(partial, target, _distribution_text(*_load(bundle), format))
    except Refused as e:
        _fail(str(e))


def _print_distribution(post: PostBundle, result: Distribution, format: str) -> None:
    if format == TABLE:
        _out().print(_distribution_table(post, result))
    else:
        sys.stdout.write(_distribution_text(post, result, format))


def _distribution_text(post: PostBundle, result: Distribution, format: str) -> str:
    from icass import report

    return report.distribution_csv(result) if format == CSV else report.distribution_json(post, result)


def _distribution_table(post: PostBundle, result: Distribution) -> Table:
    """Agencies by funding source: the post's invoices in one view."""
    from icass.cli.tables import CODE, NUMBER, TEXT, grid
    from icass.model import FUNDING_SOURCES
    from icass.money import format_grouped
    from icass.views.totals import agency_bills

    bills = agency_bills(result)
    names = {a.code: a.name for a in post.agencies}
    p = post.post
    body = [
        [
            agency,
            names.get(agency, ""),
            *(format_grouped(bills[agency].by_funding.get(f, 0)) for f in FUNDING_SOURCES),
            format_grouped(bills[agency].redistribution),
            format_grouped(bills[agency].total),
        ]
        for agency in sorted(bills)
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
@bundle_argument
@click.option("--agency", help="The agency code, e.g. 1900.0; every agency when omitted.")
@_quiet_when_stdout_closes
def invoice_command(bundle: Path, agency: str | None) -> None:
    """Print an agency's invoice: per cost center its workload, share and amount per funding source."""
    from icass.distribution.invoice import invoice
    from icass.distribution.partial_year import of_agency

    post, result = _load(bundle)
    codes = [a.code for a in post.agencies]
    if agency is not None and agency not in codes:
        _fail(f"agency {agency!r} is not in {bundle / 'agencies.csv'}")
    kind_of = _kind_of(post)
    console = _out()
    for code in [agency] if agency is not None else codes:
        bill = invoice(post, result, code, kind_of)
        console.print(_invoice_table(bill, post))
        part = of_agency(post, bill)
        if part is not None:
            console.print(_partial_year_table(bill, part))


def _partial_year_table(bill: Invoice, part: PartialYear) -> Table:
    from icass.cli.tables import CODE, NUMBER, grid
    from icass.model import FUNDING_SOURCES
    from icass.money import format_grouped

    funding = [f for f in FUNDING_SOURCES if any(f in line.amounts for line in part.lines)]
    body = [
        [line.cost_center, *(format_grouped(line.amounts.get(f, 0)) for f in funding), format_grouped(line.total)]
        for line in part.lines
    ]
    footer = [
        [
            f"partial year, {part.days}/{part.year_days}",
            *(format_grouped(part.subtotal(f)) for f in funding),
            format_grouped(part.total),
        ]
    ]
    return grid(
        f"Partial-year invoice FY {bill.fiscal_year}, post {bill.post}: {bill.agency}, at post {part.first_day} "
        f"through {part.last_day}, {part.days} of {part.year_days} days",
        [("cost center", CODE), *((f, NUMBER) for f in funding), ("total", NUMBER)],
        body,
        footer,
        caption="Each line of the invoice times the days at post over the days of the fiscal year, rounded half up; "
        "no local guard program line (5821, 5822, 5823, 5826).",
    )


def _invoice_table(bill: Invoice, post: PostBundle) -> Table:
    from icass.catalog import load_catalog
    from icass.cli.tables import CODE, NUMBER, TEXT, grid
    from icass.model import FUNDING_SOURCES
    from icass.money import format_grouped

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
@bundle_argument
@click.argument("cost_center", help="The cost center or sub-cost center, e.g. 6139.")
@click.option("--agency", help="Show only this agency's part.")
@_quiet_when_stdout_closes
def explain_command(bundle: Path, cost_center: str, agency: str | None) -> None:
    """Explain one cost center: where each cent of its cost comes from, and how it was shared."""
    from rich.text import Text

    from icass.catalog import load_catalog
    from icass.catalog.cost_centers import WITHOUT_FACTOR
    from icass.distribution.explain import explain

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
    else:
        console.print(f"{WITHOUT_FACTOR[spec.distribution]}.", markup=False)
    console.print(_contributions_table(why))
    console.print(_parts_table(why, agency))


def _contributions_table(why: Explanation) -> Table:
    from icass.cli.tables import CODE, NUMBER, WIDE, grid
    from icass.model import FUNDING_SOURCES
    from icass.money import format_grouped

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
    from icass.cli.tables import CODE, NUMBER, grid
    from icass.model import FUNDING_SOURCES
    from icass.money import format_grouped, percent_of

    funding = [f for f in FUNDING_SOURCES if f in why.cost]
    total_modified = why.total_modified
    body = []
    for part in why.parts:
        if agency is not None and part.agency != agency:
            continue
        modified = part.modified
        percent = str(percent_of(modified, total_modified, 4)) if modified is not None and total_modified else ""
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
        "go to the largest remainders (docs/distribution.md).",
    )


def main() -> None:
    if not one_shot(sys.argv[1:]):
        app()
        return
    # A run allocates a few million small objects (rows, records) that live until it ends, and none of them
    # form cycles: the cyclic collector's default thresholds made it rescan them over and over, a good part
    # of `icass world` on a large world (docs/benchmarks.md). It still runs, every 100,000 allocations.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        app()  # click's standalone mode: it always ends in SystemExit with the command's status
    except SystemExit as end:
        _end(end.code)


LONG_LIVED = frozenset({"serve"})


def one_shot(arguments: list[str]) -> bool:
    """Whether the command line runs a command that ends when its work is done, which may take the process tricks
    of main (a frozen heap, a lazy collector, no finalization). A server is not one: it lives for days, its
    requests make garbage with cycles that must be collected, and it must close its pools and sockets on the way
    out. The group takes no option with a value, so its command is the first argument that is not an option."""
    command = next((a for a in arguments if not a.startswith("-")), None)
    return command not in LONG_LIVED


def _end(code: object) -> NoReturn:
    """End the process with the command's status, skipping Python's finalization when nothing else runs.
    Finalization frees every object of the run one by one and unloads numpy: a measurable part of
    `icass distribute` on the large post, with nothing to show for it (docs/benchmarks.md). By now a command
    has closed its files, so flushing stdout and stderr is all that is left. With another thread alive
    Python ends as usual, and waits for them. `icass serve` never comes here (one_shot)."""
    import threading

    if threading.active_count() > 1:
        raise SystemExit(code)
    if code is None or isinstance(code, int):
        status = code or 0
    else:  # as Python does with a SystemExit that is not a number: say it, and fail
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left (`icass ... | head`): nothing more can be said to it
        pass
    os._exit(status)
