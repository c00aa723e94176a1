"""Benchmark of the FMO's pages on the large post (issue 18: "tables of 5,000 rows stay quick"): each page as the
server answers it once the post's state is kept, and the size of its HTML.

Run: `uv run python benchmarks/bench_large_pages.py [--repeats 10]`. It stores the demo
(icass.store.demo.load_demo) and the large post of bench_large_post.py (as post LRG: 3,000 positions, 60
agencies) in SQLite in a temporary folder, signs in as the admin and times, in this process (FastAPI's
TestClient, no network), after one read that keeps the post's state, each page `--repeats` times (best and
median): the post's home, the positions, the workload and one cost center's lines, the editors of positions and
time allocation, and the positions suggested as one types.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_large_post import write_large_post  # a script folder: imported by path
from timing import timed

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
PAGES = (
    "",
    "/positions",
    "/workload",
    "/workload/lines?cost_center=6150",  # a cost center's lines, as its section asks them when opened
    "/tables/positions",
    "/tables/time-allocation",
    "/tables/time-allocation/choices/position_id?position_id=officer",  # a position typed: the matching ones
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    from icass.store.bundles import import_bundle
    from icass.store.database import open_database
    from icass.store.demo import load_demo
    from icass.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        engine = open_database(f"sqlite:///{scratch / 'icass.db'}")
        load_demo(engine, ROOT / "examples", PASSWORD)
        large = write_large_post(scratch / "large")
        toml = large / "post.toml"
        lines = toml.read_text(encoding="utf-8").splitlines()
        renamed = ['code = "LRG"' if line.startswith("code") else line for line in lines]
        toml.write_text("\n".join(renamed) + "\n", encoding="utf-8")
        post, problems = import_bundle(engine, large, user="bench")
        assert post is not None, [str(p) for p in problems][:5]
        client = TestClient(create_app(engine, secure_cookies=False), base_url="http://127.0.0.1")
        assert client.post("/api/session", json={"username": "admin", "password": PASSWORD}).status_code == 200
        for page in PAGES:
            path = f"/posts/LRG/2027{page}"
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            best, median = timed(lambda path=path: client.get(path), args.repeats)
            size = len(answer.content) / 1024
            print(f"{path:80s} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms  {size:7,.0f} KiB")
        engine.dispose()


if __name__ == "__main__":
    main()
