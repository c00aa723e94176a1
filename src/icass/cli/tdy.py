"""`icass tdy`: visitor rates, TDY invoices, the workload visits move, and the visitor policy (H-360)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from icass.catalog.tdy import load_tdy_rules
from icass.cli.app import (
    CSV,
    INPUT_ERROR,
    _err,
    _fail,
    _Group,
    _out,
    _quiet_when_stdout_closes,
    bundle_argument,
    table_or_csv_option,
)
from icass.diagnostics import ERROR
from icass.money import format_grouped, format_plain
from icass.runs.tdy import TdyRun, run_tdy
from icass.tdy.invoices import TdyBilling
from icass.tdy.rates import DAILY, Rates, days_to_threshold, mandatory_daily

if TYPE_CHECKING:  # rich is imported where a table is printed: not for --format csv
    from rich.console import Group, RenderableType


@click.group("tdy", cls=_Group, no_args_is_help=True)
def tdy() -> None:
    """The TDY module (6 FAH-5 H-360): visitor rates from a prior-year final budget, TDY invoices, the workload
    visits move to next year's counts, and the post's visitor policy."""


RATES_HEADER = ("cost_center", "basis", "discounted_cost", "workload", "rate")
INVOICES_HEADER = ("invoice", "agency", "cost_center", "quantity", "rate", "amount", "status")
WORKLOAD_HEADER = ("cost_center", "agency", "count", "visit_id")


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r} is not a date YYYY-MM-DD")


as_of_option = click.option(
    "--as-of", metavar="DATE", help="Judge the invoices on this date (YYYY-MM-DD); today when omitted."
)


def _tdy(bundle: Path, as_of: dt.date, need_visits: bool = True) -> TdyRun:
    """The TDY run with every diagnostic printed; exit 2 on an error (in the tdy/ folder only when needed)."""
    run = run_tdy(bundle, as_of)
    failed = run.rates is None or (need_visits and not run.ok)
    if not run.diagnostics and not failed:
        return run  # nothing to say: rich is not even imported
    err = _err()
    for d in run.diagnostics:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if failed:
        errors = sum(d.severity == ERROR for d in run.diagnostics)
        err.print(f"{errors} error(s): nothing was computed.", style="bold red", markup=False)
        raise click.exceptions.Exit(INPUT_ERROR)
    return run


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _number(value: Decimal) -> str:
    """A count as plain text without trailing zeros: 40, 12.5."""
    return format(value.normalize(), "f")


@tdy.command("rates")
@bundle_argument
@table_or_csv_option
@_quiet_when_stdout_closes
def rates_command(bundle: Path, format: str) -> None:
    """Each cost center's TDY rate: its discounted cost in this final budget over its total modified workload,
    per traveler-day (capitation and static) or per unit (transactions) (H-363.1-3 a(4), H-363.1-4 b)."""
    rates = _tdy(bundle, dt.date.today(), need_visits=False).rates
    assert rates is not None  # ok: _tdy exits otherwise
    published = rates.published()
    if format == CSV:
        rows = [
            [r.cost_center, r.basis, format_plain(r.discounted_cost), _number(r.workload), format_plain(r.rate or 0)]
            for r in published
        ]
        sys.stdout.write(_csv(RATES_HEADER, rows))
        return
    _out().print(_rates_table(rates))


def _rates_table(rates: Rates) -> RenderableType:
    from icass.cli.tables import CODE, NUMBER, TEXT, grid

    body = [
        [
            r.cost_center,
            r.name,
            r.basis,
            format_grouped(r.cost),
            format_grouped(-r.usdh) if r.usdh else "",
            format_grouped(-r.lease) if r.lease else "",
            format_grouped(-r.excluded) if r.excluded else "",
            format_grouped(r.discounted_cost),
            f"{r.workload.normalize():,f}",
            format_grouped(r.rate or 0),
            "traveler-day" if r.basis == DAILY else r.unit,
        ]
        for r in rates.published()
    ]
    p = rates.post
    rules = load_tdy_rules()
    return grid(
        f"{p.code} {p.name}: TDY rates for visits that end in FY {rates.fiscal_year} "
        f"(from the FY {p.fiscal_year} budget)",
        [
            ("cost center", CODE),
            ("name", TEXT),
            ("basis", CODE),
            ("cost", NUMBER),
            ("USDH positions", NUMBER),
            ("leases", NUMBER),
            ("guards, FAP", NUMBER),
            ("discounted cost", NUMBER),
            ("modified workload", NUMBER),
            ("rate", NUMBER),
            ("per", TEXT),
        ],
        body,
        caption=f"Amounts in US dollars. Discounted as 6 FAH-5 {rules.excluded_section} says: less USDH positions' "
        "pool lines, residential and nonresidential leases, and the whole of the local guard program and furniture "
        f"and appliance pool cost centers. A daily rate is the unit rate over {rates.days_per_year} days; each rate "
        "is rounded once to the cent, half up.",
    )


@tdy.command("threshold")
@bundle_argument
def threshold_command(bundle: Path) -> None:
    """How many days one traveler's four mandatory daily rates take to reach the post's threshold (H-363.1-4 c)."""
    run = _tdy(bundle, dt.date.today())
    assert run.rates is not None  # ok: _tdy exits otherwise
    assert run.records is not None
    rules = load_tdy_rules()
    threshold = run.records.policy.threshold
    daily = mandatory_daily(run.rates, rules.mandatory)
    days = days_to_threshold(run.rates, threshold, rules.mandatory)
    mandatory = ", ".join(rules.mandatory)
    if days is None:
        _out().print(f"The mandatory cost centers ({mandatory}) have no daily rate: no visit reaches the threshold.")
        return
    _out().print(
        f"{days} days: one traveler's mandatory daily rates ({mandatory}: ${format_grouped(daily)} a day) reach "
        f"the ${format_grouped(threshold)} threshold on day {days} (6 FAH-5 {rules.days_section}).",
        markup=False,
    )


@tdy.command("invoices")
@bundle_argument
@as_of_option
@table_or_csv_option
@_quiet_when_stdout_closes
def invoices_command(bundle: Path, as_of: str | None, format: str) -> None:
    """The TDY invoices of the visits that end in the fiscal year after this final budget's, each with its
    status: issued, below_threshold, held or rejected (H-363.1-5, H-363.1-6)."""
    billing = _billing(bundle, as_of)
    if format == CSV:
        rows = [
            [
                i.invoice,
                i.agency,
                line.cost_center,
                _number(line.quantity),
                format_plain(line.rate),
                format_plain(line.amount),
                i.status,
            ]
            for i in billing.invoices
            for line in i.lines
        ]
        sys.stdout.write(_csv(INVOICES_HEADER, rows))
        return
    _out().print(_invoices_view(billing))


def _billing(bundle: Path, as_of: str | None) -> TdyBilling:
    run = _tdy(bundle, _as_of(as_of))
    assert run.billing is not None  # ok: _tdy exits otherwise
    return run.billing


def _invoices_view(billing: TdyBilling) -> Group:
    from rich.console import Group
    from rich.text import Text

    from icass.cli.tables import CODE, NUMBER, PROSE, grid

    parts: list[RenderableType] = []
    for i in billing.invoices:
        body = [
            [
                line.cost_center,
                _number(line.quantity),
                _number(line.weighted),
                format_grouped(line.rate),
                format_grouped(line.amount),
            ]
            for line in i.lines
        ]
        caption = "; ".join(i.reasons) if i.reasons else None
        parts.append(
            grid(
                f"TDY invoice {i.invoice}, agency {i.agency}, visits {', '.join(i.visits)}: {i.status}",
                [
                    ("cost center", CODE),
                    ("quantity", NUMBER),
                    ("x modification", NUMBER),
                    ("rate", NUMBER),
                    ("amount", NUMBER),
                ],
                body,
                [["total", "", "", "", format_grouped(i.total)]],
                caption=caption,
            )
        )
    if billing.unbilled:
        parts.append(
            grid(
                "Not billed",
                [("visit", CODE), ("cost center", CODE), ("why", PROSE)],
                [[u.visit_id, u.cost_center, u.why] for u in billing.unbilled],
            )
        )
    if not parts:
        parts.append(Text("No visit ends in this fiscal year."))
    return Group(*parts)


@tdy.command("workload")
@bundle_argument
@as_of_option
@table_or_csv_option
@_quiet_when_stdout_closes
def workload_command(bundle: Path, as_of: str | None, format: str) -> None:
    """The transaction workload the visits move to next year's counts: to the sponsoring agency at post, or to
    1900.0 and 1901.0 as the visitor category says (H-363.1-5 f(4), H-363.2 b-c, H-364 f)."""
    billing = _billing(bundle, as_of)
    rows = [[m.cost_center, m.agency, _number(m.count), m.visit_id] for m in billing.workload]
    if format == CSV:
        sys.stdout.write(_csv(WORKLOAD_HEADER, rows))
        return
    from icass.cli.tables import CODE, NUMBER, grid

    body = [[*row, m.section] for row, m in zip(rows, billing.workload, strict=True)]
    _out().print(
        grid(
            f"Workload the visits move to the FY {billing.rates.fiscal_year + 1} counts",
            [("cost center", CODE), ("agency", CODE), ("count", NUMBER), ("visit", CODE), ("rule", CODE)],
            body,
        )
    )


@tdy.command("policy")
@bundle_argument
@click.option("--format", type=click.Choice(["md", "html"]), default="md", show_default=True, help="Markdown or HTML.")
@_quiet_when_stdout_closes
def policy_command(bundle: Path, format: str) -> None:
    """The post's visitor policy, with its own rates, ready to publish on eCC (Exhibits H-363.1-2, H-363.1-4)."""
    # Imported here: the policy text needs markdown-it, which no other command does.
    from icass.tdy.policy_text import missing_direct_costs, policy_html, policy_markdown

    run = _tdy(bundle, dt.date.today())
    assert run.rates is not None  # ok: _tdy exits otherwise
    assert run.records is not None
    policy = run.records.policy
    missing = missing_direct_costs(policy)
    if missing:
        _err().print(
            f"warning: tdy/policy.toml: [policy.direct_costs] lacks {', '.join(missing)}: the text says $XX there; "
            "replace it with the projected cost before publishing (6 FAH-5 Exhibit H-363.1-2 NOTE 2)",
            style="yellow",
            markup=False,
        )
    if policy.council_approved_on is None:
        _err().print(
            "warning: tdy/policy.toml has no council_approved_on: the ICASS Council approves the visitor policy, "
            "and no TDY invoice is approved without that date (6 FAH-5 H-362 a)",
            style="yellow",
            markup=False,
        )
    text = policy_markdown(policy, run.rates, load_tdy_rules().mandatory)
    sys.stdout.write(text if format == "md" else policy_html(text))
