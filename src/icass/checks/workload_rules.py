"""The handbook's budget rules on workload counts: who is counted where, and with what weight (group f),
each a check (icass.catalog.budget_rules holds its section, severity and advice).

The counts judged are those the post distributes by (derived from its records, replaced by typed counts). A
row of workload.csv is a subscription: the bundle keeps no list of subscribers apart from the counts.

Where counts are derived from the source records, the derivation applies the rules on who is counted where by
construction (the count date and window, role routing, regional staff, vacancies): what the checks of those
rules find is a record that contradicts the rule, or a typed count a record shows wrong, never a count the
derivation rightly leaves out (R96, R101, R103-R108, R110, R112-R115). R105, R112 and R113 read what
a transaction's description says, so they are warnings. Those checks are in icass.checks.workload_records.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from icass.checks.broken import broken
from icass.checks.context import Check, Context, Rule, per_columns, per_table
from icass.diagnostics import Diagnostic
from icass.model import PostBundle
from icass.model.columnar import column, source_of

# The people a cost center never counts, by their factor, and the rule that says so: LE staff are not counted
# in the Basic Package, Community Services or Health Services (R97: H-341.1-4 b; H-341.2-4 b; H-341.3-4 d), nor
# are members of household in the family-member counts (R98: H-341.2-4 a NOTE 2; H-341.3-4 a NOTE 2), nor
# institutional contractors in the warehouse and Lite general services counts (R100: H-341.7-7(D) a;
# H-342.7-4 a).
NOT_COUNTED: dict[tuple[str, str], str] = {
    ("6150", "LE_STAFF"): "R97",
    ("6443", "LE_STAFF"): "R97",
    ("5624", "LE_STAFF"): "R97",
    ("6443", "MOH"): "R98",
    ("5624", "MOH"): "R98",
    ("6143", "INSTITUTIONAL_CONTRACTOR"): "R100",
    ("6145", "INSTITUTIONAL_CONTRACTOR"): "R100",
}
WHO = {"LE_STAFF": "LE staff", "MOH": "members of household", "INSTITUTIONAL_CONTRACTOR": "institutional contractors"}

# The step of a warehouse count of LE staff (or of a count not split by factor): 0.2 a head (H-341.7-7(D) a);
# in Lite general services 0.2, or 0.06 for a PSA or SD guard (H-342.5 f NOTES 1-2), so steps of 0.02.
WAREHOUSE_STEP = {"6143": Decimal("0.2"), "6145": Decimal("0.02")}

# How an agency's people counts compare, unmodified, each begun from another's people (R99): (cost center,
# the count it is compared with, whether it is at least that count (else at most)). Community Services adds
# the family members to the Basic Package (H-341.2-4 a); security, the LE staff (H-341.6-4 a); Health
# Services counts those of Community Services' people eligible for it (H-341.3-4 a); the language program,
# some of the Basic Package's Americans (H-341.11-1(D) a).
COMPARED = (("6443", "6150", True), ("5880", "6150", True), ("5624", "6443", False), ("6441", "6150", False))

# H-341.7-3(D) c: each procurement action weighs 1, 2 or 3 by the agency's dollars on it (R102), so the
# procurement count is a whole number.
PROCUREMENT = "6134"

# H-341.13-4; H-341.14-4: the cost centers shared without a count (R109).
NO_FACTOR = frozenset({"0000", "0009", "8790"})

# H-341.9-2(D) a; H-342.9-4 a: the radio program, whose every subscriber counts at least 1.
RADIO_PROGRAM = {"standard": "6194", "lite": "6196"}
RADIO_PROGRAM_FLOOR = Decimal(1)


def warehouse_americans(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R100, the parts a count shows: no institutional contractors in 6143 (Lite 6145), and a count those
    weights can give (whole heads, LE staff in steps of WAREHOUSE_STEP). Which guards are left out is decided
    where the counts are derived."""
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count", "factor")), strict=True)
    weighed = [
        broken(
            "R100",
            source_of(workload, k),
            f"agency {agency} counts {f'{count} {factor}'.strip()} in {code}",
            "count",
            alone=True,
        )
        for k, (code, agency, count, factor) in enumerate(lines)
        if code in WAREHOUSE_STEP
        and (code, factor) not in NOT_COUNTED
        and count % (WAREHOUSE_STEP[code] if factor in ("", "LE_STAFF") else 1) != 0
    ]
    return _not_counted(bundle, "R100") + weighed


