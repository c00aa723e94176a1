"""What every check is given beside the post: the rules it judges by, and what was computed before it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from icass.catalog import Catalog
from icass.catalog.counting import CountingRules
from icass.diagnostics import Diagnostic
from icass.distribution.columns import Columns
from icass.model import PostBundle

if TYPE_CHECKING:  # numpy.typing costs an import at run time, where annotations are never evaluated
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class Costs:
    """Each cost center's cost as the distribution's own first step computed it (`flat` is `cost_centers(columns)`,
    this post's part), so that what a check judges is exactly what will be distributed."""

    columns: Columns
    flat: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Context:
    """The catalog and counting rules a post is judged by; the fiscal year is the post's own (`post.post`).
    `derived`: the cost centers whose counts come from the post's source records. `prior`: the same post's
    bundle of the fiscal year before, when known, for rules that compare two years. `costs`: given once the
    checks on rows have passed and the cost is computed (see `Needs`)."""

    catalog: Catalog
    rules: CountingRules
    derived: frozenset[str] = frozenset()
    prior: PostBundle | None = None
    costs: Costs | None = None

    def cost(self) -> Costs:
        assert self.costs is not None, "a check on costs runs only with the costs (run_checks)"
        return self.costs


class Needs(Enum):
    """What a check needs to hold before it can run."""

    ROWS = "rows"  # the post's rows alone
    SOUND_ROWS = "sound rows"  # rows in which no check before it found an error (every grade known, ...)
    COSTS = "costs"  # each cost center's cost (Context.costs), computed once the rows are sound


Rule = Callable[[PostBundle, Context], list[Diagnostic]]


# Every field of a PostBundle: what a check reads unless it says less.
EVERY_FIELD = frozenset(
    ("post", "agencies", "cost_factors", "positions", "position_costs", "time_allocation", "budget", "workload")
)


@dataclass(frozen=True)
class Check:
    """One rule of the list: the function that finds what breaks it, what it needs, and the PostBundle fields
    it reads (with its Context): given the same records in those, it finds the same, so the run after an edit
    that left them alone takes its findings from the run before (icass.runs.post)."""

    rule: Rule
    needs: Needs = Needs.ROWS
    reads: frozenset[str] = EVERY_FIELD
    budget_rule: str = ""  # the id of the handbook's budget rule it judges (icass.catalog.budget_rules), if one
