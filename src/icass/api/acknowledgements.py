"""The FMO's acknowledgements of a post's warnings (icass.store.acknowledgements): listed for everyone who
reads the post, made and withdrawn by those who change it. Who and when are the session's, never typed."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request

from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_post
from icass.api.posts import SCOPED, post_key
from icass.api.schemas import AcknowledgementIn, AcknowledgementOut, FiscalYear, Message, Refused, RowId
from icass.store import acknowledgements
from icass.store.acknowledgements import StoredAcknowledgement
from icass.store.changes import PostKey

router = APIRouter(route_class=GuardedRoute)
PATH = "/api/posts/{post}/{fiscal_year}/acknowledgements"


def acknowledge_warning(
    request: Request, key: PostKey, rule: str, file: str, row: int, reason: str
) -> StoredAcknowledgement:
    """Acknowledge the warning of `rule` the post raises on `file`'s row `row`, as the person signed in, today."""
    user = account_of(request).username
    with request.app.state.engine.begin() as connection:
        return acknowledgements.acknowledge(
            connection, key, rule, file, row, reason, user, dt.datetime.now(dt.UTC).date()
        )


def acknowledgement_ids(request: Request, key: PostKey) -> dict[tuple[str, str, int], int]:
    """Each acknowledgement's id by the warning it answers (rule, file, row): what withdrawing one names."""
    with request.app.state.engine.connect() as connection:
        return {(a.rule, a.file, a.row): a.id for a in acknowledgements.acknowledgements_of(connection, key)}


def withdraw_acknowledgement(request: Request, key: PostKey, acknowledgement_id: int) -> None:
    with request.app.state.engine.begin() as connection:
        acknowledgements.withdraw(connection, key, acknowledgement_id, account_of(request).username)


@router.get(PATH, responses=SCOPED, tags=["acknowledgements"], summary="The warnings the FMO left as they are")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def listing(request: Request, post: str, fiscal_year: FiscalYear) -> list[AcknowledgementOut]:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        found = acknowledgements.acknowledgements_of(connection, key)
    return [AcknowledgementOut.model_validate(a, from_attributes=True) for a in found]


@router.post(
    PATH,
    status_code=201,
    responses={**SCOPED, 422: {"model": Refused}},
    tags=["acknowledgements"],
    summary="Acknowledge a warning the post raises, with the reason it is left as it is",
)
@allow(edits_post, "change the post (its admin or FMO)")
def acknowledge(request: Request, post: str, fiscal_year: FiscalYear, body: AcknowledgementIn) -> AcknowledgementOut:
    key = post_key(request, post, fiscal_year)
    made = acknowledge_warning(request, key, body.rule, body.file, body.row, body.reason)
    return AcknowledgementOut.model_validate(made, from_attributes=True)


@router.delete(
    PATH + "/{acknowledgement_id}",
    responses=SCOPED,
    tags=["acknowledgements"],
    summary="Withdraw an acknowledgement: its warning is open again",
)
@allow(edits_post, "change the post (its admin or FMO)")
def withdraw(request: Request, post: str, fiscal_year: FiscalYear, acknowledgement_id: RowId) -> Message:
    withdraw_acknowledgement(request, post_key(request, post, fiscal_year), acknowledgement_id)
    return Message(detail=f"acknowledgement {acknowledgement_id} withdrawn: its warning is open again")
