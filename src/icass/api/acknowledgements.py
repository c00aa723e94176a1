"""The FMO's acknowledgements of a post's warnings (icass.store.acknowledgements): listed for everyone who
reads the post, made and withdrawn by those who change it. Who and when are the session's, never typed."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request

from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_post
from icass.api.posts import SCOPED, post_key
from icass.api.schemas import AcknowledgementIn, AcknowledgementOut, FiscalYear, Message, Refused, RowId
from icass.store import acknowledgements

router = APIRouter(route_class=GuardedRoute)
PATH = "/api/posts/{post}/{fiscal_year}/acknowledgements"


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
    user = account_of(request).username
    with request.app.state.engine.begin() as connection:
        made = acknowledgements.acknowledge(
            connection, key, body.rule, body.file, body.row, body.reason, user, dt.datetime.now(dt.UTC).date()
        )
    return AcknowledgementOut.model_validate(made, from_attributes=True)


@router.delete(
    PATH + "/{acknowledgement_id}",
    responses=SCOPED,
    tags=["acknowledgements"],
    summary="Withdraw an acknowledgement: its warning is open again",
)
@allow(edits_post, "change the post (its admin or FMO)")
def withdraw(request: Request, post: str, fiscal_year: FiscalYear, acknowledgement_id: RowId) -> Message:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.begin() as connection:
        acknowledgements.withdraw(connection, key, acknowledgement_id, account_of(request).username)
    return Message(detail=f"acknowledgement {acknowledgement_id} withdrawn: its warning is open again")
