"""The partial-year invoice of an agency that arrives at post, or leaves it, during the fiscal year.

The handbook names the invoice ("the ICASS software does not include any LGP costs in the Partial Year
Invoice", H-341.5-3(D) NOTE 1, H-341.5-4(D) NOTE 1) but not its formula. Read here: the agency's charge in the
distribution that includes its counts (its full-year invoice), on each line times the days it is at post in
the fiscal year over the days of the fiscal year, each (cost center, funding source) amount rounded once, half
up; the local guard program's cost centers (5821, 5822, 5823, 5826 and their sub-cost centers) are left out,
since "new agencies would not be charged for this service in the arrival year".

The days at post run from the later of October 1 and `arrives_on` through the earlier of September 30 and
`leaves_on`, both counted, as a TDY visit's days count the day of arrival and of departure (H-363.1-6 a(5)).
A departure is read on the same formula: `leaves_on` is the last day the agency is served, once its notice of
leaving has run out (H-016.5, H-341.12-4(D) c); the software's invoice is the only one the handbook names for
a part of a year, and it holds no LGP cost. An agency at post the whole fiscal year has none (its invoice is
the full year's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from icass.distribution.invoice import Invoice
from icass.model import LOCAL_GUARD_PROGRAM, PostBundle


def local_guard_program(cost_center: str) -> bool:
    return cost_center.partition("-")[0] in LOCAL_GUARD_PROGRAM


@dataclass(frozen=True)
class PartialYearLine:
    cost_center: str
    amounts: dict[str, int]  # per funding source, cents

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass(frozen=True)
class PartialYear:
    """The partial-year invoice: its first and last day at post in the fiscal year, how many days that is of
    how many, and its lines."""

    first_day: dt.date
    last_day: dt.date
    days: int
    year_days: int
    lines: tuple[PartialYearLine, ...]

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.days, self.year_days)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    def subtotal(self, funding: str) -> int:
        return sum(line.amounts.get(funding, 0) for line in self.lines)


def fiscal_year_days(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """October 1 of the year before and September 30."""
    return dt.date(fiscal_year - 1, 10, 1), dt.date(fiscal_year, 9, 30)


def days_at_post(fiscal_year: int, arrives_on: dt.date | None, leaves_on: dt.date | None) -> tuple[int, int]:
    """The days of the fiscal year from arrival through departure, both counted (0 when none), and the days of
    the fiscal year."""
    begins, ends = fiscal_year_days(fiscal_year)
    first = begins if arrives_on is None else max(begins, arrives_on)
    last = ends if leaves_on is None else min(ends, leaves_on)
    return max(0, (last - first).days + 1), (ends - begins).days + 1


def _part(cents: int, days: int, year_days: int) -> int:
    return int((Decimal(cents) * days / year_days).quantize(Decimal(1), ROUND_HALF_UP))


def partial_year(bill: Invoice, arrives_on: dt.date | None, leaves_on: dt.date | None) -> PartialYear | None:
    """The partial-year invoice of `bill`'s agency, arriving on `arrives_on` and leaving after `leaves_on`;
    None when it is at post the whole fiscal year."""
    days, year_days = days_at_post(bill.fiscal_year, arrives_on, leaves_on)
    if days == year_days:
        return None
    begins, ends = fiscal_year_days(bill.fiscal_year)
    first = begins if arrives_on is None else max(begins, arrives_on)
    last = ends if leaves_on is None else min(ends, leaves_on)
    lines = tuple(
        PartialYearLine(line.cost_center, {f: _part(c, days, year_days) for f, c in line.amounts.items()})
        for line in bill.lines
        if not local_guard_program(line.cost_center)
    )
    return PartialYear(first, last, days, year_days, lines)


def of_agency(bundle: PostBundle, bill: Invoice) -> PartialYear | None:
    """The partial-year invoice of `bill`'s agency, by its days at post as agencies.csv gives them."""
    agency = next(a for a in bundle.agencies if a.code == bill.agency)
    return partial_year(bill, agency.arrives_on, agency.leaves_on)
