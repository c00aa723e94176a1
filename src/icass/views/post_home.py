"""What a post's home says in sentences (issue 18): each problem of the post named by the row and field that
need fixing, with where that row is edited (never "workload.csv, row 108", a file the person never sees), and
each recent change of the record said as what it changed, before and after."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from icass.bundle.format import FILES
from icass.diagnostics import Diagnostic
from icass.runs.post import PostRun
from icass.views.changes import FileChanges, row_changes
from icass.views.what_if import WORKLOAD, WORKLOAD_FILE, Names, cell_in_words, row_in_words

# The table of derived counts the checks name ("workload [6150/1900.0]"): its lines are on the workload page.
DERIVED = "workload"

FILE_NAME = re.compile(r"\b[a-z_]+\.csv\b")

# A row as the page finds it: the file's spreadsheet row -> (the stored row's id, its cells).
Rows = Mapping[int, tuple[int, Mapping[str, str]]]


@dataclass(frozen=True)
class PlacedProblem:
    severity: str
    sentence: str  # "Count of Peace Corps (1100.0) in Motor pool (6150), count: ... (6 FAH-5 H-341.1-4)"
    resource: str  # the editor that fixes it ("workload": the workload page; "": none)
    anchor: str  # the row's or line's element on that page ("row-12", "line-6150-1931_0"; "": the page)
    row: int  # the spreadsheet row (0: none)
    field: str
    query: str = ""  # the workload page's search that shows the line ("cost_center=6150&agency=1931.0")
    # A warning of a budget rule: the rule, and the file and row it is on, which acknowledge it; and the reason it
    # is left as it is, once the FMO acknowledged it (acknowledgements.csv).
    rule: str = ""
    file: str = ""
    acknowledged: str = ""

    @property
    def acknowledgeable(self) -> bool:
        """A warning of a budget rule nobody acknowledged yet: the FMO may leave it as it is, with a reason."""
        return bool(self.rule) and self.severity != "error" and not self.acknowledged


def line_anchor(cost_center: str, agency: str, factor: str) -> str:
    """The element of a workload line on the workload page (its id, cost_center:agency[:factor], as an id)."""
    line = ":".join(p for p in (cost_center, agency, factor) if p)
    return "line-" + line.replace(":", "-").replace(".", "_")


def line_query(cost_center: str, agency: str) -> str:
    """The workload page's search that shows a line: its cost center's lines (rendered only on request), of its
    agency alone, so that the line is on the first page."""
    return urlencode({"cost_center": cost_center, "agency": agency})


def _label(file: str, field: str) -> str:
    declared = FILES.get(file)
    column = next((c for c in declared.columns if c.name == field), None) if declared else None
    return column.label.lower() if column is not None else field.replace("_", " ")


def placed_problems(
    run: PostRun, rows: Mapping[str, Rows], resource_of: Mapping[str, str]
) -> tuple[PlacedProblem, ...]:
    """Every problem of the post's run, errors first, each a sentence about its row and field, with the editor
    (`resource_of`: file -> resource) and element that fix it; `rows`: the stored rows of the files named."""
    names = Names(run)
    entered = {
        w.source.row: w for w in (run.records.entered.workload if run.records else ()) if w.source.file == WORKLOAD_FILE
    }
    found = []
    for d in sorted(run.diagnostics, key=lambda d: d.severity != "error"):
        found.append(_placed(d, names, rows, resource_of, entered))
    return tuple(found)


def _placed(
    d: Diagnostic, names: Names, rows: Mapping[str, Rows], resource_of: Mapping[str, str], entered: Mapping[int, Any]
) -> PlacedProblem:
    file, number = d.source.file, d.source.row
    cite = f" (6 FAH-5 {d.section})" if d.section else ""
    field = f", {_label(file, d.field)}" if d.field else ""
    resource, anchor, where, query = resource_of.get(file, ""), "", "", ""
    if file == WORKLOAD_FILE and number in entered:
        w = entered[number]
        cells = {"cost_center": w.cost_center, "agency": w.agency, "factor": w.factor}
        resource, anchor = WORKLOAD, line_anchor(w.cost_center, w.agency, w.factor)
        query = line_query(w.cost_center, w.agency)
        where = row_in_words(names, WORKLOAD, file, cells, number) + " (typed by hand)"
    elif file == DERIVED and "/" in d.source.key:
        cost_center, agency, *rest = d.source.key.split("/")
        cells = {"cost_center": cost_center, "agency": agency, "factor": rest[0] if rest else ""}
        resource, anchor = WORKLOAD, line_anchor(cost_center, agency, cells["factor"])
        query = line_query(cost_center, agency)
        where = row_in_words(names, WORKLOAD, WORKLOAD_FILE, cells, 0)
    elif number and number in rows.get(file, {}):
        row_id, stored = rows[file][number]
        anchor = f"row-{row_id}"
        where = row_in_words(names, resource, file, stored, number)
    elif file in FILES:
        where = FILES[file].label + (f", row {number}" if number else "")
    else:
        where = "The post"
    sentence = f"{where}{field}: {unfiled(d.message)}{cite}"
    return PlacedProblem(
        d.severity, sentence, resource, anchor, number, d.field, query, d.rule, d.source.place, d.acknowledged
    )


def unfiled(message: str) -> str:
    """A check's message with the files it names (for the command line) called by their tables' names."""
    return FILE_NAME.sub(lambda m: FILES[m.group(0)].label if m.group(0) in FILES else m.group(0), message)


VERBS = {
    "update": "changed",
    "create": "added",
    "delete": "removed",
    "enter count": "entered",
    "clear count": "cleared the count typed by hand of",
    "approve": "approved",
    "reject": "rejected",
}


def entry_in_words(
    names: Names, action: str, entity: str, before: Any, after: Any, resource_of: Mapping[str, str]
) -> str:
    """A change of the record as a sentence after who made it: "changed Motor pool (6150) budget line 12: amount
    $80,000.00 → $95,000.00"; an entry of another kind, by its action ("applied scenario 3")."""
    year = _year_entry_in_words(names, action, entity, after)
    if year is not None:
        return year
    kind = entity.split(" ", 1)[0]
    verb = VERBS.get(action, action)
    if action in ("approve", "reject") and isinstance(after, dict) and isinstance(after.get("modification"), dict):
        modification = after["modification"]
        row = row_in_words(names, "modifications", "modifications.csv", modification, modification.get("row", 0))
        return f"{verb} the {row[0].lower()}{row[1:]} for {names.agency(str(after.get('agency', '')))}"
    if kind == WORKLOAD and isinstance(after or before, dict):
        cells = after or before
        row = row_in_words(names, WORKLOAD, WORKLOAD_FILE, cells, 0)
        moved = _moved(WORKLOAD_FILE, before, after, ("count", "modification"))
        return f"{verb} the {row[0].lower()}{row[1:]}{moved}"
    if kind in resource_of and isinstance(after or before, dict):
        cells = after or before
        row = row_in_words(names, resource_of[kind], kind, cells, int(cells.get("row", 0)))
        columns = tuple(c.name for c in FILES[kind].columns)
        return f"{verb} {row}{_moved(kind, before, after, columns) if action == 'update' else ''}"
    if action == "apply scenario" and isinstance(after, dict):
        return f"applied the what-if “{after.get('name', '')}”"
    if action == "approve version":
        return "recorded the Council's approval of the budget"
    return f"{action} {entity}"


