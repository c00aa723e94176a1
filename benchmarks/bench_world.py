"""Benchmark of the worldwide consolidation: a synthetic world read from disk, every post run, consolidated.

Run: `uv run python benchmarks/bench_world.py [--posts 250]`. It writes a deterministic synthetic world
(random.Random with a fixed seed) into a temporary folder: `--posts` post bundles cycling through the three
samples (Standard embassy, Lite post, consulate) under new codes and bureaus, 37 more agencies spread over
them (50 agency codes in all) with staff in people.csv, posts.csv with random mail and flags, and the
items of examples/world. Then it times, in process: reading and running every post (read, derive,
validate, distribute); the consolidation alone; the in-memory part (the distribution of the pipeline's
batches, then the consolidation), and apart from it turning the records into the batches' columns. And
`icass world --format csv` as a process.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import tempfile
import time
from pathlib import Path

from icass.distribution import distribute_columns
from icass.distribution.columns import Columns, columns_of
from icass.model import PostBundle
from icass.runs.post import BATCH_POSTS
from icass.runs.world import WorldRun, consolidate_world, run_world
from timing import process, timed  # benchmarks/ is the script's folder

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ("standard-post", "lite-post", "consulate")
REGIONS = ("AF", "EAP", "EUR", "NEA", "SCA", "WHA")
EXTRA_AGENCIES = tuple(f"{8000 + 10 * j}.0" for j in range(37))


def _guest(agency: str) -> dict[str, str]:
    """A synthetic agency's cells of agencies.csv; the facts the budget rules need are left unsaid."""
    return {"code": agency, "name": f"Synthetic agency {agency}", "separate_network": "no", "bureau": "Other"}


def write_synthetic_world(folder: Path, posts: int = 250, seed: int = 20261123) -> Path:
    rng = random.Random(seed)
    source = ROOT / "examples" / "world"
    folder.mkdir(parents=True)
    for name in ("world.toml", "items.csv", "dependents.csv", "tokens.csv", "gfs_workload.csv"):
        shutil.copy(source / name, folder / name)
    items = (folder / "items.csv").read_text(encoding="utf-8").replace(",KVR,", ",P000,")
    (folder / "items.csv").write_text(items, encoding="utf-8")
    profiles = ["post,mail,separation_pay,psa_guards,medevac"]
    for i in range(posts):
        code = f"P{i:03d}"
        bundle = folder / "posts" / code.lower()
        shutil.copytree(ROOT / "examples" / SAMPLES[i % len(SAMPLES)], bundle)
        toml = (bundle / "post.toml").read_text(encoding="utf-8").splitlines()
        toml = [
            f'code = "{code}"' if line.startswith("code")
            else f'region = "{REGIONS[i % len(REGIONS)]}"' if line.startswith("region")
            else line
            for line in toml
        ]  # fmt: skip
        (bundle / "post.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
        guests = rng.sample(EXTRA_AGENCIES, 5)
        header = (bundle / "agencies.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        with (bundle / "agencies.csv").open("a", encoding="utf-8") as agencies:
            for agency in guests:
                agencies.write(",".join(_guest(agency).get(column, "") for column in header) + "\n")
        with (bundle / "people.csv").open("a", encoding="utf-8") as people:
            for agency in guests:
                for n in range(rng.randint(1, 3)):
                    people.write(f"{agency[:4]}-S{n},{agency},USDH,,,,2024-09-01,,,,\n")
        mail = rng.choice(("APO", "APO", "POUCH", "BORDER"))
        flags = ["yes" if rng.random() < share else "no" for share in (0.6, 0.7, 0.1)]
        if i < 2:  # every basis has someone: an APO post with every program, and a pouch post
            mail, flags = ("APO", ["yes"] * 3) if i == 0 else ("POUCH", flags)
        profiles.append(",".join([code, mail, *flags]))
    (folder / "posts.csv").write_text("\n".join(profiles) + "\n", encoding="utf-8")
    return folder


def batch_columns(run: WorldRun) -> list[Columns]:
    """Every post's counted bundle as the pipeline batches them: BATCH_POSTS posts of one methodology."""
    catalog = run.posts[0].catalog
    by_methodology: dict[str, list[PostBundle]] = {}
    for post in run.posts:
        assert post.bundle is not None
        by_methodology.setdefault(str(post.bundle.post.methodology), []).append(post.bundle)
    return [
        columns_of(bundles[start : start + BATCH_POSTS], catalog.kind_of(methodology))
        for methodology, bundles in by_methodology.items()
        for start in range(0, len(bundles), BATCH_POSTS)
    ]


def distribute_and_consolidate(run: WorldRun, batches: list[Columns]) -> None:
    """The in-memory part of a world (issue 6 §5): the distribution of every batch, then the consolidation."""
    for cols in batches:
        distribute_columns(cols)
    consolidation, _ = consolidate_world(run)
    assert consolidation is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=5, help="runs of the command as a process")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_synthetic_world(Path(scratch) / "world", options.posts)
        print(f"{platform.platform()}, Python {platform.python_version()}; {options.posts} posts")
        start = time.perf_counter()
        run = run_world(folder)
        read = time.perf_counter() - start
        assert run.ok, [str(d) for d in run.diagnostics if d.severity == "error"][:5]
        start = time.perf_counter()
        consolidation, problems = consolidate_world(run)
        consolidate = time.perf_counter() - start
        assert consolidation is not None
        assert not problems
        agencies = {a for a, _, _ in consolidation.post_totals}
        print(f"{len(agencies)} agencies with post totals, {len(consolidation.shares)} item shares")
        print(f"read and run every post (in process)   {read:8.2f} s")
        print(f"consolidate (in process)               {consolidate * 1000:8.1f} ms")
        best, median = timed(lambda: batch_columns(run), 5)
        print(f"records -> columns, in memory          {best * 1000:8.1f} ms best, {median * 1000:.1f} ms median of 5")
        batches = batch_columns(run)
        best, median = timed(lambda: distribute_and_consolidate(run, batches), 10)
        print(f"distribute and consolidate, in memory  {best * 1000:8.1f} ms best, {median * 1000:.1f} ms median of 10")
        best, median = timed(process("world", str(folder), "--format", "csv"), options.repeats)
        print(f"icass world --format csv, a process    {best:8.2f} s best, {median:.2f} s median of {options.repeats}")


if __name__ == "__main__":
    main()
