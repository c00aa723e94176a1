"""The handbook's rules on workload counts (group f, R96-R116): each broken alone on the valid base bundle fires
alone, on its file, row and field; the same bundle following it is silent."""

from __future__ import annotations

import pytest

from icass.runs.post import run_post
from tests.bundles import BASE, write_bundle

# The base counts with a factor column; the first line a case adds is row 16.
HEADER, *LINES = BASE["workload.csv"].splitlines()
WORKLOAD = "".join(f"{line}\n" for line in (f"{HEADER},factor", *(f"{line}," for line in LINES)))
LITE = BASE["post.toml"].replace('"standard"', '"lite"')


def findings(tmp_path, counts=(), **changes):
    """(rule, file, row, field) of every diagnostic of the base bundle with these counts added, and every other
    diagnostic as its text (none is expected)."""
    workload = WORKLOAD + "".join(f"{line}\n" for line in counts)
    bundle = write_bundle(tmp_path / "bundle", **{"workload_csv": workload, **changes})
    return [(d.rule, d.source.file, d.source.row, d.field) if d.rule else str(d) for d in run_post(bundle).diagnostics]


# (rule, counts added, other changes, what the bundle finds): each rule broken, then kept.
CASES = [
    ("R97", ["6150,2000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "factor")]),
    ("R97", ["6443,2000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "factor")]),
    ("R97", ["5624,2000.0,4,,LE_STAFF"], {}, [("workload.csv", 16, "factor")]),
    ("R97", ["5880,2000.0,4,,LE_STAFF"], {}, []),  # security services count LE staff
    ("R98", ["6443,2000.0,2,,MOH"], {}, [("workload.csv", 16, "factor")]),
    ("R98", ["5624,2000.0,2,,MOH"], {}, [("workload.csv", 16, "factor")]),
    ("R98", ["6443,2000.0,2,,EFM"], {}, []),
    # The base counts of 1900.0 are on rows 2 (5624), 5 (5880), 8 (6150) and 11 (6443); 2000.0's 5624 on row 4.
    ("R99", ["6150,1900.0,2,,USDH"], {}, [("workload.csv", 11, "count"), ("workload.csv", 5, "count")]),
    ("R99", ["6150,1900.0,2,,USDH", "6443,1900.0,2,,USDH", "5880,1900.0,2,,USDH"], {}, []),
    ("R99", ["5624,2000.0,1,,EFM"], {}, [("workload.csv", 4, "count")]),
    ("R99", ["5624,2000.0,1,,EFM", "6443,2000.0,1,,EFM"], {}, []),
    ("R99", ["6441,1900.0,12,,"], {}, [("workload.csv", 16, "count")]),
    ("R99", ["6441,1900.0,3,,"], {}, []),
    ("R100", ["6143,2000.0,2,,INSTITUTIONAL_CONTRACTOR"], {}, [("workload.csv", 16, "factor")]),
    ("R100", ["6145,2000.0,2,,INSTITUTIONAL_CONTRACTOR"], {"post_toml": LITE}, [("workload.csv", 16, "factor")]),
    ("R100", ["6143,2000.0,2,,USDH", "6143,2000.0,0.4,,LE_STAFF"], {}, []),
    ("R100", ["6143,2000.0,2,,USDH", "6143,2000.0,0.5,,LE_STAFF"], {}, [("workload.csv", 17, "count")]),
    ("R100", ["6143,2000.0,2.4,,"], {}, []),
    ("R100", ["6143,2000.0,2.5,,"], {}, [("workload.csv", 16, "count")]),
    ("R100", ["6143,2000.0,1.5,,USDH"], {}, [("workload.csv", 16, "count")]),
    ("R100", ["6145,2000.0,0.46,,LE_STAFF"], {"post_toml": LITE}, []),
    ("R100", ["6145,2000.0,0.45,,LE_STAFF"], {"post_toml": LITE}, [("workload.csv", 16, "count")]),
    ("R102", ["6134,2000.0,7.5,,"], {}, [("workload.csv", 16, "count")]),
    ("R102", ["6134,2000.0,7,,"], {}, []),
    ("R109", ["8790,2000.0,1,,"], {}, [("workload.csv", 16, "cost_center")]),
    ("R109", ["0000,1900.0,1,,"], {}, [("workload.csv", 16, "cost_center")]),
    ("R109", ["6139,1900.0,1,,"], {}, []),
    ("R111", ["6194,1900.0,3,,USDH", "6194,2000.0,0,,OTHER"], {}, [("workload.csv", 17, "count")]),
    ("R111", ["6194,1900.0,3,,USDH", "6194,2000.0,0.5,,USDH"], {}, [("workload.csv", 17, "count")]),
    ("R111", ["6194,1900.0,3,,USDH", "6194,2000.0,1,,OTHER"], {}, []),
    ("R111", ["6194,2000.0,1,0.5,OTHER"], {}, []),  # modified below 1, counted 1
    ("R111", ["6196,2000.0,0,,OTHER"], {"post_toml": LITE}, [("workload.csv", 16, "count")]),
    ("R111", ["6196,2000.0,1,,OTHER"], {"post_toml": LITE}, []),
    ("R116", ["6133,2000.0,0,,"], {}, [("workload.csv", 16, "count")]),
    ("R116", ["6133,2000.0,0,,", "6133,1900.0,4,,"], {}, [("workload.csv", 16, "count")]),
    ("R116", ["6133,2000.0,2,,", "6133,1900.0,4,,"], {}, []),
]


@pytest.mark.parametrize(("rule", "counts", "changes", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_count_rule_fires_alone_where_broken_and_is_silent_where_kept(tmp_path, rule, counts, changes, where):
    assert findings(tmp_path, counts, **changes) == [(rule, *place) for place in where]
