"""The facts of what waits for whom, read from the stored states alone (issue 20 §2, icass.views.awaited): the
versions on their path and the agencies they wait for, each agency's certification and approval of its counts,
the year's data call, the TDY invoices submitted. Nothing is computed or distributed: a page's navigation reads
the count of a person's inbox on every request.

Whose posts: the ISC's every post; an FMO's and a committee member's their posts; an agency's headquarters the
posts where its agency is an agency (the posts it reads invoices of)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from icass.model import approval
from icass.model.approval import ADMIN, COMMITTEE, FMO, State, Taken
from icass.model.data_call import DataCall
from icass.store import certifications, data_call, tdy_path, workload_approvals
from icass.store.accounts import Account
from icass.store.changes import PostKey
from icass.store.posts import StoredPost, stored_posts
from icass.store.schema import accounts, post_versions, roles, version_steps
from icass.store.versions import RETURNED_AS
from icass.views.awaited import (
    HQ,
    VERSION_WAITS,
    Awaited,
    Capacities,
    PostFacts,
    TdyFacts,
    VersionFacts,
    awaited,
    seen,
    theirs,
)

__all__ = [
    "Awaited",
    "Capacities",
    "Holder",
    "PostStatus",
    "Standing",
    "capacities_of",
    "data_call_status",
    "facts_of",
    "for_person",
    "for_post",
    "inbox_count",
    "people_awaited",
]


def capacities_of(account: Account) -> Capacities:
    return Capacities(
        admin=account.is_admin,
        fmo=frozenset(g.post for g in account.grants if g.role == FMO and g.post),
        committee=frozenset((g.post, g.agency) for g in account.grants if g.role == COMMITTEE and g.post and g.agency),
        hq=account.hq_agencies,
    )


def _posts_of(connection: Connection, account: Account) -> list[StoredPost]:
    """The posts where something may wait for `account` or be followed by it, every fiscal year."""
    return stored_posts(connection, None if account.is_admin else account.posts, account.hq_agencies)


def facts_of(connection: Connection, stored: Sequence[StoredPost], counts: bool = True) -> list[PostFacts]:
    """The facts of each of the `stored` posts that say what waits: the versions in a few queries whatever their
    number; with `counts`, each agency's certification and approval of its counts, post by post."""
    ids = [p.id for p in stored]
    waiting = _versions_waiting(connection, ids, {p.id: p.code for p in stored})
    found = []
    for p in stored:
        versions = tuple(waiting.get(p.id, ()))
        if not counts:
            found.append(PostFacts(p.code, p.fiscal_year, versions=versions))
            continue
        found.append(_with_counts(p, _standings(connection, p), versions, _tdy(connection, p)))
    return found


@dataclass(frozen=True)
class Standing:
    """Where one agency's counts stand at a post: its certification of its staffing data and its approval of its
    workload counts (state, by whom, when; `approved` None: not known), as the ISC's page shows them."""

    agency: str
    name: str
    certified: str
    certified_by: str | None
    certified_at: str | None
    certified_note: str  # why a certification is cleared
    approved: str | None
    approved_by: str | None
    approved_at: str | None


def _standings(connection: Connection, post: StoredPost) -> list[Standing]:
    key = PostKey(post.id, post.code, post.fiscal_year)
    certified = certifications.status(connection, key)
    approved = workload_approvals.status(connection, key)
    found = []
    for agency in sorted(set(certified) | set(approved)):
        c, a = certified.get(agency), approved.get(agency)
        found.append(
            Standing(
                agency,
                c.name if c else "",
                c.state if c else certifications.NOT_CERTIFIED,
                c.by if c else None,
                c.at if c else None,
                c.reason if c else "",
                a.state if a else None,
                (a.by or None) if a else None,
                (a.at or None) if a else None,
            )
        )
    return found


def _with_counts(
    post: StoredPost, standings: Sequence[Standing], versions: tuple[VersionFacts, ...], tdy: tuple[TdyFacts, ...]
) -> PostFacts:
    return PostFacts(
        post.code,
        post.fiscal_year,
        agencies=tuple(s.agency for s in standings),
        certified={s.agency: s.certified for s in standings},
        approved={s.agency: s.approved for s in standings if s.approved is not None},
        versions=versions,
        tdy=tdy,
    )


