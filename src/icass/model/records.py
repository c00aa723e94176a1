"""The records of one post's ICASS budget, as read from a bundle; money in whole cents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from icass.model.columnar import column
from icass.model.provenance import NOWHERE, Source
from icass.model.sources import SourceRecords


class Funding(StrEnum):
    """H-420: the post's three targets plus the two centrally funded costs budgeted by post (H-423.1)."""

    RB = "RB"  # Regional Bureau
    OBO = "OBO"  # Overseas Buildings Operations
    LGP = "LGP"  # Diplomatic Security Local Guard Program
    AMSAL = "AMSAL"  # American salaries
    PAT = "PAT"  # post assignment travel


class Methodology(StrEnum):
    STANDARD = "standard"  # H-341
    LITE = "lite"  # H-342


class Region(StrEnum):
    AF = "AF"
    EAP = "EAP"
    EUR = "EUR"
    NEA = "NEA"
    SCA = "SCA"
    WHA = "WHA"


class GuardForce(StrEnum):
    """Who the post's local guards are (H-341.5 g): some rules differ for guards on personal services
    agreements and a contract guard force."""

    PSA = "psa"
    CONTRACT = "contract"


class PositionCategory(StrEnum):
    USDH = "USDH"
    LE = "LE"
    # An eligible family member's position: a position cost as LE staff's, its salary, benefits and base
    # allowances funded in Washington, outside the post's budget (H-422.3(1) NOTE).
    EFM = "EFM"


class Origin(StrEnum):
    """Where a workload count comes from: derived from the post's records, or typed in workload.csv."""

    DERIVED = "derived"
    ENTERED = "entered"


# The member order is the engine's funding axis and every report's column order.
FUNDING_SOURCES: tuple[Funding, ...] = tuple(Funding)
METHODOLOGIES: tuple[Methodology, ...] = tuple(Methodology)
REGIONS: tuple[Region, ...] = tuple(Region)
POSITION_CATEGORIES: tuple[PositionCategory, ...] = tuple(PositionCategory)
AMSAL_SOC = "0006"  # H-423.1-1
PAT_SOC = "0005"  # H-423.1-2


