"""The worldwide consolidation (H-424): each agency's post totals, and each centrally funded "below the line"
item shared among agencies on its own basis. Pure functions on finished post figures; nothing here reads
files. "Share X by W" is the engine's apportionment rule (largest remainder, ties to the smaller agency
code); a negative amount is shared by apportioning its absolute value and negating each part. Every
items.csv row is shared on its own; an agency's parts of one item are summed into its one line. 1901.0
(ICASS) is left out of every basis: its costs are already with the other agencies after redistribution.

9913.0 (Regional MEDEVAC) has no headquarters invoice: "The costs included in the resulting invoice for
9913.0-MEDEVAC are billed out 'below-the-line' and shared using the worldwide modified health services
workload counts" (H-341.3-4 e; H-424 b(16)). Its post invoices are summed into the MEDEVAC item, and it is left
out of every basis, as 1901.0 is.

An agency that arrives at a post (or leaves it) during the fiscal year is billed there by its partial-year
invoice (icass.distribution.partial_year; H-341.5-3(D) NOTE 1, H-341.5-4(D) NOTE 1), and the headquarters
invoice "consolidates all post invoices, by agency" (H-424 a): so its post total is the partial-year invoice's,
not its full-year share, and the bases "from post invoices" count what it is billed. The rest of its full-year
share is charged to nobody: the handbook says the arriving agency is not charged, not that the others are. Its
counts stay whole in the count bases: they are the post's counts as certified.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from icass.diagnostics import Diagnostic, error
from icass.distribution.apportion import apportion
from icass.model import ICASS_AGENCY, MEDEVAC_AGENCY, Source
from icass.model.world import (
    BASIC_PACKAGE_COUNTS,
    CLO_COUNTS,
    HEALTH_COUNTS,
    ITEM_SECTION,
    AgencyFigure,
    GfsWorkload,
    Item,
    ItemLine,
    Mail,
    PostProfile,
    TdyCharge,
    World,
)
from icass.money import format_grouped, scaled_integers

Number = int | Decimal
# The items whose basis is money (post totals in cents) rather than a count.
MONEY_BASES = frozenset(
    {
        Item.AMSAL_ADJ,
        Item.PAT_ADJ,
        Item.CF_REPLENISHMENT,
        Item.FSN_SEPARATION,
        Item.LGP_VEHICLES,
        Item.GITM,
        Item.ISC_NONSALARY,
        Item.ISC_SALARY,
        Item.IWG_CHAIR,
    }
)


@dataclass(frozen=True)
class PartialYearAtPost:
    """An agency's days at a post in a fiscal year it arrives or leaves (its post total is its partial-year
    invoice's), and what the full year would have been."""

    first_day: dt.date
    last_day: dt.date
    days: int
    year_days: int
    full_year: int  # cents: the agency's full-year invoice at the post, every funding source

    def said(self) -> str:
        """The line in words, as the headquarters invoice prints it beside the post."""
        return (
            f"partial-year invoice: at post {self.first_day.isoformat()} through {self.last_day.isoformat()}, "
            f"{self.days} of {self.year_days} days, times each line of the full-year invoice "
            f"({format_grouped(self.full_year)}), no local guard program line (H-341.5-3(D) NOTE 1)"
        )


@dataclass(frozen=True)
class PostFigures:
    """What the consolidation needs of one post's finished run."""

    post: str
    region: str
    totals: Mapping[tuple[str, str], int]  # (agency, funding) -> cents, after ICASS redistribution
    funding: Mapping[str, int]  # funding source -> the post's cost, cents
    # (cost center, agency) -> unmodified count, all factor lines; only the cost centers of BASIS_COST_CENTERS
    counts: Mapping[tuple[str, str], Decimal]
    modified: Mapping[tuple[str, str], Decimal]  # (cost center, agency) -> modified count
    # agency -> its days at post, for an agency billed a partial-year invoice (its totals are that invoice's)
    partial_years: Mapping[str, PartialYearAtPost] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemShare:
    """What one source row of an item (an items.csv row, or the ISC's own figure) charged each agency."""

    item: Item
    amount: int  # cents
    basis_name: str  # e.g. "modified 6443 counts worldwide"
    basis: Mapping[str, Number]  # agency -> its basis figure
    parts: Mapping[str, int]  # agency -> cents
    source: Source = field(default=Source("items.csv"), compare=False)
    money: bool = False  # the basis is in cents (post totals), not a count
    # What a post invoiced 9913.0, billed below the line (H-341.3-4 e): money of the posts' budgets, not a charge
    # beside them.
    billed_at_posts: bool = False


