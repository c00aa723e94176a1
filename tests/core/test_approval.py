"""The path of a version (icass.model.approval), as a pure function: each step's state, taker and successor."""

from __future__ import annotations

import pytest

from icass.model.approval import (
    ADMIN,
    COMMITTEE,
    FMO,
    STEPS,
    Incomplete,
    NotYours,
    OutOfOrder,
    State,
    Taken,
    take,
    waiting_for,
)

COUNCIL = ("2026-11-20", "minutes, item 3")
SEATED = ("1900.0", "1931.0")


def test_the_path_in_order():
    state = State.DRAFT
    for step, capacity, expected in (
        ("submit_to_committee", FMO, State.WITH_COMMITTEE),
        ("record_council_approval", FMO, None),  # not yet: 409
    ):
        if expected is None:
            with pytest.raises(OutOfOrder, match="the version is with_committee"):
                take(state, step, {capacity}, None, SEATED, [], "", council=COUNCIL)
            continue
        state = take(state, step, {capacity}, None, SEATED, [], "").state
        assert state == expected
    first = take(state, "recommend", {COMMITTEE}, "1900.0", SEATED, [Taken("submit_to_committee")], "")
    assert (first.state, first.agency) == (State.WITH_COMMITTEE, "1900.0")
    taken = [Taken("submit_to_committee"), Taken("recommend", "1900.0")]
    assert waiting_for(SEATED, taken) == ["1931.0"]
    assert take(state, "recommend", {COMMITTEE}, "1931.0", SEATED, taken, "").state == State.RECOMMENDED
    assert take(State.RECOMMENDED, "record_council_approval", {ADMIN}, None, SEATED, [], "", council=COUNCIL).state == (
        State.COUNCIL_APPROVED
    )
    assert take(State.COUNCIL_APPROVED, "submit_to_isc", {FMO}, None, SEATED, [], "").state == State.SUBMITTED_TO_ISC
    assert take(State.SUBMITTED_TO_ISC, "accept", {ADMIN}, None, SEATED, [], "").state == State.ACCEPTED
    returned = take(State.SUBMITTED_TO_ISC, "return", {ADMIN}, None, SEATED, [], "fix the LGP lines")
    assert (returned.state, returned.new_revision) == (State.RETURNED, True)


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_is_refused_to_the_wrong_role_before_its_state_is_judged(step):
    others = {FMO, COMMITTEE, ADMIN} - STEPS[step].by
    for capacity in others:
        with pytest.raises(NotYours, match=f"{step} is taken by"):
            take(State.ACCEPTED, step, {capacity}, "1900.0", SEATED, [], "why")


def test_what_a_step_needs():
    with pytest.raises(Incomplete, match="date and its minutes"):
        take(State.RECOMMENDED, "record_council_approval", {FMO}, None, SEATED, [], "")
    with pytest.raises(Incomplete, match="override"):
        take(State.WITH_COMMITTEE, "recommend", {ADMIN}, None, SEATED, [], " ")
    with pytest.raises(Incomplete, match="refusal needs a comment"):
        take(State.WITH_COMMITTEE, "recommend", {COMMITTEE}, "1900.0", SEATED, [], "", refused=True)
    with pytest.raises(Incomplete, match="the other"):
        take(State.SUBMITTED_TO_ISC, "accept", {ADMIN}, None, SEATED, [], "no", refused=True)
    with pytest.raises(Incomplete, match="unknown step"):
        take(State.DRAFT, "approve", {FMO}, None, SEATED, [], "")
    refused = take(State.RECOMMENDED, "record_council_approval", {FMO}, None, SEATED, [], "cuts", refused=True)
    assert refused.state == State.DRAFT


def test_recommendations_count_from_the_last_submission():
    taken = [Taken("submit_to_committee"), Taken("recommend", "1900.0"), Taken("recommend", "1931.0", refused=True)]
    assert waiting_for(SEATED, taken) == ["1931.0"]
    assert waiting_for(SEATED, [*taken, Taken("submit_to_committee")]) == list(SEATED)
    with pytest.raises(OutOfOrder, match=r"1900\.0 has already recommended"):
        take(State.WITH_COMMITTEE, "recommend", {COMMITTEE}, "1900.0", SEATED, taken, "")
