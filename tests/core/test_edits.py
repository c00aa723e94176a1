"""An edit applied to a post's records (icass.bundle.edit) gives the records a fresh reading of the changed
file gives, with the same rows; a cell its reader refuses is not applied."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.bundle import edit
from icass.bundle.load import read_bundle
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import CHECKS, Context, Costs, Needs, run_checks
from icass.checks.context import EVERY_FIELD
from icass.distribution.columns import columns_of
from icass.distribution.steps import cost_centers
from icass.model import PostBundle, PostRecords, SourceRecords, Termination
from icass.model.columnar import RecordColumns, source_of
from icass.model.sources import FILE_OF
from icass.money import format_plain
from icass.runs.post import PostRun, run_derived, run_records
from icass.workload.derivation import budget_side_read
from icass.workload.modify import combine, combined_counts, recount

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "standard-post"

# (file, row index or None for a new last row, the cells as the store holds them: amounts in cents)
EDITS: list[tuple[str, int | None, dict[str, Any]]] = [
    ("budget.csv", 0, {"amount": 123456}),
    ("budget.csv", 3, {"cost_center": "6150", "funding": "LGP", "lease": "yes", "description": "Moved"}),
    ("time_allocation.csv", 1, {"percent": "12.5"}),
    ("time_allocation.csv", 2, {"cost_center": "6133-X133", "percent": "0"}),
    ("positions.csv", 0, {"title": "Budget analyst", "category": "LE"}),
    ("position_costs.csv", 1, {"amount": 0, "funding": "OBO"}),
    ("agencies.csv", 1, {"name": "Renamed", "separate_network": "yes"}),
    ("cost_factors.csv", 0, {"pat": 100}),
    ("workload.csv", 0, {"count": "7", "modification": "1.5"}),
    ("workload.csv", 1, {"count": "0", "modification": ""}),
    ("workload.csv", None, {"cost_center": "6150", "agency": "1100.0", "factor": "", "count": "3", "modification": ""}),
]


def _entered(folder: Path) -> PostBundle:
    records, problems = read_bundle(folder)
    assert records is not None, [str(p) for p in problems]
    return records.entered


def _written(folder: Path, file: str, index: int | None, cells: dict[str, Any]) -> None:
    """The same change made to the file itself."""
    path = folder / file
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    text = {c: format_plain(v) if isinstance(v, int) else v for c, v in cells.items()}
    if index is None:
        rows.append([text.get(c, "") for c in header])
    else:
        rows[index + 1] = [text.get(c, cell) for c, cell in zip(header, rows[index + 1], strict=True)]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(("file", "index", "cells"), EDITS, ids=lambda e: str(e))
def test_an_edit_gives_the_records_of_a_fresh_reading(tmp_path, file, index, cells):
    folder = shutil.copytree(SAMPLE, tmp_path / "post")
    before = _entered(folder)
    changed = edit.edited(before, file, index, cells) if edit.covers(file, new=index is None) else None
    assert changed is not None
    _written(folder, file, index, cells)
    fresh = _entered(folder)
    assert changed == fresh
    assert changed != before
    field = edit.READERS[file][0]
    mine, theirs = getattr(changed, field), getattr(fresh, field)
    assert [source_of(mine, k) for k in range(len(mine))] == [source_of(theirs, k) for k in range(len(theirs))]
    assert isinstance(mine, RecordColumns) == isinstance(theirs, RecordColumns)


@pytest.mark.parametrize(
    ("file", "cells"),
    [
        ("budget.csv", {"funding": "XX"}),
        ("budget.csv", {"amount": -1}),
        ("time_allocation.csv", {"percent": "ten"}),
        ("positions.csv", {"category": "nobody"}),
        ("workload.csv", {"count": "-2"}),
        ("agencies.csv", {"separate_network": "maybe"}),
    ],
)
def test_a_cell_its_reader_refuses_is_not_applied(file, cells):
    assert edit.edited(_entered(SAMPLE), file, 0, cells) is None


def test_a_new_agency_or_cost_factor_is_read_with_the_whole_post():
    assert not edit.covers("agencies.csv", new=True)
    assert not edit.covers("cost_factors.csv", new=True)
    assert edit.covers("agencies.csv")
    assert not edit.covers("modifications.csv")
    assert not edit.covers("people.csv")


# Edits one after another to every table an edit applies to the kept records: amounts, percents, codes that
# move a row to another cost center or funding source, a grade or category a position may not have, a count.
# Some leave the post with an error (a time allocation off 100, a USDH grade without cost factors): the run
# after such a state reuses what the last run that got further computed.
STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("budget.csv"),
            st.integers(0, 60),
            st.sampled_from([{"amount": 0}, {"amount": 99_999_999}, {"cost_center": "6150"}, {"funding": "OBO"}]),
        ),
        st.tuples(
            st.just("time_allocation.csv"),
            st.integers(0, 60),
            st.sampled_from([{"percent": "0"}, {"percent": "35"}, {"percent": "12.5"}, {"cost_center": "6211"}]),
        ),
        st.tuples(
            st.just("positions.csv"),
            st.integers(0, 20),
            st.sampled_from([{"category": "LE"}, {"category": "USDH"}, {"grade": "FS-09"}, {"title": "Analyst"}]),
        ),
        st.tuples(
            st.just("position_costs.csv"),
            st.integers(0, 40),
            st.sampled_from([{"amount": 0}, {"amount": 5_000_000}, {"funding": "OBO"}]),
        ),
        st.tuples(st.just("agencies.csv"), st.integers(0, 10), st.sampled_from([{"name": "Renamed"}])),
        st.tuples(st.just("cost_factors.csv"), st.integers(0, 5), st.sampled_from([{"pat": 100}, {"amsal": 0}])),
        st.tuples(
            st.just("workload.csv"),
            st.integers(0, 40),
            st.sampled_from([{"count": "0"}, {"count": "7"}, {"count": "250", "modification": "0.5"}]),
        ),
    ),
    min_size=1,
    max_size=8,
)


def _same_run(run: PostRun, fresh: PostRun) -> None:
    assert [str(d) for d in run.diagnostics] == [str(d) for d in fresh.diagnostics]
    assert run.diagnostics == fresh.diagnostics
    assert run.records is not None
    assert fresh.records is not None
    assert run.records.entered == fresh.records.entered
    assert run.bundle == fresh.bundle
    assert (run.distribution is None) == (fresh.distribution is None)
    if run.distribution is not None and fresh.distribution is not None:
        assert list(run.distribution.lines()) == list(fresh.distribution.lines())


@settings(max_examples=12, deadline=None)
@given(steps=STEPS)
def test_a_run_after_edits_reusing_the_run_before_equals_a_fresh_run(steps):
    """run_derived given the run before an edit (what icass.store.compute does with the kept state) takes from
    it what the edit left alone: every run of the chain equals the run of the same records from nothing."""
    catalog, rules = load_catalog(), load_counting_rules()
    records, problems = read_bundle(SAMPLE)
    assert records is not None
    run = run_records(records, catalog, rules, problems)
    for file, at, cells in steps:
        table = getattr(records.entered, edit.READERS[file][0])
        entered = edit.edited(records.entered, file, at % len(table), cells)
        assert entered is not None
        changed = PostRecords(entered, records.modifications, records.sources)
        fresh = run_records(changed, catalog, rules, problems)
        if run.derivation is not None and budget_side_read(changed) == budget_side_read(records):
            run = run_derived(changed, run.derivation, catalog, rules, problems, before=run)
            _same_run(run, fresh)
        else:
            run = fresh
        records = changed


class _Reading(PostBundle):
    """A PostBundle that notes each of its fields read (in `read`)."""

    read: set[str]

    def __getattribute__(self, name: str) -> Any:
        if name in EVERY_FIELD:
            object.__getattribute__(self, "read").add(name)
        return super().__getattribute__(name)


def _reading(bundle: PostBundle) -> _Reading:
    watched = _Reading(**{f.name: getattr(bundle, f.name) for f in dataclasses.fields(PostBundle)})
    object.__setattr__(watched, "read", set())
    return watched


_MAY, _OCTOBER, _APRIL = dt.date(2026, 5, 1), dt.date(2026, 10, 1), dt.date(2027, 4, 1)
# Rows that break the checks, so that each check goes through its tables row by row and writes its messages.
BROKEN: list[list[tuple[str, int, dict[str, Any]]]] = [
    [],
    [("budget.csv", 0, {"cost_center": "9999", "funding": "AMSAL"}), ("budget.csv", 1, {"cost_center": "6150"})],
    [("time_allocation.csv", 0, {"cost_center": "9999", "position_id": "NOBODY"})],
    [("time_allocation.csv", 1, {"cost_center": "6150", "percent": "60"}), ("positions.csv", 1, {"grade": "FS-09"})],
    [("position_costs.csv", 0, {"position_id": "NOBODY", "funding": "PAT"})],
    [
        ("workload.csv", 0, {"cost_center": "9999", "agency": "9999.0"}),
        ("workload.csv", 1, {"modification": "2"}),
        ("workload.csv", 2, {"factor": "NO_SUCH_FACTOR"}),
    ],
    [
        ("workload.csv", 0, {"cost_center": "6150", "agency": "1100.0", "factor": ""}),
        ("agencies.csv", 1, {"code": "1900.0"}),
    ],
    # An agency leaving before it arrives (icass.checks.references.agency_dates).
    [("agencies.csv", 2, {"arrives_on": "2027-05-01", "leaves_on": "2027-04-30"})],
    [("cost_factors.csv", 1, {"grade": "FE-MC"}), ("positions.csv", 1, {"position_id": "M-001"})],
    [("budget.csv", 0, {"cost_center": "6150", "amount": 99_999_999_999_999}), ("budget.csv", 1, {"amount": 2})],
    [("budget.csv", 0, {"cost_center": "6150", "amount": 10**12}), ("budget.csv", 1, {"cost_center": "6211"})],
    [("budget.csv", 2, {"cost_center": "8790", "amount": 10**12}), ("budget.csv", 3, {"cost_center": "5882"})],
    [("workload.csv", 0, {"cost_center": "6150", "agency": "9913.0", "factor": "OTHER", "count": "4"})],
    [("workload.csv", 0, {"count": "0"}), ("workload.csv", 1, {"agency": "1901.0"})],
    [("budget.csv", 0, {"cost_center": "6133-X133"})],
    # The funding and object class rules (icass.checks.funding, object_classes).
    [
        ("budget.csv", k, {"cost_center": code, "funding": funding, "soc": soc, "description": text, "lease": lease})
        for k, (code, funding, soc, text, lease) in enumerate(
            [
                ("6150", "RB", "0006", "", "no"),
                ("6150", "OBO", "0005", "", "no"),
                ("7810", "OBO", "2540", "", "no"),
                ("6150", "LGP", "0006", "", "no"),
                ("5821", "RB", "2521", "", "no"),
                ("7820", "RB", "2540", "MCI renovation; E&E radios", "no"),
                ("7860", "OBO", "2320", "E&E repeater site", "yes"),
                ("6144-X144", "OBO", "3100", "", "no"),
                ("6132-X132", "OBO", "2520", "", "no"),
                ("7810", "RB", "2320", "", "yes"),
                ("7860", "RB", "2600", "bulk paint supplies", "no"),
                ("6150", "RB", "2529", "", "no"),
                ("7850-X799", "RB", "2540", "", "no"),
                ("6144", "RB", "3123", "", "no"),
                ("5821", "LGP", "3100", "purchase of a new vehicle", "no"),
            ]
        )
    ],
    [
        ("positions.csv", 0, {"position_id": "GUARD", "category": "LE"}),
        ("positions.csv", 1, {"position_id": "CLERK", "category": "LE"}),
        ("time_allocation.csv", 0, {"position_id": "GUARD", "cost_center": "5821"}),
        ("time_allocation.csv", 1, {"position_id": "CLERK", "cost_center": "6150"}),
        ("position_costs.csv", 0, {"position_id": "GUARD", "funding": "OBO"}),
        ("position_costs.csv", 1, {"position_id": "CLERK", "funding": "LGP"}),
        ("cost_factors.csv", 0, {"pat": 1}),
    ],
    [("budget.csv", 2, {"cost_center": "8790", "amount": 10**12})],
    # Time where a position's category or the post's facts forbid it (the post's facts are not rows: replaced).
    [
        *(
            ("time_allocation.csv", k, {"cost_center": code})
            for k, code in enumerate(
                ("5821", "6133-X133", "5823-X023", "7850-X799", "7850-X899", "6144-X144", "5821-X999", "8790", "0009")
            )
        ),
        ("time_allocation.csv", 17, {"percent": "60"}),
        ("time_allocation.csv", 63, {"cost_center": "0000"}),
        ("post.toml", 0, {"guard_force": "contract", "furniture_pool": True}),
    ],
    # Titles that say a role whose time is elsewhere.
    [
        *(
            ("positions.csv", k, {"title": title})
            for k, title in enumerate(
                (
                    "Language Instructor",
                    "Chauffeur",
                    "Shipping Assistant",
                    "Community Liaison Officer",
                    "Local Guard Coordinator",
                    "Radio Technician",
                    "Nurse",
                    "Residential Security Coordinator",
                )
            )
        ),
        ("positions.csv", -3, {"title": "Regional Security Officer"}),
        ("positions.csv", -2, {"title": "Housing Assistant"}),
        ("budget.csv", 0, {"cost_center": "6196-0001", "description": "Cell phone plans"}),
    ],
    # Subscriptions and sub-cost centers (icass.checks.subscriptions, sub_cost_centers).
    [
        *(
            ("workload.csv", k, cells)
            for k, cells in enumerate(
                (
                    {"cost_center": "6451", "agency": "9913.0", "factor": "LE_STAFF", "count": "3"},
                    {"cost_center": "5880", "agency": "1931.0", "factor": "LE_STAFF", "count": "2"},
                    {"cost_center": "5624", "agency": "1100.0", "factor": "", "modification": "0.2"},
                    {"cost_center": "7820-X099", "agency": "9913.0", "factor": "", "count": "10"},
                    {"cost_center": "6441", "agency": "7200.0", "factor": "", "count": "3"},
                    {"cost_center": "6139", "agency": "1900.0", "factor": "", "modification": "0.6"},
                    {"cost_center": "6145", "agency": "1200.0", "factor": "USDH", "modification": "0.6"},
                    {"cost_center": "6145", "agency": "1200.0", "factor": "LE_STAFF", "modification": "0.3"},
                    {"cost_center": "5624-0001", "agency": "1900.0", "factor": ""},
                    {"cost_center": "5624", "agency": "9913.0", "factor": ""},
                    {"cost_center": "6132-X001", "agency": "1900.0", "factor": ""},
                    {"cost_center": "6133-X133", "agency": "1900.0", "factor": "", "count": "99999999"},
                    {"cost_center": "6144-X144", "agency": "1900.0", "factor": "", "count": "2.5"},
                    {"cost_center": "5823-X023", "agency": "1900.0", "factor": "", "count": "1"},
                    {"cost_center": "5821-X999", "agency": "1931.0", "factor": ""},
                    {"cost_center": "7820-X823", "agency": "1900.0", "factor": ""},
                    {"cost_center": "7850-X799", "agency": "9913.0", "factor": ""},
                    {"cost_center": "6139-X001", "agency": "1900.0", "factor": ""},
                )
            )
        ),
        ("budget.csv", 0, {"cost_center": "6150-X001"}),
        ("budget.csv", 1, {"cost_center": "6133-X133", "soc": "1100"}),
        ("agencies.csv", 2, {"name": "Employee Recreation Association"}),
        ("agencies.csv", -1, {"co_located": "yes", "physically_present": "yes", "government_housing": "yes"}),
        ("workload.csv", 18, {"cost_center": "6144-X244", "agency": "1900.0", "factor": ""}),
        ("workload.csv", 19, {"cost_center": "6143", "agency": "1500.0", "factor": "", "modification": "0.6"}),
        ("workload.csv", 20, {"cost_center": "6194-X001", "agency": "1500.0", "factor": "", "count": "3"}),
        ("post.toml", 0, {"cell_phone_program": True, "radio_repeater_site": True, "new_facilities": True}),
    ],
    # Guard, language, storage and warehouse sub-cost centers (icass.checks.sub_cost_centers, R84-R92, R137).
    [
        ("workload.csv", 0, {"cost_center": "5822", "agency": "1901.0", "factor": "", "count": "10"}),
        ("workload.csv", 1, {"cost_center": "5822-X001", "agency": "1900.0", "factor": "", "count": "10"}),
        ("workload.csv", 2, {"cost_center": "5822-X001", "agency": "7200.0", "factor": "", "count": "10"}),
        ("workload.csv", 3, {"cost_center": "6451-X001", "agency": "1900.0", "factor": "", "count": "2"}),
        ("workload.csv", 4, {"cost_center": "6443-X001", "agency": "1900.0", "factor": "", "count": "99999"}),
        ("budget.csv", 0, {"cost_center": "7820", "description": "Dedicated storage"}),
        ("budget.csv", 1, {"cost_center": "7850", "description": "Commissioning"}),
        ("budget.csv", 2, {"cost_center": "6139-X005", "description": "Drive cameras"}),
        ("budget.csv", 81, {"description": "Dedicated agency storage"}),
    ],
    # Positions outside ICASS and costs funded elsewhere (icass.checks.other_rules).
    [
        ("positions.csv", 0, {"category": "USDH", "title": "Facility Manager"}),
        ("positions.csv", 1, {"category": "USDH", "title": "Assistant Regional Security Officer"}),
        ("positions.csv", 2, {"title": "LE Security Coordinator"}),
        ("positions.csv", 3, {"title": "RIMC technician"}),
        ("positions.csv", 4, {"title": "CMR gardener"}),
        *(
            ("budget.csv", k, {"cost_center": code, "description": text})
            for k, (code, text) in enumerate(
                (
                    ("7850", "Grounds care of the CMR"),
                    ("5624", "Medevac travel"),
                    ("5458", "PBX replacement"),
                    ("5880", "CAMS installation"),
                    ("6150", "Fuel"),
                    ("6139", "Driver per diem"),
                    ("7850", "Welcome kits"),
                    ("6139", "Armored vehicle"),
                    ("6195", "Cell phone charges of ICASS sections"),
                    ("6150", "Training of ICASS staff"),
                    ("5826", "Guard services contract"),
                )
            )
        ),
    ],
    # An agency at post outside the local guard program (each sample guards every agency's residences).
    [
        ("workload.csv", 0, {"cost_center": "6150", "agency": "9913.0", "factor": "", "count": "2"}),
        ("agencies.csv", -1, {"physically_present": "yes", "under_com": "yes"}),
    ],
    # An EFM guard paid a salary, an alternate service provider's line, 0000 time of a position not designated
    # dual-function, and a sole USDH IM officer who is ICASS's at a post without one (the consulate).
    [
        ("positions.csv", 0, {"position_id": "EFMG", "category": "EFM"}),
        ("time_allocation.csv", 0, {"position_id": "EFMG", "cost_center": "5821"}),
        ("position_costs.csv", 0, {"position_id": "EFMG", "soc": "1100"}),
        ("budget.csv", 0, {"provider": "1100.0"}),
    ],
    [("time_allocation.csv", 1, {"cost_center": "5458"})],
    [("time_allocation.csv", 2, {"cost_center": "0000"})],
    # Counts typed against the handbook's counting rules (icass.checks.workload_rules).
    [
        ("workload.csv", 0, {"cost_center": "6194", "agency": "9913.0", "factor": "OTHER", "count": "0.5"}),
        ("workload.csv", 1, {"cost_center": "6150", "agency": "1900.0", "factor": "LE_STAFF"}),
        ("workload.csv", 2, {"cost_center": "6443", "agency": "1900.0", "factor": "MOH"}),
        ("workload.csv", 3, {"cost_center": "8790", "agency": "1900.0", "factor": ""}),
        ("workload.csv", 4, {"cost_center": "6143", "agency": "1900.0", "factor": "INSTITUTIONAL_CONTRACTOR"}),
        ("workload.csv", 5, {"cost_center": "5624", "agency": "1900.0", "factor": "OTHER", "count": "999"}),
        ("workload.csv", 6, {"cost_center": "6134", "agency": "1900.0", "factor": "", "count": "2.5"}),
    ],
    # Source records that contradict the counting rules, and typed counts they show wrong (a sample without the
    # record file leaves its row out).
    [
        ("activity.csv", 0, {"cost_center": "6150"}),
        ("activity.csv", 1, {"cost_center": "6139", "agency": "1900.0", "description": "CODEL utility vehicle"}),
        ("activity.csv", 2, {"agency": "1901.0", "description": "TDY visitor"}),
        ("office_space.csv", 0, {"common": True}),
        ("office_space.csv", 1, {"vacant_since": dt.date(2020, 1, 1)}),
        ("office_space.csv", 0, {"compound": "C-X"}),
        ("housing.csv", 0, {"compound": "C-X"}),
        ("housing.csv", 1, {"vacant_since": dt.date(2020, 1, 1)}),  # the DCM's residence, guarded
        ("workload.csv", 2, {"cost_center": "5826", "agency": "1900.0", "factor": "", "count": "1"}),
        ("people.csv", 5, {"agency": "9913.0", "start_date": dt.date(2026, 11, 1)}),
        ("workload.csv", 3, {"cost_center": "5826", "agency": "9913.0", "factor": "", "count": "10"}),
        ("people.csv", 1, {"agency": "1931.0", "role": "SD_GUARD"}),
        ("people.csv", 2, {"agency": "1942.0", "role": "FACILITY_MANAGER"}),
        ("people.csv", 0, {"home_post": "ZZZ"}),
        ("people.csv", 3, {"position_id": "P-X", "start_date": dt.date(2020, 1, 1), "end_date": dt.date(2026, 6, 1)}),
        ("people.csv", 4, {"position_id": "P-X", "start_date": dt.date(2026, 4, 1), "end_date": None}),
        ("workload.csv", 0, {"cost_center": "6150", "agency": "1900.0", "factor": "", "count": "9999"}),
        ("workload.csv", 1, {"cost_center": "5458", "agency": "1900.0", "factor": "", "count": "1"}),
    ],
    # The consulate's four guard contract lines moved off the guard program: a guarded location without it (R93).
    [
        *(("budget.csv", k, {"cost_center": "6139"}) for k in (3, 4, 5, 6)),
        ("time_allocation.csv", 28, {"cost_center": "6139"}),
    ],
    # A customer agency's notices of terminating a service (R65): one that ends too soon, one still running whose
    # agency is counted nowhere in its cost center (a notice is added whole: terminations.csv is no edited table).
    [
        ("terminations.csv", 0, {"agency": "1900.0", "cost_center": "6443", "notice_on": _MAY, "ends_on": _OCTOBER}),
        ("terminations.csv", 0, {"agency": "NONE.0", "cost_center": "7860", "notice_on": _MAY, "ends_on": _APRIL}),
    ],
]
# The source record files a BROKEN entry may change a cell of (icass.model.SourceRecords' fields).
SOURCE_FILES = {file: name for name, file in FILE_OF.items()}
# The facts some rules need (icass.checks.facts), given to the samples so that those rules' checks run too.
FACTS = {"guard_force": "psa"}


def test_each_check_reads_only_the_fields_it_declares():
    """A check's findings are reused after an edit to a field it does not declare (icass.runs.post): so it must
    never read one, on rows that pass and on rows it reports; each check is seen reporting something."""
    catalog, rules = load_catalog(), load_counting_rules()
    reported: set[str] = set()
    for sample in ("standard-post", "lite-post", "consulate"):
        records, problems = read_bundle(SAMPLE.parent / sample)
        assert records is not None
        for broken in BROKEN:
            entered = dataclasses.replace(records.entered, post=dataclasses.replace(records.entered.post, **FACTS))
            sources = records.sources
            for file, at, cells in broken:
                if file == "post.toml":
                    entered = dataclasses.replace(entered, post=dataclasses.replace(entered.post, **cells))
                    continue
                if file == "terminations.csv":
                    notice = Termination(**cells)
                    entered = dataclasses.replace(entered, terminations=(*(entered.terminations or ()), notice))
                    continue
                if file in SOURCE_FILES:
                    sources = _with_cells(sources, SOURCE_FILES[file], at, cells)
                    continue
                table = getattr(entered, edit.READERS[file][0])
                changed = edit.edited(entered, file, at % len(table), cells)
                assert changed is not None
                entered = changed
            changed_records = PostRecords(entered, records.modifications, sources)
            run = run_records(changed_records, catalog, rules, problems)
            assert run.derivation is not None
            bundle = dataclasses.replace(entered, workload=combine(changed_records, run.derivation, catalog, rules)[0])
            derivation = run.derivation
            context = Context(
                catalog,
                rules,
                derivation.derived,
                records=sources,
                count_date=derivation.period.count_date,
                derived_totals=derivation.totals,
            )
            sound = not any(d.severity == "error" for d in run_checks(bundle, context))
            columns = columns_of([bundle], catalog.kind_of(bundle.post.methodology)) if sound else None
            for check in CHECKS:
                given = context
                if check.needs is Needs.COSTS:
                    if columns is None:
                        continue
                    given = dataclasses.replace(context, costs=Costs(columns, cost_centers(columns)))
                watched = _reading(bundle)
                if check.rule(watched, given):
                    reported.add(check.rule.__name__)
                assert watched.read <= check.reads, (sample, broken, check.rule.__name__)
    # service_rules reports a post with no customer agency to share with, which none of the samples comes near.
    assert reported == {check.rule.__name__ for check in CHECKS} - {"service_rules"}


def _with_cells(sources: SourceRecords, name: str, at: int, cells: dict[str, Any]) -> SourceRecords:
    """`sources` with the row at `at` (from the end if negative) of one record file given `cells`."""
    frame: pl.DataFrame | None = getattr(sources, name)
    if frame is None:
        return sources
    hit = pl.int_range(pl.len()) == at % frame.height
    changed = frame.with_columns(pl.when(hit).then(pl.lit(v)).otherwise(pl.col(c)).alias(c) for c, v in cells.items())
    return dataclasses.replace(sources, **{name: changed})


def _combined_after(records: PostRecords, at: int, cells: dict[str, Any]) -> tuple[PostRecords, Any, Any]:
    catalog, rules = load_catalog(), load_counting_rules()
    run = run_records(records, catalog, rules)
    assert run.derivation is not None
    before = combined_counts(records, run.derivation, catalog, rules)
    entered = edit.edited(records.entered, "workload.csv", at, cells)
    assert entered is not None
    changed = PostRecords(entered, records.modifications, records.sources)
    return changed, before, run.derivation


def test_a_count_recounted_equals_the_counts_combined_again():
    """recount (a typed count changed, nothing else) gives what merging and applying the modifications again
    gives: the lines with the new count, and the warning that a typed count replaces a derived one where it
    now differs (and not where it now agrees)."""
    catalog, rules = load_catalog(), load_counting_rules()
    read, _ = read_bundle(SAMPLE)
    assert read is not None
    run = run_records(read, catalog, rules)
    assert run.derivation is not None
    derived = {(w.cost_center, w.agency): w.count for w in run.derivation.lines if not w.factor}
    # row 0 typed for a pair the records derive; its count then set to the derived count, and away from it
    pair = next(iter(sorted(derived)))
    at = 0
    moved = edit.edited(read.entered, "workload.csv", at, {"cost_center": pair[0], "agency": pair[1], "factor": ""})
    assert moved is not None
    records = PostRecords(moved, read.modifications, read.sources)
    workload = records.entered.workload
    assert isinstance(workload, RecordColumns)
    for count in (derived[pair], derived[pair] + 5, 0):
        changed, before, derivation = _combined_after(records, at, {"count": str(count)})
        again = combined_counts(changed, derivation, catalog, rules)
        recounted = recount(before, records.entered.workload, changed, derivation)
        assert recounted is not None
        assert tuple(recounted.lines) == tuple(again.lines)
        assert [str(p) for p in recounted.problems] == [str(p) for p in again.problems]
        assert recounted.problems == again.problems
        assert [w.count for w in recounted.lines if w.source == source_of(workload, at)] == [count]
        replaced = [p for p in again.replaced if p.source == source_of(workload, at)]
        assert len(replaced) == (count != derived[pair])


@pytest.mark.parametrize("cells", [{"agency": "1100.0"}, {"modification": "0.5"}, {"factor": "OTHER"}])
def test_an_edit_beyond_a_count_is_combined_again(cells):
    records, _ = read_bundle(SAMPLE)
    assert records is not None
    changed, before, derivation = _combined_after(records, 0, {**cells, "count": "9"})
    assert recount(before, records.entered.workload, changed, derivation) is None
