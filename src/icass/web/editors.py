"""The table editors: one page per resource of the API (budget lines, positions and their time allocation,
agencies, source records, modifications, visitors), built from its file's declaration (icass.bundle.format):
people's labels, a drop-down or a USWDS combo box for every code (cost centers and agencies with their names),
a position typed with the matching ones suggested by the server (a post may have thousands), a USWDS date
picker for every date, amounts shown with separators and taken as people type them. The page shows one page of
the rows a search, the filters and the sort keep (icass.views.rows), with the form to add a row
above them. A row is edited in place with the version it was read at; every problem of a row is shown at once
beside the field it names, with the handbook section; a stale version shows the row as it is now. A source
record shows the counts it is counted in; a modification, each agency's decision, and a committee member's
buttons to decide.

USWDS enhances its combo boxes and date pickers once, when a page loads, and a fragment htmx swaps in is never
enhanced: so Edit loads the page again with its row open (`edit`), and a refused Save or Add answers only the
problems, swapped out of band beside their fields, leaving the enhanced fields as the person left them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from icass.api import tables
from icass.api.guard import GuardedRoute, account_of, allow, edits_table, reads_post
from icass.api.posts import computed, post_key, post_out
from icass.api.schemas import FiscalYear, RowId
from icass.api.tables import RESOURCES
from icass.bundle.codes import MAX_TEXT_CHARS
from icass.bundle.format import FILES as FORMAT
from icass.bundle.format import Kind
from icass.diagnostics import ERROR, Diagnostic
from icass.runs.post import PostRun
from icass.web.render import error_fragment, page
from icass.workload.fed import lines_fed

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
READ = "read the post (its admin, FMO or budget committee)"
EDIT = "change the post (its admin or FMO; its targets, the admin)"
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
    ("Agencies", (("agencies", "Agencies"), ("terminations", "Termination notices"))),
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
    ("Targets (the ICASS Service Center's)", (("targets", "Targets"),)),
    ("Visitors (TDY)", (("tdy-visits", "TDY visits"), ("tdy-services", "TDY services"))),
)
TITLES = {resource: title for _, entries in GROUPS for resource, title in entries}
assert set(TITLES) == set(RESOURCES), "every resource of the API has its editor"
SHOWN_FED = 4  # the counts a record shows beside it; more are summed up as "and N more"


def _file(resource: str) -> str:
    if resource not in RESOURCES:
        raise HTTPException(404, f"there is no table {resource!r}: the post's tables are listed on its Tables page")
    return RESOURCES[resource]


async def _form(request: Request) -> FormData:
    """The form as sent (its fields are the file's columns, so they are not declared one by one)."""
    return await request.form()


def in_words(message: str) -> str:
    """A message as the page shows it: a table it names by its title, not by its file's name."""
    for name, file in FORMAT.items():
        message = message.replace(name, file.label if f"({name})" in message else file.label.lower())
    return message


def said(d: Diagnostic) -> str:
    """A problem as the page shows it beside its field: the rule's message and the handbook section."""
    prefix = "" if d.severity == ERROR else "warning: "
    return f"{prefix}{in_words(d.message)}" + (f" (6 FAH-5 {d.section})" if d.section else "")


def _placed(problems: Iterable[Diagnostic], file: str) -> tuple[dict[str, list[str]], list[str]]:
    """Problems beside the field they name; those naming no column of the file, for the row as a whole (a problem
    of another table's row, a new position's time allocation or cost line, names that table and its field)."""
    declared = FORMAT[file]
    beside: dict[str, list[str]] = defaultdict(list)
    general: list[str] = []
    for d in problems:
        if d.source.file == file and d.field in declared.names:
            beside[d.field].append(said(d))
            continue
        other = FORMAT.get(d.source.file)
        where = other.label if other is not None and d.source.file != file else ""
        if other is not None and d.field in other.names and not d.message.startswith(other.column(d.field).label):
            where = ", ".join(part for part in (where, other.column(d.field).label) if part)
        general.append(f"{where}: {said(d)}" if where else said(d))
    return dict(beside), general


def _in_labels(note: str, file: str) -> str:
    """A column's note (the format's, for docs/bundle.md) as a hint on the page: the file's column names it
    mentions (a sponsor's `person_id`) said by their labels."""
    for column in FORMAT[file].columns:
        if "_" in column.name:
            note = note.replace(column.name, column.label.lower())
    return note


def _columns(file: str, choices: Mapping[str, Sequence[tables.Choice]], base: str = "") -> list[dict[str, Any]]:
    """Each column as the page shows it and its field: its label, and the control a person fills it with (a
    typeahead asks `base`/choices/COLUMN for its choices)."""
    shown = []
    searched = tables.searched_columns(file)
    for c in FORMAT[file].columns:
        options = choices.get(c.name, ())
        if c.kind == Kind.DATE:
            control = "date"
        elif c.name in searched:
            control = "search"  # typed, with the choices that match asked of the server (choices_fragment)
            options = ()
        elif any(o.name for o in options) or (options and c.kind == Kind.CODE):
            control = "combo"  # codes with their names, or a list longer than a drop-down reads well
        elif options:
            control = "select"
        else:
            control = "text"
        shown.append(
            {
                "name": c.name,
                "label": c.label,
                "cents": c.cents,
                "number": c.cents or c.kind == Kind.COUNT,
                "required": c.required,
                "control": control,
                "options": options,
                "default": "" if c.default is None else ("yes" if c.default else "no"),
                "named": any(o.name for o in options),
                "search": f"{base}/choices/{c.name}" if control == "search" else "",
                "hint": _in_labels(c.note, file),
            }
        )
    return shown


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
        self.editable = edits_table(account, {"post": post, "resource": resource})
        self.agency = account.committee_agency(post) if resource == "modifications" else None
        self.url = f"/posts/{post}/{fiscal_year}"
        self.post = post_out(request, self.key)
        self.names = tables.code_names(request, self.key, self.post.methodology)
        # Shown as imported, under the file's own names, and never a field: the format does not say what they hold.
        self.extra = tables.extra_columns(request, self.key, self.file)

    def context(self, run: PostRun, **more: Any) -> dict[str, Any]:
        named = {c.name: self.names[k] for c in FORMAT[self.file].columns if (k := _named_by(c.name)) is not None}
        return {
            "post": self.post,
            "post_url": self.url,
            "base": f"{self.url}/tables/{self.resource}",
            "resource": self.resource,
            "title": TITLES[self.resource],
            "columns": _columns(
                self.file, tables.choices_of(self.file, self.names), f"{self.url}/tables/{self.resource}"
            ),
            "named": named,
            "extra": self.extra,
            "with_position": _with_position(self.names) if self.file == tables.POSITIONS else (),
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
    ) -> dict[str, Any]:
        beside, general = _placed(problems, self.file)
        lines = [
            {
                "label": " ".join(p for p in line if p),
                "id": tables.workload_id(*line).replace(":", "-").replace(".", "_"),
                # the workload page shows a cost center's lines on request: the line's, of its agency alone
                "query": urlencode({"cost_center": line[0], "agency": line[1]}),
            }
            for line in fed
        ]
        return {
            "id": row.id,
            "version": row.version,
            "number": row.row,
            "values": row.cells(),
            "extra": row.extra_cells(),
            "problems": beside,
            "general": general,
            "fed": lines[:SHOWN_FED],
            "more": max(0, len(lines) - SHOWN_FED),
            "decisions": decisions or [],
        }

    def problems_page(self, prefix: str, problems: Iterable[Diagnostic], message: str, **more: Any) -> HTMLResponse:
        """A refused change: only its message and its problems, each swapped out of band beside its field (the
        fields whose ids start with `prefix`), every field's old problems cleared."""
        beside, general = _placed(problems, self.file)
        answer = page(
            self.request,
            "editor_problems.html",
            prefix=prefix,
            columns=self.columns,
            beside=beside,
            general=general,
            message=message,
            **more,
        )
        answer.headers["HX-Retarget"] = f"#{prefix}-message"
        answer.headers["HX-Reswap"] = "innerHTML"
        return answer

    def row_page(self, row_id: int, **more: Any) -> HTMLResponse:
        """One row as the table shows it (after a change, or to cancel one), with its problems and counts."""
        run = computed(self.request, self.key)
        row = tables.row_of(self.request, self.key, self.file, row_id)
        (shown,) = self.shown([row], run)
        return page(self.request, "editor_row.html", **self.context(run, r=shown, **more))


def _named_by(column: str) -> str | None:
    """The names a column's codes are shown with (tables.code_names)."""
    return {"cost_center": "cost_center", "agency": "agency", "employed_by": "agency"}.get(column)


# A new position may come, in the same form, with its first time allocation row and cost line (the fields
# `time_allocation.cost_center`...), made with it as one change (icass.api.tables.add_position).
WITH_POSITION = {"time_allocation": ("cost_center", "percent"), "costs": ("funding", "soc", "amount")}
_WITH_POSITION_FILES = {"time_allocation": tables.TIME_ALLOCATION, "costs": tables.POSITION_COSTS}


def _with_position(names: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """The fields of a new position's time allocation row and cost line, as its form shows them."""
    shown = []
    for name, columns in WITH_POSITION.items():
        file = _WITH_POSITION_FILES[name]
        for column in _columns(file, tables.choices_of(file, names)):
            if column["name"] in columns:
                label = f"{column['label']} ({'time allocation' if name == 'time_allocation' else 'cost line'})"
                shown.append({**column, "name": f"{name}.{column['name']}", "label": label, "required": False})
    return shown


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
        counts=counts,
    )


Searched = Annotated[str, Query(max_length=MAX_TEXT_CHARS)]


@router.get(TABLE)
@allow(reads_post, READ)
def table_page(
    request: Request,
    table: Table,
    q: Searched = "",
    cost_center: Searched = "",
    agency: Searched = "",
    sort: Searched = "",
    order: Annotated[str, Query(pattern="^(ascending|descending)$")] = "ascending",
    page_number: Annotated[int, Query(alias="page", ge=1, le=2**31 - 1)] = 1,
    edit: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    run = computed(request, table.key)
    shown = table.context(run)
    query = tables.RowQuery(q, cost_center, agency, sort, order == "descending", page_number)
    rows = tables.page_of_rows(request, table.key, table.file, query, shown["named"])
    asked = {"q": q, "cost_center": cost_center, "agency": agency, "sort": rows.sort}
    asked |= {"order": "descending" if rows.descending else ""}

    def link(**changed: Any) -> str:
        """This page's address with `changed` (another page, sort or open row), keeping the rest asked."""
        kept = {k: v for k, v in ({**asked, "page": rows.page, **changed}).items() if v and (k, v) != ("page", 1)}
        return "?" + urlencode(kept)

    fields = [*table.columns, *(c["name"] for c in shown["with_position"])]
    return page(
        request,
        "editor.html",
        **shown,
        rows=table.shown(list(rows.rows), run),
        paged=rows,
        asked=asked,
        link=link,
        editing=edit if table.editable else None,
        new={"values": dict.fromkeys(fields, "")},
    )


@router.get(TABLE + "/choices/{column}")
@allow(reads_post, READ)
def choices_fragment(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    resource: Annotated[str, Path(max_length=MAX_TEXT_CHARS)],
    column: Annotated[str, Path(max_length=MAX_TEXT_CHARS)],
) -> HTMLResponse:
    """The choices of a column picked from a long list (a position) that match what is typed in its field, at
    most tables.SUGGESTED of them, as the options of the field's datalist. htmx sends the field's value under
    its own name, the column's."""
    file = _file(resource)
    if column not in tables.searched_columns(file):
        raise HTTPException(404, f"the table {TITLES[resource]} has no column {column!r} to search")
    typed = request.query_params.get(column, "")
    if len(typed) > MAX_TEXT_CHARS:
        raise HTTPException(422, f"what is typed is longer than {MAX_TEXT_CHARS} characters")
    run = computed(request, post_key(request, post, fiscal_year))
    return page(request, "editor_choices.html", choices=tables.matching_positions(run, typed))


@router.get(ROW)
@allow(reads_post, READ)
def row_fragment(table: Table, row_id: RowId) -> HTMLResponse:
    return table.row_page(row_id)


def _version(form: FormData) -> int:
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = 0
    if not 1 <= version < 2**31:
        raise HTTPException(422, "the form has no version of the row: reload the page")
    return version


@router.put(ROW)
@allow(edits_table, EDIT)
def change_row(
    request: Request, table: Table, row_id: RowId, form: Annotated[FormData, Depends(_form)]
) -> HTMLResponse:
    values = {c: str(form[c]) for c in table.columns if c in form}
    version = _version(form)
    try:
        tables.change_row(request, table.key, table.file, row_id, values, version, account_of(request).username)
    except tables.Rejected as e:
        message = "Nothing was saved: each problem is shown beside its field."
        return table.problems_page(f"row-{row_id}", e.problems, message)
    except tables.Conflict as e:
        # The row as it is now (e.current, read again after the rolled-back transaction), to change again.
        return table.row_page(row_id, edit=True, error=in_words(str(e)))
    except tables.NotFound as e:
        return error_fragment(request, in_words(str(e)), row=True)
    answer = table.row_page(row_id, saved=True, notices=tables.cleared(request))
    _leave_editing(request, answer)
    return answer


def _leave_editing(request: Request, answer: HTMLResponse) -> None:
    """The page's address without its open row, so that a reload after a save shows the table."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.path:
        kept = "&".join(p for p in current.query.split("&") if p and not p.startswith("edit="))
        answer.headers["HX-Replace-Url"] = current.path + (f"?{kept}" if kept else "")


def _rows_of_position(form: FormData) -> dict[str, list[dict[str, str]]] | None:
    """The time allocation row and cost line the new position's form carries (each left out when blank), or
    None when it carries neither."""
    given = {name: {c: str(form.get(f"{name}.{c}", "")) for c in columns} for name, columns in WITH_POSITION.items()}
    rows = {name: [cells] if any(v.strip() for v in cells.values()) else [] for name, cells in given.items()}
    return rows if any(rows.values()) else None


@router.post(TABLE)
@allow(edits_table, EDIT)
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
        message = "Nothing was saved: each problem is shown beside its field."
        return table.problems_page("new", e.problems, message)
    # The new row goes at the top of the page's rows; the form stays as it was, to enter the next one.
    run = computed(request, table.key)
    (shown,) = table.shown([tables.row_of(request, table.key, table.file, row.id)], run)
    context = table.context(run, r=shown, saved=True, prefix="new", notices=tables.cleared(request))
    return page(request, "editor_added.html", **context)


@router.delete(ROW)
@allow(edits_table, EDIT)
def delete_row(request: Request, table: Table, row_id: RowId, version: int = Query(ge=1, le=2**31 - 1)) -> HTMLResponse:
    try:
        # A position goes with its time allocation and cost lines, as the API does.
        tables.remove_row(request, table.key, table.file, row_id, version, account_of(request).username)
    except tables.Conflict as e:
        return table.row_page(row_id, error=in_words(str(e)))
    if said := tables.cleared(request):  # the row leaves the table, and in its place what its removal cleared
        return page(request, "editor_notices.html", notices=said)
    return page(request, "empty.html")  # the row leaves the table
