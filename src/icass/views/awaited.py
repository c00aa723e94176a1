"""What waits for whom (issue 20 §2, docs/workspace.md "Awaited actions and the inbox"): from the stored facts of
posts (the year's data call and its dates, each agency's certification of its staffing data and approval of its
workload counts, the versions of the budget on their path, the TDY invoices submitted), the actions awaited,
each with the capacity it waits for (the post's FMO, one agency's member of the post's Budget Committee, one
agency's headquarters, the ISC), what it is, its due date where the year has one, whether it is late and where
it is done. Pure: the store gathers the facts, a page or the API shows what this lists.

Who takes each step of a version is icass.model.approval's; who certifies and approves an agency's counts is
the agency (its committee member at the post, or its headquarters), and a dispute waits for the post's FMO."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from icass.model.approval import ADMIN, COMMITTEE, FMO, State
from icass.model.data_call import DataCall

HQ = "hq"

# What an action is, in the order a person's list shows them (the year's counts first, then the budgets).
CERTIFY = "certify_staffing"
APPROVE_COUNTS = "approve_counts"
RESOLVE_DISPUTE = "resolve_dispute"
SEND_BACK = "submit_to_committee"
RECOMMEND = "recommend"
RECORD_COUNCIL_APPROVAL = "record_council_approval"
SUBMIT_TO_ISC = "submit_to_isc"
ACCEPT = "accept_or_return"
APPROVE_TDY = "approve_tdy_invoice"
KINDS = (
    CERTIFY,
    APPROVE_COUNTS,
    RESOLVE_DISPUTE,
    SEND_BACK,
    RECOMMEND,
    RECORD_COUNCIL_APPROVAL,
    SUBMIT_TO_ISC,
    ACCEPT,
    APPROVE_TDY,
)

# The version states that wait for someone, and for whom (icass.model.approval.STEPS: the step due in each). A
# draft waits for nobody while it is the FMO's own work, until sent to the committee; but a draft that came back
# (a step of its path refused, or the ISC's return made it as the returned version's next revision) waits for
# the FMO to correct it and send it again (VersionFacts.came_back).
VERSION_WAITS = {
    State.WITH_COMMITTEE: (RECOMMEND, (COMMITTEE,)),
    State.RECOMMENDED: (RECORD_COUNCIL_APPROVAL, (FMO,)),
    State.COUNCIL_APPROVED: (SUBMIT_TO_ISC, (FMO,)),
    State.SUBMITTED_TO_ISC: (ACCEPT, (ADMIN,)),
}
# An agency at post acts for itself through its member of the Budget Committee or its headquarters.
AGENCY_ACTS = (COMMITTEE, HQ)


@dataclass(frozen=True)
class VersionFacts:
    number: int
    kind: str  # initial | final
    revision: int
    state: str
    waiting_for: tuple[str, ...] = ()  # with the committee: the seated agencies yet to recommend it
    came_back: str = ""  # a draft that came back: why, in words ("returned by the ISC as version 1")


@dataclass(frozen=True)
class TdyFacts:
    """A TDY invoice submitted to the ISC and waiting for the headquarters of its sponsoring agency."""

    invoice: str
    agency: str
    submitted_on: dt.date


@dataclass(frozen=True)
class PostFacts:
    """What is stored of one post and fiscal year that says what waits. `certified` and `approved`: each agency's
    state (certification: not_certified, certified, cleared; workload approval: awaiting, approved, disputed,
    reopened); an agency absent from them has not acted. `approved` None: the post's approvals are not known (none
    is awaited)."""

    code: str
    fiscal_year: int
    agencies: tuple[str, ...] = ()
    certified: Mapping[str, str] = field(default_factory=dict)
    approved: Mapping[str, str] | None = field(default_factory=dict)
    versions: tuple[VersionFacts, ...] = ()
    tdy: tuple[TdyFacts, ...] = ()


@dataclass(frozen=True)
class Awaited:
    """An action awaited: at which post, of whom (`by`: the capacities that may take it, for `agency` where the
    capacity is an agency's), what, by when, whether it is late, and the page it is taken on."""

    post: str
    fiscal_year: int
    what: str
    words: str
    by: tuple[str, ...]
    agency: str | None
    due: dt.date | None
    late: bool
    link: str
    version: int | None = None
    invoice: str | None = None  # a TDY invoice's name

    def waits_for(self, person: Capacities) -> bool:
        """Whether the action is `person`'s to take."""
        return any(_holds(person, capacity, self.post, self.agency) for capacity in self.by)

    def seen_by(self, person: Capacities) -> bool:
        """Whether `person` may see it: the ISC every action; a post's FMO its post's; an agency's member of a
        post's committee that agency's at that post; an agency's headquarters that agency's at every post, but the
        committee's recommendations of a budget, taken on the post's page, which headquarters does not read."""
        if person.admin or self.post in person.fmo:
            return True
        if self.agency is None:
            return False
        at_post = (self.post, self.agency) in person.committee
        return at_post or (self.agency in person.hq and self.what != RECOMMEND)


@dataclass(frozen=True)
class Capacities:
    """What a person holds: the ISC (admin), the FMO of posts, the member for an agency of posts' committees,
    the headquarters of agencies."""

    admin: bool = False
    fmo: frozenset[str] = frozenset()
    committee: frozenset[tuple[str, str]] = frozenset()  # (post, agency)
    hq: frozenset[str] = frozenset()


def _holds(person: Capacities, capacity: str, post: str, agency: str | None) -> bool:
    if capacity == ADMIN:
        return person.admin
    if capacity == FMO:
        return post in person.fmo
    if capacity == COMMITTEE:
        return (post, agency) in person.committee
    return capacity == HQ and agency in person.hq


def awaited(facts: Iterable[PostFacts], data_calls: Mapping[int, DataCall | None], today: dt.date) -> list[Awaited]:
    """Every action awaited at the posts of `facts`, in the order of KINDS then post, year, agency or version.
    `data_calls`: each fiscal year's data call (absent or None: not opened, so no certification or approval of
    counts is awaited yet, but a dispute or a cleared certification still is); `today`: what is late is due
    before it."""
    found: list[Awaited] = []
    for post in facts:
        found += _counts(post, data_calls.get(post.fiscal_year), today)
        found += _versions(post)
        found += [_tdy(post, t) for t in post.tdy]
    order = {what: i for i, what in enumerate(KINDS)}
    return sorted(
        found, key=lambda a: (order[a.what], a.post, a.fiscal_year, a.agency or "", a.version or 0, a.invoice or "")
    )


def _base(post: PostFacts) -> str:
    return f"/posts/{post.code}/{post.fiscal_year}"


def _late(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today


def _counts(post: PostFacts, call: DataCall | None, today: dt.date) -> list[Awaited]:
    found = []
    for agency in post.agencies:
        certified = post.certified.get(agency, "not_certified")
        # The counts go to the agencies by the data call's date: the staffing data behind them is certified by
        # then; a certification cleared by an edit waits again, data call or not.
        if certified == "cleared" or (certified == "not_certified" and call is not None):
            due = call.counts_to_agencies_by if call else None
            again = " again (its records changed since it certified them)" if certified == "cleared" else ""
            words = f"Certify {agency}'s staffing data as of the count date{again}"
            found.append(_agency_action(post, CERTIFY, words, agency, due, today, "staffing#certifications"))
        if post.approved is None:
            continue
        approved = post.approved.get(agency, "awaiting")
        due = call.counts_agreed_by if call else None
        if approved == "disputed":
            words = f"Resolve {agency}'s dispute of its workload counts: correct the lines or answer its comments"
            link = f"{_base(post)}/workload-approval/{agency}"
            found.append(
                Awaited(
                    post.code, post.fiscal_year, RESOLVE_DISPUTE, words, (FMO,), agency, due, _late(due, today), link
                )
            )
        elif approved == "reopened" or (approved == "awaiting" and call is not None):
            again = " again (the FMO reopened them)" if approved == "reopened" else ""
            words = f"Approve or dispute {agency}'s workload counts{again}"
            found.append(_agency_action(post, APPROVE_COUNTS, words, agency, due, today, f"workload-approval/{agency}"))
    return found


def _agency_action(
    post: PostFacts, what: str, words: str, agency: str, due: dt.date | None, today: dt.date, page: str
) -> Awaited:
    return Awaited(
        post.code, post.fiscal_year, what, words, AGENCY_ACTS, agency, due, _late(due, today), f"{_base(post)}/{page}"
    )


def _versions(post: PostFacts) -> list[Awaited]:
    found = []
    for v in post.versions:
        name = f"version {v.number} ({v.kind}{f', revision {v.revision}' if v.revision else ''})"
        link = f"{_base(post)}#version-{v.number}-step"
        if v.state == State.DRAFT and v.came_back:
            words = f"Correct {name} and send it to the Budget Committee again: {v.came_back}"
            found.append(
                Awaited(post.code, post.fiscal_year, SEND_BACK, words, (FMO,), None, None, False, link, v.number)
            )
            continue
        waits = VERSION_WAITS.get(State(v.state))
        if waits is None:
            continue
        what, by = waits
        if what == RECOMMEND:
            found += [
                Awaited(
                    post.code,
                    post.fiscal_year,
                    what,
                    f"Recommend {name} to the Council, for {agency}",
                    by,
                    agency,
                    None,
                    False,
                    link,
                    v.number,
                )
                for agency in v.waiting_for
            ]
            continue
        words = {
            RECORD_COUNCIL_APPROVAL: f"Record the Council's approval of {name}",
            SUBMIT_TO_ISC: f"Submit {name}, approved by the Council, to the ISC",
            ACCEPT: f"Accept or return {name}",
        }[what]
        found.append(Awaited(post.code, post.fiscal_year, what, words, by, None, None, False, link, v.number))
    return found


def _tdy(post: PostFacts, invoice: TdyFacts) -> Awaited:
    words = f"Approve or reject TDY invoice {invoice.invoice} of {invoice.agency}, submitted {invoice.submitted_on}"
    link = f"{_base(post)}/tdy"
    return Awaited(
        post.code, post.fiscal_year, APPROVE_TDY, words, (HQ,), invoice.agency, None, False, link, None, invoice.invoice
    )


def seen(actions: Sequence[Awaited], person: Capacities) -> list[Awaited]:
    """The actions `person` may see (Awaited.seen_by), in their order."""
    return [a for a in actions if a.seen_by(person)]


def theirs(actions: Sequence[Awaited], person: Capacities) -> list[Awaited]:
    """The actions that wait for `person` (Awaited.waits_for): what their inbox counts."""
    return [a for a in actions if a.waits_for(person)]


# Each capacity as a post's page names it.
CAPACITY_WORDS = {
    FMO: "the post's FMO",
    COMMITTEE: "{agency}'s member of the Budget Committee",
    HQ: "{agency}'s headquarters",
    ADMIN: "the ISC",
}


def who_in_words(action: Awaited) -> str:
    """Whose action it is, in words: "1931.0's member of the Budget Committee or 1931.0's headquarters"."""
    return " or ".join(CAPACITY_WORDS[c].format(agency=action.agency) for c in action.by)
