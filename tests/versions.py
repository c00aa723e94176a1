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


def accept_the_final(database_url: str) -> None:
    """The one final version of the database's posts, accepted by the ISC after the Council's approval, its steps
    recorded as the path records them (the path itself is tests/api/test_versions.py's)."""
    from sqlalchemy import insert, select, update

    from icass.store.database import open_database
    from icass.store.schema import post_versions, version_steps

    engine = open_database(database_url)
    try:
        with engine.begin() as connection:
            final = connection.execute(select(post_versions.c.id).where(post_versions.c.kind == "final")).scalar_one()
            connection.execute(update(post_versions).where(post_versions.c.id == final).values(state="accepted"))
            step = {"version_id": final, "at": "2027-06-01T00:00:00Z", "username": "fmo", "agency": None}
            for name, state in (("record_council_approval", "council_approved"), ("accept", "accepted")):
                connection.execute(
                    insert(version_steps), {**step, "step": name, "refused": False, "comment": "", "state": state}
                )
    finally:
        engine.dispose()
