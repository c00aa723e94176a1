"""The world invoice: views of a world's consolidation (icass.distribution.consolidation computes it): each
agency's headquarters invoice (Exhibit H-421), the rows of the worldwide report and the basis of each item's
shares. One module for every query by agency, post, bureau and funding source, so the CLI, the API and the
pages show the same figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from icass.bundle.invoice_files import (
    WORLD_FIGURES,
    WorldBureauFileLines,
    WorldInvoiceFile,
    WorldItemFileLine,
    WorldPostFileLine,
)
from icass.distribution.consolidation import Consolidation, ItemShare, PartialYearAtPost
from icass.model import FUNDING_SOURCES
from icass.model.world import ITEM_NAME, ITEM_SECTION, Item, World
from icass.money import format_grouped, percent_of
from icass.runs.post import PostRun

WORLD_HEADER = ("agency", "part", "key", "funding", "amount")


class WorldRow(NamedTuple):
    agency: str
    part: str  # "post" (key = regional bureau) or "item" (key = item code)
    key: str
    funding: str  # a funding source for post rows; empty for item rows
    amount: int  # cents


@dataclass(frozen=True)
class PostLine:
    post: str
    region: str
    amounts: dict[str, int]  # funding source -> cents
    # The agency's days at the post when it arrives or leaves during the fiscal year: the amounts are then its
    # partial-year invoice's (icass.distribution.consolidation).
    partial: PartialYearAtPost | None = None

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass(frozen=True)
class ItemLine:
    item: Item
    amount: int  # cents
    basis: str  # how the agency's part was found, e.g. "FLO: 412.6 of 18,233.1 modified 6443 counts ... = 2.263%"
    # The same for a person: each share's basis without the item's code ("412.6 of 18,233.1 modified ... = 2.263%").
    bases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return ITEM_NAME[self.item]

    @property
    def section(self) -> str:
        return ITEM_SECTION[self.item]


@dataclass(frozen=True)
class WorldInvoice:
    agency: str
    fiscal_year: int
    stage: str
    posts: tuple[PostLine, ...]  # sorted by bureau, then post
    items: tuple[ItemLine, ...]  # in item order

    def bureau_totals(self) -> dict[tuple[str, str], int]:
        """(regional bureau, funding source) -> cents."""
        found: dict[tuple[str, str], int] = defaultdict(int)
        for line in self.posts:
            for funding, cents in line.amounts.items():
                found[(line.region, funding)] += cents
        return dict(found)

    def regions(self) -> dict[str, int]:
        """Regional bureau -> its subtotal in cents, in the invoice's order."""
        found: dict[str, int] = {}
        for line in self.posts:
            found[line.region] = found.get(line.region, 0) + line.total
        return found

    @property
    def post_total(self) -> int:
        return sum(line.total for line in self.posts)

    @property
    def item_total(self) -> int:
        return sum(line.amount for line in self.items)

    @property
    def total(self) -> int:
        return self.post_total + self.item_total


def rows(consolidation: Consolidation) -> list[WorldRow]:
    """Every non-zero amount: an agency's post totals by bureau and funding source, then its items."""
    found: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for (agency, post, funding), cents in consolidation.post_totals.items():
        found[(agency, "post", consolidation.regions[post], funding)] += cents
    for (agency, item), cents in consolidation.item_totals().items():
        found[(agency, "item", str(item), "")] += cents
    return sorted(WorldRow(*key, cents) for key, cents in found.items() if cents)


def invoice_rows(bills: Iterable[WorldInvoice]) -> list[WorldRow]:
    """The rows of `rows` made from the agencies' invoices themselves: a world of versions that leaves posts out
    bills nothing below the line (icass.store.worlds.StoredWorldRun.invoices), whatever its consolidation holds."""
    found: list[WorldRow] = []
    for bill in bills:
        found += [WorldRow(bill.agency, "post", r, f, c) for (r, f), c in bill.bureau_totals().items() if c]
        found += [WorldRow(bill.agency, "item", str(i.item), "", i.amount) for i in bill.items if i.amount]
    return sorted(found)


def agencies(consolidation: Consolidation) -> list[str]:
    """The agencies with anything anywhere: they get an invoice."""
    return sorted({r.agency for r in rows(consolidation)})


def _basis_text(share: ItemShare, agency: str) -> str:
    return share.basis_name if not share.basis else f"{share.item}: {_basis_figures(share, agency)}"


def _basis_figures(share: ItemShare, agency: str) -> str:
    if not share.basis:
        return share.basis_name
    mine = Decimal(share.basis.get(agency, 0))
    total = sum((Decimal(v) for v in share.basis.values()), Decimal(0))
    percent = percent_of(mine, total, 3)
    shown = (format_grouped(int(mine)), format_grouped(int(total))) if share.money else (_number(mine), _number(total))
    return f"{shown[0]} of {shown[1]} {share.basis_name} = {percent}%"


def _number(value: Decimal) -> str:
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,}"


