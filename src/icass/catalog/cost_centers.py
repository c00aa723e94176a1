"""Cost center entries read from the TOML files beside this module (their schema: data/SCHEMA.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

DATA = Path(__file__).parent / "data"  # the catalog's TOML files (data/SCHEMA.md)
COST_CENTER_CODE = re.compile(r"^\d{4}$")
SUB_COST_CENTER_CODE = re.compile(r"^(\d{4})-([0-9A-Z]{4})$")


class CountBasis(StrEnum):
    STATIC = "static"  # as of the count date, May 1 (H-341.1-4 a)
    CUMULATIVE = "cumulative"  # over the twelve months before it
    NONE = "none"  # no distribution factor (0000, 8790)


class Modifiable(StrEnum):
    YES = "yes"  # the budget committee may approve any factor in (0, 1]
    LIMITED = "limited"  # only under a constraint the entry records (floor, values, note)
    NO = "no"


class DistributionKind(StrEnum):
    """How a cost center is shared among the agencies."""

    WORKLOAD = "workload"  # by each agency's modified workload count
    MISCELLANEOUS = "miscellaneous"  # 8790: by each agency's service costs (H-341.13-4)
    NON_ICASS = "non_icass"  # 0000: all to 1900.0 State (H-341.14-4)


# How a cost center without a distribution factor is shared, as the handbook says it: the one sentence the
# CLI's explanation and the invoice page show (each ends it in its own way).
WITHOUT_FACTOR: dict[str, str] = {
    DistributionKind.MISCELLANEOUS: (
        "No distribution factor: shared by each agency's service costs, ICASS included (H-341.13-4)"
    ),
    DistributionKind.NON_ICASS: "No distribution factor: charged entirely to 1900.0 State (H-341.14-4)",
}
# What ICASS redistribution is, as an invoice says it beside its amounts (the PDF, the workbook, the page).
REDISTRIBUTION_NOTE = (
    "ICASS redistribution: what 1901.0 ICASS holds of each cost center is spread over the other agencies by "
    "their shares of the post's services (6 FAH-5 H-341.7-3(D) NOTE 4)."
)


class Weight(NamedTuple):
    """A weight the count applies to one kind of thing it counts, with the section that sets it."""

    applies_to: str
    weight: Decimal
    section: str


class Routing(NamedTuple):
    """Where the handbook sends a count to another agency, with the section that says so."""

    agency: str
    what: str
    section: str


class CostCenterSpec(NamedTuple):
    """One cost center or sub-cost center of a methodology, as the catalog's TOML gives it (data/SCHEMA.md)."""

    code: str
    methodology: str
    name: str
    section: str
    mandatory: bool
    distribution: DistributionKind
    factor: str
    unit: str
    count_basis: CountBasis
    count_section: str
    modifiable: Modifiable
    modifiable_section: str
    parent: str = ""
    min_modification: Decimal | None = None
    allowed_modifications: tuple[Decimal, ...] = ()
    weights: tuple[Weight, ...] = ()
    routing: tuple[Routing, ...] = ()
    note: str = ""
    standardized: bool = True  # False: a post-defined sub-cost center that inherits its parent's rules
    # The first number further sub-cost centers of this series take ("X823": X823, X824, ... are lots No. 3, 4,
    # ...), each a copy of this one; empty if it starts no series.
    series_from: str = ""

    @property
    def is_sub_cost_center(self) -> bool:
        return bool(self.parent)

    def citations(self) -> tuple[str, ...]:
        cited = [self.section, self.count_section, self.modifiable_section]
        cited += [w.section for w in self.weights] + [r.section for r in self.routing]
        return tuple(c for c in cited if c)


class CatalogError(ValueError):
    pass


def _spec(entry: dict[str, Any], origin: str) -> CostCenterSpec:
    problems = [
        f"{name} {entry.get(name)!r}"
        for name, kind in (("count_basis", CountBasis), ("modifiable", Modifiable), ("distribution", DistributionKind))
        if entry.get(name) not in tuple(kind)
    ]
    if problems:
        raise CatalogError(f"{origin}: entry {entry.get('code', '?')}: bad " + ", ".join(problems))
    try:
        spec = CostCenterSpec(
            code=entry["code"],
            methodology=entry["methodology"],
            name=entry["name"],
            section=entry["section"],
            mandatory=bool(entry["mandatory"]),
            distribution=DistributionKind(entry["distribution"]),
            factor=entry["factor"],
            unit=entry["unit"],
            count_basis=CountBasis(entry["count_basis"]),
            count_section=entry.get("count_section", ""),
            modifiable=Modifiable(entry["modifiable"]),
            modifiable_section=entry.get("modifiable_section", ""),
            parent=entry.get("parent", ""),
            min_modification=Decimal(entry["min_modification"]) if entry.get("min_modification") else None,
            allowed_modifications=tuple(Decimal(v) for v in entry.get("allowed_modifications", ())),
            weights=tuple(Weight(w["applies_to"], Decimal(w["weight"]), w["section"]) for w in entry.get("weight", ())),
            routing=tuple(Routing(r["agency"], r["what"], r["section"]) for r in entry.get("routing", ())),
            note=entry.get("note", ""),
            series_from=entry.get("series_from", ""),
        )
    except KeyError as missing:
        raise CatalogError(f"{origin}: entry {entry.get('code', '?')} lacks {missing}") from None
    if spec.methodology not in ("standard", "lite"):
        problems.append(f"methodology {spec.methodology!r}")
    shape = SUB_COST_CENTER_CODE if spec.parent else COST_CENTER_CODE
    if not shape.match(spec.code) or (spec.parent and not spec.code.startswith(spec.parent + "-")):
        problems.append(f"code {spec.code!r} (parent {spec.parent!r})")
    if problems:
        raise CatalogError(f"{origin}: entry {spec.code}: bad " + ", ".join(problems))
    return spec


