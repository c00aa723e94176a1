"""Pure functions from a post's records to every agency's charge: cost pools -> cost centers ->
distribution -> ICASS redistribution. Nothing here reads files, databases or the terminal."""

from icass.distribution.apportion import apportion
from icass.distribution.steps import Distribution, DistributionError, distribute, distribute_columns

__all__ = ["Distribution", "DistributionError", "apportion", "distribute", "distribute_columns"]
