"""What-if pages (issue 8 §4): a post's scenarios, and a scenario's page where counts, modifications and budget
line amounts are changed in place (htmx) with every agency's invoice beside the baseline, and the FMO's Apply.
Each asks what the API asks (icass.api.scenarios, icass.api.tables), under the same rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from icass.api import tables
from icass.api.guard import GuardedRoute, allow, edits_post, reads_post
from icass.api.posts import computed, post_key, post_out
from icass.api.scenarios import (
    EDIT,
    READ,
    WORKLOAD,
    applied_comparison_out,
    apply_scenario,
    change_scenario,
    comparison_out,
    new_scenario,
    scenario_out,
    scenarios_of,
    take_out_change,
)
from icass.api.schemas import (
    ChangeNumber,
    ComparisonOut,
    FiscalYear,
    Problem,
    ScenarioChangeOut,
    ScenarioId,
    WorkloadOut,
)
from icass.money import format_grouped, parse_cents
from icass.views.post_home import unfiled
from icass.views.what_if import WORKLOAD_FILE, Names, cell_in_words, change_in_words, row_in_words
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


def _problem(found: Problem) -> dict[str, str]:
    return {"message": unfiled(found.message), "section": found.section}


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
        "baseline_problems": [_problem(p) for p in compared.baseline_problems],
        "scenario_problems": [_problem(p) for p in compared.scenario_problems],
    }


class _Rows:
    """The post's rows as they are now, named in words (icass.views.what_if), read once per page."""

    def __init__(self, request: Request, key: tables.PostKey) -> None:
        self.request = request
        self.key = key
        self.names = Names(computed(request, key))
        self.lines = {line.id: line for line in tables.workload_lines(request, key)}
        self._rows: dict[str, dict[str, tables.StoredRow]] = {}

    def rows(self, resource: str) -> dict[str, tables.StoredRow]:
        if resource not in self._rows:
            found = tables.rows_of(self.request, self.key, tables.RESOURCES[resource])
            self._rows[resource] = {str(row.id): row for row in found}
        return self._rows[resource]

    def line_cells(self, line: WorkloadOut) -> dict[str, str]:
        return {"cost_center": line.cost_center, "agency": line.agency, "factor": line.factor, "count": line.count}

    def named(self, resource: str, target: str) -> tuple[str, dict[str, str] | None]:
        """The row a change is made to, in words, and its cells now (None: a new row, or one gone since)."""
        if resource == WORKLOAD:
            line = self.lines.get(target)
            # A line the post does not count yet (no record counts the agency there): its count is none.
            parts = [*target.split(":"), "", ""][:3]
            cells = (
                self.line_cells(line)
                if line
                else dict(zip(("cost_center", "agency", "factor"), parts, strict=True)) | {"count": "0"}
            )
            return row_in_words(self.names, resource, WORKLOAD_FILE, cells, 0), cells
        file = tables.RESOURCES[resource]
        row = self.rows(resource).get(target)
        if row is None:
            return f"A row of {file} no longer there", None
        return row_in_words(self.names, resource, file, row.cells(), row.row), row.cells()

    def said(self, change: ScenarioChangeOut, applied: bool) -> str:
        file = WORKLOAD_FILE if change.resource == WORKLOAD else tables.RESOURCES[change.resource]
        row, before = self.named(change.resource, change.target) if change.action != "create" else ("", None)
        # Applied, the post's rows hold the changes: what they were is in the record, not in the rows.
        shown = None if applied else before
        return change_in_words(change.resource, file, change.action, change.values, row, shown)

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """What the page offers to change, each row in words with its value now, by resource."""
        money = "budget-lines"
        return {
            WORKLOAD: [
                (line.id, f"{self.named(WORKLOAD, line.id)[0]}, now {line.count}") for line in self.lines.values()
            ],
            "modifications": [
                (target, f"{self.named('modifications', target)[0]}, now {row.cells()['modification']}")
                for target, row in self.rows("modifications").items()
            ],
            money: [
                (
                    target,
                    f"{self.named(money, target)[0]}, {row.cells()['funding']} {row.cells()['soc']}, "
                    f"now {cell_in_words(tables.RESOURCES[money], 'amount', row.cells()['amount'])}",
                )
                for target, row in self.rows(money).items()
            ],
        }


def _body(request: Request, key: tables.PostKey, scenario_id: int, **context: Any) -> dict[str, Any]:
    """What the scenario's page shows: the scenario, its changes in words, and every agency's invoice beside the
    baseline (once applied: the post before it beside the post after it, as the record kept them)."""
    shown = scenario_out(request, key, scenario_id)
    rows = _Rows(request, key)
    applied = shown.applied_at is not None
    kept = applied_comparison_out(request, key, scenario_id) if applied else None
    compared = kept or comparison_out(request, key, scenario_id)
    account = request.state.session.account
    return {
        "post": post_out(request, key),
        "scenario": shown,
        "changes": [(c, rows.said(c, applied)) for c in shown.changes],
        "compared": _shown(compared),
        "kept": kept is not None,
        "editable": account.edits_post(key.code) and not applied,
        "rows": rows,
        **context,
    }


@router.get(ONE)
@allow(reads_post, READ)
def scenario_page(request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    body = _body(request, key, scenario_id)
    choices = body["rows"].choices() if body["editable"] else {}
    return page(request, "scenario.html", choices=choices, **body)


@router.get(ONE + "/apply")
@allow(edits_post, EDIT)
def confirm_page(request: Request, post: str, fiscal_year: FiscalYear, scenario_id: ScenarioId) -> HTMLResponse:
    """The step before Apply: what will change, in words and in every agency's invoice."""
    key = post_key(request, post, fiscal_year)
    return page(request, "scenario_apply.html", **_body(request, key, scenario_id))


def _message(e: Exception) -> str:
    """A refusal as it is shown beside the field: the rule's message and its handbook section (the field is
    the one the person just typed in; the row, the one they picked)."""
    if isinstance(e, tables.Rejected):
        return "; ".join(p.message + (f" (6 FAH-5 {p.section})" if p.section else "") for p in e.problems)
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
    context: dict[str, Any] = {"form": resource}
    try:
        change_scenario(request, key, scenario_id, resource, "set", target, {column: value})
    except tables.REFUSED as e:
        context["form_error"] = _message(e)
    body = _body(request, key, scenario_id, **context)
    if "form_error" not in context:
        made = next((said for c, said in reversed(body["changes"]) if (c.resource, c.target) == (resource, target)), "")
        body["saved"] = made
    return page(request, "scenario_body.html", **body)


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
    try:
        apply_scenario(request, key, scenario_id, version)
    except tables.REFUSED as e:
        return error_fragment(request, f"Nothing was applied: {_message(e)}")
    answer = page(request, "empty.html")
    answer.headers["HX-Redirect"] = f"/posts/{post}/{fiscal_year}/scenarios/{scenario_id}"
    return answer


def _changed(request: Request, key: tables.PostKey, scenario_id: int, make: Callable[[], object]) -> HTMLResponse:
    """Make a change to the scenario (in one transaction) and show the scenario again, or why it was refused."""
    context: dict[str, Any] = {}
    try:
        make()
    except tables.REFUSED as e:
        context["error"] = _message(e)
    return page(request, "scenario_body.html", **_body(request, key, scenario_id, **context))
