"""The table editors: one page per resource of the API (budget lines, positions and their time allocation,
agencies, source records, modifications, visitors), driven by the columns of its bundle file. A row is edited in
place (htmx) with the version it was read at; the pipeline's problems in a row are shown beside the field they
name, with the handbook section; a stale version shows the row as it is now. A source record shows the counts
it is counted in; a modification, each agency's decision, and a committee member's buttons to decide."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from icass.api import tables
from icass.api.guard import GuardedRoute, account_of, allow, edits_post, reads_post
from icass.api.posts import computed, post_key, post_out
from icass.api.schemas import FiscalYear, RowId
from icass.api.tables import RESOURCES
from icass.bundle.format import FILES as FORMAT
from icass.diagnostics import ERROR, Diagnostic
from icass.runs.post import PostRun
from icass.web.render import error_fragment, page
from icass.workload.fed import lines_fed

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
READ = "read the post (its admin, FMO or budget committee)"
EDIT = "change the post (its admin or FMO)"
TABLE = "/posts/{post}/{fiscal_year}/tables/{resource}"
ROW = TABLE + "/{row_id}"

# The index of the editors, in the order a post's budget is put together: what the post spends, who does
# the work and where their time goes, who is served, the records the counts are derived from, the
# modifications of those counts, and the visitors billed under the TDY module.
GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "The budget",
        (("budget-lines", "Budget lines"), ("cost-factors", "AmSal and PAT cost factors by grade")),
    ),
    (
        "Positions and time allocation",
        (
            ("positions", "ICASS positions"),
            ("position-costs", "Position costs"),
            ("time-allocation", "Time allocation"),
        ),
    ),
    ("Agencies", (("agencies", "Agencies"),)),
    (
        "Source records (the counts are derived from them)",
        (
            ("people", "People"),
            ("subscriptions", "Subscriptions"),
            ("it-inventory", "IT inventory"),
            ("procurement", "Procurement actions"),
            ("housing", "Housing units"),
            ("office-space", "Office space"),
            ("guard-hours", "Guard hours"),
            ("activity", "Activity (transactions)"),
        ),
    ),
    ("Modifications of the counts", (("modifications", "Modifications"),)),
    ("Visitors (TDY)", (("tdy-visits", "TDY visits"), ("tdy-services", "TDY services"))),
)
TITLES = {resource: title for _, entries in GROUPS for resource, title in entries}
assert set(TITLES) == set(RESOURCES), "every resource of the API has its editor"
SHOWN_FED = 4  # the counts a record shows beside it; more are summed up as "and N more"


def _file(resource: str) -> str:
    if resource not in RESOURCES:
        raise HTTPException(404, f"no table {resource!r}: the tables are {', '.join(RESOURCES)}")
    return RESOURCES[resource]


async def _form(request: Request) -> FormData:
    """The form as sent (its fields are the file's columns, so they are not declared one by one)."""
    return await request.form()


def said(d: Diagnostic) -> str:
    """A problem as the page shows it beside its field: the rule's message and the handbook section."""
    prefix = "" if d.severity == ERROR else "warning: "
    return f"{prefix}{d.message}" + (f" (6 FAH-5 {d.section})" if d.section else "")


def _placed(problems: Iterable[Diagnostic], columns: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Problems beside the field they name; those naming no column of the file, for the row as a whole."""
    beside: dict[str, list[str]] = defaultdict(list)
    general: list[str] = []
    for d in problems:
        if d.field in columns:
            beside[d.field].append(said(d))
        else:
            general.append(f"{d.field}: {said(d)}" if d.field else said(d))
    return dict(beside), general


class _Table:
    """What every row of one resource's page is shown with: its file's columns, the post's problems by row,
    the counts each record is counted in, the decisions on each modification."""

    def __init__(self, request: Request, post: str, fiscal_year: int, resource: str) -> None:
        self.request = request
        self.resource = resource
        self.file = _file(resource)
        self.key = post_key(request, post, fiscal_year)
        self.columns = FORMAT[self.file].names
        account = account_of(request)
        self.editable = account.edits_post(post)
        self.agency = account.committee_agency(post) if resource == "modifications" else None
        self.url = f"/posts/{post}/{fiscal_year}"

    def context(self, run: PostRun, **more: Any) -> dict[str, Any]:
        return {
            "post": post_out(self.request, self.key),
            "post_url": self.url,
            "base": f"{self.url}/tables/{self.resource}",
            "resource": self.resource,
            "title": TITLES[self.resource],
            "file": self.file,
            "columns": [{"name": c.name, "label": c.label, "cents": c.cents} for c in FORMAT[self.file].columns],
            "editable": self.editable,
            "committee_agency": self.agency,
            "fed_shown": self._feeds(run),
            "decisions_shown": self.resource == "modifications",
            # Rows edited one by one pass through states that are not yet a valid budget (docs/workspace.md):
            # the post's errors elsewhere do not block a change, but the page says they are there.
            "post_errors": sum(d.severity == ERROR for d in run.diagnostics),
            **more,
        }

    def _feeds(self, run: PostRun) -> bool:
        trail = run.derivation.trail if run.derivation else None
        return trail is not None and self.file in set(trail["file"].unique().to_list())

    def shown(self, rows: list[tables.StoredRow], run: PostRun) -> list[dict[str, Any]]:
        """Each row with the problems the post's run finds in it and what it is counted in."""
        found: dict[int, list[Diagnostic]] = defaultdict(list)
        for d in run.diagnostics:
            if d.source.file == self.file and d.source.row:
                found[d.source.row].append(d)
        fed = lines_fed(run.derivation.trail if run.derivation else None, self.file)
        decided: dict[int, list[tables.Decision]] = {}
        if self.resource == "modifications":
            decided = tables.decisions_on(self.request, [row.id for row in rows])
        return [self.one(row, found[row.row], fed.get(row.row, []), decided.get(row.id, [])) for row in rows]

    def one(
        self,
        row: tables.StoredRow,
        problems: Iterable[Diagnostic] = (),
        fed: Iterable[tuple[str, str, str]] = (),
        decisions: list[tables.Decision] | None = None,
        values: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        beside, general = _placed(problems, self.columns)
        lines = [
            {
                "label": " ".join(p for p in line if p),
                "id": tables.workload_id(*line).replace(":", "-").replace(".", "_"),
            }
            for line in fed
        ]
        return {
            "id": row.id,
            "version": row.version,
            "number": row.row,
            "values": {c: (values or row.cells()).get(c, "") for c in self.columns},
            "problems": beside,
            "general": general,
            "fed": lines[:SHOWN_FED],
            "more": max(0, len(lines) - SHOWN_FED),
            "decisions": decisions or [],
        }

    def row_page(self, row_id: int, **more: Any) -> HTMLResponse:
        """One row as the table shows it (after a change, or to cancel one), with its problems and counts."""
        run = computed(self.request, self.key)
        row = tables.row_of(self.request, self.key, self.file, row_id)
        (shown,) = self.shown([row], run)
        return page(self.request, "editor_row.html", **self.context(run, r=shown, **more))


def _table(request: Request, post: str, fiscal_year: FiscalYear, resource: str) -> _Table:
    """The resource of the path, at its post (a dependency: the guard has checked the post already)."""
    return _Table(request, post, fiscal_year, resource)


Table = Annotated[_Table, Depends(_table)]


@router.get("/posts/{post}/{fiscal_year}/tables")
@allow(reads_post, READ)
def tables_page(request: Request, post: str, fiscal_year: FiscalYear) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    counts = tables.row_counts(request, key)
    return page(
        request,
        "editors.html",
        post=post_out(request, key),
        post_url=f"/posts/{post}/{fiscal_year}",
        groups=GROUPS,
        files=RESOURCES,
        counts=counts,
    )


@router.get(TABLE)
@allow(reads_post, READ)
def table_page(request: Request, table: Table) -> HTMLResponse:
    run = computed(request, table.key)
    rows = tables.rows_of(request, table.key, table.file)
    new = {"values": dict.fromkeys(table.columns, ""), "problems": {}, "general": []}
    return page(request, "editor.html", **table.context(run, rows=table.shown(rows, run), new=new))


@router.get(ROW)
@allow(reads_post, READ)
def row_fragment(table: Table, row_id: RowId) -> HTMLResponse:
    return table.row_page(row_id)


@router.get(ROW + "/edit")
@allow(edits_post, EDIT)
def edit_fragment(table: Table, row_id: RowId) -> HTMLResponse:
    return table.row_page(row_id, edit=True)


def _version(form: FormData) -> int:
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = 0
    if not 1 <= version < 2**31:
        raise HTTPException(422, "the form has no version of the row: reload the page")
    return version


@router.put(ROW)
@allow(edits_post, EDIT)
def change_row(
    request: Request, table: Table, row_id: RowId, form: Annotated[FormData, Depends(_form)]
) -> HTMLResponse:
    values = {c: str(form[c]) for c in table.columns if c in form}
    version = _version(form)
    try:
        tables.change_row(request, table.key, table.file, row_id, values, version, account_of(request).username)
    except tables.Rejected as e:
        run = computed(request, table.key)
        row = tables.row_of(request, table.key, table.file, row_id)
        shown = table.one(row, e.problems, values=values)
        message = "the change breaks a rule; nothing was saved"
        return page(request, "editor_row.html", **table.context(run, r=shown, edit=True, error=message))
    except tables.Conflict as e:
        # The row as it is now (e.current, read again after the rolled-back transaction), to change again.
        return table.row_page(row_id, edit=True, error=str(e))
    except tables.NotFound as e:
        return error_fragment(request, str(e), row=True)
    return table.row_page(row_id, saved=True)


# A new position may come, in the same form, with its first time allocation row and cost line (the fields
# `time_allocation.cost_center`...), made with it as one change (icass.api.tables.add_position).
WITH_POSITION = {"time_allocation": ("cost_center", "percent"), "costs": ("funding", "soc", "amount")}


def _rows_of_position(form: FormData) -> dict[str, list[dict[str, str]]] | None:
    """The time allocation row and cost line the new position's form carries (each left out when blank), or
    None when it carries neither."""
    given = {name: {c: str(form.get(f"{name}.{c}", "")) for c in columns} for name, columns in WITH_POSITION.items()}
    rows = {name: [cells] if any(v.strip() for v in cells.values()) else [] for name, cells in given.items()}
    return rows if any(rows.values()) else None


@router.post(TABLE)
@allow(edits_post, EDIT)
def add_row(request: Request, table: Table, form: Annotated[FormData, Depends(_form)]) -> HTMLResponse:
    values = {c: str(form.get(c, "")) for c in table.columns}
    with_rows = _rows_of_position(form) if table.file == tables.POSITIONS else None
    user = account_of(request).username
    try:
        if with_rows is None:
            row = tables.add_row(request, table.key, table.file, values, user)
        else:
            allocation, costs = with_rows["time_allocation"], with_rows["costs"]
            row = tables.add_position(request, table.key, values, allocation, costs, user).position
    except tables.Rejected as e:
        beside, general = _placed([d for d in e.problems if d.source.file == table.file], table.columns)
        # A problem of the position's time allocation row or cost line names its file and field.
        general += [f"{d.source.file}, {d.field}: {said(d)}" for d in e.problems if d.source.file != table.file]
        typed = {f"{n}.{c}": str(form.get(f"{n}.{c}", "")) for n, columns in WITH_POSITION.items() for c in columns}
        new = {"values": {**values, **typed}, "problems": beside, "general": general}
        message = "the row breaks a rule; nothing was saved"
        return page(request, "editor_new.html", **table.context(computed(request, table.key), new=new, error=message))
    answer = table.row_page(row.id, saved=True)
    # The new row goes at the end of the table; the form stays as it was, to enter the next one.
    answer.headers["HX-Retarget"] = "#rows"
    answer.headers["HX-Reswap"] = "beforeend"
    return answer


@router.delete(ROW)
@allow(edits_post, EDIT)
def delete_row(request: Request, table: Table, row_id: RowId, version: int = Query(ge=1, le=2**31 - 1)) -> HTMLResponse:
    try:
        # A position goes with its time allocation and cost lines, as the API does.
        tables.remove_row(request, table.key, table.file, row_id, version, account_of(request).username)
    except tables.Conflict as e:
        return table.row_page(row_id, error=str(e))
    return page(request, "empty.html")  # the row leaves the table
