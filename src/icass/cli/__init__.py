"""The `icass` command: a thin shell over the pipeline (icass.pipeline) and its views. The workload, world and
tdy commands are imported only when they run (icass.cli.app._LazyGroup)."""

from icass.cli.app import app, main

__all__ = ["app", "main"]
