"""Rules that span the source records and the rest of the bundle: every agency they name is at post, every
family member has a sponsor in people.csv, dates are in order, keys are unique. Each problem is an error
that names the file, row and field."""

from __future__ import annotations

import polars as pl

from icass.catalog import Catalog
from icass.diagnostics import Diagnostic, error
from icass.model import Source, SourceRecords
from icass.model.sources import FILE_OF

# Columns that name an agency, per record file.
AGENCY_COLUMNS = {
    "people": ("agency", "employed_by"),
    "subscriptions": ("agency",),
    "it_inventory": ("agency",),
    "procurement": ("agency",),
    "housing": ("agency",),
    "office_space": ("agency",),
    "activity": ("agency",),
}


def _errors(frame: pl.DataFrame, file: str, field: str, message: str | pl.Expr, section: str = "") -> list[Diagnostic]:
    if frame.is_empty():
        return []
    text = frame.select(pl.col("row"), (pl.lit(message) if isinstance(message, str) else message).alias("m"))
    return [error(Source(file, row), m, field=field, section=section) for row, m in text.iter_rows()]


def check(records: SourceRecords, agencies: set[str], catalog: Catalog, methodology: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    known = pl.Series("agency", sorted(agencies), dtype=pl.String)
    for name, columns in AGENCY_COLUMNS.items():
        frame: pl.DataFrame | None = getattr(records, name)
        if frame is None:
            continue
        for column in columns:
            unknown = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode()))
            found += _errors(
                unknown,
                FILE_OF[name],
                column,
                pl.concat_str([pl.lit("unknown agency "), pl.col(column), pl.lit(" (not in agencies.csv)")]),
            )
    if records.people is not None:
        found += _people(records.people)
    if records.housing is not None:
        found += _duplicates(records.housing, "unit_id", "housing.csv")
    if records.guard_hours is not None:
        found += _duplicates(records.guard_hours, "building_id", "guard_hours.csv")
        units = records.housing.select("building_id").unique() if records.housing is not None else None
        orphan = records.guard_hours if units is None else records.guard_hours.join(units, on="building_id", how="anti")
        found += _errors(
            orphan,
            "guard_hours.csv",
            "building_id",
            "the building has no residential units in housing.csv to share its guard hours by",
            "H-341.5-1(D) a",
        )
    for name in ("subscriptions", "activity"):
        frame = getattr(records, name)
        if frame is not None:
            found += _cost_centers(frame, FILE_OF[name], catalog, methodology)
    return found


def _duplicates(frame: pl.DataFrame, key: str, file: str) -> list[Diagnostic]:
    repeated = frame.filter(pl.col(key).is_duplicated() & (pl.col("row") != pl.col("row").min().over(key)))
    first = frame.group_by(key).agg(pl.col("row").min().alias("first"))
    return _errors(
        repeated.join(first, on=key),
        file,
        key,
        pl.concat_str(
            [pl.lit(f"duplicate {key} "), pl.col(key), pl.lit(": already on row "), pl.col("first").cast(pl.String)]
        ),
    )


def _people(people: pl.DataFrame) -> list[Diagnostic]:
    file = "people.csv"
    family = pl.col("category").is_in(["EFM", "MOH"])
    found = _duplicates(people, "person_id", file)
    found += _errors(
        people.filter(family & pl.col("sponsor_id").is_null()),
        file,
        "sponsor_id",
        "a family member (EFM, MOH) names its sponsor's person_id",
        "H-341.2-4 a",
    )
    sponsors = people.select(
        pl.col("person_id").alias("sponsor_id"),
        pl.col("category").alias("sponsor_category"),
        pl.lit(True).alias("sponsor_found"),
    ).unique("sponsor_id")
    linked = people.filter(family & pl.col("sponsor_id").is_not_null()).join(sponsors, on="sponsor_id", how="left")
    found += _errors(
        linked.filter(pl.col("sponsor_found").is_null()),
        file,
        "sponsor_id",
        pl.concat_str([pl.lit("sponsor "), pl.col("sponsor_id"), pl.lit(" is not in people.csv")]),
    )
    found += _errors(
        linked.filter(pl.col("sponsor_category").is_in(["EFM", "MOH"])),
        file,
        "sponsor_id",
        pl.concat_str([pl.lit("sponsor "), pl.col("sponsor_id"), pl.lit(" is a family member, not an employee")]),
    )
    found += _errors(
        people.filter(family & pl.col("agency").is_not_null()),
        file,
        "agency",
        "a family member (EFM, MOH) leaves agency empty: it counts where its sponsor counts",
    )
    found += _errors(
        people.filter(~family & pl.col("agency").is_null()),
        file,
        "agency",
        "is empty: every employee names its agency",
    )
    found += _errors(
        people.filter(~family & pl.col("sponsor_id").is_not_null()),
        file,
        "sponsor_id",
        "only a family member (EFM, MOH) names a sponsor",
    )
    found += _errors(
        people.filter((pl.col("category") != "EFM") & pl.col("employed_by").is_not_null()),
        file,
        "employed_by",
        "only an EFM names the agency that employs it",
    )
    found += _errors(
        people.filter(~family & pl.col("sma")),
        file,
        "sma",
        "only a family member can be on SMA",
        "H-341.2-4 a",
    )
    found += _errors(
        people.filter(pl.col("end_date").is_not_null() & (pl.col("end_date") < pl.col("start_date"))),
        file,
        "end_date",
        "is before start_date",
    )
    return found


def _cost_centers(frame: pl.DataFrame, file: str, catalog: Catalog, methodology: str) -> list[Diagnostic]:
    codes = frame.get_column("cost_center").unique().to_list()
    unknown = [code for code in codes if catalog.find(code, methodology) is None]
    return _errors(
        frame.filter(pl.col("cost_center").is_in(unknown)),
        file,
        "cost_center",
        pl.concat_str(
            [pl.lit("unknown cost center "), pl.col("cost_center"), pl.lit(f" (not in the {methodology} catalog)")]
        ),
        "Exhibit H-341",
    )
