"""The `icass` command: a thin shell over the pipeline (icass.pipeline) and its views."""

from icass.cli import tdy as _tdy  # noqa: F401  (registers `icass tdy`)
from icass.cli import workload as _workload  # noqa: F401  (registers `icass workload`)
from icass.cli import world as _world  # noqa: F401  (registers `icass world`)
from icass.cli.app import app, main

__all__ = ["app", "main"]
