"""The position page: each position of the post with its cost pool and where its time goes (cost centers by
name, percents and dollars: icass.views.positions); a new position made in one form with its time allocation
and cost lines (icass.api.positions.add_whole_position: one change, all or nothing, every problem shown beside
its field at once); and a position removed with its time allocation and cost lines, after a confirmation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from icass.api import tables
from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_post
from icass.api.positions import add_whole_position
from icass.api.posts import computed, post_key, post_out
from icass.api.schemas import FiscalYear, RowId
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.diagnostics import Diagnostic
from icass.money import plain_amount
from icass.views.positions import (
    funding_name,
    page_holding,
    page_of_pools,
    pools_total,
    position_choices,
    position_pools,
    position_records,
)
from icass.web.render import error_fragment, page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
READ = "read the post (its admin, FMO or budget committee)"
EDIT = "change the post (its admin or FMO)"
PAGE = "/posts/{post}/{fiscal_year}/positions"

# The form's parts: the position's own cells, then its rows of the two other tables, each a list of rows whose
# fields are named `time_allocation-0-percent`. Blank rows are left out; a few are offered, more on request.
POSITION = ("position_id", "category", "grade", "title")
PARTS = {"time_allocation": ("cost_center", "percent"), "costs": ("funding", "soc", "amount")}
FILES = {"time_allocation": tables.RESOURCES["time-allocation"], "costs": tables.RESOURCES["position-costs"]}
OFFERED = {"time_allocation": 3, "costs": 2}
MOST_ROWS = 60  # a position's rows in one form; a bound on what a form may ask the page to lay out


async def _form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(_form)]


def _typed(form: FormData | None) -> dict[str, Any]:
    """The form as typed: the position's cells and each part's rows (as many as the form had, at least the
    number offered), every value a string."""

    def text(name: str) -> str:
        return "" if form is None else str(form.get(name, ""))[:1000]

    typed: dict[str, Any] = {name: text(name) for name in POSITION}
    for part, columns in PARTS.items():
        try:
            count = int(text(f"{part}-rows") or 0)
        except ValueError:
            count = 0
        count = min(max(count, OFFERED[part]), MOST_ROWS)
        typed[part] = [{c: text(f"{part}-{k}-{c}") for c in columns} for k in range(count)]
    return typed


def _given(rows: list[dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    """The rows not left blank, each with its place in the form."""
    return [(k, row) for k, row in enumerate(rows) if any(v.strip() for v in row.values())]


def _context(request: Request, post: str, fiscal_year: int, **more: Any) -> dict[str, Any]:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    return {
        "post": post_out(request, key),
        "post_url": f"/posts/{post}/{fiscal_year}",
        "choices": position_choices(run),
        "editable": account_of(request).edits_post(post),
        "typed": _typed(None),
        "problems": {},
        "general": [],
        **more,
    }


def _stored(request: Request, key: tables.PostKey) -> dict[int, tables.StoredRow]:
    """The positions' stored rows by the row number the views name them by."""
    return {row.row: row for row in tables.rows_of(request, key, tables.POSITIONS)}


