"""The optional facts some budget rules need (docs/bundle.md): a post's guard force, its MEDEVAC designation,
furniture pool, State Program IM officer, cell phone program, radio repeater site and new facilities (post.toml),
its agencies' standing (agencies.csv) and its dual-function positions (positions.csv). A rule that needs a fact
the bundle does not give is not judged (icass.checks.unjudged_rules says so once); a fact is given when
post.toml has the key, when at least one agency's cell says yes or no, or when at least one position is
designated dual-function (or none needs to be)."""

from __future__ import annotations

from collections.abc import Callable

from icass.model import NON_ICASS, PostBundle
from icass.model.columnar import column

AGENCY_FACTS = ("under_com", "physically_present", "co_located", "government_housing", "own_medical_program")


def _agencies_say(name: str) -> Callable[[PostBundle], bool]:
    return lambda post: any(getattr(agency, name) is not None for agency in post.agencies)


def _designates(post: PostBundle) -> bool:
    """Whether the post says which positions are dual-function (R43): it designates one, or none has time on 0000
    to designate. A post with 0000 time that designates none has not said."""
    return any(position.dual_function for position in post.positions) or NON_ICASS not in column(
        post.time_allocation, "cost_center"
    )


FACTS: dict[str, Callable[[PostBundle], bool]] = {
    "post.toml guard_force": lambda post: post.post.guard_force is not None,
    "post.toml medevac_post": lambda post: post.post.medevac_post is not None,
    "post.toml furniture_pool": lambda post: post.post.furniture_pool is not None,
    "post.toml state_program_im": lambda post: post.post.state_program_im is not None,
    "positions.csv dual_function": _designates,
    "post.toml cell_phone_program": lambda post: post.post.cell_phone_program is not None,
    "post.toml radio_repeater_site": lambda post: post.post.radio_repeater_site is not None,
    "post.toml new_facilities": lambda post: post.post.new_facilities is not None,
    **{f"agencies.csv {name}": _agencies_say(name) for name in AGENCY_FACTS},
}


def fact_given(post: PostBundle, fact: str) -> bool:
    return FACTS[fact](post)
