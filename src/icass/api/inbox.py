"""What waits for whom (issue 20 §2, icass.views.awaited): the signed-in person's inbox (what waits for them, and
what else they may follow at their posts), the actions awaited at one post with the people they wait for, and
their count, which the navigation of every page shows. Read from the stored states alone (icass.store.awaited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from fastapi import APIRouter, Request
from pydantic import BaseModel

from icass.api.guard import GuardedRoute, account_of, allow, is_isc, reads_post, signed_in
from icass.api.posts import SCOPED, SIGNED_IN, post_key
from icass.api.schemas import FiscalYear, Message
from icass.model.data_call import DataCall
from icass.store import awaited as store
from icass.views.awaited import Awaited, who_in_words

router = APIRouter(route_class=GuardedRoute, tags=["inbox"])


class HolderOut(BaseModel):
    capacity: str  # fmo | committee | hq | admin
    agency: str | None
    usernames: list[str]  # the people holding it now (none: nobody yet)


class AwaitedOut(BaseModel):
    post: str
    fiscal_year: int
    what: str  # icass.views.awaited.KINDS
    words: str
    by: list[str]  # the capacities that may take it
    agency: str | None
    who: str  # `by` in words
    due: dt.date | None
    late: bool
    link: str
    version: int | None  # the version's number
    invoice: str | None  # the TDY invoice's name
    people: list[HolderOut] | None = None  # a post's list: who holds each capacity


class InboxOut(BaseModel):
    count: int  # how many wait for you (the navigation's count)
    yours: list[AwaitedOut]
    others: list[AwaitedOut]  # waiting for others at your posts, which you may follow


def today() -> dt.date:
    """The day what is late is judged on: the ISC's dates are days, read in UTC."""
    return dt.datetime.now(dt.UTC).date()


def awaited_out(action: Awaited, people: tuple[store.Holder, ...] | None = None) -> AwaitedOut:
    return AwaitedOut(
        post=action.post,
        fiscal_year=action.fiscal_year,
        what=action.what,
        words=action.words,
        by=list(action.by),
        agency=action.agency,
        who=who_in_words(action),
        due=action.due,
        late=action.late,
        link=action.link,
        version=action.version,
        invoice=action.invoice,
        people=None
        if people is None
        else [HolderOut(capacity=h.capacity, agency=h.agency, usernames=list(h.usernames)) for h in people],
    )


@router.get(
    "/api/inbox", responses=SIGNED_IN, summary="What waits for the signed-in person, and for others at their posts"
)
@allow(signed_in)
def inbox(request: Request) -> InboxOut:
    with request.app.state.engine.connect() as connection:
        mine, others = store.for_person(connection, account_of(request), today())
    return InboxOut(count=len(mine), yours=[awaited_out(a) for a in mine], others=[awaited_out(a) for a in others])


def inbox_count(request: Request) -> int:
    """How many actions wait for the signed-in person: the navigation's count (stored states only)."""
    with request.app.state.engine.connect() as connection:
        return store.inbox_count(connection, account_of(request), today())


@router.get(
    "/api/posts/{post}/{fiscal_year}/awaited",
    responses=SCOPED,
    summary="The actions awaited at the post: what, of whom (the people holding each capacity), by when",
)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def post_awaited(request: Request, post: str, fiscal_year: FiscalYear) -> list[AwaitedOut]:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        found = store.for_post(connection, key, today())
        people = store.people_awaited(connection, key.code, found)
    return [awaited_out(a, people[i]) for i, a in enumerate(found)]


class StandingOut(BaseModel):
    agency: str
    name: str
    certified: str  # not_certified | certified | cleared
    certified_by: str | None
    certified_at: str | None
    certified_note: str  # why a certification is cleared
    approved: str | None  # awaiting | approved | disputed | reopened; None: not known
    approved_by: str | None
    approved_at: str | None
    late: list[str]  # the agency's actions past their date, in words


class PostStatusOut(BaseModel):
    post: str
    name: str
    fiscal_year: int
    agencies: list[StandingOut]
    awaited: list[AwaitedOut]  # every action awaited at the post
    late: int  # how many of them are past their date


class DataCallStatusOut(BaseModel):
    fiscal_year: int
    data_call: DataCall | None  # None: the ISC has not opened the year's data call
    posts: list[PostStatusOut]
    late: int


ISC_ONLY: dict[int | str, dict[str, object]] = {401: {"model": Message}, 403: {"model": Message}}


@router.get(
    "/api/world/{fiscal_year}/data-call/status",
    responses=ISC_ONLY,
    summary="For every stored post of the year, each agency's certification and approval, and what is late",
)
@allow(is_isc, "follow the data call (the ICASS Service Center: admin)")
def data_call_status(request: Request, fiscal_year: FiscalYear) -> DataCallStatusOut:
    with request.app.state.engine.connect() as connection:
        call, found = store.data_call_status(connection, fiscal_year, today())
    posts = [
        PostStatusOut(
            post=p.code,
            name=p.name,
            fiscal_year=p.fiscal_year,
            agencies=[
                StandingOut(**asdict(s), late=[a.words for a in p.late if a.agency == s.agency]) for s in p.agencies
            ],
            awaited=[awaited_out(a) for a in p.awaited],
            late=len(p.late),
        )
        for p in found
    ]
    return DataCallStatusOut(fiscal_year=fiscal_year, data_call=call, posts=posts, late=sum(p.late for p in posts))
