"""Benchmark of the workspace as a person waits for it: edits and the reads that follow, through the server.

Run: `uv run python benchmarks/bench_workspace.py [--repeats 30] [--large] [--world-posts 250]`. It stores the
demo (icass.store.demo.load_demo) in SQLite in a temporary folder, optionally the large post of
bench_large_post.py (as post LRG) and a synthetic stored world of `--world-posts` posts (bench_world.py's, in
place of the demo's world), starts `icass`'s application under uvicorn in another process on 127.0.0.1, and
times as a client on loopback, each `--repeats` times (median and 90th percentile):
- entering one count (`PATCH /api/posts/KVR/2027/workload/{id}` with its version), on KVR and the large post;
- changing a budget amount (`PUT .../budget-lines/{id}`), on KVR and the large post;
- changing a position's time allocation (`PUT .../time-allocation/{id}`, a point moved between two of its
  rows and back), on KVR and the large post;
- the dashboard `GET /posts/KVR/2027` and an agency's invoice page right after an edit;
- `GET /api/world/2027/invoices` warm (nothing changed) and right after an edit to one of its posts;
- the dashboard read by `--readers` people at once for `--read-seconds` (requests a second, median, p90), after
  a warm-up read; `--readers-only` measures this alone (the demo stored, nothing edited);
- the server's resident memory then, and its peak (Linux: /proc/PID/status).
Beside each median it prints the server's CPU time a request (Linux: /proc/PID/stat), which the other
processes of a shared machine move far less than the time the client waits.
It stops by itself: every phase is bounded by `--repeats` and the whole run by `--seconds`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
FY = 2027


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _store(url: str, scratch: Path, large: bool, world_posts: int) -> None:
    from icass.store.database import open_database
    from icass.store.demo import load_demo

    engine = open_database(url)
    try:
        loaded = load_demo(engine, ROOT / "examples", PASSWORD)
        assert not loaded.problems, [str(p) for p in loaded.problems][:5]
        if large:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from bench_large_post import write_large_post
            from icass.store.bundles import import_bundle

            folder = write_large_post(scratch / "large")
            toml = folder / "post.toml"
            lines = toml.read_text(encoding="utf-8").splitlines()
            toml.write_text(
                "\n".join('code = "LRG"' if line.startswith("code") else line for line in lines) + "\n",
                encoding="utf-8",
            )
            post, problems = import_bundle(engine, folder, user="bench")
            assert post is not None, [str(p) for p in problems][:5]
        if world_posts:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from bench_world import write_synthetic_world
            from icass.store.worlds import import_world

            world, problems = import_world(
                engine, write_synthetic_world(scratch / "world", world_posts), replace=True, user="bench"
            )
            assert world is not None, [str(p) for p in problems][:5]
    finally:
        engine.dispose()


SERVE = """
import sys, uvicorn
from icass.store.database import open_database
from icass.web.app import create_app
app = create_app(open_database(sys.argv[1]), secure_cookies=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


class Client:
    def __init__(self, base: str, username: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=120)
        answer = self.http.post("/api/session", json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        self.csrf = answer.json()["csrf_token"]

    def get(self, url: str) -> httpx.Response:
        answer = self.http.get(url)
        answer.raise_for_status()
        return answer

    def change(self, method: str, url: str, body: dict[str, object]) -> httpx.Response:
        answer = self.http.request(method, url, json=body, headers={"X-CSRF-Token": self.csrf})
        answer.raise_for_status()
        return answer


def _figures(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {1000 * statistics.median(ordered):8.1f} ms   p90 {1000 * p90:8.1f} ms   (n={len(ordered)})"


def _server_cpu(pid: int) -> float | None:
    """The server process's CPU time so far, in seconds (Linux: /proc/PID/stat), or None elsewhere. On a
    machine others share, the time a request waits for a core is in the client's figure, not in this one."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime


class Bench:
    def __init__(self, repeats: int, deadline: float, server: int) -> None:
        self.repeats, self.deadline, self.server = repeats, deadline, server

    def measure(self, label: str, before: Callable[[], object], action: Callable[[], object]) -> None:
        """`action` timed `repeats` times, `before` (untimed) ahead of each; with the server's CPU time
        spent on the actions (its mean: the clock ticks of one are too coarse for a median)."""
        seconds: list[float] = []
        cpu = 0.0
        for _ in range(self.repeats):
            if time.monotonic() > self.deadline:
                break
            before()
            used = _server_cpu(self.server)
            start = time.perf_counter()
            action()
            seconds.append(time.perf_counter() - start)
            after = _server_cpu(self.server)
            cpu += after - used if after is not None and used is not None else float("nan")
        shown = _figures(seconds) if seconds else "not measured (out of time)"
        if seconds:
            shown += f"   server CPU {1000 * cpu / len(seconds):6.1f} ms a request (mean)"
        print(f"{label:48} {shown}", flush=True)


# The invoice page the benchmark reads after an edit: an agency at every sample post and the large one.
INVOICE = "invoices/1931.0"


def _nothing() -> None:
    return None


class Counter:
    """Enters a count on one workload line of a post, each time a different one (its version followed)."""

    def __init__(self, client: Client, post: str) -> None:
        self.client, self.base = client, f"/api/posts/{post}/{FY}"
        lines = client.get(f"{self.base}/workload").json()
        self.line = next(w for w in lines if w["cost_center"] == "6150" and Decimal(w["count"]) > 0)
        self.step = 0

    def enter(self) -> None:
        self.step += 1
        count = str(Decimal(self.line["count"]) + self.step % 7 + 1)
        body = {"count": count, "version": self.line["version"]}
        self.line = self.client.change("PATCH", f"{self.base}/workload/{self.line['id']}", body).json()


class Budget:
    """Changes one budget line's amount, each time by a cent more."""

    def __init__(self, client: Client, post: str) -> None:
        self.client, self.base = client, f"/api/posts/{post}/{FY}"
        self.row = client.get(f"{self.base}/budget-lines").json()[0]
        self.step = 0

    def change(self) -> None:
        self.step += 1
        amount = str(Decimal(self.row["amount"]) + Decimal("0.01"))
        body = {"amount": amount, "version": self.row["version"]}
        self.row = self.client.change("PUT", f"{self.base}/budget-lines/{self.row['id']}", body).json()


class Allocation:
    """Moves a point of a position's time between its first two cost centers and back, one row a change
    (+1 on the first, -1 on the second, -1 on the first, +1 on the second): half the changes leave the
    position's allocation summing to 100, half leave it a point off, as a person editing row by row does."""

    STEPS = ((0, 1), (1, -1), (0, -1), (1, 1))

    def __init__(self, client: Client, post: str) -> None:
        self.client, self.base = client, f"/api/posts/{post}/{FY}"
        rows = client.get(f"{self.base}/time-allocation").json()
        self.rows = [rows[0], next(r for r in rows[1:] if r["position_id"] == rows[0]["position_id"])]
        self.step = 0

    def change(self) -> None:
        which, by = self.STEPS[self.step % len(self.STEPS)]
        self.step += 1
        row = self.rows[which]
        body = {"percent": str(Decimal(row["percent"]) + by), "version": row["version"]}
        self.rows[which] = self.client.change("PUT", f"{self.base}/time-allocation/{row['id']}", body).json()

    def settle(self) -> None:
        """The cycle finished, untimed: the position's allocation sums to 100 again (the world needs it)."""
        while self.step % len(self.STEPS):
            self.change()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=600, help="stop measuring after this long")
    parser.add_argument("--large", action="store_true", help="store the large post too (post LRG)")
    parser.add_argument("--world-posts", type=int, default=0, help="a synthetic world of this many posts")
    parser.add_argument("--readers", type=int, default=20, help="people reading the dashboard at once")
    parser.add_argument("--read-seconds", type=float, default=10, help="how long they read")
    parser.add_argument("--readers-only", action="store_true", help="measure the readers alone")
    options = parser.parse_args()
    print(f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'icass.db'}"
        started = time.monotonic()
        _store(url, Path(scratch), options.large, options.world_posts)
        print(f"stored in {time.monotonic() - started:.1f} s", flush=True)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        server = subprocess.Popen([sys.executable, "-c", SERVE, url, str(port)], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            bench = Bench(options.repeats, time.monotonic() + options.seconds, server.pid)
            admin = Client(base, "admin")
            if not options.readers_only:
                _measure(bench, admin, options)
            admin.get(f"/posts/KVR/{FY}")  # the first read after the last edit makes the dashboard's view
            _read_together(admin, options.readers, options.read_seconds)
            print(_memory(server.pid), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    shutil.rmtree(scratch, ignore_errors=True)


def _measure(bench: Bench, admin: Client, options: argparse.Namespace) -> None:
    kvr = Counter(admin, "KVR")
    kvr.enter()  # the first edit reads the post once
    bench.measure("enter a count, KVR", _nothing, kvr.enter)
    budget = Budget(admin, "KVR")
    budget.change()
    bench.measure("change a budget amount, KVR", _nothing, budget.change)
    allocation = Allocation(admin, "KVR")
    bench.measure("change a time allocation, KVR", _nothing, allocation.change)
    allocation.settle()
    bench.measure("dashboard after a count, KVR", kvr.enter, lambda: admin.get(f"/posts/KVR/{FY}"))
    bench.measure("invoice page after a count, KVR", kvr.enter, lambda: admin.get(f"/posts/KVR/{FY}/{INVOICE}"))
    if options.large:
        large = Counter(admin, "LRG")
        large.enter()
        bench.measure("enter a count, large post", _nothing, large.enter)
        large_budget = Budget(admin, "LRG")
        bench.measure("change a budget amount, large post", _nothing, large_budget.change)
        large_allocation = Allocation(admin, "LRG")
        bench.measure("change a time allocation, large post", _nothing, large_allocation.change)
        large_allocation.settle()
        bench.measure("dashboard after a count, large post", large.enter, lambda: admin.get(f"/posts/LRG/{FY}"))
        invoice = f"/posts/LRG/{FY}/{INVOICE}"
        bench.measure("invoice page after a count, large post", large.enter, lambda: admin.get(invoice))
    world = f"/api/world/{FY}/invoices"
    member = Counter(admin, "P000") if options.world_posts else kvr
    admin.get(world)  # the first read computes every post
    bench.measure(f"world invoices warm, {options.world_posts or 'demo'} posts", _nothing, lambda: admin.get(world))
    bench.measure("world invoices after an edit to one post", member.enter, lambda: admin.get(world))


def _read_together(admin: Client, readers: int, seconds: float) -> None:
    """`readers` threads, each its own connection in the admin's session, read the KVR dashboard for `seconds`."""
    times: list[list[float]] = [[] for _ in range(readers)]
    stop = time.monotonic() + seconds

    def read(mine: list[float]) -> None:
        with httpx.Client(base_url=str(admin.http.base_url), cookies=admin.http.cookies, timeout=120) as http:
            while time.monotonic() < stop:
                start = time.perf_counter()
                http.get(f"/posts/KVR/{FY}").raise_for_status()
                mine.append(time.perf_counter() - start)

    threads = [threading.Thread(target=read, args=(mine,)) for mine in times]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [t for mine in times for t in mine]
    rate = len(every) / (time.monotonic() - started)
    print(f"{f'dashboard, {readers} readers at once':48} {rate:.0f} requests/s   {_figures(every)}", flush=True)


def _memory(pid: int) -> str:
    """The server's resident memory now and at its peak, from /proc (Linux only)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "server memory: not known on this system"
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return f"server memory: resident {fields['VmRSS'].strip()}, peak {fields['VmHWM'].strip()}"


if __name__ == "__main__":
    main()
