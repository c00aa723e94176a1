"""Counts from the post's inventories and logs: IT devices and OpenNet accounts (5458), procurement actions
(6134), residential units, square meters and guard hours (7810, 7850, 5823, 5821), office space (7820,
7860), and the dated transactions of every cumulative cost center. Each returns its trail rows, for a batch
of posts: every key includes `post`, and the frames carry each post's `count_date`, `first_day` and
`last_day` (icass.workload.derive)."""

from __future__ import annotations

import polars as pl

from icass.catalog.counting import ItRule, ProcurementRule, SpaceRule, Tenure, Vacancy
from icass.model import QUANTITY_SCALE
from icass.workload import trail

_INSIDE = pl.col("date").is_between(pl.col("first_day"), pl.col("last_day"))


def _rows(
    frame: pl.DataFrame,
    cost_center: str | pl.Expr,
    file: str,
    what: pl.Expr,
    quantity: pl.Expr,
    weight: pl.Expr,
    units: pl.Expr,
    section: str,
    counted: pl.Expr | None = None,
    note: pl.Expr | None = None,
    rows: pl.Expr | None = None,
    factor: str = "",
) -> pl.DataFrame:
    return trail.finish(
        frame.select(
            "post",
            (pl.lit(cost_center) if isinstance(cost_center, str) else cost_center).alias("cost_center"),
            "agency",
            pl.lit(factor).alias("factor"),
            pl.lit(file).alias("file"),
            (pl.concat_list("row") if rows is None else rows).alias("rows"),
            what.alias("what"),
            quantity.alias("quantity"),
            weight.alias("weight"),
            units.cast(pl.Int128).alias("units"),
            pl.lit(1).alias("denominator"),
            (pl.lit(True) if counted is None else counted).alias("counted"),
            (pl.lit("") if note is None else note).alias("note"),
            pl.lit(section).alias("section"),
        )
    )


def information_technology(
    inventory: pl.DataFrame, separate: pl.DataFrame, rule: ItRule, methodology: str
) -> pl.DataFrame:
    """5458: devices plus OpenNet accounts, the accounts of an agency with its own network x 0.3
    (H-341.4-4 a(2)). `separate` lists the (post, agency) that keep a separate network."""
    section = rule.section.at(methodology)
    frame = inventory.join(separate.with_columns(pl.lit(True).alias("separate")), on=["post", "agency"], how="left")
    own = pl.col("separate").fill_null(False)
    devices = _rows(
        frame,
        rule.cost_center,
        "it_inventory.csv",
        pl.lit("devices"),
        trail.quantity_text("devices"),
        pl.lit(str(rule.device_weight)),
        pl.col("devices") * trail.weight_units(rule.device_weight),
        section,
    )
    account_units = (
        pl.when(own)
        .then(trail.weight_units(rule.separate_network_account_weight))
        .otherwise(trail.weight_units(rule.account_weight))
    )
    accounts = _rows(
        frame,
        rule.cost_center,
        "it_inventory.csv",
        pl.lit("OpenNet accounts"),
        trail.quantity_text("opennet_accounts"),
        pl.when(own)
        .then(pl.lit(str(rule.separate_network_account_weight)))
        .otherwise(pl.lit(str(rule.account_weight))),
        pl.col("opennet_accounts") * account_units,
        section,
        note=pl.when(own)
        .then(pl.lit(f"the agency keeps a separate IT network ({rule.separate_network_section})"))
        .otherwise(pl.lit("")),
    )
    return pl.concat([devices, accounts])