def world_invoice(consolidation: Consolidation, world: World, agency: str) -> WorldInvoice | None:
    """One agency's invoice: its post totals by bureau and post, each item with its basis; None when it has
    nothing anywhere."""
    amounts: dict[str, dict[str, int]] = defaultdict(dict)
    for (a, post, funding), cents in consolidation.post_totals.items():
        if a == agency and cents:
            amounts[post][funding] = amounts[post].get(funding, 0) + cents
    posts = tuple(
        PostLine(
            post,
            consolidation.regions[post],
            {f: amounts[post][f] for f in FUNDING_SOURCES if f in amounts[post]},
            consolidation.partial_years.get((agency, post)),
        )
        for post in sorted(amounts, key=lambda p: (consolidation.regions[p], p))
    )
    items: list[ItemLine] = []
    for item in Item:
        mine = [s for s in consolidation.shares if s.item == item and agency in s.parts]
        cents = sum(s.parts[agency] for s in mine)
        if mine and cents:
            bases = tuple(_basis_figures(s, agency) for s in mine)
            items.append(ItemLine(item, cents, "; ".join(_basis_text(s, agency) for s in mine), bases))
    if not posts and not items:
        return None
    return WorldInvoice(agency, world.fiscal_year, str(world.stage), posts, tuple(items))


def explain_item(consolidation: Consolidation, item: Item) -> list[tuple[ItemShare, list[tuple[str, str, int]]]]:
    """For every share of one item: each agency's basis (as text) and cents."""
    found = []
    for s in consolidation.shares:
        if s.item == item:
            agencies_here = sorted(set(s.basis) | set(s.parts))
            found.append((s, [(a, _basis_text(s, a), s.parts.get(a, 0)) for a in agencies_here]))
    return found


@dataclass(frozen=True)
class WorldNames:
    """The names a worldwide invoice is read by: each agency's and each post's, as the posts' own files give them
    (agencies.csv, post.toml); a code no post names is shown as it is."""

    agencies: dict[str, str]
    posts: dict[str, str]

    def agency(self, code: str) -> str:
        return self.agencies.get(code, "")

    def post(self, code: str) -> str:
        return self.posts.get(code, "")


def names_of(runs: tuple[PostRun, ...]) -> WorldNames:
    """The agencies' and posts' names of a world's post runs (the first post that names an agency wins: the
    agencies.csv of every post names the same agency by the same code)."""
    agencies: dict[str, str] = {}
    posts: dict[str, str] = {}
    for run in runs:
        if run.records is None:
            continue
        posts[run.records.post.code] = run.records.post.name
        for agency in run.records.entered.agencies:
            agencies.setdefault(agency.code, agency.name)
    return WorldNames(agencies, posts)


@dataclass(frozen=True)
class BureauPosts:
    """A regional bureau of the world: its posts, each with its total (every agency's, cents), and its own."""

    region: str
    posts: tuple[tuple[str, int], ...]  # (post, cents), by post

    @property
    def total(self) -> int:
        return sum(cents for _, cents in self.posts)


def world_bureaus(consolidation: Consolidation) -> tuple[BureauPosts, ...]:
    """Every post of the world under its regional bureau, with its total: by bureau, then post."""
    totals: dict[str, int] = dict.fromkeys(consolidation.regions, 0)
    for (_agency, post, _funding), cents in consolidation.post_totals.items():
        totals[post] = totals.get(post, 0) + cents
    by_region: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for post in sorted(totals):
        by_region[consolidation.regions[post]].append((post, totals[post]))
    return tuple(BureauPosts(region, tuple(by_region[region])) for region in sorted(by_region))


def invoice_file_of(
    bill: WorldInvoice, names: WorldNames, figures: str = WORLD_FIGURES, approved: bool = False
) -> WorldInvoiceFile:
    """The headquarters invoice as its PDF and workbook show it: each bureau's posts and subtotal, each item in
    words; `figures`: whose figures they are, in words; `approved`: the accepted final versions' (payable)."""
    fundings = tuple(str(f) for f in FUNDING_SOURCES if any(f in line.amounts for line in bill.posts))
    by_bureau = bill.bureau_totals()
    bureaus = tuple(
        WorldBureauFileLines(
            region,
            tuple(
                WorldPostFileLine(
                    line.post,
                    names.post(line.post),
                    line.amounts,
                    line.total,
                    line.partial.said() if line.partial else "",
                )
                for line in bill.posts
                if line.region == region
            ),
            {f: by_bureau[(region, f)] for f in fundings if (region, f) in by_bureau},
            total,
        )
        for region, total in bill.regions().items()
    )
    items = tuple(WorldItemFileLine(i.name, i.section, "; ".join(i.bases), i.amount) for i in bill.items)
    return WorldInvoiceFile(
        bill.agency,
        names.agency(bill.agency),
        bill.fiscal_year,
        bill.stage,
        fundings,
        bureaus,
        items,
        bill.post_total,
        bill.item_total,
        bill.total,
        figures,
        approved,
    )
