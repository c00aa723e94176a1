"""Rules that span the source records and the rest of the bundle: every agency they name is at post, every
family member has a sponsor in people.csv, dates are in order, keys are unique. Each problem is an error
that names the file, row and field. The checks run on a batch of posts at once: every frame has a `post`
column (the post's place in the batch) and every key includes it; each problem goes to its post. They are
not among the `(post, context)` checks of icass.checks.CHECKS: they judge what the derivation reads, before
it runs (icass.workload.derive), as one polars pass over a batch of posts (a world's) rather than one a post."""

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


Found = list[tuple[int, Diagnostic]]  # (post, problem)


def _errors(frame: pl.DataFrame, file: str, field: str, message: str | pl.Expr, section: str = "") -> Found:
    if frame.is_empty():
        return []
    text = frame.select("post", "row", (pl.lit(message) if isinstance(message, str) else message).alias("m")).sort(
        "post", "row", maintain_order=True
    )
    return [(post, error(Source(file, row), m, field=field, section=section)) for post, row, m in text.iter_rows()]


def check_records(
    records: SourceRecords, agencies: pl.DataFrame, catalog: Catalog, methodologies: pl.DataFrame
) -> Found:
    """`agencies` holds each post's (post, agency) of agencies.csv; `methodologies` each (post, methodology)."""
    found: Found = []
    for name, columns in AGENCY_COLUMNS.items():
        frame: pl.DataFrame | None = getattr(records, name)
        if frame is None:
            continue
        for column in columns:
            known = agencies.rename({"agency": column})
            unknown = frame.filter(pl.col(column).is_not_null()).join(known, on=["post", column], how="anti")
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
        units = records.housing.select("post", "building_id").unique() if records.housing is not None else None
        orphan = (
            records.guard_hours
            if units is None
            else records.guard_hours.join(units, on=["post", "building_id"], how="anti")
        )
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
            found += _cost_centers(frame, FILE_OF[name], catalog, methodologies)
    return found


def _duplicates(frame: pl.DataFrame, key: str, file: str) -> Found:
    first = frame.group_by("post", key).agg(pl.col("row").min().alias("first"))
    repeated = frame.join(first, on=["post", key]).filter(pl.col("row") != pl.col("first"))
    return _errors(
        repeated,
        file,
        key,
        pl.concat_str(
            [pl.lit(f"duplicate {key} "), pl.col(key), pl.lit(": already on row "), pl.col("first").cast(pl.String)]
        ),
    )


def _people(people: pl.DataFrame) -> Found:
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
        "post",
        pl.col("person_id").alias("sponsor_id"),
        pl.col("category").alias("sponsor_category"),
        pl.lit(True).alias("sponsor_found"),
    ).unique(["post", "sponsor_id"], keep="first")
    linked = people.filter(family & pl.col("sponsor_id").is_not_null()).join(
        sponsors, on=["post", "sponsor_id"], how="left"
    )
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


def _cost_centers(frame: pl.DataFrame, file: str, catalog: Catalog, methodologies: pl.DataFrame) -> Found:
    named = frame.join(methodologies, on="post")
    pairs = named.select("methodology", "cost_center").unique().rows()
    unknown = pl.DataFrame(
        # An empty cost center (null) is the reader's to report, as every empty required cell is.
        [(m, code) for m, code in pairs if code is not None and catalog.find(code, m) is None],
        schema={"methodology": pl.String, "cost_center": pl.String},
        orient="row",
    )
    return _errors(
        named.join(unknown, on=["methodology", "cost_center"], how="semi"),
        file,
        "cost_center",
        pl.concat_str(
            [
                pl.lit("unknown cost center "),
                pl.col("cost_center"),
                pl.lit(" (not in the "),
                pl.col("methodology"),
                pl.lit(" catalog)"),
            ]
        ),
        "Exhibit H-341",
    )