def procurement(actions: pl.DataFrame, rule: ProcurementRule, methodology: str) -> pl.DataFrame:
    """6134: every (action, agency) dated in the window weighs by the agency's own dollars on it."""
    section = rule.section.at(methodology)
    grouped = (
        actions.filter(_INSIDE)
        .group_by("post", "action_id", "agency")
        .agg(pl.col("row").sort(), pl.col("amount").sum())
        .sort("post", "action_id", "agency")
    )
    weight_units: pl.Expr = pl.lit(trail.weight_units(rule.base))
    weight: pl.Expr = pl.lit(str(rule.base))
    for above, tier_weight in reversed(rule.tiers):  # the highest tier decides last, so it wins
        over = pl.col("amount") > int(above * 100)
        weight_units = pl.when(over).then(pl.lit(trail.weight_units(tier_weight))).otherwise(weight_units)
        weight = pl.when(over).then(pl.lit(str(tier_weight))).otherwise(weight)
    dollars = (
        (pl.col("amount") // 100).cast(pl.String)
        + pl.lit(".")
        + (pl.col("amount") % 100).cast(pl.String).str.pad_start(2, "0")
    )
    counted = _rows(
        grouped,
        rule.cost_center,
        "procurement.csv",
        pl.concat_str([pl.lit("action "), pl.col("action_id"), pl.lit(": $"), dollars]),
        pl.lit("1"),
        weight,
        weight_units * QUANTITY_SCALE,
        section,
        rows=pl.col("row"),
    )
    outside = actions.filter(~_INSIDE)
    return pl.concat([counted, _outside(outside, rule.cost_center, "procurement.csv", section)])


def _outside(frame: pl.DataFrame, cost_center: str | pl.Expr, file: str, section: str) -> pl.DataFrame:
    return _rows(
        frame,
        cost_center,
        file,
        pl.concat_str([pl.lit("dated "), pl.col("date").cast(pl.String)]),
        pl.lit("0"),
        pl.lit("1"),
        pl.lit(0),
        section,
        counted=pl.lit(False),
        note=pl.concat_str(
            [
                pl.lit("not counted: outside the window "),
                pl.col("first_day").cast(pl.String),
                pl.lit(" to "),
                pl.col("last_day").cast(pl.String),
            ]
        ),
    )


def _vacancy_routed(units: pl.DataFrame, vacancy: dict[Tenure, Vacancy], methodology: str) -> pl.DataFrame:
    """A unit vacant more than 90 days on the count date leaves its agency: GO/CL to 1900.0, OL to 1901.0."""
    agency: pl.Expr = pl.col("agency")
    note: pl.Expr = pl.lit("")
    days = (pl.col("count_date") - pl.col("vacant_since")).dt.total_days()
    for tenure, rule in vacancy.items():
        moved = (pl.col("tenure") == str(tenure)) & pl.col("vacant_since").is_not_null() & (days > rule.days)
        agency = pl.when(moved).then(pl.lit(rule.agency)).otherwise(agency)
        text = f"vacant more than {rule.days} days on the count date -> {rule.agency} ({rule.section.at(methodology)})"
        note = pl.when(moved).then(pl.lit(text)).otherwise(note)
    return units.with_columns(agency.alias("agency"), note.alias("note"))


def housing(units: pl.DataFrame, rule: SpaceRule, vacancy: dict[Tenure, Vacancy], methodology: str) -> pl.DataFrame:
    """7810, 7850: net square meters of the units of a tenure; 5823: residential units."""
    frame = _vacancy_routed(units.filter(pl.col("tenure").is_in([str(t) for t in rule.tenures])), vacancy, methodology)
    by_area = rule.measure == "net_square_meters"
    return _rows(
        frame,
        rule.cost_center,
        "housing.csv",
        pl.concat_str([pl.lit("unit "), pl.col("unit_id"), pl.lit(", building "), pl.col("building_id")]),
        trail.quantity_text("net_square_meters") if by_area else pl.lit("1"),
        pl.lit("1"),
        (pl.col("net_square_meters") if by_area else pl.lit(QUANTITY_SCALE)) * trail.WEIGHT_SCALE,
        rule.section.at(methodology),
        note=pl.col("note"),
    )


def guard_hours(
    hours: pl.DataFrame,
    units: pl.DataFrame,
    rule: SpaceRule,
    vacancy: dict[Tenure, Vacancy],
    methodology: str,
) -> pl.DataFrame:
    """5821: each building's annual guard hours shared among agencies by their share of its units."""
    routed = _vacancy_routed(units, vacancy, methodology)
    per_agency = routed.group_by("post", "building_id", "agency").agg(
        pl.len().alias("agency_units"), pl.col("note").filter(pl.col("note") != "").first().alias("route")
    )
    per_building = routed.group_by("post", "building_id").agg(pl.len().alias("building_units"))
    frame = (
        hours.join(per_agency, on=["post", "building_id"], how="inner")
        .join(per_building, on=["post", "building_id"], how="inner")
        .sort("post", "building_id", "agency")
    )
    shared = frame.select(
        "post",
        pl.lit(rule.cost_center).alias("cost_center"),
        "agency",
        pl.lit("").alias("factor"),
        pl.lit("guard_hours.csv").alias("file"),
        pl.concat_list("row").alias("rows"),
        pl.concat_str(
            [
                pl.lit("building "),
                pl.col("building_id"),
                pl.lit(": "),
                pl.col("agency_units").cast(pl.String),
                pl.lit(" of "),
                pl.col("building_units").cast(pl.String),
                pl.lit(" units (housing.csv)"),
            ]
        ).alias("what"),
        trail.quantity_text("annual_hours").alias("quantity"),
        pl.concat_str(
            [pl.col("agency_units").cast(pl.String), pl.lit("/"), pl.col("building_units").cast(pl.String)]
        ).alias("weight"),
        (pl.col("annual_hours").cast(pl.Int128) * trail.WEIGHT_SCALE * pl.col("agency_units")).alias("units"),
        pl.col("building_units").cast(pl.Int64).alias("denominator"),
        pl.lit(True).alias("counted"),
        pl.col("route").fill_null("").alias("note"),
        pl.lit(rule.section.at(methodology)).alias("section"),
    )
    return trail.finish(shared)


def office_space(space: pl.DataFrame, rule: SpaceRule, methodology: str) -> pl.DataFrame:
    """7820, 7860: each agency's net square meters of office space in buildings of the tenure."""
    frame = space.filter(pl.col("tenure").is_in([str(t) for t in rule.tenures]))
    return _rows(
        frame,
        rule.cost_center,
        "office_space.csv",
        pl.concat_str([pl.lit("building "), pl.col("building_id")]),
        trail.quantity_text("net_square_meters"),
        pl.lit("1"),
        pl.col("net_square_meters") * trail.WEIGHT_SCALE,
        rule.section.at(methodology),
    )


def transactions(activity: pl.DataFrame, cost_centers: pl.DataFrame, section: str) -> pl.DataFrame:
    """Every cumulative cost center: the quantities of its rows dated in the window. `cost_centers` holds the
    (post, cost_center) that are counted."""
    frame = activity.join(cost_centers, on=["post", "cost_center"], how="semi")
    counted = _rows(
        frame.filter(_INSIDE),
        pl.col("cost_center"),
        "activity.csv",
        pl.concat_str([pl.lit("dated "), pl.col("date").cast(pl.String)]),
        trail.quantity_text("quantity"),
        pl.lit("1"),
        pl.col("quantity") * trail.WEIGHT_SCALE,
        section,
    )
    return pl.concat([counted, _outside(frame.filter(~_INSIDE), pl.col("cost_center"), "activity.csv", section)])
