"""The TDY module's rules (6 FAH-5 H-360) as typed data, read from tdy/rules.toml: what the TDY rate leaves
out, the threshold, the mandatory cost centers, the submission timeline, and per visitor category whether
it is invoiced and where its transaction workload goes."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from icass.catalog.cost_centers import CatalogError

SPONSOR = "sponsor"


@dataclass(frozen=True, slots=True)
class CategoryRule:
    category: str  # a visitor category (icass.model.tdy.VisitCategory; a test holds the two to the same set)
    what: str
    invoiced: bool  # may get an invoice at all
    daily: bool  # the invoice carries the mandatory and requested capitation or static cost centers
    transactions: str  # SPONSOR, or the agency code that always receives its transaction workload
    invoice_agency: str  # "" = the visitor's own agency
    section: str


@dataclass(frozen=True, slots=True)
class TdyRules:
    excluded_cost_centers: tuple[str, ...]
    excluded_section: str
    rates_section: str
    prior_year_section: str
    days_per_year: int
    minimum_threshold: int  # cents
    threshold_section: str
    days_section: str
    mandatory: tuple[str, ...]
    mandatory_section: str
    explanation_section: str
    late: tuple[int, int]  # (month, day) of fiscal year N's last calendar year
    late_section: str
    deadline: tuple[int, int]
    deadline_section: str
    required_section: str
    categories: dict[str, CategoryRule]

    def excluded(self, cost_center: str) -> bool:
        """A cost center whose whole cost the TDY rate leaves out: one of the list or a sub-cost center of one."""
        return cost_center.split("-")[0] in self.excluded_cost_centers

    def late_date(self, fiscal_year: int) -> dt.date:
        return dt.date(fiscal_year, *self.late)

    def deadline_date(self, fiscal_year: int) -> dt.date:
        return dt.date(fiscal_year, *self.deadline)

    def citations(self) -> tuple[str, ...]:
        own = (
            self.excluded_section,
            self.rates_section,
            self.prior_year_section,
            self.threshold_section,
            self.days_section,
            self.mandatory_section,
            self.explanation_section,
            self.late_section,
            self.deadline_section,
            self.required_section,
        )
        return (*own, *(c.section for c in self.categories.values()))


def _category(raw: dict[str, Any]) -> CategoryRule:
    try:
        return CategoryRule(
            category=str(raw["category"]),
            what=raw["what"],
            invoiced=bool(raw["invoiced"]),
            daily=bool(raw["daily"]),
            transactions=raw["transactions"],
            invoice_agency=raw.get("invoice_agency", ""),
            section=raw["section"],
        )
    except KeyError as problem:
        raise CatalogError(f"tdy/rules.toml: category {raw.get('category')!r}: {problem}") from None


@cache
def load_tdy_rules() -> TdyRules:
    raw = tomllib.loads((resources.files("icass.catalog") / "tdy" / "rules.toml").read_text(encoding="utf-8"))
    rates, threshold, mandatory, timeline = raw["rates"], raw["threshold"], raw["mandatory"], raw["timeline"]
    categories = {rule.category: rule for rule in map(_category, raw["category"])}
    return TdyRules(
        excluded_cost_centers=tuple(rates["excluded_cost_centers"]),
        excluded_section=rates["section"],
        rates_section=rates["rates_section"],
        prior_year_section=rates["prior_year_section"],
        days_per_year=int(rates["days_per_year"]),
        minimum_threshold=int(Decimal(threshold["minimum"]) * 100),
        threshold_section=threshold["section"],
        days_section=threshold["days_section"],
        mandatory=tuple(mandatory["cost_centers"]),
        mandatory_section=mandatory["section"],
        explanation_section=mandatory["explanation_section"],
        late=(int(timeline["late_month"]), int(timeline["late_day"])),
        late_section=timeline["late_section"],
        deadline=(int(timeline["deadline_month"]), int(timeline["deadline_day"])),
        deadline_section=timeline["deadline_section"],
        required_section=timeline["required_section"],
        categories=categories,
    )
