"""The `icass` command: a thin shell over the pipeline (icass.runs.post) and its views. The workload, world and
tdy commands are imported only when they run (icass.cli.app._LazyGroup)."""

import os

# The engine's arithmetic is integer numpy with no linear algebra, so numpy's OpenBLAS is never called; left
# to itself it starts a thread per CPU when numpy is imported, which spin and double the CPU time of that
# import (docs/benchmarks.md). Set before numpy is first imported; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from icass.cli.app import app, main  # after the setting above, which must precede numpy

__all__ = ["app", "main"]
