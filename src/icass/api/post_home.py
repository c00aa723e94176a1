"""What a post's home shows beyond its figures (icass.web.posts): its problems placed on the rows that need
fixing, and the newest changes of its record, each in words (icass.views.post_home)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from icass.api.guard import account_of
from icass.checks import unjudged_rules
from icass.runs.post import PostRun
from icass.store import audit, changes
from icass.store.changes import RESOURCES, PostKey
from icass.views.post_home import PlacedProblem, entry_in_words, placed_problems
from icass.views.what_if import Names

FILE_RESOURCES = {file: resource for resource, file in RESOURCES.items()}
# Entries of the record that are not a change of the post's budget (an import is the post's first state; a
# what-if changes nothing until it is applied).
NOT_CHANGES = frozenset({"import", "sign in", "sign out"})


def problems_placed(request: Request, key: PostKey, run: PostRun) -> tuple[PlacedProblem, ...]:
    """The run's problems, each with the row and editor that fix it (the rows of the files named, read once)."""
    files = {d.source.file for d in run.diagnostics if d.source.row} & set(FILE_RESOURCES)
    with request.app.state.engine.connect() as connection:
        rows = {
            file: {row.row: (row.id, row.cells()) for row in changes.list_rows(connection, key, file)}
            for file in sorted(files)
        }
    return placed_problems(run, rows, FILE_RESOURCES)


def rules_not_judged(run: PostRun) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each fact the post does not give (its file, its name) with the budget rules left unjudged for want of it:
    said once on the post's home, as `icass validate` says it (icass.checks.unjudged_rules)."""
    if run.records is None:
        return []
    found = []
    for fact, rules in unjudged_rules(run.records.entered, run.records.sources).items():
        file, _, name = fact.partition(" ")
        found.append((file, name, rules))
    return found


@dataclass(frozen=True)
class RecentChange:
    user: str
    at: str
    said: str  # what was changed, in words


def recent_changes(
    request: Request, key: PostKey, run: PostRun, names: Names | None = None, limit: int = 6
) -> list[RecentChange] | None:
    """The post's newest changes, for those who read its record (its FMO, the admin); None for others."""
    account = account_of(request)
    if not (account.is_admin or any(g.role == "fmo" and g.post == key.code for g in account.grants)):
        return None
    with request.app.state.engine.connect() as connection:
        entries = audit.newest_of_post(connection, key.code, key.fiscal_year, limit * 4)
    names = names or Names(run)
    return [
        RecentChange(e.user, e.at, entry_in_words(names, e.action, e.entity, e.before, e.after, FILE_RESOURCES))
        for e in entries
        if e.action not in NOT_CHANGES and (e.action == "apply scenario" or not e.entity.startswith("scenario "))
    ][:limit]
