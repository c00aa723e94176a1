"""The trail of a derivation: one row per record (or group of records) and cost center, saying which
agency and factor it counts for, its quantity and weight, the routing and exclusions applied, and the
section cited. Counts are the trail's sums, so every count can be explained by the rows that made it.

Contributions are exact: `units` / `denominator` in millionths of a count (QUANTITY_SCALE x WEIGHT_SCALE).
The denominator is 1 except where a count is a share (5821: a building's guard hours by its units).

While a batch of posts is derived (icass.workload.derive) the trail has a `post` column first, the post's
place in the batch; each post's own trail is its part, without that column.
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
POST = pl.Int32()  # a post's place in a batch
BATCH_SCHEMA: dict[str, pl.DataType] = {"post": POST, **SCHEMA}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def empty_batch() -> pl.DataFrame:
    return pl.DataFrame(schema=BATCH_SCHEMA)


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
    """Columns in the batch trail's order and types, whatever a rule built them in."""
    return frame.select([pl.col(name).cast(dtype) for name, dtype in BATCH_SCHEMA.items()])


def counts(batch: pl.DataFrame) -> dict[int, list[tuple[str, str, str, Decimal]]]:
    """Each post's (cost center, agency, factor, rounded count) for every line with a counted row, sorted.

    Whole contributions are summed and rounded in columns (a batch has some 100,000 lines): the count in
    ten-thousandths is units / 100, half to even. Lines with a share (denominator > 1) are summed as
    Fractions, which only 5821 has."""
    counted = batch.filter(pl.col("counted"))
    key = ["post", "cost_center", "agency", "factor"]
    shared = counted.filter(pl.col("denominator") != 1)
    exact: dict[tuple[int, str, str, str], Fraction] = {}
    for post, cc, agency, factor, units, denominator in shared.select(*key, "units", "denominator").iter_rows():
        line = (post, cc, agency, factor)
        exact[line] = exact.get(line, Fraction(0)) + Fraction(units, denominator)
    whole = counted.filter(pl.col("denominator") == 1).group_by(key).agg(pl.col("units").sum())
    mixed = whole.join(shared.select(key).unique(), on=key, how="semi")
    for post, cc, agency, factor, units in mixed.iter_rows():  # a one-unit building's share is whole
        exact[(post, cc, agency, factor)] += units
    whole = whole.join(mixed.select(key), on=key, how="anti")
    step = UNITS_PER_COUNT // 10**COUNT_PLACES
    units, quotient = pl.col("units"), pl.col("units") // step
    remainder = units - quotient * step
    up = (remainder * 2 > step) | ((remainder * 2 == step) & (quotient % 2 == 1))
    # The count in ten-thousandths is a quantity of the same scale: its plain decimal text (2.5, 100).
    assert 10**COUNT_PLACES == QUANTITY_SCALE
    texts = whole.select(*key, (quotient + up.cast(pl.Int128)).alias("q")).sort(key)
    texts = texts.select(*key, quantity_text("q").alias("count"))
    found: dict[int, list[tuple[str, str, str, Decimal]]] = {}
    for post, cc, agency, factor, count in texts.iter_rows():
        found.setdefault(post, []).append((cc, agency, factor, Decimal(count)))
    for (post, cc, agency, factor), value in exact.items():
        found.setdefault(post, []).append((cc, agency, factor, rounded(value.numerator, value.denominator)))
    for post in {post for post, *_ in exact}:
        found[post].sort()
    return found