@dataclass(frozen=True, slots=True)
class Post:
    """The post and its budget year (post.toml)."""

    code: str
    name: str
    country: str
    region: str
    methodology: Methodology
    fiscal_year: int
    count_date: dt.date | None = None  # post.toml may move it; otherwise May 1 of the year before (H-341.1-4 a)
    stage: str = ""  # what the budget is, as post.toml says: "final" for the ISC-accepted final budget
    # Facts some budget rules need (icass.checks.facts); None or "": post.toml does not say.
    guard_force: GuardForce | None = None  # personal services agreement guards or a contract force (H-341.5 g)
    medevac_post: bool | None = None  # a designated regional MEDEVAC post (H-341.3-4 e)
    furniture_pool: bool | None = None  # the post runs a furniture and appliance pool (H-341.15-6)
    state_program_im: bool | None = None  # a State Program USDH IM officer outside positions.csv (H-341.4-3 NOTE 1)
    cell_phone_program: bool | None = None  # ICASS manages the official cell phone program (H-341.9-3(A) NOTE 2)
    radio_repeater_site: bool | None = None  # ICASS leases a site for its radio repeaters (H-341.9-3(B) NOTE 6)
    new_facilities: bool | None = None  # the post moves into new facilities next fiscal year (H-341.12-1(D) NOTE 2)
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Agency:
    """One agency at the post (agencies.csv)."""

    code: str
    name: str
    extra: tuple[tuple[str, str], ...] = ()  # columns the bundle carries beyond code and name
    separate_network: bool = False  # keeps its own IT network: its OpenNet accounts weigh 0.3 (H-341.4-4 a(2))
    # Facts some budget rules need (icass.checks.facts); None: agencies.csv does not say.
    under_com: bool | None = None  # its people are under chief of mission authority (H-341 b)
    physically_present: bool | None = None  # it has people physically at post (H-341 b)
    co_located: bool | None = None  # it sits in the embassy's buildings (H-341 b(1))
    government_housing: bool | None = None  # its people live in government-provided housing (H-341 b(2))
    own_medical_program: bool | None = None  # it runs its own medical program (H-341.3)
    # Its first and last day at post, when it arrives or leaves (icass.distribution.partial_year); None: not said.
    arrives_on: dt.date | None = None
    leaves_on: dt.date | None = None
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class CostFactor:
    """The annual AmSal and PAT cost factor of one USDH grade (H-423.1)."""

    grade: str
    amsal: int
    pat: int
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Position:
    """One ICASS position (positions.csv)."""

    position_id: str
    category: PositionCategory
    grade: str
    title: str
    dual_function: bool = False  # one incumbent serves ICASS and a program (H-341.14-1 b)
    dual_approved_on: dt.date | None = None  # when such an LE position was approved (H-341.14-1 b)
    ds_approved_on: dt.date | None = None  # DS's prior approval of a local guard coordinator or clerk (H-341.5-1(C))
    council_approved_on: dt.date | None = None  # the ICASS Council's approval of the same (H-341.5-1(C))
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class PoolLine:
    """One line of a position's cost pool; it follows the position's time allocation."""

    position_id: str
    funding: Funding
    soc: str
    amount: int
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class TimeAllocation:
    """The percent of a position's time spent on one cost center (time_allocation.csv)."""

    position_id: str
    cost_center: str
    percent: Decimal
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One line of the post's budget (budget.csv)."""

    cost_center: str
    funding: Funding
    soc: str
    amount: int
    description: str = ""
    lease: bool = False  # a residential or nonresidential lease line, left out of TDY rates (H-363.1-3 a(4))
    central: bool = False  # a centrally funded RB or DS contract, inside the target (H-423.2-1)
    provider: str = ""  # the agency of an alternate service provider whose line it is; "": State's (H-421 NOTE)
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Workload:
    """One agency's count of one distribution factor of a cost center (H-341.1-4 NOTE 2), and the budget
    committee's modification of it; `factor` "" is the cost center's single (or main) factor."""

    cost_center: str
    agency: str
    count: Decimal
    modification: Decimal = Decimal(1)
    factor: str = ""
    origin: Origin = Origin.ENTERED
    source: Source = field(default=NOWHERE, compare=False)

    @property
    def modified_count(self) -> Decimal:
        return self.count * self.modification


@dataclass(frozen=True, slots=True)
class Modification:
    """A budget committee's approved modification of one agency's count: of one factor, or of all the
    agency's factors in the cost center when `factor` is empty."""

    cost_center: str
    agency: str
    factor: str  # "" = every factor of the agency in this cost center
    modification: Decimal | None  # None when given as a named level, until the catalog resolves it
    justification: str
    bc_approved_on: dt.date | None
    med_approved_on: dt.date | None = None
    level: str = ""  # the named level it was given as, if any (e.g. 6143 RECEIVING_AND_DELIVERY)
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """The FMO's reason for leaving a warning of a budget rule as it is (acknowledgements.csv): the warning of
    `rule` on `file`'s row `row` (0: the file as a whole) is no longer counted as open, and the committee sees
    the reason beside it. Errors cannot be acknowledged."""

    rule: str
    file: str
    row: int
    reason: str
    by: str
    on: dt.date
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Target:
    """What a post may budget of one funding source (RB, OBO or LGP) in a fiscal year, as the ISC set it: an
    initial target, and later a final one (H-422). AmSal and PAT are outside every target (H-423.1 a)."""

    fiscal_year: int
    funding: Funding
    kind: str  # initial | final
    amount: int
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Termination:
    """A customer agency's notice of terminating a service (terminations.csv): given on `notice_on`, it runs
    out on `ends_on`, an April 1 or October 1 six months or more later; until then the agency keeps its count
    in the cost center, and a vacating tenant bears the cost of its space (H-341.12-4(D) c)."""

    agency: str
    cost_center: str
    notice_on: dt.date
    ends_on: dt.date
    reassigned_on: dt.date | None = None  # another tenant took the vacated space: the count is kept until then
    source: Source = field(default=NOWHERE, compare=False)

    @property
    def counted_until(self) -> dt.date:
        """The day the agency stops bearing the cost: the notice's end, or the space's reassignment before it."""
        reassigned = self.reassigned_on
        return self.ends_on if reassigned is None or reassigned > self.ends_on else reassigned


