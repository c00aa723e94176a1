"""Benchmark of a sign-in flood (issue 16 §2): signed-in readers' latency without and with anonymous sign-ins.

Run: `uv run python benchmarks/bench_sign_in_flood.py [--seconds 20] [--flooders 40] [--readers 4]`. It starts
`icass serve --demo` on a free port of 127.0.0.1 with a new data folder (argon2's default cost unless
ICASS_ARGON2_PROFILE is set: leave it unset to measure what production does), signs in `--readers` demo people,
and has each read the KVR dashboard (GET /posts/KVR/2027) in a loop: for `--seconds` alone, then for
`--seconds` while `--flooders` threads of another process send POST /api/session with random usernames as fast
as the server answers. It prints the readers' p50 and p99, the flood's answers by status, and the server's
memory, then stops the server. Everything stays on loopback and ends by itself (each phase is bounded in time
and each request by a timeout).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HOST = "127.0.0.1"
DASHBOARD = "/posts/KVR/2027"
PASSWORD = secrets.token_urlsafe(16)
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["ICASS_DEMO_PASSWORD"] = PASSWORD
    command = [sys.executable, "-m", "icass", "serve", "--demo", "--data", str(data), "--host", HOST]
    server = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer within 300 s")


def sign_in(port: int, username: str) -> str:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    body = json.dumps({"username": username, "password": PASSWORD})
    connection.request("POST", "/api/session", body=body, headers={"Content-Type": "application/json"})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    if answer.status != 200:
        raise SystemExit(f"{username} could not sign in: {answer.status}")
    return answer.getheader("set-cookie", "").split(";")[0]


def read(port: int, cookie: str, until: float, seconds: list[float]) -> None:
    """GET the dashboard again and again until `until`, each latency appended to `seconds`."""
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    while time.monotonic() < until:
        start = time.perf_counter()
        connection.request("GET", DASHBOARD, headers={"Cookie": cookie})
        answer = connection.getresponse()
        answer.read()
        seconds.append(time.perf_counter() - start)
        if answer.status != 200:
            raise SystemExit(f"the dashboard answered {answer.status}")
    connection.close()


def readers_phase(port: int, cookies: list[str], duration: float) -> list[float]:
    seconds: list[float] = []
    until = time.monotonic() + duration
    threads = [threading.Thread(target=read, args=(port, c, until, seconds)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + TIMEOUT)
    return seconds


def flood(port: int, flooders: int, duration: float, counts: dict[str, int]) -> None:
    """`flooders` threads of anonymous sign-ins with random usernames, until `duration` has passed."""
    until = time.monotonic() + duration
    tally: Counter[str] = Counter()
    lock = threading.Lock()

    def one() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        while time.monotonic() < until:
            body = json.dumps({"username": secrets.token_hex(8), "password": "Winter2026!"})
            try:
                connection.request("POST", "/api/session", body=body, headers={"Content-Type": "application/json"})
                answer = connection.getresponse()
                answer.read()
                status = str(answer.status)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
                status = "error"
            with lock:
                tally[status] += 1
        connection.close()

    threads = [threading.Thread(target=one) for _ in range(flooders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + TIMEOUT)
    counts.update(tally)


def percentile(seconds: list[float], fraction: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident, peak resident) MiB of a process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--flooders", type=int, default=40)
    parser.add_argument("--readers", type=int, default=4)
    args = parser.parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"argon2 profile: {os.environ.get('ICASS_ARGON2_PROFILE') or 'default'}")
    with tempfile.TemporaryDirectory(prefix="icass-bench-flood-") as folder:
        port = free_port()
        server = start_server(Path(folder) / "data", port)
        try:
            people = ("admin", "fmo", "committee", "admin", "fmo", "committee")
            cookies = [sign_in(port, people[i % len(people)]) for i in range(args.readers)]
            readers_phase(port, cookies, 2.0)  # warm the server's caches
            print(f"server memory before: {memory_mib(server.pid)[0]:.0f} MiB")
            quiet = readers_phase(port, cookies, args.seconds)
            counts = multiprocessing.Manager().dict()
            flooding = multiprocessing.Process(target=flood, args=(port, args.flooders, args.seconds, counts))
            flooding.start()
            time.sleep(0.5)  # the flood under way
            busy = readers_phase(port, cookies, args.seconds - 1.0)
            flooding.join(args.seconds + TIMEOUT)
            resident, peak = memory_mib(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    print(f"server memory after: {resident:.0f} MiB (peak {peak:.0f} MiB)")
    print("| readers' GETs of the dashboard | requests | p50 | p99 |")
    print("|---|---:|---:|---:|")
    for name, seconds in (("alone", quiet), (f"with {args.flooders} flooders", busy)):
        p50, p99 = statistics.median(seconds) * 1000, percentile(seconds, 0.99) * 1000
        print(f"| {name} | {len(seconds)} | {p50:.0f} ms | {p99:.0f} ms |")
    ratio = percentile(busy, 0.99) / percentile(quiet, 0.99)
    print(f"p99 with the flood / alone: {ratio:.2f} (aim: at most 3)")
    total = sum(counts.values())
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
    print(f"flood: {total} sign-ins in {args.seconds:.0f} s ({total / args.seconds:.0f}/s); {answers}")


if __name__ == "__main__":
    main()
