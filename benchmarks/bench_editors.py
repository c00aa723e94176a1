"""Benchmark of a table editor's page on a table of thousands of rows (issue 18): the page an FMO opens, searches,
sorts and pages through, timed as the server answers it.

Run: `uv run python benchmarks/bench_editors.py [--rows 5000] [--repeats 20]`. It stores the demo
(icass.store.demo.load_demo) in SQLite in a temporary folder, adds `--rows` budget lines to KVR as one change
(icass.store.changes.create_rows), signs in as the FMO and times, in this process (FastAPI's TestClient, no
network), each `--repeats` times (best and median):
- the budget lines' first page, as the table opens;
- sorted by amount, largest first;
- a search that keeps about a tenth of the rows;
- filtered by one cost center;
- the last page.
It checks that each page renders one page of rows, never the whole table, and prints the HTML's size.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import timed  # a script folder: imported by path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
POST, FY = "KVR", 2027


def _store(url: str, rows: int) -> None:
    from icass.store.changes import NewRow, create_rows, find_post
    from icass.store.database import open_database
    from icass.store.demo import load_demo

    engine = open_database(url)
    try:
        loaded = load_demo(engine, ROOT / "examples", PASSWORD)
        assert not loaded.problems, [str(p) for p in loaded.problems][:5]
        centers = ("5458", "6132", "5821", "6133")
        lines = [
            NewRow(
                "budget.csv",
                {
                    "cost_center": centers[i % len(centers)],
                    "funding": "RB",
                    "soc": "2600",
                    "amount": f"{100 + i}.00",
                    "description": f"Synthetic line {i}",
                    "lease": "",
                },
                f"budget[{i}]",
            )
            for i in range(rows)
        ]
        with engine.begin() as connection:
            create_rows(connection, find_post(connection, POST, FY), lines, "bench")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="budget lines added to KVR")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    from icass.store.database import open_database
    from icass.web.app import create_app

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'icass.db'}"
        _store(url, args.rows)
        engine = open_database(url)
        try:
            client = TestClient(create_app(engine, secure_cookies=False))
            signed = client.post("/login", data={"username": "fmo", "password": PASSWORD}, follow_redirects=False)
            assert signed.status_code == 303
            table = f"/posts/{POST}/{FY}/tables/budget-lines"
            total = len(client.get(f"/api/posts/{POST}/{FY}/budget-lines").json())
            print(f"budget lines of {POST}: {total:,}")
            asks = {
                "first page": {},
                "sorted by amount, largest first": {"sort": "amount", "order": "descending"},
                "searched (about a tenth of the rows)": {"q": "line 1"},
                "filtered by one cost center": {"cost_center": "6132"},
                "the last page": {"page": str(10**6)},
            }
            for name, params in asks.items():
                answer = client.get(table, params=params)
                assert answer.status_code == 200, answer.text[:300]
                shown = len(re.findall(r'<tr id="row-\d+"', answer.text))
                assert 0 < shown <= 50, shown  # one page, never the whole table
                best, median = timed(lambda params=params: client.get(table, params=params), args.repeats)
                size = len(answer.content) / 1024
                figures = f"best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms"
                print(f"{name:40} {figures}  ({shown} rows, {size:.0f} KiB)")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
