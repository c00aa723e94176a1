"""The records of one post's ICASS budget, as read from a bundle; money in whole cents."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# H-420: the post's three targets plus the two centrally funded costs budgeted by post (H-423.1).
FUNDING_SOURCES: tuple[str, ...] = ("RB", "OBO", "LGP", "AMSAL", "PAT")
METHODOLOGIES: tuple[str, ...] = ("standard", "lite")
REGIONS: tuple[str, ...] = ("AF", "EAP", "EUR", "NEA", "SCA", "WHA")
POSITION_CATEGORIES: tuple[str, ...] = ("USDH", "LE")
AMSAL_SOC = "0006"  # H-423.1-1
PAT_SOC = "0005"  # H-423.1-2


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from, so every message can name the file and row."""

    file: str
    row: int = 0  # the row as a spreadsheet numbers it: the header is row 1; 0 = the file as a whole

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}" if self.row else self.file


NOWHERE = Source("<derived>")


@dataclass(frozen=True, slots=True)
class Post:
    code: str
    name: str
    country: str
    region: str
    methodology: str
    fiscal_year: int
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    extra: tuple[tuple[str, str], ...] = ()  # columns the bundle carries beyond code and name
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
    position_id: str
    category: str  # USDH or LE
    grade: str
    title: str
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class PoolLine:
    """One line of a position's cost pool; it follows the position's time allocation."""

    position_id: str
    funding: str
    soc: str
    amount: int
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class TimeAllocation:
    position_id: str
    cost_center: str
    percent: Decimal
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class BudgetLine:
    cost_center: str
    funding: str
    soc: str
    amount: int
    description: str = ""
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Workload:
    cost_center: str
    agency: str
    count: Decimal
    modification: Decimal = Decimal(1)
    source: Source = field(default=NOWHERE, compare=False)

    @property
    def modified_count(self) -> Decimal:
        return self.count * self.modification


@dataclass(frozen=True, slots=True)
class PostBundle:
    """Everything one post's distribution is computed from."""

    post: Post
    agencies: tuple[Agency, ...]
    cost_factors: tuple[CostFactor, ...]
    positions: tuple[Position, ...]
    position_costs: tuple[PoolLine, ...]
    time_allocation: tuple[TimeAllocation, ...]
    budget: tuple[BudgetLine, ...]
    workload: tuple[Workload, ...]

    def cost_pool(self) -> tuple[PoolLine, ...]:
        """Every pool line: each USDH position's AmSal and PAT from its grade (H-423.1), then the rest."""
        factors = {f.grade: f for f in self.cost_factors}
        derived: list[PoolLine] = []
        for position in self.positions:
            if position.category != "USDH":
                continue
            factor = factors[position.grade]
            derived.append(PoolLine(position.position_id, "AMSAL", AMSAL_SOC, factor.amsal, position.source))
            derived.append(PoolLine(position.position_id, "PAT", PAT_SOC, factor.pat, position.source))
        return (*derived, *self.position_costs)
