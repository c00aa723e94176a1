"""Pure functions from a post's records to every agency's charge: cost pools -> cost centers ->
distribution -> ICASS redistribution. Nothing here reads files, databases or the terminal."""

from icass.engine.apportion import apportion
from icass.engine.pipeline import Distribution, EngineError, distribute, distribute_columns

__all__ = ["Distribution", "EngineError", "apportion", "distribute", "distribute_columns"]
