"""A fiscal year's data call (issue 20 §2): the ISC opens it with the day static counts are taken, the window of
cumulative counts, and the days by which each post sends its counts to the agencies and the agencies agree them.
Pure: the store keeps what this decides (icass.store.data_call).

For fiscal year N the defaults are those of the handbook and of the ICASS year: "a static count as of May 1"
(H-341.1-4 a) of N-1, the same day icass.workload.dates takes when post.toml says nothing; cumulative counts
over the twelve months before it, May 1 of N-2 to April 30 of N-1; counts to the agencies by June 1 of N-1 and
agreed by July 1 of N-1 (the issue's dates, which the handbook does not fix).

The order the dates must keep (our reading, docs/workspace.md "The data call and staffing certification"):
window_start <= window_end < count_date <= counts_to_agencies_by <= counts_agreed_by, and the count date before
the fiscal year begins (October 1 of N-1): counts are taken on a day after the window they close, sent to the
agencies after they are taken, agreed after they are sent, and all for a budget not yet begun."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

COUNT_MONTH, COUNT_DAY = 5, 1  # H-341.1-4 a: "a static count as of May 1" (the catalog's static_month, static_day)
TO_AGENCIES = (6, 1)  # June 1: the counts go to the agencies
AGREED = (7, 1)  # July 1: the agencies have agreed them
SECTION = "H-341.1-4 a"

# The dates a data call carries, in the order they must fall (our reading, see the module's note).
DATES = ("window_start", "window_end", "count_date", "counts_to_agencies_by", "counts_agreed_by")
FIRST_YEAR, LAST_YEAR = 1990, 2999  # the fiscal years a data call may be opened for (as the API's paths)


@dataclass(frozen=True)
class DataCall:
    """A fiscal year's data call as the ISC opened (or last changed) it; `opened_by` and `opened_at` (ISO 8601
    UTC text, as the record keeps times) name who set it as it stands."""

    fiscal_year: int
    count_date: dt.date
    window_start: dt.date
    window_end: dt.date
    counts_to_agencies_by: dt.date
    counts_agreed_by: dt.date
    opened_by: str = ""
    opened_at: str = ""


class Invalid(ValueError):
    """A data call's dates out of order or out of range (HTTP 422): `field` is the date at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def fiscal_year_begins(fiscal_year: int) -> dt.date:
    """October 1 before: fiscal year N runs October 1 of N-1 to September 30 of N."""
    return dt.date(fiscal_year - 1, 10, 1)


def defaults(fiscal_year: int) -> DataCall:
    """Fiscal year N's data call as the handbook and the ICASS year would have it (see the module's note)."""
    _check_year(fiscal_year)
    count = dt.date(fiscal_year - 1, COUNT_MONTH, COUNT_DAY)
    return DataCall(
        fiscal_year,
        count,
        dt.date(fiscal_year - 2, COUNT_MONTH, COUNT_DAY),
        count - dt.timedelta(days=1),
        dt.date(fiscal_year - 1, *TO_AGENCIES),
        dt.date(fiscal_year - 1, *AGREED),
    )


def _check_year(fiscal_year: int) -> None:
    if not FIRST_YEAR <= fiscal_year <= LAST_YEAR:
        raise Invalid("fiscal_year", f"fiscal year {fiscal_year} is not between {FIRST_YEAR} and {LAST_YEAR}")


def made(fiscal_year: int, given: dict[str, dt.date | None], base: DataCall | None = None) -> DataCall:
    """The data call of `fiscal_year` with the dates `given` (None: keep `base`'s, else the default), checked
    (Invalid naming the first date at fault). With a new count date and no window given, the window follows it:
    the twelve months ending the day before, as icass.workload.dates reads a post's own count date."""
    unknown = sorted(set(given) - set(DATES))
    if unknown:
        raise Invalid(unknown[0], f"{unknown[0]} is not a date of the data call: {', '.join(DATES)}")
    start = base or defaults(fiscal_year)
    values = {name: getattr(start, name) for name in DATES}
    values |= {name: day for name, day in given.items() if day is not None}
    moved = given.get("count_date")
    if moved is not None and given.get("window_start") is None and given.get("window_end") is None:
        values["window_start"], values["window_end"] = window_before(moved)
    call = DataCall(fiscal_year, **values)
    check(call)
    return call


def window_before(count_date: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months ending the day before `count_date`; a February 29 start moves to March 1. Invalid for a
    count date of the calendar's first year, which has no twelve months before it."""
    if count_date.year == dt.MINYEAR:
        raise Invalid("count_date", f"the count date ({count_date}) has no twelve months before it for the window")
    try:
        first = count_date.replace(year=count_date.year - 1)
    except ValueError:
        first = dt.date(count_date.year - 1, 3, 1)
    return first, count_date - dt.timedelta(days=1)


def check(call: DataCall) -> None:
    """Invalid, naming the date at fault, unless the dates keep their order and the count date falls before
    the fiscal year begins."""
    _check_year(call.fiscal_year)
    names = {
        "window_start": "the window's first day",
        "window_end": "the window's last day",
        "count_date": "the count date",
        "counts_to_agencies_by": "the day counts go to the agencies",
        "counts_agreed_by": "the day counts are agreed",
    }
    for earlier, later in itertools.pairwise(DATES):
        before, after = getattr(call, earlier), getattr(call, later)
        wrong = after <= before if later == "count_date" else after < before
        if wrong:
            word = "after" if later == "count_date" else "on or after"
            raise Invalid(
                later,
                f"{names[later]} ({after}) must fall {word} {names[earlier]} ({before}): the window closes before "
                f"the count date ({SECTION}), counts go to the agencies after they are taken and are agreed after",
            )
    begins = fiscal_year_begins(call.fiscal_year)
    if call.count_date >= begins:
        raise Invalid(
            "count_date",
            f"the count date ({call.count_date}) must fall before fiscal year {call.fiscal_year} begins ({begins}): "
            f"the counts are the budget's ({SECTION})",
        )
