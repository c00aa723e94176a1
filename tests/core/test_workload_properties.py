"""Properties of the derivation on random people: more people never lower a head count, moving people between
agencies conserves the total, row order changes nothing, an entered count always wins, and posts derived
together get what each gets alone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.bundle import read_bundle
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.model import PostRecords, SourceRecords, Workload
from icass.runs.post import run_records
from icass.workload.derivation import Derivation
from icass.workload.derive import derive, derive_posts
from tests.sources import write_sources

AGENCIES = ("1900.0", "2000.0", "3000.0")
KINDS = ("USDH", "UNIFORMED", "TCN", "US_CONTRACTOR", "INSTITUTIONAL_CONTRACTOR", "OTHER", "LE_STAFF")
ROLES = (None, None, None, "RSO", "MSG", "PSA_GUARD", "SD_GUARD", "FACILITY_MANAGER")
MANDATORY = ("6150", "6443", "5624", "5880")


@cache
def base() -> PostRecords:
    folder = Path(tempfile.mkdtemp()) / "post"
    records, problems = read_bundle(write_sources(folder))
    assert records is not None, problems
    return records


employees = st.lists(
    st.tuples(st.sampled_from(AGENCIES), st.sampled_from(KINDS), st.sampled_from(ROLES), st.booleans()),
    min_size=1,
    max_size=25,
)
families = st.lists(st.tuples(st.integers(0, 24), st.booleans(), st.booleans(), st.booleans()), max_size=15)


def frame(
    staff: list[tuple[str, str, str | None, bool]], family: list[tuple[int, bool, bool, bool]], pool: int = 0
) -> pl.DataFrame:
    """People rows: the staff, then family members each sponsored by one of the first `pool` staff (all)."""
    pool = pool or len(staff)
    rows = []
    start, gone = dt.date(2024, 1, 1), dt.date(2025, 1, 1)
    for i, (agency, kind, role, present) in enumerate(staff):
        rows.append((f"E{i}", agency, kind, None, None, role, start, None if present else gone, True, False))
    for j, (sponsor, med, sma, household) in enumerate(family):
        category = "MOH" if household else "EFM"
        rows.append((f"F{j}", None, category, f"E{sponsor % pool}", None, None, start, None, med, sma))
    text, day, flag = pl.String, pl.Date, pl.Boolean
    schema = {"person_id": text, "agency": text, "category": text, "sponsor_id": text, "employed_by": text}
    schema |= {"role": text, "start_date": day, "end_date": day, "med_eligible": flag, "sma": flag}
    people = pl.DataFrame(rows, schema=schema, orient="row")
    return people.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))


def totals(people: pl.DataFrame) -> dict[tuple[str, str], Decimal]:
    records = dataclasses.replace(base(), sources=SourceRecords(people=people))
    derivation = derive(records, load_catalog(), load_counting_rules())
    assert not derivation.diagnostics, [str(d) for d in derivation.diagnostics]
    found: dict[tuple[str, str], Decimal] = {}
    for line in derivation.lines:
        key = (line.cost_center, line.agency)
        found[key] = found.get(key, Decimal(0)) + line.count
    return found


@settings(max_examples=60, deadline=None)
@given(employees, families, st.sampled_from(AGENCIES), st.sampled_from(KINDS), st.sampled_from(ROLES))
def test_adding_a_person_never_lowers_a_head_count(staff, family, agency, kind, role):
    before = totals(frame(staff, family))
    after = totals(frame([*staff, (agency, kind, role, True)], family, pool=len(staff)))
    assert all(after.get(key, Decimal(0)) >= count for key, count in before.items())


@settings(max_examples=60, deadline=None)
@given(employees, families, st.data())
def test_moving_people_between_agencies_conserves_each_total(staff, family, data):
    moved = [(data.draw(st.sampled_from(AGENCIES)), kind, role, present) for _, kind, role, present in staff]
    before, after = totals(frame(staff, family)), totals(frame(moved, family))
    for cost_center in MANDATORY:  # every agency counts in these: no subscription decides
        assert sum(c for (cc, _), c in before.items() if cc == cost_center) == sum(
            c for (cc, _), c in after.items() if cc == cost_center
        )


@settings(max_examples=40, deadline=None)
@given(employees, families, st.randoms(use_true_random=False))
def test_counts_do_not_depend_on_row_order(staff, family, random):
    people = frame(staff, family)
    order = list(range(people.height))
    random.shuffle(order)
    assert totals(people) == totals(people[order])


@settings(max_examples=40, deadline=None)
@given(employees, st.sampled_from(MANDATORY), st.sampled_from(AGENCIES), st.decimals("0", "500", places=2))
def test_an_entered_count_always_wins(staff, cost_center, agency, count):
    records = dataclasses.replace(base(), sources=SourceRecords(people=frame(staff, [])))
    typed = Workload(cost_center, agency, count)
    entered = dataclasses.replace(records.entered, workload=(*records.entered.workload, typed))
    records = dataclasses.replace(records, entered=entered)
    result = run_records(records, load_catalog(), load_counting_rules())
    assert result.bundle is not None or not result.ok
    final = [
        w
        for w in (result.bundle.workload if result.bundle else ())
        if (w.cost_center, w.agency) == (cost_center, agency)
    ]
    if result.bundle is not None:
        assert [(w.count, w.factor, str(w.origin)) for w in final] == [(count, "", "entered")]


@cache
def samples() -> tuple[PostRecords, ...]:
    """The sample posts, every record file and both methodologies."""
    found = []
    for name in ("standard-post", "lite-post", "consulate"):
        records, problems = read_bundle(Path(__file__).resolve().parents[2] / "examples" / name)
        assert records is not None, problems
        found.append(records)
    return tuple(found)


def _same(together: Derivation, alone: Derivation) -> None:
    assert together.period == alone.period
    assert together.lines == alone.lines
    assert together.derived == alone.derived
    assert together.diagnostics == alone.diagnostics
    assert together.trail is not None
    assert alone.trail is not None
    assert together.trail.equals(alone.trail)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(employees, families, st.sampled_from([None, dt.date(2025, 3, 1), dt.date(2024, 11, 15)])),
        min_size=1,
        max_size=4,
    ),
    st.randoms(use_true_random=False),
)
def test_a_batch_of_posts_derives_what_each_post_derives_alone(posts, random):
    """Deriving posts together (a world) must give each post exactly its own derivation: every key of every
    rule includes the post, and each post keeps its own count date and window."""
    batch = list(samples())
    for staff, family, day in posts:
        records = base()
        post = dataclasses.replace(records.post, count_date=day)
        batch.append(
            dataclasses.replace(
                records,
                entered=dataclasses.replace(records.entered, post=post),
                sources=dataclasses.replace(records.sources, people=frame(staff, family)),
            )
        )
    random.shuffle(batch)
    catalog, rules = load_catalog(), load_counting_rules()
    for records, together in zip(batch, derive_posts(batch, catalog, rules), strict=True):
        _same(together, derive(records, catalog, rules))
