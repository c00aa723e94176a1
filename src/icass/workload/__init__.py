"""Workload counts derived from the post's records by the handbook's counting rules."""

from icass.workload.weighted import procurement_weight, weighted_count

__all__ = ["procurement_weight", "weighted_count"]
