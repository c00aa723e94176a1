"""Variance explained (issue 20 §3): the change of each charge split into the cost, count and modification
effects by sequential substitution. The effects sum to the change exactly; each step is what `icass distribute`
gives on the counterfactual bundle written as files."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.catalog import load_catalog
from icass.cli import app
from icass.distribution.variance import variance
from icass.report import VARIANCE_HEADER
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = run_post(ROOT / "examples" / "standard-post").bundle
KIND_OF = load_catalog().kind_of("standard")

# OLD and NEW: the base bundle, and one whose 5624 costs more, whose Other agency counts more heads in 6150 and
# is no longer modified there, and which counts a new agency in 6139.
NEW = {
    "agencies_csv": BASE["agencies.csv"] + "3000.0,Newcomer,\n",
    "budget_csv": BASE["budget.csv"].replace("5624,RB,2500,10000.00", "5624,RB,2500,14000.00"),
    "workload_csv": BASE["workload.csv"]
    .replace("6150,2000.0,5,0.6", "6150,2000.0,8,")
    .replace("5624,2000.0,5,", "5624,2000.0,5,0.5")
    + "6139,3000.0,40,\n",
}


def _distributed(folder: Path) -> dict[tuple[str, str, str], int]:
    printed = CliRunner().invoke(app, ["distribute", str(folder), "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    return {
        (r["agency"], r["cost_center"], r["funding"]): int(Decimal(r["total"]) * 100)
        for r in csv.DictReader(io.StringIO(printed.stdout))
    }


def _with_modifications(workload_csv: str, modifications: dict[tuple[str, str], str]) -> str:
    rows = list(csv.reader(io.StringIO(workload_csv)))
    for row in rows[1:]:
        row[3] = modifications.get((row[0], row[1]), "")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_each_effect_is_the_distribution_of_its_counterfactual_bundle(tmp_path):
    agencies = NEW["agencies_csv"]  # both sides distributed with the agencies of either
    old = write_bundle(tmp_path / "old", agencies_csv=agencies)
    new = write_bundle(tmp_path / "new", **NEW)
    old_modifications = {(r[0], r[1]): r[3] for r in csv.reader(io.StringIO(BASE["workload.csv"]))}
    costs = write_bundle(tmp_path / "costs", **(NEW | {"workload_csv": BASE["workload.csv"]}))
    counts = write_bundle(
        tmp_path / "counts", **(NEW | {"workload_csv": _with_modifications(NEW["workload_csv"], old_modifications)})
    )
    d0, dc, dn, d1 = map(_distributed, (old, costs, counts, new))
    found = variance(run_post(old).bundle, run_post(new).bundle, KIND_OF)
    assert found.lines
    for line in found.lines:
        key = line[:3]
        assert (line.old, line.new) == (d0.get(key, 0), d1.get(key, 0))
        assert line.cost_effect == dc.get(key, 0) - d0.get(key, 0)
        assert line.count_effect == dn.get(key, 0) - dc.get(key, 0)
        assert line.modification_effect == d1.get(key, 0) - dn.get(key, 0)
    told = {line[:3] for line in found.lines}
    assert all(k in told for d in (d0, dc, dn, d1) for k, v in d.items() if v)
    assert any(line.cost_effect for line in found.lines)
    assert any(line.count_effect for line in found.lines)
    assert any(line.modification_effect for line in found.lines)


def test_the_csv_is_as_prescribed_and_an_agency_new_in_new_starts_from_nothing(tmp_path):
    old, new = write_bundle(tmp_path / "old"), write_bundle(tmp_path / "new", **NEW)
    printed = CliRunner().invoke(app, ["variance", str(old), str(new), "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    rows = printed.stdout.splitlines()
    assert rows[0] == "agency,cost_center,funding,old,new,cost_effect,count_effect,modification_effect"
    assert tuple(rows[0].split(",")) == VARIANCE_HEADER
    lines = [r.split(",") for r in rows[1:]]
    assert lines == sorted(lines, key=lambda r: r[:3])
    newcomer = [r for r in lines if r[0] == "3000.0"]
    assert newcomer
    assert all(r[3] == "0.00" for r in newcomer)
    for r in lines:
        old_, new_, *effects = map(Decimal, r[3:])
        assert sum(effects) == new_ - old_
        assert any(Decimal(v) for v in r[3:])
    only = CliRunner().invoke(app, ["variance", str(old), str(new), "--format", "csv", "--agency", "3000.0"])
    assert only.stdout.splitlines()[1:] == [",".join(r) for r in newcomer]
    words = CliRunner().invoke(app, ["variance", str(old), str(new)])
    assert "The largest changes:" in words.stdout
    assert "because 5624's cost rose from $" in words.stdout
    other = CliRunner().invoke(app, ["variance", str(old), str(new), "--agency", "2000.0", "--format", "json"])
    told = " ".join(json.loads(other.stdout)["largest_changes"])
    assert "6150 Basic Package" in told
    assert "because Other agency's count rose from 5 to 8" in told
    assert "because its modification rose from 0.6 to 1" in told


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_the_effects_sum_to_the_change_on_any_two_budgets_of_a_post(data):
    def drawn():
        budget = tuple(
            dataclasses.replace(line, amount=line.amount * data.draw(st.integers(0, 300)) // 100)
            for line in SAMPLE.budget
        )
        factor = {a.code: data.draw(st.integers(1, 3)) for a in SAMPLE.agencies}
        modification = st.sampled_from((Decimal(1), Decimal("0.6"), Decimal("0.3")))
        workload = tuple(
            dataclasses.replace(
                w,
                count=w.count * factor[w.agency],
                modification=w.modification if w.modification != 1 else data.draw(modification),
            )
            for w in SAMPLE.workload
        )
        return dataclasses.replace(SAMPLE, budget=budget, workload=workload)

    old, new = drawn(), drawn()
    found = variance(old, new, KIND_OF)
    for line in found.lines:
        assert line.cost_effect + line.count_effect + line.modification_effect == line.new - line.old
    assert sum(line.old for line in found.lines) == sum(line.amount for line in old.budget) + _pools(old)
    assert sum(line.new for line in found.lines) == sum(line.amount for line in new.budget) + _pools(new)


def _pools(bundle) -> int:
    from icass.distribution.columns import columns_of

    return int(columns_of([bundle], KIND_OF).pool_cents.sum())


def test_a_service_new_in_new_changes_by_its_counts_where_old_had_none_to_follow(tmp_path):
    """6462 is budgeted and counted in NEW only: with OLD's counts it has none to follow, so it keeps OLD's cost
    there (none), and its whole charge comes with NEW's counts."""
    added = {
        "budget_csv": BASE["budget.csv"] + "6462,RB,2500,3000.00,travel agent\n",
        "workload_csv": BASE["workload.csv"] + "6462,1900.0,10,\n6462,2000.0,30,\n",
    }
    old, new = run_post(write_bundle(tmp_path / "old")).bundle, run_post(write_bundle(tmp_path / "new", **added)).bundle
    found = variance(old, new, KIND_OF)
    travel = [line for line in found.lines if line.cost_center == "6462"]
    assert sum(line.new for line in travel) == 3000_00
    assert [line.cost_effect for line in travel] == [0] * len(travel)
    assert [line.count_effect for line in travel] == [line.new for line in travel]
    assert found.new_cost["6462"] == 3000_00
    assert "6462" not in found.old_cost


