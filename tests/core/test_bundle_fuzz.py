"""Whatever the cells of a bundle hold, loading it ends in a bundle or in errors, never in a crash."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icass.diagnostics import ERROR
from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "1", "-1", "0.3", "100", "1e9", "9" * 25, "0000", "8790", "1900.0", "NaN", "inf"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
)


def mutate(name: str, draw_cells: list[str], row: int) -> str:
    rows = list(csv.reader(io.StringIO(BASE[name])))
    target = rows[1 + row % (len(rows) - 1)]
    for i in range(len(target)):
        target[i] = draw_cells[i % len(draw_cells)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from([n for n in BASE if n.endswith(".csv")]),
    st.lists(CELLS, min_size=1, max_size=5),
    st.integers(0, 20),
)
def test_any_cell_values_load_or_fail_cleanly(name, cells, row):
    with tempfile.TemporaryDirectory() as folder:
        bundle = write_bundle(Path(folder) / "b", **{name.replace(".", "_"): mutate(name, cells, row)})
        result = run_post(bundle)
    errors = [d for d in result.diagnostics if d.severity == ERROR]
    assert (result.bundle is None) == bool(errors)
    for d in errors:
        assert d.source.file in (*BASE, "post.toml")
