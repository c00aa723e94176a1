"""Money at the edges: the plain and grouped forms of whole cents, against Fraction arithmetic."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from icass.money import format_grouped, format_plain, parse_cents

CENTS = st.integers(min_value=-(10**16), max_value=10**16)


@given(CENTS)
def test_the_plain_form_is_the_exact_amount_with_two_places(cents):
    text = format_plain(cents)
    whole, _, part = text.lstrip("-").partition(".")
    assert len(part) == 2
    assert whole.isdigit()
    assert whole == "0" or not whole.startswith("0")
    assert text.startswith("-") == (cents < 0)
    assert Fraction(text) == Fraction(cents, 100)
    assert parse_cents(text) == cents
    assert format_plain(np.int64(cents)) == text  # the engine hands numpy integers too


@given(CENTS)
def test_the_grouped_form_reads_back_as_the_plain_one(cents):
    assert format_grouped(cents).replace(",", "") == format_plain(cents)


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9, places=6)))
def test_scaled_integers_are_each_value_over_the_least_common_power_of_ten(values):
    from icass.money import scaled_integers

    integers, exponent = scaled_integers(values)
    assert [Decimal(int(i)) / 10**exponent for i in integers] == values
    if exponent:
        assert any((v * 10 ** (exponent - 1)) % 1 for v in values)


@given(st.integers(min_value=0, max_value=10**14))
def test_an_amount_typed_as_people_write_it_is_its_exact_cents(cents):
    from icass.money import typed_cents

    grouped = format_grouped(cents)
    for typed in (grouped, f"${grouped}", format_plain(cents), f" $ {grouped} "):
        assert typed_cents(typed) == cents
    if cents % 100 == 0:
        assert typed_cents(grouped.removesuffix(".00")) == cents  # "12,000"


def test_an_amount_people_would_not_write_is_refused_saying_why():
    import pytest

    from icass.money import typed_cents

    for typed in ("12,00", "1,2000", "12.345", "twelve", "", "1e3", "12,000.5.0", "$$12"):
        with pytest.raises(ValueError, match=r"is not an amount in dollars such as 12,000\.00"):
            typed_cents(typed)
    with pytest.raises(ValueError, match="is negative"):
        typed_cents("-5")
