"""What the benchmarks share: timing an action a number of times, and the `icass` command as a process."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def timed(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(best, median) seconds of `repeats` runs."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def process(*args: str) -> Callable[[], object]:
    """`icass ARGS` as a process, as a user runs it: with Python's bytecode caches. (A session that sets
    PYTHONDONTWRITEBYTECODE would compile every imported module from source on every run, about 1 s more.)"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run() -> object:
        return subprocess.run([sys.executable, "-m", "icass", *args], check=True, capture_output=True, env=env)

    return run
