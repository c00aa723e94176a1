"""The optional facts some budget rules need (docs/bundle.md): a post's guard force, its MEDEVAC designation,
furniture pool, cell phone program, radio repeater site and new facilities (post.toml), and its agencies' standing
(agencies.csv). A rule that needs a fact the bundle does not give is not judged (icass.checks.unjudged_rules says
so once); a fact is given when post.toml has the key, or when at least one agency's cell says yes or no."""

from __future__ import annotations

from collections.abc import Callable

from icass.model import PostBundle

AGENCY_FACTS = ("under_com", "physically_present", "co_located", "government_housing", "own_medical_program")


def _agencies_say(name: str) -> Callable[[PostBundle], bool]:
    return lambda post: any(getattr(agency, name) is not None for agency in post.agencies)


FACTS: dict[str, Callable[[PostBundle], bool]] = {
    "post.toml guard_force": lambda post: post.post.guard_force is not None,
    "post.toml medevac_post": lambda post: post.post.medevac_post is not None,
    "post.toml furniture_pool": lambda post: post.post.furniture_pool is not None,
    "post.toml cell_phone_program": lambda post: post.post.cell_phone_program is not None,
    "post.toml radio_repeater_site": lambda post: post.post.radio_repeater_site is not None,
    "post.toml new_facilities": lambda post: post.post.new_facilities is not None,
    **{f"agencies.csv {name}": _agencies_say(name) for name in AGENCY_FACTS},
}


def fact_given(post: PostBundle, fact: str) -> bool:
    return FACTS[fact](post)
