"""What-if scenarios of a post (issue 8 §4): counts, modifications and costs changed in a scenario, every
agency's invoice in it beside the baseline, and the scenario applied to the post by its FMO (icass.store.
scenarios). Who: the post's admin and FMO make, change, apply and delete scenarios; its budget committee
members read them (they change nothing, as on the post; docs/workspace.md); hq has no access."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_post
from icass.api.posts import SCOPED, Responses, post_key, problem
from icass.api.schemas import (
    AgencyComparisonOut,
    ChangeNumber,
    ComparisonOut,
    FiscalYear,
    FundingComparisonOut,
    Message,
    Refused,
    ScenarioApply,
    ScenarioChangeIn,
    ScenarioChangeOut,
    ScenarioId,
    ScenarioNew,
    ScenarioOut,
    ScenarioSummaryOut,
)
from icass.api.tables import RESOURCES, typed_cells
from icass.money import format_plain
from icass.runs.post import PostRun
from icass.store import scenarios
from icass.store.changes import PostKey
from icass.store.scenarios import WORKLOAD, Scenario
from icass.views.comparison import Comparison

__all__ = ["WORKLOAD", "Scenario"]

router = APIRouter(route_class=GuardedRoute, tags=["scenarios"])
READ = "read the post's scenarios (its admin, FMO or budget committee)"
EDIT = "make, change or apply the post's scenarios (its admin or FMO)"
CHANGED: Responses = {**SCOPED, 409: {"model": Message}, 422: {"model": Refused}}
BASE = "/api/posts/{post}/{fiscal_year}/scenarios"
ONE = BASE + "/{scenario_id}"


def scenario_out(request: Request, key: PostKey, scenario_id: int) -> ScenarioOut:
    """The scenario with each change's state on the post as it is now (stale, or skipped and why)."""
    scenario, found = scenarios.computed_scenario(request.app.state.engine, key, scenario_id)
    return ScenarioOut(
        **_head(scenario),
        post=key.code,
        fiscal_year=key.fiscal_year,
        changes=[
            ScenarioChangeOut(
                number=c.number,
                resource=c.resource,
                action=c.action,
                target=c.target,
                values=c.values,
                base_version=c.base_version,
                stale=c.number in found.stale,
                skipped=found.skipped.get(c.number),
            )
            for c in scenario.changes
        ],
    )


def _head(scenario: scenarios.Scenario) -> dict[str, Any]:
    fields = ("id", "name", "created_by", "created_at", "version", "applied_at", "applied_by", "post_changed")
    return {f: getattr(scenario, f) for f in fields}


def _plain(cents: int | None) -> str | None:
    return None if cents is None else format_plain(cents)