def _tdy(connection: Connection, post: StoredPost) -> tuple[TdyFacts, ...]:
    found = tdy_path.tdy_awaiting(connection, PostKey(post.id, post.code, post.fiscal_year))
    return tuple(TdyFacts(a.invoice, a.agency, a.submitted_on) for a in found)


def _versions_waiting(
    connection: Connection, ids: Collection[int], codes: dict[int, str]
) -> dict[int, list[VersionFacts]]:
    """Post id -> its versions in a state that waits for someone (icass.views.awaited.VERSION_WAITS), newest first;
    those with the committee with the seated agencies yet to recommend them."""
    if not ids:
        return {}
    rows = connection.execute(
        select(
            post_versions.c.id,
            post_versions.c.post_id,
            post_versions.c.number,
            post_versions.c.kind,
            post_versions.c.kind_revision,
            post_versions.c.state,
            post_versions.c.comment,
        )
        .where(post_versions.c.post_id.in_(sorted(ids)), post_versions.c.state.in_(WAITING_STATES))
        .order_by(post_versions.c.post_id, post_versions.c.number.desc())
    ).all()
    asked = [r.id for r in rows if r.state in (State.WITH_COMMITTEE, State.DRAFT)]
    taken: dict[int, list[Taken]] = defaultdict(list)
    seated: dict[str, list[str]] = {}
    if asked:
        for s in connection.execute(
            select(version_steps.c.version_id, version_steps.c.step, version_steps.c.agency, version_steps.c.refused)
            .where(version_steps.c.version_id.in_(asked))
            .order_by(version_steps.c.id)
        ):
            taken[s.version_id].append(Taken(s.step, s.agency, s.refused))
        seated = _seated(connection, {codes[r.post_id] for r in rows if r.state == State.WITH_COMMITTEE})
    found: dict[int, list[VersionFacts]] = defaultdict(list)
    for r in rows:
        waiting: tuple[str, ...] = ()
        if r.state == State.WITH_COMMITTEE:
            waiting = tuple(approval.waiting_for(seated.get(codes[r.post_id], []), taken[r.id]))
        came_back = ""
        if r.state == State.DRAFT:
            refused = [t.step for t in taken[r.id] if t.refused]
            if refused:
                came_back = f"its step {refused[-1].replace('_', ' ')} was refused"
            elif r.comment.startswith(RETURNED_AS):  # made by the ISC's return (icass.store.versions.take_step)
                came_back = r.comment
            else:
                continue  # the FMO's own work: it waits for nobody
        found[r.post_id].append(VersionFacts(r.number, r.kind, r.kind_revision, r.state, waiting, came_back))
    return found


# The states of a version that may wait for someone: those of VERSION_WAITS, and a draft that came back.
WAITING_STATES = [*(s.value for s in VERSION_WAITS), State.DRAFT.value]


def _seated(connection: Connection, codes: Collection[str]) -> dict[str, list[str]]:
    """Post code -> the agencies seated on its Budget Committee (icass.store.versions.seated, for many posts)."""
    found: dict[str, set[str]] = defaultdict(set)
    for post, agency in connection.execute(
        select(roles.c.post, roles.c.agency)
        .join(accounts, accounts.c.id == roles.c.account_id)
        .where(roles.c.role == COMMITTEE, roles.c.post.in_(sorted(codes)), accounts.c.disabled.is_(False))
    ):
        found[str(post)].add(str(agency))
    return {post: sorted(agencies) for post, agencies in found.items()}


def _data_calls(connection: Connection, years: Collection[int]) -> dict[int, DataCall | None]:
    """Each fiscal year's data call, None while the ISC has not opened one."""
    return {year: data_call.get(connection, year) for year in sorted(years)}


def _listed(connection: Connection, stored: Sequence[StoredPost], today: dt.date, counts: bool = True) -> list[Awaited]:
    facts = facts_of(connection, stored, counts)
    return awaited(facts, _data_calls(connection, {p.fiscal_year for p in stored}), today)


