"""The optional facts some budget rules need (docs/bundle.md): a post's guard force, its MEDEVAC designation,
furniture pool, State Program IM officer, cell phone program, radio repeater site and new facilities (post.toml),
its agencies' standing (agencies.csv), its dual-function positions (positions.csv) and its termination
notices (terminations.csv). A rule that needs a fact
the bundle does not give is not judged (icass.checks.unjudged_rules says so once); a fact is given when
post.toml has the key, when at least one agency's cell says yes or no, or when at least one position is
designated dual-function (or none needs to be); a fact of the source records (an optional column of theirs) is
given when at least one of its cells holds something."""

from __future__ import annotations

from collections.abc import Callable

from icass.model import NON_ICASS, PostBundle, SourceRecords
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
    # The file itself: a post without it has said nothing of notices (one with a header alone has none).
    "terminations.csv notices": lambda post: post.terminations is not None,
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
    # Given when the post marks its official residences (a post with guards has one, embassy or consulate).
    "housing.csv official_residence": lambda records: (
        records.housing is not None
        and "official_residence" in records.housing.columns
        and bool(records.housing.get_column("official_residence").any())
    ),
}


def fact_given(post: PostBundle, fact: str, records: SourceRecords | None = None) -> bool:
    """Whether the post gives `fact`; a fact of the source records, in `records` (none: not given)."""
    if fact in RECORD_FACTS:
        return records is not None and RECORD_FACTS[fact](records)
    return FACTS[fact](post)
