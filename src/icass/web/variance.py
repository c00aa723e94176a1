"""The variance page (issue 20 §3): the change of every agency's charge between two budgets of a post, each its
live rows or one of its versions, of this fiscal year or the one before, by agency and by cost center, with the
largest changes in words. The figures are the API's (icass.api.variance); the page only chooses and shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from icass.api.guard import GuardedRoute, allow, reads_post
from icass.api.posts import post_key
from icass.api.schemas import FiscalYear
from icass.api.variance import explained, side, sums
from icass.api.versions import VersionRecord, versions_of
from icass.model.approval import APPROVED, State
from icass.web.render import page

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)

LIVE = "live"


@dataclass(frozen=True)
class Choice:
    value: str  # "2027:live", "2027:3"
    label: str


def _budgets(request: Request, post: str, fiscal_year: int) -> dict[int, list[VersionRecord]]:
    """The post's versions of this year and of the year before (when stored), newest first, by year."""
    found: dict[int, list[VersionRecord]] = {}
    for year in (fiscal_year, fiscal_year - 1):
        try:
            key = post_key(request, post, year)
        except HTTPException:
            continue
        found[year] = versions_of(request, key)
    return found


def _choices(budgets: dict[int, list[VersionRecord]]) -> list[Choice]:
    """Each year's live rows, then its versions."""
    found: list[Choice] = []
    for year, versions in budgets.items():
        found.append(Choice(f"{year}:{LIVE}", f"FY {year}, live"))
        for v in versions:
            revision = f", revision {v.revision}" if v.revision else ""
            state = v.state.replace("_", " ")
            found.append(Choice(f"{year}:{v.number}", f"FY {year}, version {v.number} ({v.kind}{revision}, {state})"))
    return found


def _default_old(budgets: dict[int, list[VersionRecord]], fiscal_year: int) -> str | None:
    """What the budget is compared with unless asked: this year's newest approved version, else the year
    before's newest accepted final, else none."""
    approved = [v for v in budgets.get(fiscal_year, []) if State(v.state) in APPROVED]
    if approved:
        return f"{fiscal_year}:{approved[0].number}"
    before = budgets.get(fiscal_year - 1, [])
    final = [v for v in before if v.kind == "final" and v.state == State.ACCEPTED]
    return f"{fiscal_year - 1}:{final[0].number}" if final else None


def _parsed(value: str, known: list[Choice]) -> tuple[int, int | None]:
    if value not in {c.value for c in known}:
        raise HTTPException(422, f"{value!r} is none of this post's budgets: choose one in the page's lists")
    year, _, number = value.partition(":")
    return int(year), None if number == LIVE else int(number)


@router.get("/posts/{post}/{fiscal_year}/variance")
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def variance_page(
    request: Request, post: str, fiscal_year: FiscalYear, old: str | None = None, new: str | None = None
) -> HTMLResponse:
    key = post_key(request, post, fiscal_year)
    budgets = _budgets(request, key.code, fiscal_year)
    known = _choices(budgets)
    new = new or f"{fiscal_year}:{LIVE}"
    old = old or _default_old(budgets, fiscal_year)
    context: dict[str, Any] = {"post": {"code": key.code, "fiscal_year": fiscal_year}, "choices": known}
    context |= {"old": old, "new": new, "found": None}
    if old is not None and old != new:
        (old_year, old_number), (new_year, new_number) = _parsed(old, known), _parsed(new, known)
        if new_year != fiscal_year:
            raise HTTPException(422, f"NEW is one of FY {fiscal_year}'s budgets: this is its page")
        found = explained(
            request, side(request, key.code, old_year, old_number), side(request, key.code, new_year, new_number)
        )
        api = f"/api/posts/{key.code}/{fiscal_year}/variance?old_fiscal_year={old_year}"
        api += (f"&old_version={old_number}" if old_number else "") + (f"&version={new_number}" if new_number else "")
        context |= {
            "found": found,
            "by_agency": sums(found, "agency"),
            "by_cost_center": sums(found, "cost_center"),
            "csv": api + "&format=csv",
        }
    return page(request, "variance.html", **context)
