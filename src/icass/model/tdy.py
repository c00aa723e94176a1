"""The records of the TDY module (6 FAH-5 H-360), as read from a bundle's tdy/ folder: the post's visitor
policy, its official visits, and the services each visit asked for beyond the four mandatory ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from icass.model.provenance import NOWHERE, Source


class VisitCategory(StrEnum):
    """Who the visitor is, for invoicing (H-363 b, H-363.2 a, H-364)."""

    ROUTINE = "ROUTINE"
    CONTRACTOR = "CONTRACTOR"
    GAP_FILLER = "GAP_FILLER"
    ICASS_SUPPORT = "ICASS_SUPPORT"
    POST_TO_POST = "POST_TO_POST"
    MINIMAL = "MINIMAL"
    OIG = "OIG"
    VIP = "VIP"
    SECSTATE = "SECSTATE"
    CABINET = "CABINET"


@dataclass(frozen=True, slots=True)
class Basket:
    """A Lite post's group of General Services billed per day at one modification (H-363.1-5 e)."""

    name: str
    modification: Decimal
    services: tuple[str, ...]
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Policy:
    threshold: int  # cents: an invoice below it is not issued (H-363.1-3 c)
    invoices: bool  # False: the post bills visitors for direct costs only (H-363.1-3 b)
    baskets: tuple[Basket, ...] = ()
    direct_costs: tuple[tuple[str, str], ...] = ()  # the estimates Exhibit H-363.1-2 asks for, as the post words them
    council_approved_on: dt.date | None = None  # the ICASS Council's approval of the policy (H-362 a)
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Visit:
    visit_id: str
    traveler: str
    agency: str  # the sponsoring (funding) agency's ICASS code
    category: VisitCategory
    arrive: dt.date | None
    depart: dt.date | None
    ecc: str  # the eCC number, travel order or APACS number
    approved_on: dt.date | None  # the agency's approval of the invoice
    group_id: str = ""
    related_to: str = ""
    source: Source = field(default=NOWHERE, compare=False)

    @property
    def days(self) -> int:
        """Days at post, the day of arrival and the day of departure included (H-363.1-3 a(5))."""
        assert self.arrive is not None
        assert self.depart is not None
        return (self.depart - self.arrive).days + 1


@dataclass(frozen=True, slots=True)
class Service:
    """A service a visit asked for beyond the mandatory ones, or a mandatory one that carries a modification;
    `cost_center` may name a Lite basket instead."""

    visit_id: str
    cost_center: str
    quantity: Decimal | None  # transaction (cumulative) cost centers only
    modification: Decimal  # 1 when empty
    comment: str = ""
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class TdyRecords:
    policy: Policy
    visits: tuple[Visit, ...]
    services: tuple[Service, ...]


def fiscal_year_of(day: dt.date) -> int:
    """The US Government fiscal year that holds a date: FY N runs from October 1 of N-1 to September 30 of N."""
    return day.year + 1 if day.month >= 10 else day.year
