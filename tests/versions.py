"""A version of a stored post taken along its path through the store (icass.store.versions), for the tests of
pages that act on a version at a later step: the post's FMO makes it and sends it to the committee, and each
agency seated on the committee recommends it."""

from __future__ import annotations

from sqlalchemy import Engine

from icass.model.approval import Kind
from icass.store.accounts import Account, Grant
from icass.store.changes import find_post
from icass.store.versions import create, seated, take_step


def recommended(engine: Engine, post: str, fiscal_year: int, kind: Kind = Kind.INITIAL) -> int:
    """A new version of the post as it is now, recommended by its committee: its number."""
    fmo = Account(0, "fmo", (Grant("fmo", post=post),))
    with engine.begin() as connection:
        key = find_post(connection, post, fiscal_year)
        number = create(connection, key, fmo.username, kind, "").number
        take_step(connection, key, number, fmo, "submit_to_committee", "")
        for agency in seated(connection, post):
            member = Account(0, f"member for {agency}", (Grant("committee", post=post, agency=agency),))
            take_step(connection, key, number, member, "recommend", "")
    return number
