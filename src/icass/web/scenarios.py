"""What-if pages (issue 8 §4): a post's scenarios, and a scenario's page where counts, modifications and budget
line amounts are changed in place (htmx) with every agency's invoice beside the baseline, and the FMO's Apply.
Each asks the store what the API asks (icass.api.scenarios, icass.store.scenarios), under the same rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from icass.api.guard import GuardedRoute, allow, edits_post, reads_post
from icass.api.posts import post_key
from icass.api.scenarios import EDIT, READ, comparison_out, scenario_out
from icass.api.schemas import ChangeNumber, ComparisonOut, FiscalYear, ScenarioId
from icass.money import format_grouped, parse_cents
from icass.store import changes, scenarios
from icass.store.changes import PostKey
from icass.web.render import error_fragment, page, post_row

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
BASE = "/posts/{post}/{fiscal_year}/scenarios"
ONE = BASE + "/{scenario_id}"


@router.get(BASE)
@allow(reads_post, READ)
def scenarios_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    with request.app.state.engine.connect() as connection:
        found = scenarios.list_scenarios(connection, key)
    editable = request.state.session.account.edits_post(post)
    return page(request, "scenarios.html", post=post_row(request, key), scenarios=found, editable=editable)


@router.post(BASE)
@allow(edits_post, EDIT)
def create(request: Request, post: str, fiscal_year: FiscalYear, name: Annotated[str, Form()] = "") -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    try:
        with request.app.state.engine.begin() as connection:
            made = scenarios.create_scenario(connection, key, name, request.state.session.account.username)
    except changes.Rejected as e:
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


def _body(request: Request, key: PostKey, scenario_id: int, **context: Any) -> dict[str, Any]:
    """What the scenario's page shows: the scenario, its comparison, and the rows one changes in it (their
    values in the scenario: a change's values over the stored row)."""
    shown = scenario_out(request, key, scenario_id)
    _scenario, found = scenarios.computed_scenario(request.app.state.engine, key, scenario_id)
    set_values = {(c.resource, c.target): c.values for c in shown.changes if c.action == "set"}
    deleted = {(c.resource, c.target) for c in shown.changes if c.action == "delete"}
    with request.app.state.engine.connect() as connection:
        lines = changes.workload(connection, key, found.run)
        rows = {
            resource: [
                {**row, **set_values.get((resource, str(row["id"])), {})}
                for row in changes.list_rows(connection, key, changes.RESOURCES[resource])
                if (resource, str(row["id"])) not in deleted
            ]
            for resource in ("modifications", "budget-lines")
        }
    account = request.state.session.account
    return {
        "post": post_row(request, key),
        "scenario": shown,
        "compared": _shown(comparison_out(request, key, scenario_id)),
        "lines": lines,
        "changed": {target for resource, target in set_values if resource == scenarios.WORKLOAD},
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
    if isinstance(e, changes.Rejected):
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
    key, user = post_key(request, post, fiscal_year), request.state.session.account.username
    return _changed(
        request,
        key,
        scenario_id,
        lambda c: scenarios.add_change(c, key, scenario_id, resource, "set", target, {column: value}, user),
        saved=f"{resource} {target}: {column} {value}",
    )


@router.delete(ONE + "/changes/{number}")
@allow(edits_post, EDIT)
def remove(
    request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId, number: ChangeNumber
) -> HTMLResponse:
    key, user = post_key(request, post, fiscal_year), request.state.session.account.username
    return _changed(request, key, scenario_id, lambda c: scenarios.remove_change(c, key, scenario_id, number, user))


@router.post(ONE + "/apply")
@allow(edits_post, EDIT)
def apply(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    scenario_id: ScenarioId,
    version: Annotated[int, Form()],
) -> HTMLResponse:
    key, user = post_key(request, post, fiscal_year), request.state.session.account.username
    return _changed(request, key, scenario_id, lambda c: scenarios.apply_scenario(c, key, scenario_id, version, user))


def _changed(
    request: Request, key: PostKey, scenario_id: int, make: Callable[[Connection], object], saved: str = ""
) -> HTMLResponse:
    """Make a change to the scenario in one transaction and show the scenario again, or why it was refused."""
    context: dict[str, Any] = {}
    try:
        with request.app.state.engine.begin() as connection:
            make(connection)
        context["saved"] = saved
    except (changes.Conflict, changes.Rejected, changes.NotFound) as e:
        context["error"] = _message(e)
    return page(request, "scenario_body.html", **_body(request, key, scenario_id, **context))
