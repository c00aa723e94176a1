"""Each agency's bill at a post, by funding source: the one sum of the distribution's lines by agency that the
dashboard, the CLI's distribution table, a scenario's comparison and the changes since a version all read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from icass.distribution.steps import Distribution


@dataclass(frozen=True)
class AgencyBill:
    """What an agency is billed at a post: per funding source (share plus ICASS redistribution, cents, only
    the funding sources it is billed under), and of that the ICASS redistribution."""

    by_funding: Mapping[str, int]
    redistribution: int

    @property
    def total(self) -> int:
        return sum(self.by_funding.values())


def agency_bills(distribution: Distribution, post: str | None = None) -> dict[str, AgencyBill]:
    """Every agency with a line at `post`, in code order, with its bill."""
    by_funding: dict[str, dict[str, int]] = {}
    redistribution: dict[str, int] = {}
    for agency, _cost_center, funding, _own, redistributed, total in distribution.lines(post):
        billed = by_funding.setdefault(agency, {})
        billed[funding] = billed.get(funding, 0) + total
        redistribution[agency] = redistribution.get(agency, 0) + redistributed
    return {agency: AgencyBill(billed, redistribution[agency]) for agency, billed in by_funding.items()}
