"""The ISC's AmSal and PAT cost factors of a fiscal year (H-423.1-1 b: "AmSal factors are programmed centrally";
H-423.1-2 b: one PAT factor), kept with the stored world of that year as its cost_factors.csv (the
world_cost_factors table: a world is one per fiscal year). Every stored post of the year takes its factors from
it (icass.store.compute reads it and gives it to the pipeline as data: icass.runs.world.with_central_factors);
a post's own that differ are an error of the post. The admin changes it: icass.store.central_changes."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, select, update

from icass.model import CostFactor, Source
from icass.store.bundles import new_revision
from icass.store.schema import WORLD_ROW_TABLES, posts, world_files, worlds

FILE = "cost_factors.csv"
COLUMNS = ("grade", "amsal", "pat")
factors = WORLD_ROW_TABLES[FILE]


def table_name(fiscal_year: int) -> str:
    """The table as a post's problem names it (a person in the workspace knows no file of it)."""
    return f"the ISC's table of fiscal year {fiscal_year}"


def central_of(connection: Connection, fiscal_years: Collection[int]) -> dict[int, tuple[CostFactor, ...]]:
    """The ISC's factors of each of `fiscal_years` that has a table (a stored world of that year with its
    cost_factors.csv), in the table's order: what the posts of the year are computed with."""
    if not fiscal_years:
        return {}
    held = (
        select(worlds.c.fiscal_year, worlds.c.id)
        .join(world_files, world_files.c.world_id == worlds.c.id)
        .where(worlds.c.fiscal_year.in_(sorted(fiscal_years)), world_files.c.name == FILE)
    )
    years = {int(world_id): int(year) for year, world_id in connection.execute(held)}
    found: dict[int, list[CostFactor]] = {year: [] for year in years.values()}
    if years:
        rows = connection.execute(
            select(factors.c.world_id, factors.c.line, factors.c.grade, factors.c.amsal, factors.c.pat)
            .where(factors.c.world_id.in_(sorted(years)))
            .order_by(factors.c.world_id, factors.c.line)
        )
        for world_id, _, grade, amsal, pat in rows:
            year = years[world_id]
            source = Source(table_name(year), row=len(found[year]) + 2)  # as its file's rows are numbered
            found[year].append(CostFactor(grade, int(amsal), int(pat), source))
    return {year: tuple(rows) for year, rows in found.items()}


def stale_posts(connection: Connection, fiscal_year: int) -> None:
    """Move the revision of every stored post of `fiscal_year` (the ISC's table they are computed with changed)."""
    for post_id in connection.execute(select(posts.c.id).where(posts.c.fiscal_year == fiscal_year)).scalars():
        connection.execute(update(posts).where(posts.c.id == post_id).values(revision=new_revision()))
