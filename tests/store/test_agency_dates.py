"""agencies.csv's arrives_on and leaves_on are stored and written back byte for byte (issue 20 §4)."""

from __future__ import annotations

import datetime as dt
import filecmp

from icass.runs.post import run_post
from icass.store.bundles import export_bundle, import_bundle
from tests.arrivals import write_arriving


def test_the_days_an_agency_arrives_and_leaves_round_trip(engine, tmp_path):
    folder = write_arriving(tmp_path / "post")
    text = (
        (folder / "agencies.csv")
        .read_text(encoding="utf-8")
        .replace("1901.0,ICASS,EUR,,", "1901.0,ICASS,EUR,,2027-06-30")
    )
    (folder / "agencies.csv").write_text(text, encoding="utf-8")
    bundle = run_post(folder).bundle
    assert bundle is not None, [str(d) for d in run_post(folder).diagnostics]
    assert [(a.arrives_on, a.leaves_on) for a in bundle.agencies] == [
        (None, None),
        (None, dt.date(2027, 6, 30)),
        (dt.date(2027, 4, 1), None),
    ]
    stored, problems = import_bundle(engine, folder)
    assert stored is not None, [str(d) for d in problems]
    export_bundle(engine, stored.code, stored.fiscal_year, tmp_path / "out")
    assert filecmp.cmp(folder / "agencies.csv", tmp_path / "out" / "agencies.csv", shallow=False)
    assert run_post(tmp_path / "out").bundle == bundle
