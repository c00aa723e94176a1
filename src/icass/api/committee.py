"""The budget committee's review queue (H-332.1): every modification of a post's counts with what it does to
every agency's invoice, split into those awaiting the member's decision (for the agency they stand for) and
those they decided. The page (icass.web.committee) lays it out; decisions go through icass.api.tables.decide,
as the API's /approval does."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from icass.api.posts import computed
from icass.store import changes
from icass.store.changes import Decision, PostKey
from icass.store.scenarios import run_without
from icass.views.review import ModificationReview, agency_names, review

MODIFICATIONS = "modifications"


@dataclass(frozen=True)
class Reviewed:
    review: ModificationReview
    decisions: tuple[Decision, ...]  # each agency's latest decision on it
    own: Decision | None  # the latest of the member's agency


@dataclass(frozen=True)
class Queue:
    agency: str  # the agency the member's decisions are recorded for
    agency_name: str
    awaiting: tuple[Reviewed, ...]  # no decision of the member's agency yet, in the file's order
    decided: tuple[Reviewed, ...]


def review_queue(request: Request, key: PostKey, agency: str) -> Queue:
    """The modifications of the post for a committee member who stands for `agency`."""
    engine = request.app.state.engine
    run = computed(request, key)
    with engine.connect() as connection:
        rows = changes.list_rows(connection, key, changes.RESOURCES[MODIFICATIONS])
        decided = {row.id: changes.decisions(connection, row.id) for row in rows}
    found = []
    for row in rows:
        without = run_without(engine, key, MODIFICATIONS, row.id)
        shown = review(run, without, key.code, row.id, row.row, row.cells())
        own = next((d for d in decided[row.id] if d.agency == agency), None)
        found.append(Reviewed(shown, tuple(decided[row.id]), own))
    return Queue(
        agency,
        agency_names(run).get(agency, ""),
        tuple(r for r in found if r.own is None),
        tuple(r for r in found if r.own is not None),
    )