Counted = dict[tuple[str, str], Decimal]


def _totals(bundle: PostBundle, codes: frozenset[str] | None = None) -> tuple[Counted, dict[tuple[str, str], int]]:
    """Each agency's count in each cost center (of `codes`, or every one), unmodified, added over its factors,
    with the first row of each; a line of people its cost center never counts is left to NOT_COUNTED's rules."""
    totals, first = _every_total(bundle.workload)
    if codes is None:
        return totals, first
    return {key: total for key, total in totals.items() if key[0] in codes}, first


@per_table  # three rules read the counts so, each of some cost centers
def _every_total(workload: Sequence[Any]) -> tuple[Counted, dict[tuple[str, str], int]]:
    counts = column(workload, "count")
    rows = _counted_rows(workload)
    totals = {key: sum(map(counts.__getitem__, at), Decimal(0)) for key, at in rows.items()}
    return totals, {key: at[0] for key, at in rows.items()}


@per_columns("cost_center", "agency", "factor")  # a count entered leaves which rows are counted where
def _counted_rows(workload: Sequence[Any]) -> dict[tuple[str, str], list[int]]:
    """The rows of each (cost center, agency), but those of people their cost center never counts."""
    rows: dict[tuple[str, str], list[int]] = {}
    names = ("cost_center", "agency", "factor")
    for k, (code, agency, factor) in enumerate(zip(*(column(workload, n) for n in names), strict=True)):
        if (code, factor) not in NOT_COUNTED:
            rows.setdefault((code, agency), []).append(k)
    return rows


