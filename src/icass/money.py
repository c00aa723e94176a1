"""Money is whole cents (int) inside; Decimal only at the edges (files, screens)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy.typing as npt


CENT = Decimal("0.01")
_PLAIN_CHARACTERS = re.compile(r"[0-9.+-]+")  # what may make up a plain decimal; Decimal() checks the rest


def parse_decimal(text: str) -> Decimal:
    """A plain decimal string ("12", "-3.5", "0.30"); no exponents, no thousands separators."""
    stripped = text.strip()
    if not _PLAIN_CHARACTERS.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a plain decimal number")
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a plain decimal number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return value


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # parse_decimal rejects NaN and infinities
    return max(0, -exponent)


def parse_cents(text: str) -> int:
    """An amount string with at most two decimal places, as whole cents."""
    value = parse_decimal(text)
    if decimal_places(value) > 2:
        raise ValueError(f"{text!r} has more than two decimal places")
    return int(value * 100)


# An amount as a person types it on a page: an optional dollar sign, digits grouped by commas in threes or not
# grouped at all, and at most two decimals ("12,000", "$12,000.00", "12000").
_TYPED_AMOUNT = re.compile(r"\$?\s*(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<part>\.\d{1,2})?")


def typed_cents(text: str) -> int:
    """An amount as a person types it ("12,000", "$12,000.00", "12000") as whole cents, exactly (Decimal). What
    is not such an amount raises ValueError saying what is wrong with it."""
    stripped = text.strip()
    found = _TYPED_AMOUNT.fullmatch(stripped)
    if found is None:
        if stripped.lstrip("$ ").startswith("-"):
            raise ValueError(f"{text.strip()!r} is negative")
        raise ValueError(f"{text.strip()!r} is not an amount in dollars such as 12,000.00")
    return parse_cents(found["whole"].replace(",", "") + (found["part"] or ""))


def to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def format_plain(cents: int) -> str:
    """`-12.50`: the interchange form (CSV, JSON). Integer arithmetic, exact: this runs for every line a
    report writes, and str(to_decimal(cents)) costs three times as much."""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


def percent_of(part: Decimal | int, whole: Decimal | int, places: int = 2) -> Decimal:
    """`part` as a percent of `whole`, rounded half to even to `places` decimals (0 when `whole` is 0): the one
    rounding of a share, an invoice line's and the dashboard's (two places) as the CLI's explanation (four)."""
    if not whole:
        return Decimal(0)
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places))


def format_grouped(cents: int) -> str:
    """`-1,234.50`: the reading form (tables, invoices)."""
    return f"{to_decimal(cents):,.2f}"


def scaled_integers(values: Iterable[Decimal]) -> tuple[npt.NDArray[np.int64], int]:
    """Decimals as integers over one common power of ten, so that ratios stay exact.

    Returns (integers, exponent) with value == integer / 10**exponent for every value, the exponent the
    least that makes every value whole. Each value is taken as its exact fraction (Decimal.as_integer_ratio,
    in C; Decimal.as_tuple builds a Python named tuple a value, which took half this function's time), so
    the integers are exact whatever the context's precision.
    """
    items = list(values)
    # Columns repeat a few values thousands of times (percents, counts): each value's fraction found once.
    fraction = {v: v.as_integer_ratio() for v in set(items)}  # ValueError, OverflowError: NaN, infinity
    ratios = list(map(fraction.__getitem__, items))
    numerators = list(map(itemgetter(0), ratios))
    denominators = list(map(itemgetter(1), ratios))
    lcm = math.lcm(*set(denominators))  # of powers of 2 and 5: a finite decimal's denominator
    exponent = 0
    while 10**exponent % lcm:
        exponent += 1
    scale = 10**exponent
    n = len(ratios)
    if max(map(abs, numerators), default=0) * scale < 2**63:
        # Every integer fits: in int64 arrays, with no Python object made a value.
        return np.fromiter(numerators, np.int64, n) * (scale // np.fromiter(denominators, np.int64, n)), exponent
    return np.array([a * (scale // b) for a, b in ratios], dtype=np.int64), exponent  # OverflowError past int64


# "12,000", "$12,000.50", "$ 950": dollars as people type them, grouped by threes with commas.
def plain_amount(text: str) -> str:
    """An amount as a person types it ("$12,000.00") as the plain decimal the files hold ("12000.00"); any
    other text as it is, for the amount's own check to name what is wrong with it ("12,00" is not grouped by
    threes: it may be a decimal comma, so it is not guessed at)."""
    typed = _TYPED_AMOUNT.fullmatch(text.strip())
    if typed is None:
        return text
    return typed["whole"].replace(",", "") + (typed["part"] or "")