def _difference(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before


def comparison_out(request: Request, key: PostKey, scenario_id: int) -> ComparisonOut:
    scenario, _found, compared = scenarios.comparison(request.app.state.engine, key, scenario_id)
    return _comparison_out(key, scenario, compared)


def applied_comparison_out(request: Request, key: PostKey, scenario_id: int) -> ComparisonOut | None:
    """An applied scenario's comparison as it was applied: the post before it against the post after it, kept
    in the record (None when not applied). `comparison_out` of an applied scenario is the post now, twice."""
    with request.app.state.engine.connect() as connection:
        scenario = scenarios.get_scenario(connection, key, scenario_id)
        kept = scenarios.applied_comparison(connection, key, scenario_id) if scenario.applied else None
    return None if kept is None else _comparison_out(key, scenario, kept)


def _comparison_out(key: PostKey, scenario: Scenario, compared: Comparison) -> ComparisonOut:
    agencies = []
    for a in compared.agencies:
        by_funding = {}
        for f in compared.fundings:
            before = None if a.baseline is None else a.baseline.get(f, 0)
            after = None if a.scenario is None else a.scenario.get(f, 0)
            by_funding[f] = FundingComparisonOut(
                baseline=_plain(before), scenario=_plain(after), difference=_plain(_difference(before, after))
            )
        agencies.append(
            AgencyComparisonOut(
                agency=a.agency,
                name=a.name,
                baseline=_plain(a.baseline_total),
                scenario=_plain(a.scenario_total),
                difference=_plain(a.difference),
                by_funding=by_funding,
            )
        )
    return ComparisonOut(
        post=key.code,
        fiscal_year=key.fiscal_year,
        scenario=scenario.id,
        post_changed=scenario.post_changed,
        baseline_total=_plain(compared.baseline_total),
        scenario_total=_plain(compared.scenario_total),
        difference=_plain(_difference(compared.baseline_total, compared.scenario_total)),
        agencies=agencies,
        baseline_problems=[problem(d) for d in compared.baseline_errors],
        scenario_problems=[problem(d) for d in compared.scenario_errors],
    )


def scenarios_of(request: Request, key: PostKey) -> list[Scenario]:
    with request.app.state.engine.connect() as connection:
        return scenarios.list_scenarios(connection, key)


def new_scenario(request: Request, key: PostKey, name: str) -> Scenario:
    with request.app.state.engine.begin() as connection:
        return scenarios.create_scenario(connection, key, name, account_of(request).username)


def scenario_run(request: Request, key: PostKey, scenario_id: int) -> PostRun:
    """The post's run with the scenario's changes made (kept as the store keeps it)."""
    return scenarios.computed_scenario(request.app.state.engine, key, scenario_id)[1].run


def change_scenario(
    request: Request, key: PostKey, scenario_id: int, resource: str, action: str, target: str, values: dict[str, str]
) -> None:
    """Add a change to the scenario (set a row's or a workload line's values, or delete a row); a row's cells
    as a person types them, as the table editors take them (an amount "95,000" or "$95,000.00")."""
    if action != "delete" and resource in RESOURCES:
        values = typed_cells(RESOURCES[resource], values)
    with request.app.state.engine.begin() as connection:
        scenarios.add_change(
            connection, key, scenario_id, resource, action, target, values, account_of(request).username
        )


def take_out_change(request: Request, key: PostKey, scenario_id: int, number: int) -> None:
    with request.app.state.engine.begin() as connection:
        scenarios.remove_change(connection, key, scenario_id, number, account_of(request).username)


def apply_scenario(request: Request, key: PostKey, scenario_id: int, version: int) -> None:
    with request.app.state.engine.begin() as connection:
        scenarios.apply_scenario(connection, key, scenario_id, version, account_of(request).username)


@router.get(BASE, responses=SCOPED, summary="The post's what-if scenarios")
@allow(reads_post, READ)
def list_scenarios(request: Request, post: str, fiscal_year: FiscalYear) -> list[ScenarioSummaryOut]:
    found = scenarios_of(request, post_key(request, post, fiscal_year))
    return [ScenarioSummaryOut(**_head(s), changes=len(s.changes)) for s in found]


@router.post(BASE, status_code=201, responses=CHANGED, summary="A new scenario of the post, with no changes yet")
@allow(edits_post, EDIT)
def create_scenario(request: Request, post: str, fiscal_year: FiscalYear, body: ScenarioNew) -> ScenarioOut:
    key = post_key(request, post, fiscal_year)
    return scenario_out(request, key, new_scenario(request, key, body.name).id)


@router.get(ONE, responses=SCOPED, summary="A scenario and its changes")
@allow(reads_post, READ)
def get_scenario(request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId) -> ScenarioOut:
    return scenario_out(request, post_key(request, post, fiscal_year), scenario_id)


@router.delete(ONE, responses=CHANGED, summary="Delete a scenario not yet applied")
@allow(edits_post, EDIT)
def delete_scenario(request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId) -> Message:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.begin() as connection:
        scenarios.delete_scenario(connection, key, scenario_id, account_of(request).username)
    return Message(detail=f"scenario {scenario_id} deleted")


@router.post(ONE + "/changes", responses=CHANGED, summary="Change a row or a workload line in the scenario")
@allow(edits_post, EDIT)
def add_change(
    request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId, body: ScenarioChangeIn
) -> ScenarioOut:
    key = post_key(request, post, fiscal_year)
    change_scenario(request, key, scenario_id, body.resource, body.action, body.target, body.values)
    return scenario_out(request, key, scenario_id)


@router.delete(ONE + "/changes/{number}", responses=CHANGED, summary="Take a change out of the scenario")
@allow(edits_post, EDIT)
def remove_change(
    request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId, number: ChangeNumber
) -> ScenarioOut:
    key = post_key(request, post, fiscal_year)
    take_out_change(request, key, scenario_id, number)
    return scenario_out(request, key, scenario_id)


@router.get(
    ONE + "/comparison",
    responses=SCOPED,
    summary="Every agency's invoice, in all and by funding source, on the baseline and in the scenario",
)
@allow(reads_post, READ)
def comparison(request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId) -> ComparisonOut:
    return comparison_out(request, post_key(request, post, fiscal_year), scenario_id)


@router.post(
    ONE + "/apply",
    responses=CHANGED,
    summary="Make the scenario's changes to the post, all or none, each checked and recorded as any change",
)
@allow(edits_post, EDIT)
def apply(
    request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId, body: ScenarioApply
) -> ScenarioOut:
    key = post_key(request, post, fiscal_year)
    apply_scenario(request, key, scenario_id, body.version)
    return scenario_out(request, key, scenario_id)