@dataclass(frozen=True)
class Consolidation:
    post_totals: Mapping[tuple[str, str, str], int]  # (agency, post, funding) -> cents
    shares: tuple[ItemShare, ...]
    regions: Mapping[str, str] = field(default_factory=dict)  # post -> regional bureau
    # (agency, post) -> its days at post, where its post total is a partial-year invoice's
    partial_years: Mapping[tuple[str, str], PartialYearAtPost] = field(default_factory=dict)

    def item_totals(self) -> dict[tuple[str, Item], int]:
        """(agency, item) -> cents: each agency's one line per item."""
        found: dict[tuple[str, Item], int] = defaultdict(int)
        for share in self.shares:
            for agency, cents in share.parts.items():
                found[(agency, share.item)] += cents
        return dict(found)


def share(amount: int, basis: Mapping[str, Number]) -> dict[str, int]:
    """Apportion `amount` cents over the agencies by `basis` (exact: the basis is scaled to integers)."""
    agencies = sorted(a for a, w in basis.items() if w)
    if amount == 0 or not agencies:
        return {}
    weights, _ = scaled_integers(Decimal(basis[a]) for a in agencies)
    parts = apportion(
        np.array([abs(amount)], dtype=np.int64),
        np.zeros(len(agencies), dtype=np.int64),
        weights,
        np.arange(len(agencies), dtype=np.int64),  # sorted codes: index order is the tie-break order
    )
    sign = -1 if amount < 0 else 1
    return {a: sign * int(p) for a, p in zip(agencies, parts.tolist(), strict=True) if p}


def _without_icass(basis: Mapping[str, Number]) -> dict[str, Number]:
    """The basis less 1901.0 and 9913.0, whose costs reach the other agencies by their own ways."""
    return {a: w for a, w in basis.items() if a not in (ICASS_AGENCY, MEDEVAC_AGENCY) and w}


def _sum_by_agency(pairs: Iterable[tuple[str, Number]]) -> dict[str, Number]:
    found: dict[str, Number] = defaultdict(int)
    for agency, value in pairs:
        found[agency] += value
    return dict(found)


