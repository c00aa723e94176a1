"""The optional facts some budget rules need (docs/bundle.md): a post's guard force, its MEDEVAC designation and
furniture pool (post.toml), and its agencies' standing (agencies.csv). A rule that needs a fact the bundle does
not give is not judged (icass.checks.unjudged_rules says so once); a fact is given when post.toml has the key,
or when at least one agency's cell says yes or no; a fact of the source records (an optional column of theirs)
is given when at least one of its cells holds something."""

from __future__ import annotations

from collections.abc import Callable

from icass.model import PostBundle, SourceRecords

AGENCY_FACTS = ("under_com", "physically_present", "co_located", "government_housing", "own_medical_program")


def _agencies_say(name: str) -> Callable[[PostBundle], bool]:
    return lambda post: any(getattr(agency, name) is not None for agency in post.agencies)


FACTS: dict[str, Callable[[PostBundle], bool]] = {
    "post.toml guard_force": lambda post: post.post.guard_force is not None,
    "post.toml medevac_post": lambda post: post.post.medevac_post is not None,
    "post.toml furniture_pool": lambda post: post.post.furniture_pool is not None,
    **{f"agencies.csv {name}": _agencies_say(name) for name in AGENCY_FACTS},
}


def _records_say(name: str, column: str) -> Callable[[SourceRecords], bool]:
    def say(records: SourceRecords) -> bool:
        frame = getattr(records, name)
        return frame is not None and column in frame.columns and frame.get_column(column).null_count() < frame.height

    return say


# The optional columns of the source records some rules need (docs/bundle.md): what a transaction was, the
# compound a building is on, the position a person encumbers. (An empty vacant_since says the space is
# occupied, and an unmarked office space is no common area: those are judged on every post.)
RECORD_FACTS: dict[str, Callable[[SourceRecords], bool]] = {
    "activity.csv description": _records_say("activity", "description"),
    "office_space.csv compound": _records_say("office_space", "compound"),
    "housing.csv compound": _records_say("housing", "compound"),
    "people.csv position_id": _records_say("people", "position_id"),
}


def fact_given(post: PostBundle, fact: str, records: SourceRecords | None = None) -> bool:
    """Whether the post gives `fact`; a fact of the source records, in `records` (none: not given)."""
    if fact in RECORD_FACTS:
        return records is not None and RECORD_FACTS[fact](records)
    return FACTS[fact](post)
