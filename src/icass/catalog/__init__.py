"""The handbook as data: every cost center and standardized sub-cost center of 6 FAH-5 H-341, H-341.15,
H-342 and Exhibit H-341, with its distribution factor, count basis, modifiability and citations."""

from icass.catalog.cost_centers import (
    Catalog,
    CostCenterSpec,
    Routing,
    Weight,
    load_catalog,
)

__all__ = ["Catalog", "CostCenterSpec", "Routing", "Weight", "load_catalog"]
