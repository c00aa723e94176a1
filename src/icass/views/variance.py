"""Variance explained in words (issue 20 §3): the largest changes of an agency's charge in a cost center, each
with what the costs, the counts and the modifications did ("5624 Health: +$41,200.00 for 1900.0, of which
+$38,000.00 because 5624's cost rose from ... and +$3,200.00 because State's count rose from 40 to 43")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from icass.distribution.variance import Variance
from icass.model import PostBundle
from icass.money import format_grouped

# How many of the largest changes are told in words: the rest are in the table.
DRIVERS = 5


@dataclass(frozen=True)
class Driver:
    """One agency's change in one cost center (all funding sources), in cents, with its three effects."""

    agency: str
    cost_center: str
    change: int
    cost_effect: int
    count_effect: int
    modification_effect: int


def drivers(variance: Variance, agency: str | None = None, limit: int = DRIVERS) -> list[Driver]:
    """The largest changes by agency and cost center, largest first (ties by codes)."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for line in variance.lines:
        if agency is None or line.agency == agency:
            found = sums[(line.agency, line.cost_center)]
            for k, value in enumerate((line.new - line.old, *line[5:])):
                found[k] += value
    ranked = sorted(sums.items(), key=lambda item: (-abs(item[1][0]), item[0]))
    return [Driver(a, c, *figures) for (a, c), figures in ranked if figures[0]][:limit]


class Money(int):
    """Cents that print as dollars, compared as cents."""

    def __str__(self) -> str:
        return "$" + format_grouped(int(self))


def _signed(cents: int) -> str:
    return ("+" if cents > 0 else "-") + "$" + format_grouped(abs(cents))


def _moved(what: str, old: Decimal | int, new: Decimal | int) -> str:
    return f"{what} {'rose' if new > old else 'fell'} from {old} to {new}"


def in_words(
    driver: Driver, variance: Variance, old: PostBundle, new: PostBundle, names: Mapping[str, str] | None = None
) -> str:
    """One driver as a sentence: the change, then each effect that is not zero with its reason."""
    names = names or {}
    code, agency = driver.cost_center, driver.agency
    who = names.get(agency, agency)
    where = f"{code} {names[code]}" if code in names else code
    parts = []
    if driver.cost_effect:
        before, after = Money(variance.old_cost.get(code, 0)), Money(variance.new_cost.get(code, 0))
        why = _moved(f"{code}'s cost", before, after) if before != after else "the costs it follows changed"
        parts.append(f"{_signed(driver.cost_effect)} because {why}")
    if driver.count_effect:
        before_count, after_count = _count(old, code, agency), _count(new, code, agency)
        why = (
            _moved(f"{who}'s count", before_count, after_count)
            if before_count != after_count
            else "other agencies' counts changed"
        )
        parts.append(f"{_signed(driver.count_effect)} because {why}")
    if driver.modification_effect:
        before_mod, after_mod = _modification(old, code, agency), _modification(new, code, agency)
        why = (
            _moved("its modification", before_mod, after_mod)
            if before_mod != after_mod
            else "other agencies' modifications changed"
        )
        parts.append(f"{_signed(driver.modification_effect)} because {why}")
    told = (
        f"{where}: {_signed(driver.change)} for {who} ({agency})"
        if who != agency
        else f"{where}: {_signed(driver.change)} for {agency}"
    )
    if not parts:
        return told
    return f"{told}, of which " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def _count(bundle: PostBundle, cost_center: str, agency: str) -> Decimal:
    return sum((w.count for w in bundle.workload if w.cost_center == cost_center and w.agency == agency), Decimal(0))


def _modification(bundle: PostBundle, cost_center: str, agency: str) -> Decimal:
    found = [w.modification for w in bundle.workload if w.cost_center == cost_center and w.agency == agency]
    return found[0] if found else Decimal(1)