def test_a_stored_post_or_version_is_compared_as_a_bundle_is(tmp_path):
    """OLD or NEW may name a stored post (POST/FY, its live rows) or one of its versions (POST/FY/vN)."""
    import shutil

    from icass.model.approval import Kind
    from icass.store.bundles import import_bundle
    from icass.store.changes import find_post
    from icass.store.database import database_url, open_database
    from icass.store.versions import create

    data = tmp_path / "data"
    engine = open_database(database_url(data))
    stored, problems = import_bundle(engine, ROOT / "examples" / "standard-post")
    assert stored is not None, problems
    with engine.begin() as connection:
        number = create(connection, find_post(connection, "KVR", 2027), "fmo", Kind.INITIAL, "").number
    engine.dispose()
    edited = tmp_path / "edited"
    shutil.copytree(ROOT / "examples" / "standard-post", edited)
    budget = edited / "budget.csv"
    budget.write_text(
        budget.read_text(encoding="utf-8") + "5624,RB,2600,40000.00,medical supplies,\n", encoding="utf-8"
    )

    def printed(*args: str) -> list[str]:
        answer = CliRunner().invoke(app, ["variance", *args, "--data", str(data), "--format", "csv"])
        assert answer.exit_code == 0, answer.output
        return answer.stdout.splitlines()

    same = list(csv.DictReader(io.StringIO("\n".join(printed(f"KVR/2027/v{number}", "KVR/2027")))))
    assert same  # every charge, each unchanged: nothing changed since the version
    assert all(r["old"] == r["new"] and r["cost_effect"] == r["count_effect"] == "0.00" for r in same)
    lines = list(csv.DictReader(io.StringIO("\n".join(printed(f"KVR/2027/v{number}", str(edited))))))
    assert lines
    assert all(Decimal(r["count_effect"]) == Decimal(r["modification_effect"]) == 0 for r in lines)
    assert sum(Decimal(r["cost_effect"]) for r in lines) == Decimal("40000.00")
    missing = CliRunner().invoke(app, ["variance", "KVR/2027/v99", "KVR/2027", "--data", str(data)])
    assert missing.exit_code == 2
    assert "KVR/2027/v99" in missing.output
