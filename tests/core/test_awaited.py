"""What waits for whom (icass.views.awaited): each kind of action from the facts that make it, its due date and
whether it is late, and which person each waits for and who may see it."""

from __future__ import annotations

import datetime as dt

import pytest

from icass.model.approval import STEPS, State
from icass.model.data_call import DataCall
from icass.views.awaited import (
    ACCEPT,
    APPROVE_COUNTS,
    APPROVE_TDY,
    CERTIFY,
    KINDS,
    RECOMMEND,
    RECORD_COUNCIL_APPROVAL,
    RESOLVE_DISPUTE,
    SEND_BACK,
    SUBMIT_TO_ISC,
    VERSION_WAITS,
    Capacities,
    PostFacts,
    TdyFacts,
    VersionFacts,
    awaited,
    seen,
    theirs,
    who_in_words,
)

FY = 2027
CALL = DataCall(
    fiscal_year=FY,
    count_date=dt.date(2026, 5, 1),
    window_start=dt.date(2026, 5, 1),
    window_end=dt.date(2027, 4, 30),
    counts_to_agencies_by=dt.date(2026, 6, 1),
    counts_agreed_by=dt.date(2026, 7, 1),
)
BEFORE, BETWEEN, AFTER = dt.date(2026, 5, 15), dt.date(2026, 6, 15), dt.date(2026, 7, 2)


def _what(found):
    return [(a.what, a.post, a.agency, a.version) for a in found]


def test_a_version_waits_for_whom_the_step_due_in_its_state_is_taken_by():
    versions = (
        VersionFacts(1, "initial", 0, State.DRAFT.value),
        VersionFacts(2, "initial", 1, State.WITH_COMMITTEE.value, ("1900.0", "1931.0")),
        VersionFacts(3, "final", 0, State.RECOMMENDED.value),
        VersionFacts(4, "final", 1, State.COUNCIL_APPROVED.value),
        VersionFacts(5, "final", 2, State.SUBMITTED_TO_ISC.value),
        VersionFacts(6, "initial", 0, State.ACCEPTED.value),
        VersionFacts(7, "initial", 0, State.RETURNED.value),
        VersionFacts(8, "initial", 1, State.DRAFT.value, came_back="returned by the ISC as version 7: no guards"),
    )
    found = awaited([PostFacts("KVR", FY, versions=versions)], {}, BEFORE)
    assert _what(found) == [
        (SEND_BACK, "KVR", None, 8),
        (RECOMMEND, "KVR", "1900.0", 2),
        (RECOMMEND, "KVR", "1931.0", 2),
        (RECORD_COUNCIL_APPROVAL, "KVR", None, 3),
        (SUBMIT_TO_ISC, "KVR", None, 4),
        (ACCEPT, "KVR", None, 5),
    ]
    assert [a.by for a in found] == [("fmo",), ("committee",), ("committee",), ("fmo",), ("fmo",), ("admin",)]
    assert found[0].words == (
        "Correct version 8 (initial, revision 1) and send it to the Budget Committee again: "
        "returned by the ISC as version 7: no guards"
    )
    assert found[1].words == "Recommend version 2 (initial, revision 1) to the Council, for 1900.0"
    assert found[5].words == "Accept or return version 5 (final, revision 2)"
    assert found[3].link == "/posts/KVR/2027#version-3-step"
    assert all(a.due is None and not a.late for a in found)  # the handbook sets the budgets no date here
    # Each awaited step is the path's: due in that state and taken by those capacities (the ISC's override of
    # the committee aside, which is not awaited of it).
    for state, (what, by) in VERSION_WAITS.items():
        step = next(s for s in STEPS.values() if s.due_in == state and s.name != "return")
        assert set(by) <= step.by
        assert what.startswith(step.name.split("_")[0])


def test_the_counts_of_each_agency_wait_for_it_from_the_data_call_until_the_dates():
    post = PostFacts(
        "KVR",
        FY,
        agencies=("1900.0", "1931.0", "5624.0", "7200.0"),
        certified={"1900.0": "certified", "1931.0": "cleared", "7200.0": "certified"},
        approved={"1900.0": "approved", "1931.0": "disputed", "5624.0": "reopened"},
    )
    before = awaited([post], {FY: CALL}, BEFORE)
    assert _what(before) == [
        (CERTIFY, "KVR", "1931.0", None),
        (CERTIFY, "KVR", "5624.0", None),
        (APPROVE_COUNTS, "KVR", "5624.0", None),
        (APPROVE_COUNTS, "KVR", "7200.0", None),
        (RESOLVE_DISPUTE, "KVR", "1931.0", None),
    ]
    assert [a.due for a in before] == [CALL.counts_to_agencies_by] * 2 + [CALL.counts_agreed_by] * 3
    assert not any(a.late for a in before)
    assert before[0].words.endswith("again (its records changed since it certified them)")
    assert before[2].words.endswith("again (the FMO reopened them)")
    assert [a.by for a in before] == [("committee", "hq")] * 4 + [("fmo",)]
    between = awaited([post], {FY: CALL}, BETWEEN)
    assert [a.late for a in between] == [True, True, False, False, False]
    after = awaited([post], {FY: CALL}, AFTER)
    assert all(a.late for a in after)
    # On the date itself nothing is late yet.
    assert not any(a.late for a in awaited([post], {FY: CALL}, CALL.counts_agreed_by) if a.due == CALL.counts_agreed_by)


