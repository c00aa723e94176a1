"""The `icass` command: a thin shell over the catalog, the bundle reader and the engine."""

from icass.cli.app import app, main

__all__ = ["app", "main"]
