"""The cost of argon2id: production's is argon2-cffi's default whatever the tests set, and only a named
profile may lower it."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from icass.store import accounts


@pytest.fixture
def profile(monkeypatch):
    def use(value: str | None) -> PasswordHasher:
        if value is None:
            monkeypatch.delenv(accounts.ARGON2_PROFILE, raising=False)
        else:
            monkeypatch.setenv(accounts.ARGON2_PROFILE, value)
        accounts._hasher.cache_clear()
        return accounts._hasher()

    yield use
    accounts._hasher.cache_clear()


def test_without_a_profile_the_cost_is_argon2s_default(profile):
    default = PasswordHasher()
    hasher = profile(None)
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert hasher.memory_cost >= 64 * 1024
    assert "m=65536" in hasher.hash("a password")


def test_the_test_profile_is_cheap_and_its_hashes_check_anywhere(profile):
    cheap = profile("test").hash("a password")
    assert "m=8,t=1,p=1" in cheap
    assert profile(None).verify(cheap, "a password")


def test_an_unknown_profile_is_refused(profile):
    with pytest.raises(ValueError, match="ICASS_ARGON2_PROFILE='fast'"):
        profile("fast")
