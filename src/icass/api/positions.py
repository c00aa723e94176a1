"""A new position made whole in one form (the position page), through the same change as the API's
(icass.store.changes.create_position: one transaction, judged by one run, all or nothing), and refused with
every problem of the form at once: the cells the format requires and are left empty or not of their closed
list, and a time allocation that does not add up to 100, with the problems the store finds in the cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request

from icass.bundle.format import FILES as FORMAT
from icass.checks.positions import allocation_given_problem
from icass.diagnostics import Diagnostic, error
from icass.model import Source
from icass.store import changes
from icass.store.changes import POSITION_COSTS, POSITIONS, TIME_ALLOCATION, PositionMade, PostKey, Rejected


def add_whole_position(
    request: Request,
    key: PostKey,
    values: Mapping[str, str],
    allocation: Sequence[Mapping[str, str]],
    costs: Sequence[Mapping[str, str]],
    user: str,
) -> PositionMade:
    """A new position made whole in one form (the position page): as add_position, and refused, nothing
    written, when its time allocation does not add up to 100, with the problems of its cells at once."""
    sum_problem = allocation_given_problem([row.get("percent", "") for row in allocation])
    found = _unfilled(POSITIONS, "position", values) + ([sum_problem] if sum_problem else [])
    for part, file, rows in (("time_allocation", TIME_ALLOCATION, allocation), ("costs", POSITION_COSTS, costs)):
        found += [p for k, row in enumerate(rows) for p in _unfilled(file, f"{part}[{k}]", row)]
    with request.app.state.engine.begin() as connection:
        try:
            made = changes.create_position(connection, key, values, allocation, costs, user)
        except Rejected as e:
            raise Rejected([*e.problems, *found]) from None
        if found:
            raise Rejected(found)  # leaving the block rolls the position back
        return made


def _unfilled(file: str, where: str, values: Mapping[str, str]) -> list[Diagnostic]:
    """The cells of a row of the form that the format requires and are left empty, or that are not one of
    their column's closed list: found with the other problems of the form rather than after them (the store
    checks a cell's type first and the rules on rows after writing it). An amount's own check names an empty
    one, and a row of the position's own takes its position_id from the position."""
    found = []
    for column in FORMAT[file].columns:
        text = values.get(column.name, "").strip()
        if column.cents or (column.name == "position_id" and file != POSITIONS):
            continue
        if column.required and not text:
            found.append(error(Source(file, key=where), "is empty", field=column.name))
        elif text and column.choices is not None and text not in column.choices.values():
            listed = ", ".join(column.choices.values())
            found.append(
                error(Source(file, key=where), f"is not a {column.choices.what} ({listed})", field=column.name)
            )
    return found