def for_person(connection: Connection, account: Account, today: dt.date) -> tuple[list[Awaited], list[Awaited]]:
    """What waits for `account`, and what else it may see waiting at its posts (icass.views.awaited.Awaited.seen_by)."""
    person = capacities_of(account)
    listed = seen(_listed(connection, _posts_of(connection, account), today), person)
    mine = theirs(listed, person)
    return mine, [a for a in listed if a not in mine]


def inbox_count(connection: Connection, account: Account, today: dt.date) -> int:
    """How many actions wait for `account`: the navigation's count on every page."""
    person = capacities_of(account)
    if not (person.admin or person.fmo or person.committee or person.hq):
        return 0
    # The ISC's own actions are on versions alone: its count reads no other post's facts.
    stored = _posts_of(connection, account)
    if person.admin and not (person.fmo or person.committee or person.hq):
        submitted = connection.execute(
            select(post_versions.c.post_id).distinct().where(post_versions.c.state == State.SUBMITTED_TO_ISC.value)
        ).scalars()
        ids = set(submitted)
        stored = [p for p in stored if p.id in ids]
    return len(theirs(_listed(connection, stored, today), person))


def for_post(connection: Connection, post: PostKey, today: dt.date) -> list[Awaited]:
    """Every action awaited at the post (its readers see them all)."""
    stored = stored_posts(connection, [post.code])
    return _listed(connection, [p for p in stored if p.id == post.id], today)


@dataclass(frozen=True)
class Holder:
    """One capacity and the people holding it (their usernames; none: nobody holds it yet)."""

    capacity: str
    agency: str | None
    usernames: tuple[str, ...]


def people_awaited(connection: Connection, post: str, actions: Sequence[Awaited]) -> dict[int, tuple[Holder, ...]]:
    """For each of `actions` (by its place), the people whose action it is, by capacity."""
    held: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for role, at, agency, username in connection.execute(
        select(roles.c.role, roles.c.post, roles.c.agency, accounts.c.username)
        .join(accounts, accounts.c.id == roles.c.account_id)
        .where(accounts.c.disabled.is_(False), (roles.c.post == post) | roles.c.role.in_((ADMIN, HQ)))
        .order_by(accounts.c.username)
    ):
        if role == ADMIN:
            held[(ADMIN, None)].append(username)
        elif role == FMO and at == post:
            held[(FMO, None)].append(username)
        elif role == COMMITTEE and at == post:
            held[(COMMITTEE, agency)].append(username)
        elif role == HQ:
            held[(HQ, agency)].append(username)
    found = {}
    for i, action in enumerate(actions):
        keyed = [(c, action.agency if c in (COMMITTEE, HQ) else None) for c in action.by]
        found[i] = tuple(Holder(c, a, tuple(held.get((c, a), ()))) for c, a in keyed)
    return found


@dataclass(frozen=True)
class PostStatus:
    """One post of the year on the ISC's page: each agency's standing, and every action awaited there."""

    code: str
    name: str
    fiscal_year: int
    agencies: tuple[Standing, ...]
    awaited: tuple[Awaited, ...]

    @property
    def late(self) -> tuple[Awaited, ...]:
        return tuple(a for a in self.awaited if a.late)


def data_call_status(
    connection: Connection, fiscal_year: int, today: dt.date
) -> tuple[DataCall | None, list[PostStatus]]:
    """The year's data call (None: not opened) and, for every stored post of the year, where each agency's
    certification and approval stand and what is awaited and late there."""
    call = data_call.get(connection, fiscal_year)
    stored = [p for p in stored_posts(connection) if p.fiscal_year == fiscal_year]
    waiting = _versions_waiting(connection, [p.id for p in stored], {p.id: p.code for p in stored})
    found = []
    for p in stored:
        standings = _standings(connection, p)
        facts = _with_counts(p, standings, tuple(waiting.get(p.id, ())), _tdy(connection, p))
        found.append(
            PostStatus(
                p.code, p.name, p.fiscal_year, tuple(standings), tuple(awaited([facts], {fiscal_year: call}, today))
            )
        )
    return call, found