def people_counts_compared(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R99: an agency counted in both cost centers of a pair of COMPARED counts as the pair says. An agency
    missing from a mandatory cost center is R53's; a line of people the cost center never counts, R97's or
    R98's."""
    totals, first = _totals(bundle, frozenset(code for pair in COMPARED for code in pair[:2]))
    found: list[Diagnostic] = []
    for code, basis, at_least in COMPARED:
        for (counted, agency), total in sorted(totals.items()):
            other = totals.get((basis, agency))
            if counted != code or other is None or (total >= other if at_least else total <= other):
                continue
            what = (
                f"agency {agency} counts {total} in {code}, {'fewer' if at_least else 'more'} than {other} in {basis}"
            )
            found.append(broken("R99", source_of(bundle.workload, first[code, agency]), what, "count"))
    return found


def procurement_weights(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R102: a procurement count is a sum of the weights 1, 2 and 3, a whole number."""
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "agency", "count")), strict=True)
    return [
        broken("R102", source_of(workload, k), f"agency {agency} counts {count} in {code}", "count", alone=True)
        for k, (code, agency, count) in enumerate(lines)
        if code == PROCUREMENT and count != count.to_integral_value()
    ]


def radio_program_subscribers(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R111: an agency counted in the radio program (a subscriber) counts at least 1 there, its people added
    over their factors, before any modification."""
    code = RADIO_PROGRAM[str(bundle.post.methodology)]
    totals, first = _totals(bundle, frozenset({code}))
    return [
        broken("R111", source_of(bundle.workload, first[key]), f"agency {key[1]} counts {total} in {code}", "count")
        for key, total in sorted(totals.items())
        if total < RADIO_PROGRAM_FLOOR
    ]


def _not_counted(bundle: PostBundle, rule: str) -> list[Diagnostic]:
    """`rule` broken by each count of a factor its cost center never counts (NOT_COUNTED)."""
    workload = bundle.workload
    lines = zip(*(column(workload, name) for name in ("cost_center", "factor")), strict=True)
    return [
        broken(rule, source_of(workload, k), f"{code} counts {WHO[factor]}", "factor", alone=True)
        for k, (code, factor) in enumerate(lines)
        if NOT_COUNTED.get((code, factor)) == rule
    ]


def local_staff_not_counted(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R97: no count of LE staff in 6150, 6443 or 5624."""
    return _not_counted(bundle, "R97")


def household_not_counted(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R98: no count of members of household in 6443 or 5624 (family members on separate maintenance are left
    out where the counts are derived: a typed count does not say who it holds)."""
    return _not_counted(bundle, "R98")


def without_a_factor(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R109: no count on a cost center without a distribution factor (0000 goes to State, 8790 follows each
    agency's service costs); each code looked up once."""
    methodology = str(bundle.post.methodology)
    workload = bundle.workload
    codes = column(workload, "cost_center")
    specs = {code: context.catalog.find(code, methodology) for code in set(codes)}
    shared = {
        code: "is charged to 1900.0 State" if spec.distribution == "non_icass" else "follows service costs"
        for code, spec in specs.items()
        if spec is not None and spec.distribution != "workload"
    }
    return [
        broken("R109", source_of(workload, k), f"{code} takes no count: it {shared[code]}", "cost_center", alone=True)
        for k, code in enumerate(codes)
        if code in shared
    ]


def subscribers_without_a_count(bundle: PostBundle, context: Context) -> list[Diagnostic]:
    """R116: an agency with count lines in a cost center (a subscriber) counts more than nothing there. The radio
    program, which sets its own floor, is R111's; a cost center without a distribution factor, R109's."""
    radio = RADIO_PROGRAM[str(bundle.post.methodology)]
    totals, first = _totals(bundle)
    return [
        broken("R116", source_of(bundle.workload, first[code, agency]), f"agency {agency} counts 0 in {code}", "count")
        for (code, agency), total in sorted(totals.items())
        if total == 0 and code != radio and code not in NO_FACTOR
    ]


def _on_records(name: str) -> Rule:
    """The check `name` of icass.checks.workload_records, loaded (with polars) only for a post with source
    records: a post without them breaks none of those rules."""

    def rule(bundle: PostBundle, context: Context) -> list[Diagnostic]:
        if not context.records.present():
            return []
        from icass.checks import workload_records  # with polars, which read the records

        found: list[Diagnostic] = getattr(workload_records, name)(bundle, context)
        return found

    rule.__name__ = name
    return rule


_COUNTS = frozenset({"post", "workload"})

CHECKS: tuple[Check, ...] = (
    Check(_on_records("static_counts_from_transactions"), reads=frozenset({"post"}), budget_rule="R96"),
    Check(local_staff_not_counted, reads=frozenset({"workload"}), budget_rule="R97"),
    Check(household_not_counted, reads=frozenset({"workload"}), budget_rule="R98"),
    Check(people_counts_compared, reads=frozenset({"workload"}), budget_rule="R99"),
    Check(warehouse_americans, reads=frozenset({"workload"}), budget_rule="R100"),
    Check(_on_records("it_counts_from_inventory"), reads=frozenset({"agencies", "workload"}), budget_rule="R101"),
    Check(procurement_weights, reads=frozenset({"workload"}), budget_rule="R102"),
    Check(_on_records("roles_routed"), reads=frozenset(), budget_rule="R103"),
    Check(_on_records("facility_managers_routed"), reads=frozenset(), budget_rule="R104"),
    Check(_on_records("icass_activity"), reads=frozenset(), budget_rule="R105"),
    Check(without_a_factor, reads=_COUNTS, budget_rule="R109"),
    Check(_on_records("regional_staff_at_home_post"), reads=_COUNTS, budget_rule="R110"),
    Check(_on_records("utility_vehicles_not_counted"), reads=frozenset(), budget_rule="R112"),
    Check(_on_records("tdy_visitors_activity"), reads=frozenset(), budget_rule="R113"),
    Check(_on_records("arrival_year_counts"), reads=frozenset({"post", "workload"}), budget_rule="R114"),
    Check(radio_program_subscribers, reads=_COUNTS, budget_rule="R111"),
    Check(_on_records("vacant_office_space"), reads=frozenset({"post", "terminations"}), budget_rule="R106"),
    Check(_on_records("common_areas_not_counted"), reads=frozenset(), budget_rule="R107"),
    Check(_on_records("compound_square_meters"), reads=frozenset({"workload"}), budget_rule="R108"),
    Check(_on_records("overlapping_incumbents"), reads=frozenset(), budget_rule="R115"),
    # Group h's, judged on the same records.
    Check(_on_records("guards_at_vacant_residences"), reads=frozenset(), budget_rule="R138"),
    Check(subscribers_without_a_count, reads=_COUNTS, budget_rule="R116"),
)
