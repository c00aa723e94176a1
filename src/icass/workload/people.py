"""Head counts from people.csv: who is at post on the count date, in which kind (H-352 categories, LE staff,
family members), for which agency after a role's routing, and so who counts in each people-based cost
center (the catalog's people rules). Frames hold a batch of posts: every key includes `post`
(icass.workload.derive)."""

from __future__ import annotations

import polars as pl

from icass.catalog.counting import BASIC_PACKAGE_KINDS, CountingRules, PeopleRule, PersonKind
from icass.model import QUANTITY_SCALE
from icass.workload import trail

FILE = "people.csv"
_BASIC = [str(k) for k in BASIC_PACKAGE_KINDS]


def personas(people: pl.DataFrame, rules: CountingRules, methodology: str) -> pl.DataFrame:
    """One row per way a person counts: as its own category; a family member (EFM, MOH) also as the sponsor's
    dependent, and an employed EFM also as LE staff of its employer. Columns: row, person_id, kind, agency,
    routed (a role or the sponsor's role moved it), route (the text saying so), at_post (for a dependent:
    it and its sponsor), sponsor_basic (a dependent's sponsor is Basic Package staff), med_eligible, sma,
    role. `people` carries each post's `count_date`."""
    roles = pl.DataFrame(
        {
            "role": list(rules.roles),
            "role_agency": [r.agency for r in rules.roles.values()],
            "role_note": [f"role {r.role} -> {r.agency} ({r.section.at(methodology)})" for r in rules.roles.values()],
        },
        schema={"role": pl.String, "role_agency": pl.String, "role_note": pl.String},
    )
    day = pl.col("count_date")
    at_post = (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") >= day))
    frame = people.with_columns(at_post.alias("at_post")).join(roles, on="role", how="left")
    routed_agency = pl.coalesce("role_agency", "agency")
    own = frame.filter(~pl.col("category").is_in(["EFM", "MOH"])).select(
        "post",
        "row",
        "person_id",
        pl.col("category").alias("kind"),
        routed_agency.alias("agency"),
        pl.col("role_agency").is_not_null().alias("routed"),
        pl.col("role_note").fill_null("").alias("route"),
        "at_post",
        pl.lit(True).alias("sponsor_basic"),
        "med_eligible",
        "sma",
        "role",
        # A regional employee based at another post (H-341.1-4 c): its home post, else null.
        (
            pl.when(pl.col("home_post") != pl.col("post_code")).then(pl.col("home_post"))
            if "home_post" in frame.columns and "post_code" in frame.columns
            else pl.lit(None, dtype=pl.String)
        ).alias("elsewhere"),
    )
    sponsors = frame.select(
        "post",
        pl.col("person_id").alias("sponsor_id"),
        routed_agency.alias("sponsor_agency"),
        pl.col("role_agency").is_not_null().alias("sponsor_routed"),
        pl.col("role_note").fill_null("").alias("sponsor_route"),
        pl.col("at_post").alias("sponsor_at_post"),
        pl.col("category").is_in(_BASIC).alias("sponsor_basic"),
    )
    family = frame.filter(pl.col("category").is_in(["EFM", "MOH"]))
    dependents = family.join(sponsors, on=["post", "sponsor_id"], how="left").select(
        "post",
        "row",
        "person_id",
        pl.col("category").alias("kind"),
        pl.col("sponsor_agency").alias("agency"),
        pl.col("sponsor_routed").fill_null(False).alias("routed"),
        pl.when(pl.col("sponsor_route") != "")
        .then(pl.concat_str([pl.lit("follows sponsor: "), pl.col("sponsor_route")]))
        .otherwise(pl.lit(""))
        .alias("route"),
        (pl.col("at_post") & pl.col("sponsor_at_post").fill_null(False)).alias("at_post"),
        pl.col("sponsor_basic").fill_null(False).alias("sponsor_basic"),
        "med_eligible",
        "sma",
        pl.lit(None, dtype=pl.String).alias("role"),
        pl.lit(None, dtype=pl.String).alias("elsewhere"),
    )
    employed = family.filter(pl.col("employed_by").is_not_null()).select(
        "post",
        "row",
        "person_id",
        pl.lit(str(PersonKind.LE_STAFF)).alias("kind"),
        pl.coalesce("role_agency", "employed_by").alias("agency"),
        pl.col("role_agency").is_not_null().alias("routed"),
        pl.concat_str([pl.lit("employed family member of "), pl.col("employed_by")]).alias("route"),
        "at_post",
        pl.lit(True).alias("sponsor_basic"),
        "med_eligible",
        pl.lit(False).alias("sma"),
        "role",
        pl.lit(None, dtype=pl.String).alias("elsewhere"),
    )
    return pl.concat([own, dependents, employed], how="vertical_relaxed")


def counted(
    persons: pl.DataFrame,
    rule: PeopleRule,
    methodology: str,
    subscribers: pl.DataFrame,
    noticed: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The trail of one people rule: every persona of a kind it counts, counted or with the reason it is not.
    `subscribers` holds the (row, cost_center, agency) rows of subscriptions.csv (empty without the file);
    `noticed` the (post, cost_center, agency, until) of each notice of terminating a service that has not run
    out when the fiscal year begins (terminations.csv): such an agency is counted as a subscriber still."""
    section = rule.section.at(methodology)
    weights = pl.DataFrame(
        {
            "kind": [str(k) for term in rule.terms for k in term.kinds],
            "weight_units": [trail.weight_units(term.weight) for term in rule.terms for _ in term.kinds],
            "weight": [str(term.weight) for term in rule.terms for _ in term.kinds],
        },
        schema={"kind": pl.String, "weight_units": pl.Int64, "weight": pl.String},
    )
    frame = persons.join(weights, on="kind", how="inner")
    # Each exclusion with its reason; the first that applies is the one shown.
    family = pl.col("kind").is_in(["EFM", "MOH"])
    reasons: list[tuple[pl.Expr, pl.Expr]] = [
        (
            ~pl.col("at_post") & family,
            pl.lit("not counted: the family member or its sponsor is not at post on the count date"),
        ),
        (
            family & ~pl.col("sponsor_basic"),
            pl.lit(f"not counted: the sponsor is not Basic Package staff ({section})"),
        ),
        (~pl.col("at_post"), pl.lit("not counted: not at post on the count date")),
    ]
    if rule.exclude_roles is not None:
        excluded = rule.exclude_roles
        reasons.append(
            (
                pl.col("role").is_in(list(excluded.roles)),
                pl.concat_str([pl.lit("not counted: role "), pl.col("role"), pl.lit(f" ({excluded.section})")]),
            )
        )
    if rule.home_post_only:
        reasons.append(
            (
                pl.col("elsewhere").is_not_null(),
                pl.concat_str(
                    [
                        pl.lit("not counted: regional staff, counted at the home post "),
                        pl.col("elsewhere"),
                        pl.lit(f" ({rule.home_post_only})"),
                    ]
                ),
            )
        )
    if not rule.sma:
        reasons.append((family & pl.col("sma"), pl.lit(f"not counted: family member on SMA ({section})")))
    if rule.med_eligible:
        reasons.append((~pl.col("med_eligible"), pl.lit(f"not counted: not MED eligible ({section})")))
    if rule.subscription:
        subscribed = (
            subscribers.filter(pl.col("cost_center") == rule.cost_center)
            .select("post", "agency", pl.lit(True).alias("subscribed"))
            .unique()
        )
        frame = frame.join(subscribed, on=["post", "agency"], how="left")
        kept = (
            _kept(noticed, rule.cost_center)
            if noticed is not None
            else pl.DataFrame(schema={"post": frame.schema["post"], "agency": pl.String, "kept": pl.String})
        )
        frame = frame.join(kept, on=["post", "agency"], how="left")
        unsubscribed = ~pl.col("routed") & pl.col("subscribed").is_null()
        reasons.append(
            (
                unsubscribed & pl.col("kept").is_null(),
                pl.lit(f"not counted: the agency does not subscribe to {rule.cost_center} (subscriptions.csv)"),
            )
        )
        kept_note: pl.Expr = pl.when(unsubscribed).then(pl.col("kept"))
    else:
        kept_note = pl.lit(None, dtype=pl.String)
    reason = pl.coalesce([pl.when(condition).then(text) for condition, text in reasons])
    weight_units: pl.Expr = pl.col("weight_units")
    weight: pl.Expr = pl.col("weight")
    if rule.role_weight is not None:
        special = rule.role_weight
        hit = pl.col("role").is_in(list(special.roles))
        weight_units = pl.when(hit).then(pl.lit(trail.weight_units(special.weight))).otherwise(weight_units)
        weight = pl.when(hit).then(pl.lit(f"{special.weight} ({special.section})")).otherwise(weight)
    frame = frame.with_columns(reason.alias("reason"))
    return trail.finish(
        frame.select(
            "post",
            pl.lit(rule.cost_center).alias("cost_center"),
            "agency",
            pl.col("kind").alias("factor"),
            pl.lit(FILE).alias("file"),
            pl.concat_list("row").alias("rows"),
            pl.concat_str([pl.lit("person "), pl.col("person_id"), pl.lit(" "), pl.col("kind")]).alias("what"),
            pl.lit("1").alias("quantity"),
            weight.alias("weight"),
            (pl.lit(QUANTITY_SCALE, dtype=pl.Int128) * weight_units).alias("units"),
            pl.lit(1).alias("denominator"),
            pl.col("reason").is_null().alias("counted"),
            pl.coalesce("reason", kept_note, "route").alias("note"),
            pl.lit(section).alias("section"),
        )
    )


# H-341.12-4(D) c: during the notice period the agency "continues to bear the cost".
NOTICE_SECTION = "H-341.12-4(D) c"


def _kept(noticed: pl.DataFrame, cost_center: str) -> pl.DataFrame:
    """The (post, agency) whose notice of terminating `cost_center` keeps them counted, with the note saying so."""
    return (
        noticed.filter(pl.col("cost_center") == cost_center)
        .group_by("post", "agency")
        .agg(pl.col("until").max())
        .select(
            "post",
            "agency",
            pl.concat_str(
                [
                    pl.lit("counted: its notice of terminating the service runs out on "),
                    pl.col("until").cast(pl.String),
                    pl.lit(f" (terminations.csv, {NOTICE_SECTION})"),
                ]
            ).alias("kept"),
        )
    )


def none_counted(
    rule: PeopleRule, methodology: str, counted_trail: pl.DataFrame, subscribers: pl.DataFrame
) -> pl.DataFrame:
    """6194, 6196: a subscribing agency with nobody counted, after routing, still gets a count (H-341.9-2(D))."""
    if rule.none_counted is None:
        return trail.empty_batch()
    factor, count = rule.none_counted
    with_people = counted_trail.filter(pl.col("counted")).select("post", "agency").unique()
    lonely = (
        subscribers.filter(pl.col("cost_center") == rule.cost_center)
        .join(with_people, on=["post", "agency"], how="anti")
        .group_by("post", "agency")
        .agg(pl.col("row"))
    )
    units = int(count * trail.UNITS_PER_COUNT)
    return trail.finish(
        lonely.select(
            "post",
            pl.lit(rule.cost_center).alias("cost_center"),
            "agency",
            pl.lit(factor).alias("factor"),
            pl.lit("subscriptions.csv").alias("file"),
            pl.col("row").alias("rows"),
            pl.lit("subscribes with nobody counted").alias("what"),
            pl.lit(str(count)).alias("quantity"),
            pl.lit("1").alias("weight"),
            pl.lit(units).alias("units"),
            pl.lit(1).alias("denominator"),
            pl.lit(True).alias("counted"),
            pl.lit("").alias("note"),
            pl.lit(rule.section.at(methodology)).alias("section"),
        )
    )
