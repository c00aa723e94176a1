"""The trail of a derivation: one row per record (or group of records) and cost center, saying which
agency and factor it counts for, its quantity and weight, the routing and exclusions applied, and the
section cited. Counts are the trail's sums, so every count can be explained by the rows that made it.

Contributions are exact: `units` / `denominator` in millionths of a count (QUANTITY_SCALE x WEIGHT_SCALE).
The denominator is 1 except where a count is a share (5821: a building's guard hours by its units).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl

from icass.model import QUANTITY_SCALE

WEIGHT_SCALE = 100  # weights carry at most two decimal places (0.3, 0.2, 0.06)
UNITS_PER_COUNT = QUANTITY_SCALE * WEIGHT_SCALE
COUNT_PLACES = 4

SCHEMA: dict[str, pl.DataType] = {
    "cost_center": pl.String(),
    "agency": pl.String(),
    "factor": pl.String(),
    "file": pl.String(),
    "rows": pl.List(pl.Int64()),
    "what": pl.String(),
    "quantity": pl.String(),
    "weight": pl.String(),
    "units": pl.Int128(),
    "denominator": pl.Int64(),
    "counted": pl.Boolean(),
    "note": pl.String(),
    "section": pl.String(),
}
COLUMNS = tuple(SCHEMA)


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def weight_units(weight: Decimal) -> int:
    scaled = weight * WEIGHT_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"weight {weight} has more than two decimal places")
    return int(scaled)


def quantity_text(column: str) -> pl.Expr:
    """An Int64 quantity in ten-thousandths as its plain decimal string (`12.5`, `3`)."""
    value = pl.col(column)
    whole = (value // QUANTITY_SCALE).cast(pl.String)
    part = (value % QUANTITY_SCALE).cast(pl.String).str.pad_start(4, "0").str.strip_chars_end("0")
    return pl.when(part == "").then(whole).otherwise(pl.concat_str([whole, pl.lit("."), part]))


def rounded(units: int, denominator: int = 1) -> Decimal:
    """A count rounded once to four decimal places, half to even (the issue's rule for derived counts)."""
    exact = Fraction(units, denominator * UNITS_PER_COUNT)
    return plain(Decimal(round(exact * 10**COUNT_PLACES)).scaleb(-COUNT_PLACES))


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros or an exponent: 2.5000 -> 2.5, 1E+2 -> 100."""
    return Decimal(format(value.normalize(), "f"))


def finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns in the trail's order and types, whatever a rule built them in."""
    return frame.select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()])


def counts(trail: pl.DataFrame) -> list[tuple[str, str, str, Decimal]]:
    """(cost center, agency, factor, rounded count) for every line with a counted row, sorted."""
    counted = trail.filter(pl.col("counted"))
    whole = (
        counted.filter(pl.col("denominator") == 1)
        .group_by("cost_center", "agency", "factor")
        .agg(pl.col("units").sum())
    )
    exact: dict[tuple[str, str, str], Fraction] = {}
    for cc, agency, factor, units in whole.iter_rows():
        exact[(cc, agency, factor)] = Fraction(units)
    shares = counted.filter(pl.col("denominator") != 1)
    for cc, agency, factor, units, denominator in shares.select(
        "cost_center", "agency", "factor", "units", "denominator"
    ).iter_rows():
        key = (cc, agency, factor)
        exact[key] = exact.get(key, Fraction(0)) + Fraction(units, denominator)
    return sorted(
        (cc, agency, factor, rounded(value.numerator, value.denominator))
        for (cc, agency, factor), value in exact.items()
    )
