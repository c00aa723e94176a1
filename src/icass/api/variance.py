"""Variance explained on stored posts (issue 20 §3; icass.distribution.variance): the change of every agency's
charge from OLD to NEW, two budgets of one post, each its live rows or one of its versions, of this fiscal year
or another (FY N-1's final against FY N's initial), split into what the costs, the counts and the modifications
did; as JSON, or as `icass variance`'s CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from icass.api.guard import GuardedRoute, allow, reads_post
from icass.api.posts import SCOPED, distributed, post_key
from icass.api.schemas import FiscalYear, Message, VarianceLineOut, VarianceOut, VarianceSumOut
from icass.distribution.variance import Variance, VarianceLine, totals_by, variance
from icass.model import PostBundle
from icass.money import format_plain
from icass.report import variance_csv
from icass.runs.post import PostRun
from icass.store import versions
from icass.store.changes import NotFound
from icass.views.variance import drivers, in_words

router = APIRouter(route_class=GuardedRoute, tags=["variance"])
Version = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="a version's number; none: the live rows")]


@dataclass(frozen=True)
class Side:
    """One budget compared: the post's live rows, or one of its versions, with its run."""

    fiscal_year: int
    version: int | None
    label: str  # "FY 2027, version 3 (initial, accepted), 02e31e4f5d8c" or "FY 2027, live"
    bundle: PostBundle
    run: PostRun


@dataclass(frozen=True)
class Explained:
    old: Side
    new: Side
    variance: Variance
    names: dict[str, str]  # agency and cost center codes -> names
    told: tuple[str, ...]  # the largest changes in words

    def lines(self, agency: str | None = None) -> list[VarianceLine]:
        return [line for line in self.variance.lines if agency is None or line.agency == agency]


def side(request: Request, post: str, fiscal_year: int, number: int | None) -> Side:
    """A post's live rows (which must distribute) or its version `number` (404 when it has none such)."""
    key = post_key(request, post, fiscal_year)
    if number is None:
        run = distributed(request, key)
        label = f"FY {fiscal_year}, live"
    else:
        try:
            with request.app.state.engine.connect() as connection:
                record, run = versions.version_run(connection, key, number)
        except NotFound as e:
            raise HTTPException(404, str(e)) from None
        revision = f", revision {record.revision}" if record.revision else ""
        state = record.state.replace("_", " ")
        label = f"FY {fiscal_year}, version {number} ({record.kind}{revision}, {state}), {record.sha256[:12]}"
    assert run.bundle is not None  # a live run that distributed; a version was made without an error
    return Side(fiscal_year, number, label, run.bundle, run)


def explained(request: Request, old: Side, new: Side, agency: str | None = None) -> Explained:
    methodology = str(new.bundle.post.methodology)
    if str(old.bundle.post.methodology) != methodology:
        raise HTTPException(
            409,
            f"{old.label} is a {old.bundle.post.methodology} post and {new.label} {methodology}: compare two budgets "
            "of one methodology",
        )
    catalog = new.run.catalog
    found = variance(old.bundle, new.bundle, catalog.kind_of(methodology))
    names = {a.code: a.name for a in (*old.bundle.agencies, *new.bundle.agencies)}
    names |= {spec.code: spec.name for spec in catalog.methodology(methodology)}
    told = tuple(in_words(d, found, old.bundle, new.bundle, names) for d in drivers(found, agency))
    return Explained(old, new, found, names, told)


def sums(found: Explained, field: str, agency: str | None = None) -> list[VarianceSumOut]:
    """The lines summed by agency or by cost center, each with its name."""
    return [
        VarianceSumOut(
            code=code,
            name=found.names.get(code, ""),
            old=format_plain(old),
            new=format_plain(new),
            change=format_plain(new - old),
            cost_effect=format_plain(cost),
            count_effect=format_plain(count),
            modification_effect=format_plain(modification),
        )
        for code, (old, new, cost, count, modification) in totals_by(found.lines(agency), field).items()
    ]


@router.get(
    "/api/posts/{post}/{fiscal_year}/variance",
    response_model=VarianceOut,
    responses={
        **SCOPED,
        200: {"content": {"text/csv": {}}, "description": "as JSON, or as icass variance's CSV"},
        409: {"model": Message, "description": "OLD and NEW are the same budget, or of two methodologies"},
    },
    summary="The change of each charge from OLD to NEW, split into the cost, count and modification effects",
)
@allow(reads_post, "read the post (its admin, FMO or budget committee)")
def get_variance(
    request: Request,
    post: str,
    fiscal_year: FiscalYear,
    version: Version = None,
    old_fiscal_year: Annotated[int | None, Query(ge=1990, le=2999, description="OLD's year; none: this one")] = None,
    old_version: Version = None,
    agency: Annotated[str | None, Query(max_length=16, description="only this agency's lines")] = None,
    format: Literal["json", "csv"] = "json",
) -> VarianceOut | Response:
    """NEW is the post of `fiscal_year`, its live rows or its `version`; OLD the post of `old_fiscal_year` (this
    year when none), its live rows or its `old_version`. OLD and NEW may not be the same budget (409)."""
    old_year = fiscal_year if old_fiscal_year is None else old_fiscal_year
    new_side = side(request, post, fiscal_year, version)  # 404 first: a post or version that is not there
    old_side = side(request, post, old_year, old_version)
    if (old_year, old_version) == (fiscal_year, version):
        raise HTTPException(409, "OLD and NEW are the same budget: name another version or fiscal year for OLD")
    found = explained(request, old_side, new_side, agency)
    if format == "csv":
        return Response(variance_csv(found.lines(agency)), media_type="text/csv")
    return VarianceOut(
        old=found.old.label,
        new=found.new.label,
        lines=[
            VarianceLineOut(
                agency=line.agency,
                cost_center=line.cost_center,
                funding=line.funding,
                old=format_plain(line.old),
                new=format_plain(line.new),
                cost_effect=format_plain(line.cost_effect),
                count_effect=format_plain(line.count_effect),
                modification_effect=format_plain(line.modification_effect),
            )
            for line in found.lines(agency)
        ],
        by_agency=sums(found, "agency", agency),
        by_cost_center=sums(found, "cost_center", agency),
        largest_changes=list(found.told),
    )