@dataclass(frozen=True)
class Catalog:
    """Every cost center and standardized sub-cost center of both methodologies."""

    entries: tuple[CostCenterSpec, ...]
    # Built once: every lookup is one dict probe (hashing the whole catalog per lookup was the hot spot).
    _index: dict[tuple[str, str], CostCenterSpec | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(e.code, e.methodology): e for e in self.entries})

    def methodology(self, methodology: str) -> tuple[CostCenterSpec, ...]:
        return tuple(e for e in self.entries if e.methodology == methodology)

    def find(self, code: str, methodology: str) -> CostCenterSpec | None:
        """The entry for a code at a post of this methodology, including post-defined sub-cost centers
        (H-341.15 c: posts may create other sub-cost centers), which take their parent's rules."""
        key = (code, methodology)
        if key not in self._index:
            self._index[key] = self._post_defined(code, methodology)
        return self._index[key]

    def _post_defined(self, code: str, methodology: str) -> CostCenterSpec | None:
        sub = SUB_COST_CENTER_CODE.match(code)
        if sub is None:
            return None
        further = self._further(code, methodology)
        if further is not None:
            return further
        parent = self._index.get((sub.group(1), methodology))
        if parent is None or parent.is_sub_cost_center or parent.distribution != "workload":
            return None
        return CostCenterSpec(
            code=code,
            methodology=methodology,
            name=f"{parent.name} (post-defined sub-cost center)",
            section="H-341.15",
            mandatory=False,
            distribution=DistributionKind.WORKLOAD,
            factor=parent.factor,
            unit=parent.unit,
            count_basis=parent.count_basis,
            count_section=parent.count_section,
            modifiable=parent.modifiable,
            modifiable_section=parent.modifiable_section,
            parent=parent.code,
            min_modification=parent.min_modification,
            allowed_modifications=parent.allowed_modifications,
            weights=parent.weights,
            note="Not standardized: a post may create other sub-cost centers (H-341.15 c); the parent's rules apply.",
            standardized=False,
        )

    def _further(self, code: str, methodology: str) -> CostCenterSpec | None:
        """A further sub-cost center of a standardized series ("If there are additional parking lots, assign the
        next number in the sequence (i.e., X823, X824...)", H-341.15-10): the series' first entry, renumbered,
        with its own distribution factor rather than the parent's."""
        parent, _, suffix = code.partition("-")
        for first in self._series:
            start = first.series_from
            if (
                first.methodology == methodology
                and first.parent == parent
                and len(suffix) == len(start)
                and suffix[:2] == start[:2]
                and suffix[2:].isdigit()
                and int(suffix[2:]) >= int(start[2:])
            ):
                number = int(suffix[2:]) - int(first.code.rpartition("-")[2][2:]) + 1
                return first._replace(code=code, name=re.sub(r"No\. \d+$", f"No. {number}", first.name), series_from="")
        return None

    @property
    def _series(self) -> tuple[CostCenterSpec, ...]:
        return tuple(e for e in self.entries if e.series_from)

    def kind_of(self, methodology: str) -> Callable[[str], str]:
        """How each cost center of a post of this methodology is shared (the engine's `kind_of`)."""

        def kind(code: str) -> str:
            spec = self.find(code, methodology)
            if spec is None:
                raise KeyError(f"{code} is not a cost center of the {methodology} methodology")
            return spec.distribution

        return kind


@cache
def load_catalog() -> Catalog:
    entries: list[CostCenterSpec] = []
    seen: set[tuple[str, str]] = set()
    from icass.catalog.compiled import load_documents

    files = sorted((p for p in DATA.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    for item, document in zip(files, load_documents(files, "catalog"), strict=True):
        for raw in document.get("cost_center", []):
            spec = _spec(raw, item.name)
            if (spec.code, spec.methodology) in seen:
                raise CatalogError(f"{item.name}: {spec.code} ({spec.methodology}) is listed twice")
            seen.add((spec.code, spec.methodology))
            entries.append(spec)
    entries.sort(key=lambda e: (e.methodology, e.code))
    return Catalog(tuple(entries))
