"""The Agency Workload approval on the API (issue 20 §2, icass.store.workload_approvals): where each agency of a
post stands on its workload counts, an agency's approval or dispute (a comment a line), and the FMO's reopening.
The store asks icass.model.workload_approval and records; a route checks who may read the post or speak for
an agency, and says each refusal: 403 not theirs, 409 out of order, 422 what is missing, naming the field."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from icass.api.guard import GuardedRoute, account_of, allow, edits_post
from icass.api.posts import SCOPED, post_key
from icass.api.schemas import TEXT, Code, FiscalYear, Message
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.model.workload_approval import SECTIONS, STEPS, Dispute, Incomplete, NotYours, OutOfOrder, taken_as
from icass.store import workload_approvals
from icass.store.accounts import Account
from icass.store.changes import PostKey
from icass.store.workload_approvals import ApprovalStatus, StepTaken

router = APIRouter(route_class=GuardedRoute, tags=["workload approvals"])
PATH = "/api/posts/{post}/{fiscal_year}/workload-approvals"
Comment = Annotated[str, Field(default="", max_length=MAX_TEXT_CHARS, pattern=TEXT)]
ANSWERS: dict[int | str, dict[str, Any]] = {
    **SCOPED,
    409: {"model": Message, "description": "the step is not due in the approval's state (the message names it)"},
    422: {"model": Message, "description": "the step lacks what it needs (the message names the field)"},
}


class LineIn(BaseModel):
    cost_center: Code
    comment: Comment


class DecisionIn(BaseModel):
    agency: Code
    decision: Literal["approve", "dispute"]
    comment: Comment
    lines: list[LineIn] = Field(default=[], max_length=500, description="dispute: a comment a line (cost center)")


class ReopenIn(BaseModel):
    comment: Comment


class DisputeOut(BaseModel):
    cost_center: str
    comment: str


class ApprovalStepOut(BaseModel):
    step: str
    state: str
    by: str
    at: str
    capacity: str
    taken_as: str = Field(description="who took it, in words (the capacity)")
    comment: str
    disputes: list[DisputeOut]
    sha256: str


class ApprovalOut(BaseModel):
    agency: str
    state: str = Field(description="awaiting | approved | disputed | reopened")
    by: str = Field(description="who took the latest step")
    at: str
    capacity: str = Field(description="committee, hq, admin (the ISC on the agency's behalf) or fmo")
    on_behalf: bool = Field(description="the ISC took the agency's step on its behalf")
    comment: str
    disputes: list[DisputeOut]
    sha256: str = Field(description="the hash of the lines last approved; empty when never approved")
    steps: list[ApprovalStepOut]
    sections: str = SECTIONS


def speaks_for_an_agency(account: Account, path: Any) -> bool:
    """Reads the post, or is some agency's headquarters: whether it speaks for the agency named in the body is
    the store's question (403 there)."""
    return account.reads_post(path["post"]) or bool(account.hq_agencies)


def _disputes(found: tuple[Dispute, ...]) -> list[DisputeOut]:
    return [DisputeOut(**asdict(d)) for d in found]


def approval_out(found: ApprovalStatus, steps: list[StepTaken]) -> ApprovalOut:
    return ApprovalOut(
        **{k: v for k, v in asdict(found).items() if k != "disputes"},
        on_behalf=found.capacity == "admin",
        disputes=_disputes(found.disputes),
        steps=[_step_out(s) for s in steps],
    )


def _step_out(s: StepTaken) -> ApprovalStepOut:
    return ApprovalStepOut(**{**asdict(s), "disputes": _disputes(s.disputes), "taken_as": taken_as(s.capacity, s.step)})


def approvals_of(request: Request, key: PostKey) -> list[ApprovalOut]:
    """Every agency's approval the signed-in person may read: all of them for a reader of the post, else those
    of the agencies whose headquarters they are (the guard is the caller's)."""
    account = account_of(request)
    with request.app.state.engine.connect() as connection:
        found = workload_approvals.status(connection, key)
        return [
            approval_out(s, workload_approvals.history(connection, key, s.agency))
            for s in found.values()
            if account.reads_post(key.code) or s.agency in account.hq_agencies
        ]


def approval_of(request: Request, key: PostKey, agency: str) -> ApprovalOut:
    """The agency's approval (404 for an agency not at the post; the guard is the caller's)."""
    with request.app.state.engine.connect() as connection:
        found = workload_approvals.status(connection, key).get(agency)
        if found is None:
            raise HTTPException(404, f"{agency} is not an agency at post {key.code} in fiscal year {key.fiscal_year}")
        return approval_out(found, workload_approvals.history(connection, key, agency))


@router.get(PATH, responses=SCOPED, summary="Where each agency of the post stands on its workload counts")
@allow(speaks_for_an_agency, "read the post, or speak for one of its agencies")
def list_approvals(request: Request, post: str, fiscal_year: FiscalYear) -> list[ApprovalOut]:
    return approvals_of(request, post_key(request, post, fiscal_year))


@router.post(PATH, responses=ANSWERS, summary="An agency approves or disputes its workload counts")
@allow(speaks_for_an_agency, "speak for an agency of the post (its committee member, its hq, or the ISC)")
def decide(request: Request, post: str, fiscal_year: FiscalYear, body: DecisionIn) -> ApprovalOut:
    lines = [Dispute(line.cost_center, line.comment) for line in body.lines]
    key = post_key(request, post, fiscal_year)
    return step_taken(request, key, body.agency, body.decision, body.comment, lines)


@router.post(f"{PATH}/{{agency}}/reopen", responses=ANSWERS, summary="The FMO reopens an agency's approval")
@allow(edits_post, "reopen an agency's approval (the post's FMO or the ISC)")
def reopen(request: Request, post: str, fiscal_year: FiscalYear, agency: str, body: ReopenIn) -> ApprovalOut:
    return step_taken(request, post_key(request, post, fiscal_year), agency, "reopen", body.comment)


def step_taken(
    request: Request, key: PostKey, agency: str, step: str, comment: str, lines: list[Dispute] | None = None
) -> ApprovalOut:
    """The step taken by the signed-in person (a page's form too): 403 not theirs, 409 out of order, 422 short
    (naming the field), 404 an agency not at the post."""
    account = account_of(request)
    try:
        with request.app.state.engine.begin() as connection:
            workload_approvals.take(connection, key, agency, account, step, comment, lines or [])
    except OutOfOrder as e:
        raise HTTPException(409, str(e)) from None
    except NotYours as e:
        raise HTTPException(403, f"{account.username} may not do this: {e}") from None
    except Incomplete as e:  # the model's own name the field (Invalid)
        raise HTTPException(422, str(e)) from None
    return approval_of(request, key, agency)


def steps_open(request: Request, post: str, agency: str, state: str) -> list[str]:
    """The steps (approve, dispute, reopen) the signed-in person may take on the agency's approval now: what a
    page offers (the route refuses any other, whatever the page showed)."""
    held = set(workload_approvals.capacities(account_of(request), post, agency))
    return [s.name for s in STEPS.values() if s.by & held and state in s.due_in]