@router.get(PAGE)
@allow(reads_post, READ)
def positions_page(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    made: Annotated[str, Query(max_length=200)] = "",
    removed: Annotated[str, Query(max_length=200)] = "",
    q: Annotated[str, Query(max_length=MAX_TEXT_CHARS)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    run = computed(request, key)
    positions = position_records(run)
    if made and not q:  # the position just made is on the page shown
        page_number = page_holding(positions, made)
    paged = page_of_pools(positions, q, page_number, run)
    url = f"/posts/{post}/{fiscal_year}/positions"

    def link(page: int) -> str:
        return f"{url}?{urlencode({'q': q, 'page': page} if q else {'page': page})}#positions-heading"

    return page(
        request,
        "positions.html",
        **_context(request, post, fiscal_year),
        pools=paged.pools,
        paged=paged,
        link=link,
        query=q,
        all_positions=len(positions),
        stored=_stored(request, key),
        total=pools_total(run),
        made=next(iter(position_pools(run, {made}))) if made in {p.position_id for p in positions} else None,
        removed=removed,
        funding_name=funding_name,
    )


@router.post(PAGE + "/form")
@allow(edits_post, EDIT)
def more_rows(request: Request, post: str, fiscal_year: FiscalYear, form: Form) -> HTMLResponse:
    """The form again, as typed, with one more row of the part its button names (nothing is saved)."""
    typed = _typed(form)
    part = str(form.get("more", ""))
    if part in PARTS and len(typed[part]) < MOST_ROWS:
        typed[part].append(dict.fromkeys(PARTS[part], ""))
    return page(request, "positions_form.html", **_context(request, post, fiscal_year, typed=typed))


@router.post(PAGE)
@allow(edits_post, EDIT)
def add_position(request: Request, post: str, fiscal_year: FiscalYear, form: Form) -> Response:
    key = post_key(request, post, fiscal_year)
    typed = _typed(form)
    values = {name: typed[name] for name in POSITION}
    given = {part: _given(typed[part]) for part in PARTS}
    costs = [{**row, "amount": plain_amount(row["amount"])} for _, row in given["costs"]]
    try:
        made = add_whole_position(
            request, key, values, [row for _, row in given["time_allocation"]], costs, account_of(request).username
        )
    except tables.Rejected as e:
        counts = tables.row_counts(request, key)
        problems, general = _placed(e.problems, given, counts)
        more = {"typed": typed, "problems": problems, "general": general}
        return page(request, "positions_form.html", **_context(request, post, fiscal_year, **more, refused=True))
    except tables.Conflict as e:  # another change to the post was made at the same moment
        return error_fragment(request, str(e))
    answer = Response(status_code=204)
    answer.headers["HX-Redirect"] = (
        f"/posts/{post}/{fiscal_year}/positions?made={made.position.cells()['position_id']}"
        f"#position-row-{made.position.row}"
    )
    return answer


def _placed(
    problems: list[Diagnostic], given: Mapping[str, list[tuple[int, dict[str, str]]]], counts: Mapping[str, int]
) -> tuple[dict[str, list[str]], list[str]]:
    """Each problem beside the field of the form it names: `position_id`, `time_allocation-2-percent`... A
    problem of a row before it was written names its place in the change (`time_allocation[1]`); one the
    post's run found after names its row of the file, which the new rows took at the file's end."""
    beside: dict[str, list[str]] = defaultdict(list)
    general: list[str] = []
    resources = {file: resource for resource, file in tables.RESOURCES.items()}
    for d in problems:
        said = d.message + (f" (6 FAH-5 {d.section})" if d.section else "")
        name = _field(d, given, counts.get(resources.get(d.source.file, ""), 0))
        if name is None:
            general.append(said)
        else:
            beside[name].append(said)
    return dict(beside), general


def _field(d: Diagnostic, given: Mapping[str, list[tuple[int, dict[str, str]]]], stored: int) -> str | None:
    if d.source.file == tables.POSITIONS:
        return d.field if d.field in POSITION else None
    part = next((p for p, file in FILES.items() if file == d.source.file), None)
    if part is None or d.field not in PARTS[part]:
        return None
    rows = given[part]
    if d.source.key == part:  # the rows as a whole (the time allocation's sum): beside the first row's field
        return f"{part}-{rows[0][0] if rows else 0}-{d.field}"
    if d.source.key.startswith(f"{part}["):
        at = int(d.source.key[len(part) + 1 : -1])
    elif d.source.row:
        at = d.source.row - 2 - stored  # the new rows came after the `stored` rows the file keeps
    else:
        return None
    return f"{part}-{rows[at][0]}-{d.field}" if 0 <= at < len(rows) else None


@router.get(PAGE + "/{row_id}/remove")
@allow(edits_post, EDIT)
def confirm_removal(request: Request, post: str, fiscal_year: FiscalYear, row_id: RowId) -> HTMLResponse:
    """What removing the position takes with it, and the button that does it, in place of its Remove button."""
    return _removal(request, post, fiscal_year, row_id, confirming=True)


@router.get(PAGE + "/{row_id}/keep")
@allow(edits_post, EDIT)
def keep_position(request: Request, post: str, fiscal_year: FiscalYear, row_id: RowId) -> HTMLResponse:
    """The confirmation put away: the Remove button again."""
    return _removal(request, post, fiscal_year, row_id, confirming=False)


def _removal(request: Request, post: str, fiscal_year: int, row_id: int, confirming: bool) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    try:
        row = tables.row_of(request, key, tables.POSITIONS, row_id)
    except tables.NotFound as e:
        return error_fragment(request, str(e))
    pool = next((p for p in position_pools(computed(request, key)) if p.row_id == row.row), None)
    if pool is None:
        return error_fragment(request, f"position row {row.row} is not among the post's positions: reload the page")
    more: dict[str, Any] = {"row": row, "p": pool, "confirming": confirming}
    return page(request, "positions_remove.html", **_context(request, post, fiscal_year), **more)


@router.delete(PAGE + "/{row_id}")
@allow(edits_post, EDIT)
def remove_position(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    row_id: RowId,
    version: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> Response:
    key = post_key(request, post, fiscal_year)
    try:
        position_id = tables.row_of(request, key, tables.POSITIONS, row_id).cells()["position_id"]
        tables.remove_row(request, key, tables.POSITIONS, row_id, version, account_of(request).username)
    except (tables.Conflict, tables.NotFound) as e:
        return error_fragment(request, f"{e} Nothing was removed.")
    answer = Response(status_code=204)
    answer.headers["HX-Redirect"] = f"/posts/{post}/{fiscal_year}/positions?removed={position_id}"
    return answer
