"""`icass world`: the worldwide consolidation and every agency's headquarters invoice (H-424, Exhibit H-421)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from icass.cli.app import CSV, INPUT_ERROR, TABLE, TABLE_CSV_OR_JSON, _err, _fail, _out, _quiet_when_stdout_closes
from icass.cli.output import Refused, check_target, reserved, write_whole
from icass.cli.store import data_option
from icass.diagnostics import ERROR, Diagnostic
from icass.distribution.consolidation import Consolidation
from icass.model import FUNDING_SOURCES
from icass.model.approval import Basis
from icass.model.world import Item, World
from icass.money import format_grouped, format_plain
from icass.runs.world import consolidate_world, run_world
from icass.views.world_invoice import (
    WORLD_HEADER,
    WorldInvoice,
    WorldRow,
    agencies,
    explain_item,
    invoice_rows,
    rows,
    world_invoice,
)

if TYPE_CHECKING:  # rich is imported where a table is printed: not for --format csv or json
    from rich.console import Group

    from icass.store.worlds import WorldBasis


def _consolidate(folder: Path) -> tuple[World, Consolidation]:
    run = run_world(folder)
    consolidation, more = consolidate_world(run)
    _said_problems([*run.diagnostics, *more], consolidation is None)
    assert consolidation is not None
    assert run.files is not None
    return run.files.world, consolidation


def _said_problems(diagnostics: list[Diagnostic], not_consolidated: bool) -> None:
    """Print the world's problems; exit when it has an error or did not consolidate (nothing is computed)."""
    if not diagnostics and not not_consolidated:
        return  # nothing to say: rich is not even imported
    err = _err()
    for d in diagnostics:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if not_consolidated or any(d.severity == ERROR for d in diagnostics):
        errors = sum(d.severity == ERROR for d in diagnostics)
        err.print(f"{errors} error(s): nothing was computed.", style="bold red", markup=False)
        raise click.exceptions.Exit(INPUT_ERROR)


def _csv(found: list[WorldRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WORLD_HEADER)
    writer.writerows((r.agency, r.part, r.key, r.funding, format_plain(r.amount)) for r in found)
    return out.getvalue()


def _json(world: World, found: list[WorldRow], basis: WorldBasis | None) -> str:
    document: dict[str, Any] = {
        "fiscal_year": world.fiscal_year,
        "stage": str(world.stage),
        "rows": [dict(zip(WORLD_HEADER, (*r[:4], format_plain(r.amount)), strict=True)) for r in found],
    }
    if basis is not None:  # the stored world: what its figures are computed from, as the API's invoices say it
        document |= {
            "basis": basis.basis.value,
            "payable": basis.payable,
            "figures": basis.said(),
            "versions": [dataclasses.asdict(v) for v in basis.versions],
            "posts_left_out": list(basis.left_out),
        }
    return json.dumps(document, indent=2) + "\n"


@click.command("world")
@click.argument(
    "folder",
    type=click.Path(path_type=Path),
    required=False,
    help="The world folder (see docs/world.md); or --fiscal-year N for the world stored in the database.",
)
@click.option("--format", type=TABLE_CSV_OR_JSON, default=TABLE, show_default=True, help="table, csv or json.")
@click.option("--out", metavar="FILE", help="Write the csv or json to this file instead of the screen.")
@click.option("--agency", help="That agency's invoice, readable.")
@click.option("--explain", help="Every agency's basis and share of an item.")
@click.option(
    "--fiscal-year",
    "fiscal_year",
    type=click.IntRange(min=1, max=9999),
    default=None,
    help="The world of this fiscal year stored in the database (icass import WORLD), instead of a folder.",
)
@click.option(
    "--basis",
    type=click.Choice([b.value for b in Basis]),
    default=None,
    help="With --fiscal-year: live (the posts' rows as they stand, the default), initial (each post's newest "
    "accepted, else newest, initial version: informational) or final (the final versions the ISC accepted: "
    "payable; the posts whose final is not yet accepted are named and left out).",
)
@data_option
@_quiet_when_stdout_closes
def world_command(
    folder: Path | None,
    format: str,
    out: str | None,
    agency: str | None,
    explain: str | None,
    fiscal_year: int | None,
    basis: str | None,
    data: Path | None,
) -> None:
    """Consolidate the world: every agency's post totals by bureau, and the below-the-line items (H-424); from a
    folder, or the stored world of a fiscal year on the basis of the posts' live rows or their versions."""
    if basis is not None and fiscal_year is None:
        raise click.UsageError("--basis reads the stored world: icass world --fiscal-year N --basis final")
    if (folder is None) == (fiscal_year is None):
        raise click.UsageError("give the world's FOLDER, or --fiscal-year N for the world stored in the database")
    if out is not None and format == TABLE:
        _fail("--out needs --format csv or json: the table is for the screen")
    if explain is not None and explain not in {str(i) for i in Item}:
        _fail(f"{explain!r} is not a below-the-line item ({', '.join(str(i) for i in Item)})")
    target = None
    if out is not None:
        try:
            target = check_target(out, folder if folder is not None else data or Path("data"))
        except Refused as e:
            _fail(str(e))
    said: WorldBasis | None = None
    if folder is not None:
        world, consolidation = _consolidate(folder)
        bills: Mapping[str, WorldInvoice | None] = _Invoices(consolidation, world)
    else:
        assert fiscal_year is not None
        world, consolidation, bills, said = _stored(fiscal_year, Basis(basis or Basis.LIVE), data)
        _err().print(f"Figures: {said.said()}", markup=False)
    if agency is not None:
        bill = bills.get(agency)
        if bill is None:
            _fail(f"agency {agency!r} has nothing at any post of the world and no below-the-line charge")
        _out().print(_invoice(bill, said))
        return
    if explain is not None:
        if said is not None and said.left_out:
            _fail(f"{explain}: nothing is billed below the line until every post is in ({said.said()})")
        _out().print(_explanation(consolidation, Item(explain)))
        return
    if format == TABLE:
        from rich.console import Group

        _out().print(Group(*(_invoice(bill, said) for bill in bills.values() if bill is not None)))
        return
    # A world of versions that leaves posts out bills nothing below the line: its rows are its invoices'.
    leaves_out = said is not None and bool(said.left_out)
    found = invoice_rows(b for b in bills.values() if b is not None) if leaves_out else rows(consolidation)
    text = _csv(found) if format == CSV else _json(world, found, said)
    if target is None:
        sys.stdout.write(text)
        return
    try:
        with reserved(target) as partial:
            write_whole(partial, target, text)
    except Refused as e:
        _fail(str(e))


class _Invoices(Mapping[str, "WorldInvoice | None"]):
    """Every agency's invoice of a consolidated folder, each made when asked for (one agency's, or all in order)."""

    def __init__(self, consolidation: Consolidation, world: World) -> None:
        self.consolidation, self.world = consolidation, world
        self.codes = agencies(consolidation)

    def __getitem__(self, agency: str) -> WorldInvoice | None:
        if agency not in self.codes:
            raise KeyError(agency)
        return world_invoice(self.consolidation, self.world, agency)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)


