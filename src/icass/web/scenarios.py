"""What-if pages (issue 8 §4): a post's scenarios, and a scenario's page where counts, modifications and budget
line amounts are changed in place (htmx) with every agency's invoice beside the baseline, and the FMO's Apply.
Each asks what the API asks (icass.api.scenarios, icass.api.tables), under the same rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from icass.api import tables
from icass.api.guard import GuardedRoute, allow, edits_post, reads_post
from icass.api.posts import post_key, post_out
from icass.api.scenarios import (
    EDIT,
    READ,
    WORKLOAD,
    apply_scenario,
    change_scenario,
    comparison_out,
    new_scenario,
    scenario_out,
    scenario_run,
    scenarios_of,
    take_out_change,
)
from icass.api.schemas import ChangeNumber, ComparisonOut, FiscalYear, ScenarioId
from icass.money import format_grouped, parse_cents
from icass.web.render import error_fragment, page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
BASE = "/posts/{post}/{fiscal_year}/scenarios"
ONE = BASE + "/{scenario_id}"


@router.get(BASE)
@allow(reads_post, READ)
def scenarios_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    found = scenarios_of(request, key)
    editable = request.state.session.account.edits_post(post)
    return page(request, "scenarios.html", post=post_out(request, key), scenarios=found, editable=editable)


@router.post(BASE)
@allow(edits_post, EDIT)
def create(request: Request, post: str, fiscal_year: FiscalYear, name: Annotated[str, Form()] = "") -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    try:
        made = new_scenario(request, key, name)
    except tables.Rejected as e:
        return error_fragment(request, e.problems[0].message, 422)
    answer = page(request, "empty.html", 201)
    answer.headers["HX-Redirect"] = f"/posts/{post}/{fiscal_year}/scenarios/{made.id}"
    return answer


def _grouped(plain: str | None) -> str:
    return "" if plain is None else format_grouped(parse_cents(plain))


def _shown(compared: ComparisonOut) -> dict[str, Any]:
    """The comparison in the reading form (grouped amounts), as the page shows it."""
    return {
        "baseline_total": _grouped(compared.baseline_total),
        "scenario_total": _grouped(compared.scenario_total),
        "difference": _grouped(compared.difference),
        "agencies": [
            {
                "agency": a.agency,
                "name": a.name,
                "baseline": _grouped(a.baseline),
                "scenario": _grouped(a.scenario),
                "difference": _grouped(a.difference),
                "moved": a.difference not in (None, "0.00"),
                "by_funding": [
                    (f, _grouped(v.baseline), _grouped(v.scenario), _grouped(v.difference))
                    for f, v in a.by_funding.items()
                    if (v.baseline, v.scenario) != ("0.00", "0.00")
                ],
            }
            for a in compared.agencies
        ],
        "baseline_problems": compared.baseline_problems,
        "scenario_problems": compared.scenario_problems,
    }


def _body(request: Request, key: tables.PostKey, scenario_id: int, **context: Any) -> dict[str, Any]:
    """What the scenario's page shows: the scenario, its comparison, and the rows one changes in it (their
    values in the scenario: a change's values over the stored row)."""
    shown = scenario_out(request, key, scenario_id)
    set_values = {(c.resource, c.target): c.values for c in shown.changes if c.action == "set"}
    deleted = {(c.resource, c.target) for c in shown.changes if c.action == "delete"}
    lines = tables.workload_lines(request, key, scenario_run(request, key, scenario_id))
    rows = {
        resource: [
            {**dataclasses.asdict(row), **set_values.get((resource, str(row.id)), {})}
            for row in tables.rows_of(request, key, tables.RESOURCES[resource])
            if (resource, str(row.id)) not in deleted
        ]
        for resource in ("modifications", "budget-lines")
    }
    account = request.state.session.account
    return {
        "post": post_out(request, key),
        "scenario": shown,
        "compared": _shown(comparison_out(request, key, scenario_id)),
        "lines": lines,
        "changed": {target for resource, target in set_values if resource == WORKLOAD},
        "modifications": rows["modifications"],
        "budget_lines": rows["budget-lines"],
        "editable": account.edits_post(key.code) and shown.applied_at is None,
        **context,
    }


@router.get(ONE)
@allow(reads_post, READ)
def scenario_page(request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    return page(request, "scenario.html", **_body(request, key, scenario_id))


def _message(e: Exception) -> str:
    if isinstance(e, tables.Rejected):
        return "; ".join(
            f"{p.source}{', ' + p.field if p.field else ''}: {p.message}"
            + (f" (6 FAH-5 {p.section})" if p.section else "")
            for p in e.problems
        )
    return str(e)


@router.post(ONE + "/changes")
@allow(edits_post, EDIT)
def change(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    scenario_id: ScenarioId,
    resource: Annotated[str, Form()],
    target: Annotated[str, Form()],
    column: Annotated[str, Form()],
    value: Annotated[str, Form()],
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    return _changed(
        request,
        key,
        scenario_id,
        lambda: change_scenario(request, key, scenario_id, resource, "set", target, {column: value}),
        saved=f"{resource} {target}: {column} {value}",
    )


@router.delete(ONE + "/changes/{number}")
@allow(edits_post, EDIT)
def remove(
    request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId, number: ChangeNumber
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    return _changed(request, key, scenario_id, lambda: take_out_change(request, key, scenario_id, number))


@router.post(ONE + "/apply")
@allow(edits_post, EDIT)
def apply(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    scenario_id: ScenarioId,
    version: Annotated[int, Form()],
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    return _changed(request, key, scenario_id, lambda: apply_scenario(request, key, scenario_id, version))


def _changed(
    request: Request, key: tables.PostKey, scenario_id: int, make: Callable[[], object], saved: str = ""
) -> HTMLResponse:
    """Make a change to the scenario (in one transaction) and show the scenario again, or why it was refused."""
    context: dict[str, Any] = {}
    try:
        make()
        context["saved"] = saved
    except tables.REFUSED as e:
        context["error"] = _message(e)
    return page(request, "scenario_body.html", **_body(request, key, scenario_id, **context))
