"""`icass world`: the worldwide consolidation and every agency's headquarters invoice (H-424, Exhibit H-421)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from icass.cli.app import CSV, INPUT_ERROR, TABLE, TABLE_CSV_OR_JSON, _err, _fail, _out, _quiet_when_stdout_closes
from icass.cli.output import Refused, check_target, reserved, write_whole
from icass.diagnostics import ERROR
from icass.distribution.consolidation import Consolidation
from icass.model import FUNDING_SOURCES
from icass.model.world import Item, World
from icass.money import format_grouped, format_plain
from icass.runs.world import consolidate_world, run_world
from icass.views.world_invoice import WORLD_HEADER, WorldInvoice, agencies, explain_item, rows, world_invoice

if TYPE_CHECKING:  # rich is imported where a table is printed: not for --format csv or json
    from rich.console import Group


def _consolidate(folder: Path) -> tuple[World, Consolidation]:
    run = run_world(folder)
    consolidation, more = consolidate_world(run)
    diagnostics = [*run.diagnostics, *more]
    if consolidation is not None and not diagnostics:
        assert run.files is not None  # ok: consolidated
        return run.files.world, consolidation  # nothing to say: rich is not even imported
    err = _err()
    for d in diagnostics:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if consolidation is None or any(d.severity == ERROR for d in diagnostics):
        errors = sum(d.severity == ERROR for d in diagnostics)
        err.print(f"{errors} error(s): nothing was computed.", style="bold red", markup=False)
        raise click.exceptions.Exit(INPUT_ERROR)
    assert run.files is not None  # ok: consolidated
    return run.files.world, consolidation


def _csv(consolidation: Consolidation) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WORLD_HEADER)
    writer.writerows((r.agency, r.part, r.key, r.funding, format_plain(r.amount)) for r in rows(consolidation))
    return out.getvalue()


def _json(world: World, consolidation: Consolidation) -> str:
    document = {
        "fiscal_year": world.fiscal_year,
        "stage": str(world.stage),
        "rows": [dict(zip(WORLD_HEADER, (*r[:4], format_plain(r.amount)), strict=True)) for r in rows(consolidation)],
    }
    return json.dumps(document, indent=2) + "\n"


@click.command("world")
@click.argument("folder", type=click.Path(path_type=Path), help="The world folder (see docs/world.md).")
@click.option("--format", type=TABLE_CSV_OR_JSON, default=TABLE, show_default=True, help="table, csv or json.")
@click.option("--out", metavar="FILE", help="Write the csv or json to this file instead of the screen.")
@click.option("--agency", help="That agency's invoice, readable.")
@click.option("--explain", help="Every agency's basis and share of an item.")
@_quiet_when_stdout_closes
def world_command(folder: Path, format: str, out: str | None, agency: str | None, explain: str | None) -> None:
    """Consolidate the world: every agency's post totals by bureau, and the below-the-line items (H-424)."""
    if out is not None and format == TABLE:
        _fail("--out needs --format csv or json: the table is for the screen")
    if explain is not None and explain not in {str(i) for i in Item}:
        _fail(f"{explain!r} is not a below-the-line item ({', '.join(str(i) for i in Item)})")
    target = None
    if out is not None:
        try:
            target = check_target(out, folder)
        except Refused as e:
            _fail(str(e))
    world, consolidation = _consolidate(folder)
    if agency is not None:
        bill = world_invoice(consolidation, world, agency)
        if bill is None:
            _fail(f"agency {agency!r} has nothing at any post of the world and no below-the-line charge")
        _out().print(_invoice(bill))
        return
    if explain is not None:
        _out().print(_explanation(consolidation, Item(explain)))
        return
    if format == TABLE:
        from rich.console import Group

        bills = (world_invoice(consolidation, world, a) for a in agencies(consolidation))
        _out().print(Group(*(_invoice(bill) for bill in bills if bill is not None)))
        return
    text = _csv(consolidation) if format == CSV else _json(world, consolidation)
    if target is None:
        sys.stdout.write(text)
        return
    try:
        with reserved(target) as partial:
            write_whole(partial, target, text)
    except Refused as e:
        _fail(str(e))


def _invoice(bill: WorldInvoice) -> Group:
    from rich.console import Group

    from icass.cli.tables import CODE, NUMBER, PROSE, grid

    funding = [f for f in FUNDING_SOURCES if any(f in line.amounts for line in bill.posts)]
    body = [
        [line.region, line.post, *(format_grouped(line.amounts.get(f, 0)) for f in funding), format_grouped(line.total)]
        for line in bill.posts
    ]
    bureaus = bill.bureau_totals()
    footer = [
        [
            region,
            "bureau total",
            *(format_grouped(bureaus.get((region, f), 0)) for f in funding),
            format_grouped(sum(bureaus.get((region, f), 0) for f in funding)),
        ]
        for region in sorted({line.region for line in bill.posts})
    ]
    footer.append(["", "post total", *("" for _ in funding), format_grouped(bill.post_total)])
    title = "final (payable)" if bill.stage == "final" else "initial (informational)"
    posts = grid(
        f"ICASS invoice FY {bill.fiscal_year}, {title}: agency {bill.agency}",
        [("bureau", CODE), ("post", CODE), *((f, NUMBER) for f in funding), ("total", NUMBER)],
        body,
        footer,
    )
    items = grid(
        "Centrally funded costs (below the line, H-424)",
        [("item", CODE), ("basis", PROSE), ("amount", NUMBER)],
        [[str(line.item), line.basis, format_grouped(line.amount)] for line in bill.items],
        [["", "below the line", format_grouped(bill.item_total)], ["", "grand total", format_grouped(bill.total)]],
        caption="Amounts in US dollars.",
    )
    return Group(posts, items)


def _explanation(consolidation: Consolidation, item: Item) -> Group:
    from rich.console import Group, RenderableType
    from rich.text import Text

    from icass.cli.tables import CODE, NUMBER, PROSE, grid

    parts: list[RenderableType] = []
    for share, lines in explain_item(consolidation, item):
        parts.append(
            grid(
                f"{item}: {format_grouped(share.amount)} by {share.basis_name} ({share.source})",
                [("agency", CODE), ("basis", PROSE), ("amount", NUMBER)],
                [[a, basis, format_grouped(cents)] for a, basis, cents in lines],
            )
        )
    if not parts:
        parts.append(Text(f"{item} has no amount in this world."))
    return Group(*parts)