def _stored(
    fiscal_year: int, basis: Basis, data: Path | None
) -> tuple[World, Consolidation, Mapping[str, WorldInvoice | None], WorldBasis]:
    """The stored world of `fiscal_year` on `basis`: its world, consolidation, every agency's invoice (as the API
    and pages give them) and the basis it was computed on; its problems printed, and none computed on an error."""
    from icass.store.bundles import NotStored
    from icass.store.database import database_url, open_database
    from icass.store.worlds import consolidated_stored_world

    engine = open_database(database_url(data))
    try:
        stored = consolidated_stored_world(engine, fiscal_year, basis)
    except NotStored:
        _fail(f"no world of fiscal year {fiscal_year} is stored: icass import WORLD stores one")
    finally:
        engine.dispose()
    _said_problems([*stored.run.diagnostics, *stored.problems], stored.consolidation is None)
    assert stored.consolidation is not None
    assert stored.run.files is not None
    return stored.run.files.world, stored.consolidation, stored.invoices, stored.basis


def _invoice(bill: WorldInvoice, basis: WorldBasis | None = None) -> Group:
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
    if basis is not None and basis.basis == Basis.LIVE:
        title += ", live figures"
    elif basis is not None:
        title += f", from the posts' {basis.basis.value} versions"
    posts = grid(
        f"ICASS invoice FY {bill.fiscal_year}, {title}: agency {bill.agency}",
        [("bureau", CODE), ("post", CODE), *((f, NUMBER) for f in funding), ("total", NUMBER)],
        body,
        footer,
        caption=_partial_years(bill),
    )
    items = grid(
        "Centrally funded costs (below the line, H-424)",
        [("item", CODE), ("basis", PROSE), ("amount", NUMBER)],
        [[str(line.item), line.basis, format_grouped(line.amount)] for line in bill.items],
        [["", "below the line", format_grouped(bill.item_total)], ["", "grand total", format_grouped(bill.total)]],
        caption="Amounts in US dollars.",
    )
    return Group(posts, items)


def _partial_years(bill: WorldInvoice) -> str | None:
    """The post lines that are partial-year invoices, said under the table (H-341.5-3(D) NOTE 1)."""
    said = [f"{line.post}: {line.partial.said()}" for line in bill.posts if line.partial is not None]
    return "; ".join(said) if said else None


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
