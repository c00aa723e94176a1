"""The count date and the cumulative window of a fiscal year (H-341.1-4 a: "a static count as of May 1";
cumulative counts run over the twelve months before it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icass.catalog.counting import CountingRules


@dataclass(frozen=True, slots=True)
class CountPeriod:
    """The count date of static counts and the window of cumulative ones."""

    count_date: dt.date  # static counts: who and what is there on this day
    first_day: dt.date  # cumulative counts: rows dated first_day..last_day, both inclusive
    last_day: dt.date

    def __str__(self) -> str:
        return f"count date {self.count_date}, window {self.first_day} to {self.last_day}"


def count_period(fiscal_year: int, rules: CountingRules, count_date: dt.date | None = None) -> CountPeriod:
    """For fiscal year N: May 1 of N-1, and May 1 of N-2 to April 30 of N-1. A post that sets its own count
    date gets the twelve months ending the day before it; a February 29 start moves to March 1 (our reading:
    the window then still ends the day before the count date and spans one year)."""
    day = count_date or dt.date(fiscal_year - 1, rules.static_month, rules.static_day)
    try:
        first = day.replace(year=day.year - 1)
    except ValueError:  # February 29 in a leap year
        first = dt.date(day.year - 1, 3, 1)
    return CountPeriod(day, first, day - dt.timedelta(days=1))
