"""The apportion kernel against the Fraction reference, including magnitudes that overflow int64."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.distribution import apportion
from icass.distribution.apportion import apportion_block
from tests.reference import apportion as reference_apportion

groups = st.lists(
    st.tuples(
        st.integers(-(10**12), 10**12),  # the amount of the group, in cents
        st.lists(st.integers(0, 10**6), min_size=1, max_size=12),  # the weights of its rows
    ),
    min_size=1,
    max_size=8,
)


def run(cases: list[tuple[int, list[int]]], shuffle_seed: int | None = None) -> list[list[int]]:
    amount = np.array([a for a, _ in cases], dtype=np.int64)
    group = np.array([g for g, (_, ws) in enumerate(cases) for _ in ws], dtype=np.int64)
    weight = np.array([w for _, ws in cases for w in ws], dtype=np.int64)
    key = np.array([k for _, ws in cases for k in range(len(ws))], dtype=np.int64)
    order = np.arange(group.size)
    if shuffle_seed is not None:
        np.random.default_rng(shuffle_seed).shuffle(order)
    shares = np.empty(group.size, dtype=np.int64)
    shares[order] = apportion(amount, group[order], weight[order], key[order])
    out, i = [], 0
    for _, ws in cases:
        out.append(shares[i : i + len(ws)].tolist())
        i += len(ws)
    return out


def expected(cases: list[tuple[int, list[int]]]) -> list[list[int]]:
    result = []
    for amount, ws in cases:
        if sum(ws) == 0:
            result.append([0] * len(ws))
            continue
        shares = reference_apportion(amount, dict(enumerate(ws)), key=lambda k: f"{k:04d}")
        result.append([shares[k] for k in range(len(ws))])
    return result


@settings(max_examples=300)
@given(groups, st.integers(0, 2**32))
def test_matches_fraction_reference_in_any_row_order(cases, seed):
    cases = [(a if sum(ws) else 0, ws) for a, ws in cases]
    assert run(cases, shuffle_seed=seed) == expected(cases)


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.integers(-(2**62), 2**62),
            st.lists(st.integers(1, 2**40), min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_products_beyond_int64_stay_exact(cases):
    assert run(cases) == expected(cases)


@settings(max_examples=100)
@given(st.integers(0, 10**12), st.lists(st.integers(2**60, 2**62), min_size=2, max_size=5))
def test_weight_sums_beyond_int64_stay_exact(amount, ws):
    assert run([(amount, ws)]) == expected([(amount, ws)])


def test_ties_go_to_the_smaller_key():
    # 100 cents over three equal weights: 33 each, the one cent left goes to the smallest key.
    shares = apportion(np.array([100]), np.zeros(3, dtype=np.int64), np.ones(3, dtype=np.int64), np.array([2, 0, 1]))
    assert shares.tolist() == [33, 34, 33]


def test_largest_remainder_wins_over_key():
    # 10 cents by 1:2: exact 3.33 and 6.67; the cent goes to the larger remainder, key 1.
    shares = apportion(np.array([10]), np.zeros(2, dtype=np.int64), np.array([1, 2]), np.array([0, 1]))
    assert shares.tolist() == [3, 7]
    assert Fraction(10, 3) - 3 < Fraction(20, 3) - 6


def test_an_amount_with_only_zero_weights_is_refused():
    with pytest.raises(ValueError, match="zero weights"):
        apportion(np.array([5]), np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64), np.array([0, 1]))


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="negative"):
        apportion(np.array([5]), np.zeros(2, dtype=np.int64), np.array([1, -1]), np.array([0, 1]))


def block_expected(amounts: list[int], rows: list[list[int]]) -> list[list[int]]:
    return expected([(a if sum(ws) else 0, ws) for a, ws in zip(amounts, rows, strict=True)])


blocks = st.integers(1, 8).flatmap(
    lambda width: st.lists(
        st.tuples(st.integers(-(10**12), 10**12), st.lists(st.integers(0, 10**6), min_size=width, max_size=width)),
        min_size=1,
        max_size=8,
    )
)


@settings(max_examples=300)
@given(blocks)
def test_block_matches_fraction_reference(cases):
    amounts = [a if sum(ws) else 0 for a, ws in cases]
    rows = [ws for _, ws in cases]
    result = apportion_block(np.array(amounts, dtype=np.int64), np.array(rows, dtype=np.int64))
    assert result.tolist() == block_expected(amounts, rows)


@settings(max_examples=150)
@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.tuples(st.integers(-(2**62), 2**62), st.lists(st.integers(1, 2**58), min_size=width, max_size=width)),
            min_size=1,
            max_size=4,
        )
    )
)
def test_block_beyond_int64_stays_exact(cases):
    amounts = [a for a, _ in cases]
    rows = [ws for _, ws in cases]
    result = apportion_block(np.array(amounts, dtype=np.int64), np.array(rows, dtype=np.int64))
    assert result.tolist() == block_expected(amounts, rows)


def test_block_of_zero_weights_with_an_amount_is_refused():
    with pytest.raises(ValueError, match="zero weights"):
        apportion_block(np.array([5]), np.zeros((1, 3), dtype=np.int64))