def consolidate(
    world: World,
    posts: Sequence[PostFigures],
    profiles: Sequence[PostProfile],
    items: Sequence[ItemLine],
    dependents: Sequence[AgencyFigure] = (),
    tokens: Sequence[AgencyFigure] = (),
    gfs_workload: Sequence[GfsWorkload] = (),
    tdy: Sequence[TdyCharge] = (),
) -> tuple[Consolidation, list[Diagnostic]]:
    """Every agency's post totals and below-the-line charges, in the order of the issue's rules (GFS first:
    the AmSal and PAT adjustments go by its shares)."""
    profile = {p.post: p for p in profiles}
    post_totals = {(a, p.post, f): c for p in posts for (a, f), c in p.totals.items() if c and a != MEDEVAC_AGENCY}
    # What each post invoices 9913.0, billed below the line as the MEDEVAC item (H-341.3-4 e).
    medevac_invoices = {p.post: sum(c for (a, _), c in p.totals.items() if a == MEDEVAC_AGENCY) for p in posts}
    worldwide = _sum_by_agency((a, c) for (a, _, _), c in post_totals.items())

    # Every count once, by (cost center, modified): the bases below ask for a few cost centers many times.
    by_cost_center: dict[tuple[str, bool], list[tuple[str, str, Decimal]]] = defaultdict(list)
    for p in posts:
        for modified_, table in ((False, p.counts), (True, p.modified)):
            for (cc, agency), value in table.items():
                by_cost_center[(cc, modified_)].append((p.post, agency, value))

    def counts(
        cost_center: str, modified: bool = False, where: set[Mail] | None = None, among: set[str] | None = None
    ) -> dict[str, Number]:
        pairs = (
            (agency, value)
            for post, agency, value in by_cost_center[(cost_center, modified)]
            if (where is None or profile[post].mail in where) and (among is None or post in among)
        )
        return _sum_by_agency(pairs)

    def at_posts(flag: str, funding: str | None = None) -> dict[str, Number]:
        return _sum_by_agency(
            (a, c)
            for (a, post, f), c in post_totals.items()
            if getattr(profile[post], flag) and (funding is None or f == funding)
        )

    def medevac_basis() -> tuple[dict[str, Number], str]:
        medevac = {p.post for p in posts if profile[p.post].medevac}
        return counts(HEALTH_COUNTS, modified=True, among=medevac), "modified 5624 counts at MEDEVAC posts"

    found: list[Diagnostic] = []
    shares: list[ItemShare] = []

    def charge(
        item: Item, amount: int, name: str, basis: Mapping[str, Number], source: Source, at_posts: bool = False
    ) -> dict[str, int]:
        """Share one amount and record it; what each agency got."""
        money = item in MONEY_BASES
        cleaned = _without_icass(basis)
        if amount and not cleaned:
            dollars = f"{amount / 100:,.2f}"
            message = f"{item} has {dollars} dollars to share but its basis ({name}) is zero for every agency"
            found.append(error(source, message, field="amount", section=ITEM_SECTION[item]))
            return {}
        parts = share(amount, cleaned)
        shares.append(ItemShare(item, amount, name, cleaned, parts, source, money, at_posts))
        return parts

    amount_of = _sum_by_agency((line.item, line.amount) for line in items)

    # 1. GFS: each row by the agency's unmodified worldwide count in its cost center plus CGFS's own workload.
    gfs_parts: dict[str, dict[str, int]] = {"AMSAL": defaultdict(int), "PAT": defaultdict(int)}
    for line in items:
        if line.item != Item.GFS:
            continue
        basis: dict[str, Number] = counts(line.cost_center)
        for extra in gfs_workload:
            if extra.cost_center == line.cost_center:
                basis[extra.agency] = basis.get(extra.agency, 0) + extra.count
        name = f"unmodified {line.cost_center} counts worldwide, GFS workload added"
        parts = charge(Item.GFS, line.amount, name, basis, line.source)
        for agency, cents in parts.items():
            if line.funding in gfs_parts:
                gfs_parts[line.funding][agency] += cents

    # 2. The AmSal and PAT adjustments: the targets less what posts budgeted (and, for AmSal, the ISC and
    #    domestic pouch salaries), by each agency's AmSal (PAT) from post and GFS invoices.
    isc = Source("world.toml", key="amsal_target")
    amsal_budgeted = sum(p.funding.get("AMSAL", 0) for p in posts)
    amsal_budgeted += int(amount_of.get(Item.ISC_SALARY, 0)) + int(amount_of.get(Item.DPM_SALARY, 0))
    adjustments = ((Item.AMSAL_ADJ, world.amsal_target, "AMSAL"), (Item.PAT_ADJ, world.pat_target, "PAT"))
    for item, target, funding in adjustments:
        budgeted = amsal_budgeted if funding == "AMSAL" else sum(p.funding.get("PAT", 0) for p in posts)
        basis = _sum_by_agency(
            [(a, c) for (a, _, f), c in post_totals.items() if f == funding] + list(gfs_parts[funding].items())
        )
        source = isc if funding == "AMSAL" else Source("world.toml", key="pat_target")
        charge(item, target - budgeted, f"{funding} from post and GFS invoices", basis, source)

    # 3. Mail: SDT at APO posts; DPM and its salaries split into a pouch part and an APO part.
    pouch_posts, apo_posts = {Mail.POUCH, Mail.BORDER}, {Mail.APO}
    for line in items:
        apo = "unmodified 6150 counts at APO posts"
        if line.item == Item.SDT:
            charge(line.item, line.amount, apo, counts(BASIC_PACKAGE_COUNTS, where=apo_posts), line.source)
        elif line.item in (Item.DPM, Item.DPM_SALARY):
            pouch = _cents(Decimal(line.amount) * world.dpm_pouch_percent / 100)
            name = "unmodified 6150 counts at pouch and border posts"
            charge(line.item, pouch, name, counts(BASIC_PACKAGE_COUNTS, where=pouch_posts), line.source)
            charge(line.item, line.amount - pouch, apo, counts(BASIC_PACKAGE_COUNTS, where=apo_posts), line.source)

    for line in items:
        if line.item == Item.CF_REPLENISHMENT:
            basis = {a: c for (a, post, f), c in post_totals.items() if post == line.post and f == line.funding}
            name = f"{line.funding} totals at {line.post}"
        elif line.item == Item.FLO:
            basis, name = counts(CLO_COUNTS, modified=True), "modified 6443 counts worldwide"
        elif line.item == Item.MED:
            basis, name = counts(HEALTH_COUNTS, modified=True), "modified 5624 counts worldwide"
        elif line.item == Item.MEDEVAC:
            basis, name = medevac_basis()
        elif line.item == Item.FSN_SEPARATION:
            basis, name = at_posts("separation_pay"), "total ICASS cost at separation pay posts"
        elif line.item == Item.LGP_VEHICLES:
            basis, name = at_posts("psa_guards", "LGP"), "LGP totals at posts with PSA guards"
        elif line.item in (Item.GITM, Item.ISC_NONSALARY, Item.ISC_SALARY, Item.IWG_CHAIR):
            basis, name = worldwide, "worldwide post total ICASS cost"
        elif line.item == Item.OVERSEAS_SCHOOLS:
            basis, name = _sum_by_agency((d.agency, d.value) for d in dependents), "overseas school dependents"
        elif line.item == Item.OTHER:
            parts = {line.agency: line.amount}
            shares.append(ItemShare(line.item, line.amount, line.note or "charged as is", {}, parts, line.source))
            continue
        else:
            continue  # shared above
        charge(line.item, line.amount, name, basis, line.source)

    # 5. MEDEVAC: what the posts invoice 9913.0, one share a post, on the same basis as items.csv's MEDEVAC rows.
    for post, cents in sorted(medevac_invoices.items()):
        if cents:
            basis, name = medevac_basis()
            charge(Item.MEDEVAC, cents, name, basis, Source(f"{post}'s invoice of {MEDEVAC_AGENCY}"), at_posts=True)

    # 6. FOB/RSA: the fee times each agency's tokens, not shared.
    for token in tokens:
        cents = _cents(Decimal(world.fob_rsa_fee) * token.value)
        if cents:
            basis = {token.agency: token.value}
            name = "fob_rsa_fee x tokens"
            shares.append(ItemShare(Item.FOB_RSA, cents, name, basis, {token.agency: cents}, token.source))
    # 7. TDY: every issued TDY invoice, charged to its agency as is (H-363.1-6 c(5)).
    for charge_ in tdy:
        # Each invoice named with its amount: an agency's item sums all of its invoices.
        name = f"TDY invoice {charge_.invoice} at {charge_.post} (${format_grouped(charge_.amount)})"
        name += f", {charge_.said}" if charge_.said else ""
        shares.append(ItemShare(Item.TDY, charge_.amount, name, {}, {charge_.agency: charge_.amount}, charge_.source))
    regions = {p.post: p.region for p in posts}
    partial_years = {(a, p.post): days for p in posts for a, days in p.partial_years.items() if a != MEDEVAC_AGENCY}
    return Consolidation(post_totals, tuple(shares), regions, partial_years), found


def _cents(value: Decimal) -> int:
    """To the cent, half up (the issue's rule for the DPM pouch part and the FOB/RSA fee)."""
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))