@dataclass(frozen=True, slots=True)
class PostBundle:
    """Everything one post's distribution is computed from."""

    post: Post
    agencies: tuple[Agency, ...]
    cost_factors: tuple[CostFactor, ...]
    # The large tables: a tuple of records, or, as read from a bundle, the columns they were read in
    # (icass.model.columnar.RecordColumns), whose records are made only when asked for.
    positions: Sequence[Position]
    position_costs: Sequence[PoolLine]
    time_allocation: Sequence[TimeAllocation]
    budget: Sequence[BudgetLine]
    workload: Sequence[Workload]
    # terminations.csv's notices; None when the bundle has no such file (the rule on notices is then not judged).
    terminations: tuple[Termination, ...] | None = None

    def on_notice(self, cost_center: str) -> frozenset[str]:
        """The agencies whose notice of terminating `cost_center` has not run out when the fiscal year begins
        (October 1 of the year before): they bear its cost still (H-341.12-4(D) c)."""
        begins = dt.date(self.post.fiscal_year - 1, 10, 1)
        notices = self.terminations or ()
        return frozenset(n.agency for n in notices if n.cost_center == cost_center and n.counted_until > begins)

    def cost_pool(self) -> tuple[PoolLine, ...]:
        """Every pool line: each USDH position's AmSal and PAT from its grade (H-423.1), then the rest."""
        factors = {f.grade: f for f in self.cost_factors}
        derived: list[PoolLine] = []
        for position in self.positions:
            if position.category != PositionCategory.USDH:
                continue
            factor = factors[position.grade]
            derived.append(PoolLine(position.position_id, Funding.AMSAL, AMSAL_SOC, factor.amsal, position.source))
            derived.append(PoolLine(position.position_id, Funding.PAT, PAT_SOC, factor.pat, position.source))
        return (*derived, *self.position_costs)

    def cost_pool_columns(self) -> tuple[list[str], list[Funding], list[int]]:
        """cost_pool() as columns (position_id, funding, amount), in the same order, with no record made."""
        cents = {f.grade: (f.amsal, f.pat) for f in self.cost_factors}
        ids: list[str] = []
        funding: list[Funding] = []
        amounts: list[int] = []
        positions = self.positions
        for position_id, category, grade in zip(
            column(positions, "position_id"), column(positions, "category"), column(positions, "grade"), strict=True
        ):
            if category == PositionCategory.USDH:
                ids += (position_id, position_id)
                funding += (Funding.AMSAL, Funding.PAT)
                amounts += cents[grade]
        ids += column(self.position_costs, "position_id")
        funding += column(self.position_costs, "funding")
        amounts += column(self.position_costs, "amount")
        return ids, funding, amounts


@dataclass(frozen=True)
class PostRecords:
    """Everything a bundle holds: the budget side and the counts typed in workload.csv (as a PostBundle),
    the budget committee's modifications, and the source records that counts are derived from."""

    entered: PostBundle
    modifications: tuple[Modification, ...] = ()
    sources: SourceRecords = field(default_factory=SourceRecords)
    acknowledgements: tuple[Acknowledgement, ...] = ()
    targets: tuple[Target, ...] = ()  # a bundle's own targets.csv (a world's posts take world/targets.csv's)

    @property
    def post(self) -> Post:
        return self.entered.post