# The steps of the ICASS year (issue 20) in the record: their entities ("workload approval 1900.0", "staffing of
# 1900.0", "version 2") are not rows of the post, and one ("workload approval") shares its first word with a count.
YEAR_STEPS = {
    "workload approve": "approved the workload counts of {agency}",
    "workload dispute": "disputed the workload counts of {agency}",
    "workload reopen": "reopened the workload approval of {agency}",
    "certify staffing": "certified the staffing data of {agency}",
    "clear certification": "cleared the staffing certification of {agency}: its people records changed",
}
VERSION_STEPS = {
    "submit_to_committee": "sent version {number} to the Budget Committee",
    "recommend": "recommended version {number} for {agency}",
    "record_council_approval": "recorded the Council's approval of version {number}",
    "submit_to_isc": "submitted version {number} to the ISC",
    "accept": "accepted version {number}",
    "return": "returned version {number} to the post",
}


def _year_entry_in_words(names: Names, action: str, entity: str, after: Any) -> str | None:
    agency = entity.rsplit(" ", 1)[-1]
    if action in YEAR_STEPS and entity.startswith(("workload approval ", "staffing of ")):
        return YEAR_STEPS[action].format(agency=names.agency(agency))
    if action == "create version" and isinstance(after, dict):
        return f"made version {after.get('number', '')} ({after.get('kind', '')} budget)"
    if action == "version step" and isinstance(after, dict) and after.get("step") in VERSION_STEPS:
        step, number = str(after["step"]), entity.removeprefix("version ")
        if after.get("refused"):
            return f"refused the step “{step.replace('_', ' ')}” on version {number}"
        return VERSION_STEPS[step].format(number=number, agency=names.agency(str(after.get("agency") or "")))
    return None


def _moved(file: str, before: Any, after: Any, columns: tuple[str, ...]) -> str:
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    moved = [
        f"{_label(file, c)} {cell_in_words(file, c, str(before.get(c, '')))} → {cell_in_words(file, c, str(after[c]))}"
        for c in columns
        if c in after and str(before.get(c, "")) != str(after[c])
    ]
    return f": {'; '.join(moved)}" if moved else ""


@dataclass(frozen=True)
class RowChangeSaid:
    kind: str  # "changed", "added" or "removed"
    row: str  # the row in words
    cells: tuple[tuple[str, str, str], ...]  # (column label, before, after) of the cells that moved (of a row
    # added or removed: its cells that are not empty, on their side)


def row_changes_in_words(
    names: Names, changed: FileChanges, resource_of: Mapping[str, str]
) -> tuple[RowChangeSaid, ...]:
    """A file's changes since a version, row by row (icass.views.changes.row_changes), in words."""
    file, header = changed.file, changed.header
    resource = WORKLOAD if file == WORKLOAD_FILE else resource_of.get(file, "")
    said = []
    for change in row_changes(changed):
        cells = dict(zip(header, change.after or change.before or (), strict=True))
        needs = {"cost_center", "agency"} if resource in (WORKLOAD, "modifications") else {"cost_center"}
        known = needs <= set(cells) or resource not in (WORKLOAD, "modifications", "budget-lines")
        row = row_in_words(names, resource, file, cells, 0) if known and file in FILES else f"A row of {file}"

        def shown(i: int, value: str) -> str:
            return cell_in_words(file, header[i], value) if file in FILES else value

        if change.before is not None and change.after is not None:
            moved = tuple(
                (_label(file, header[i]), shown(i, change.before[i]), shown(i, change.after[i])) for i in change.moved
            )
            said.append(RowChangeSaid("changed", row, moved))
        else:
            side = change.after or change.before or ()
            kind = "added" if change.after is not None else "removed"
            whole = tuple(
                (
                    _label(file, header[i]),
                    shown(i, v) if kind == "removed" else "",
                    shown(i, v) if kind == "added" else "",
                )
                for i, v in enumerate(side)
                if v != "" and not (known and header[i] in ("cost_center", "agency", "factor"))  # in the row's words
            )
            said.append(RowChangeSaid(kind, row, whole))
    return tuple(said)