def test_without_a_data_call_only_what_an_action_made_waits():
    post = PostFacts(
        "KVR",
        FY,
        agencies=("1900.0", "1931.0", "5624.0", "7200.0"),
        certified={"1931.0": "cleared"},
        approved={"1900.0": "disputed", "5624.0": "reopened"},
    )
    found = awaited([post], {FY: None}, AFTER)
    assert _what(found) == [
        (CERTIFY, "KVR", "1931.0", None),
        (APPROVE_COUNTS, "KVR", "5624.0", None),
        (RESOLVE_DISPUTE, "KVR", "1900.0", None),
    ]
    assert all(a.due is None and not a.late for a in found)
    assert awaited([post], {FY - 1: CALL}, AFTER) == found  # another year's data call says nothing of this one


def test_a_tdy_invoice_submitted_waits_for_its_agency_headquarters():
    post = PostFacts("KVR", FY, tdy=(TdyFacts("V-3", "5624.0", dt.date(2026, 10, 3)),))
    (found,) = awaited([post], {}, AFTER)
    assert (found.what, found.by, found.agency, found.invoice) == (APPROVE_TDY, ("hq",), "5624.0", "V-3")
    assert found.link == "/posts/KVR/2027/tdy"
    assert found.words == "Approve or reject TDY invoice V-3 of 5624.0, submitted 2026-10-03"
    assert (found.due, found.late) == (None, False)


def test_the_order_is_the_kinds_then_the_posts():
    posts = [
        PostFacts("ZZZ", FY, versions=(VersionFacts(1, "initial", 0, "submitted_to_isc"),)),
        PostFacts("AAA", FY, agencies=("1931.0",), versions=(VersionFacts(2, "initial", 0, "recommended"),)),
        PostFacts("AAA", FY - 1, versions=(VersionFacts(1, "final", 0, "submitted_to_isc"),)),
    ]
    found = awaited(posts, {FY: CALL}, BEFORE)
    assert [(a.what, a.post, a.fiscal_year) for a in found] == [
        (CERTIFY, "AAA", FY),
        (APPROVE_COUNTS, "AAA", FY),
        (RECORD_COUNCIL_APPROVAL, "AAA", FY),
        (ACCEPT, "AAA", FY - 1),
        (ACCEPT, "ZZZ", FY),
    ]
    assert len(KINDS) == len(set(KINDS))


EVERYTHING = [
    PostFacts(
        "KVR",
        FY,
        agencies=("1900.0", "1931.0"),
        approved={"1900.0": "disputed"},
        versions=(
            VersionFacts(1, "initial", 0, "with_committee", ("1900.0", "1931.0")),
            VersionFacts(2, "initial", 0, "recommended"),
            VersionFacts(3, "initial", 0, "submitted_to_isc"),
        ),
        tdy=(TdyFacts("V-1", "1931.0", dt.date(2026, 10, 3)),),
    ),
    PostFacts("ABC", FY, agencies=("1931.0", "5624.0"), versions=(VersionFacts(1, "final", 0, "council_approved"),)),
]


@pytest.mark.parametrize(
    ("person", "yours", "visible"),
    [
        (
            Capacities(admin=True),
            {(ACCEPT, "KVR", None)},
            "all",
        ),
        (
            Capacities(fmo=frozenset({"KVR"})),
            {(RESOLVE_DISPUTE, "KVR", "1900.0"), (RECORD_COUNCIL_APPROVAL, "KVR", None)},
            "KVR",
        ),
        (
            Capacities(committee=frozenset({("KVR", "1931.0")})),
            {(CERTIFY, "KVR", "1931.0"), (APPROVE_COUNTS, "KVR", "1931.0"), (RECOMMEND, "KVR", "1931.0")},
            "KVR 1931.0",
        ),
        (
            Capacities(hq=frozenset({"1931.0"})),
            {
                (CERTIFY, "KVR", "1931.0"),
                (APPROVE_COUNTS, "KVR", "1931.0"),
                (APPROVE_TDY, "KVR", "1931.0"),
                (CERTIFY, "ABC", "1931.0"),
                (APPROVE_COUNTS, "ABC", "1931.0"),
            },
            "1931.0",
        ),
        (Capacities(), set(), "none"),
    ],
)
def test_each_person_sees_their_actions_and_those_at_their_posts(person, yours, visible):
    found = awaited(EVERYTHING, {FY: CALL}, BEFORE)
    assert {(a.what, a.post, a.agency) for a in theirs(found, person)} == yours
    shown = seen(found, person)
    expected = {
        "all": found,
        "KVR": [a for a in found if a.post == "KVR"],
        "KVR 1931.0": [a for a in found if (a.post, a.agency) == ("KVR", "1931.0")],
        "1931.0": [a for a in found if a.agency == "1931.0" and a.what != RECOMMEND],
        "none": [],
    }[visible]
    assert shown == expected
    assert all(a.seen_by(person) for a in theirs(found, person))  # what waits for you, you see


def test_whose_action_it_is_in_words():
    found = awaited(EVERYTHING, {FY: CALL}, BEFORE)
    words = {(a.what, a.post, a.agency): who_in_words(a) for a in found}
    assert words[(CERTIFY, "KVR", "1931.0")] == "1931.0's member of the Budget Committee or 1931.0's headquarters"
    assert words[(RESOLVE_DISPUTE, "KVR", "1900.0")] == "the post's FMO"
    assert words[(ACCEPT, "KVR", None)] == "the ISC"


def test_unknown_approvals_await_nothing_of_the_counts():
    post = PostFacts("KVR", FY, agencies=("1931.0",), approved=None)
    assert _what(awaited([post], {FY: CALL}, AFTER)) == [(CERTIFY, "KVR", "1931.0", None)]
