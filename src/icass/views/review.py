"""The budget committee's review of a modification request (H-332.1: the committee "reviews and approves
workload count modification requests"): the agency and cost center by name, the agency's count before and
after the modification, and what it moves on every agency's invoice: the post as it is against the post
without that modification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from icass.runs.post import PostRun
from icass.views.comparison import Comparison, compare


@dataclass(frozen=True)
class ModificationReview:
    id: int  # the stored row's id (the decision names it; the page shows the row number)
    row: int  # the spreadsheet row of modifications.csv
    cost_center: str
    cost_center_name: str
    agency: str
    agency_name: str
    factor: str  # "" = every factor of the agency in the cost center
    modification: str  # as typed: a number in (0, 1] or a level the catalog names
    justification: str
    count: Decimal | None  # the agency's count in the cost center, before the modification; None: not counted
    modified: Decimal | None  # after it
    effect: Comparison  # every agency's invoice without the modification ("baseline") and with it ("scenario")


def cost_center_name(run: PostRun, code: str) -> str:
    """The catalog's name of a cost center at the post ("" when the post's methodology or the code is unknown)."""
    post = run.bundle.post if run.bundle else run.records.post if run.records else None
    spec = run.catalog.find(code, post.methodology) if post is not None else None
    return spec.name if spec is not None else ""


def agency_names(run: PostRun) -> dict[str, str]:
    agencies = run.bundle.agencies if run.bundle else run.records.entered.agencies if run.records else ()
    return {a.code: a.name for a in agencies}


def review(
    run: PostRun, without: PostRun, post: str, modification_id: int, row: int, cells: Mapping[str, str]
) -> ModificationReview:
    """The review of one modification (its row's `cells`) at `post`: `run` is the post, `without` the post
    without the modification (a side that cannot be distributed has no invoices: icass.views.comparison)."""
    cost_center, agency, factor = cells["cost_center"], cells["agency"], cells.get("factor", "")
    lines = [
        w
        for w in (run.bundle.workload if run.bundle else ())
        if (w.cost_center, w.agency) == (cost_center, agency) and (not factor or w.factor == factor)
    ]
    return ModificationReview(
        id=modification_id,
        row=row,
        cost_center=cost_center,
        cost_center_name=cost_center_name(run, cost_center),
        agency=agency,
        agency_name=agency_names(run).get(agency, ""),
        factor=factor,
        modification=cells.get("modification", ""),
        justification=cells.get("justification", ""),
        count=sum((w.count for w in lines), Decimal(0)) if lines else None,
        modified=sum((w.modified_count for w in lines), Decimal(0)) if lines else None,
        effect=compare(without, run, post),
    )
