"""A what-if scenario's rows and changes in words, as its page shows them (issue 18: "Motor pool (6150) budget
line 12: $80,000.00 → $95,000.00", never a database id): a row is named by what it is (its cost center and
agency by name, its row number as the table editors show it), a change by the cells it moves, before and
after, amounts in dollars."""

from __future__ import annotations

from collections.abc import Mapping

from icass.bundle.format import FILES
from icass.money import format_grouped, parse_cents
from icass.runs.post import PostRun
from icass.views.review import agency_names, cost_center_name

WORKLOAD = "workload"
WORKLOAD_FILE = "workload.csv"
# The cell a change of each resource is about, named without its label ("count: 3 → 4" reads as "3 → 4").
MAIN = {WORKLOAD: "count", "modifications": "modification", "budget-lines": "amount"}


class Names:
    """The post's cost centers and agencies by name, for naming its rows."""

    def __init__(self, run: PostRun) -> None:
        self.run = run
        self.agencies = agency_names(run)

    def cost_center(self, code: str) -> str:
        name = cost_center_name(self.run, code)
        return f"{name} ({code})" if name else f"cost center {code}"

    def agency(self, code: str) -> str:
        name = self.agencies.get(code, "")
        return f"{name} ({code})" if name else f"agency {code}"


def row_in_words(names: Names, resource: str, file: str, cells: Mapping[str, str], row: int) -> str:
    """What a row is: "the count of Peace Corps (1100.0) in Health Services (5624)", "Motor pool (6150) budget
    line 12" (a workload line has no row number: it is named by its cost center, agency and factor)."""
    factor = f", factor {cells['factor']}" if cells.get("factor") else ""
    if resource == WORKLOAD:
        return f"Count of {names.agency(cells['agency'])} in {names.cost_center(cells['cost_center'])}{factor}"
    if resource == "modifications":
        return f"Modification of {names.agency(cells['agency'])} in {names.cost_center(cells['cost_center'])}{factor}"
    if resource == "budget-lines":
        return f"{names.cost_center(cells['cost_center'])} budget line{f' {row}' if row else ''}"
    return f"{FILES[file].label}, row {row}" if row else f"A row of {FILES[file].label.lower()}"


def cell_in_words(file: str, column: str, value: str) -> str:
    """A cell as people read it: an amount in dollars with separators, an empty cell as "empty"."""
    if value == "":
        return "empty"
    declared = next((c for c in FILES[file].columns if c.name == column), None)
    if declared is not None and declared.cents:
        try:
            return f"${format_grouped(parse_cents(value))}"
        except ValueError:
            return value
    return value


def change_in_words(
    resource: str,
    file: str,
    action: str,
    values: Mapping[str, str],
    row: str,
    before: Mapping[str, str] | None,
) -> str:
    """A change of a scenario: `row` is the row in words, `before` its cells as they are (None: gone, or new)."""
    if action == "delete":
        return f"{row}: removed"
    if action == "create":
        shown = ", ".join(f"{_label(file, c)} {cell_in_words(file, c, v)}" for c, v in values.items() if v != "")
        return f"A new row of {FILES[file].label.lower()}: {shown}"
    moved = []
    for column, value in values.items():
        after = cell_in_words(file, column, value)
        was = None if before is None else cell_in_words(file, column, str(before.get(column, "")))
        said = after if was is None else f"{was} → {after}"
        moved.append(said if column == MAIN.get(resource) and len(values) == 1 else f"{_label(file, column)} {said}")
    return f"{row}: {'; '.join(moved)}"


def _label(file: str, column: str) -> str:
    declared = next((c for c in FILES[file].columns if c.name == column), None)
    return declared.label.lower() if declared is not None else column
