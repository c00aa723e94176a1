"""The counting rules of the handbook's "How to Count" parts as typed data, read from counting/rules.toml:
which people, records and weights make each cost center's workload count, where roles and vacant housing
route it, the mandatory set, named modification levels and extra approvals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from icass.catalog.cost_centers import CatalogError


class PersonKind(StrEnum):
    """Who a person is for counting: a people.csv category, with employed family members also LE staff."""

    USDH = "USDH"
    UNIFORMED = "UNIFORMED"
    TCN = "TCN"
    US_CONTRACTOR = "US_CONTRACTOR"
    INSTITUTIONAL_CONTRACTOR = "INSTITUTIONAL_CONTRACTOR"
    OTHER = "OTHER"
    LE_STAFF = "LE_STAFF"
    EFM = "EFM"
    MOH = "MOH"


# The Basic Package staff (H-352): the people every mandatory cost center counts.
BASIC_PACKAGE_KINDS = frozenset(
    {
        PersonKind.USDH,
        PersonKind.UNIFORMED,
        PersonKind.TCN,
        PersonKind.US_CONTRACTOR,
        PersonKind.INSTITUTIONAL_CONTRACTOR,
        PersonKind.OTHER,
    }
)
DEPENDENT_KINDS = frozenset({PersonKind.EFM, PersonKind.MOH})


class Tenure(StrEnum):
    GOCL = "GOCL"  # U.S. Government-owned or capital lease
    OL = "OL"  # operating lease


class Cited(NamedTuple):
    """A section per methodology: most rules are stated in H-341 for Standard and again in H-342 for Lite."""

    standard: str
    lite: str

    def at(self, methodology: str) -> str:
        return self.lite if methodology == "lite" else self.standard


class Term(NamedTuple):
    """The weight that people of these kinds count for."""

    kinds: frozenset[PersonKind]
    weight: Decimal


class RoleWeight(NamedTuple):
    """A weight for people in these roles."""

    roles: frozenset[str]
    weight: Decimal
    section: str


class PeopleRule(NamedTuple):
    """How a cost center counts people: which kinds, with what weights, and who is left out."""

    cost_center: str
    methodologies: frozenset[str]
    section: Cited
    terms: tuple[Term, ...]
    subscription: bool = False
    sma: bool = True  # False: family members on SMA are left out
    med_eligible: bool = False  # True: only people eligible for MED services count
    exclude_roles: RoleWeight | None = None  # weight unused: these roles are not counted
    role_weight: RoleWeight | None = None
    none_counted: tuple[str, Decimal] | None = None  # (factor, count) for a subscriber with nobody counted
    # The section that counts regional staff at their home post only (people.csv `home_post`); "": counted here.
    home_post_only: str = ""

    def weight_of(self, kind: PersonKind) -> Decimal | None:
        for term in self.terms:
            if kind in term.kinds:
                return term.weight
        return None


class ItRule(NamedTuple):
    """How an information technology cost center counts devices and accounts."""

    cost_center: str
    methodologies: frozenset[str]
    section: Cited
    device_weight: Decimal
    account_weight: Decimal
    separate_network_account_weight: Decimal
    separate_network_section: str


class ProcurementRule(NamedTuple):
    """How procurement actions count, tiered by their dollar value."""

    cost_center: str
    methodologies: frozenset[str]
    section: Cited
    base: Decimal
    tiers: tuple[tuple[Decimal, Decimal], ...]  # (above, weight), highest first

    def weight_of(self, dollars: Decimal) -> Decimal:
        if dollars < 0:
            raise ValueError(f"a procurement of {dollars} dollars is negative ({self.section.standard})")
        for above, weight in self.tiers:
            if dollars > above:
                return weight
        return self.base


class SpaceRule(NamedTuple):
    """Housing (per unit or net square meter) and office space rules, and the guard hours rule."""

    cost_center: str
    methodologies: frozenset[str]
    section: Cited
    tenures: frozenset[Tenure]
    measure: str  # net_square_meters | units | guard_hours


class RoleRouting(NamedTuple):
    """A role whose count goes to another agency."""

    role: str
    agency: str
    what: str
    section: Cited


class Vacancy(NamedTuple):
    """Who a vacant housing unit of this tenure counts for, and after how many days."""

    tenure: Tenure
    days: int
    agency: str
    section: Cited
    note: str = ""


class Level(NamedTuple):
    """A named modification level a cost center offers (e.g. 6143 RECEIVING_AND_DELIVERY)."""

    cost_center: str
    name: str
    modification: Decimal
    what: str
    section: str


class Approval(NamedTuple):
    """An approval a modification of this cost center needs besides the budget committee's."""

    cost_center: str
    column: str
    who: str
    section: Cited


@dataclass(frozen=True)
class CountingRules:
    """Every counting rule of counting/rules.toml."""

    static_month: int
    static_day: int
    dates_section: str
    transactions_section: str
    mandatory: dict[str, tuple[tuple[str, ...], str]]  # methodology -> (cost centers, section)
    roles: dict[str, RoleRouting]
    people: tuple[PeopleRule, ...]
    it: tuple[ItRule, ...]
    procurement: tuple[ProcurementRule, ...]
    housing: tuple[SpaceRule, ...]
    guard_hours: tuple[SpaceRule, ...]
    office: tuple[SpaceRule, ...]
    vacancy: dict[Tenure, Vacancy]
    levels: tuple[Level, ...]
    approvals: tuple[Approval, ...]

    def for_methodology(self, methodology: str) -> dict[str, object]:
        """Every rule that applies at a post of this methodology, by the cost center it counts (built once per
        methodology: validation asks for each workload line of a world)."""
        cache: dict[str, dict[str, object]] = self.__dict__.setdefault("_by_methodology", {})
        if methodology not in cache:
            cache[methodology] = self._rules_of(methodology)
        return cache[methodology]

    def _rules_of(self, methodology: str) -> dict[str, object]:
        found: dict[str, object] = {}
        groups: tuple[tuple[Any, ...], ...] = (
            self.people,
            self.it,
            self.procurement,
            self.housing,
            self.guard_hours,
            self.office,
        )
        for group in groups:
            for rule in group:
                if methodology in rule.methodologies:
                    found[rule.cost_center] = rule
        return found

    def factors(self, cost_center: str, methodology: str) -> frozenset[str]:
        """The factor names a cost center's counts may carry: a people-based one counts each category of
        employee separately (H-341.1-4 NOTE 2); any other has one factor, named ""."""
        cache: dict[tuple[str, str], frozenset[str]] = self.__dict__.setdefault("_factors", {})
        found = cache.get((cost_center, methodology))
        if found is not None:
            return found  # validation asks for each workload line: a large post has thousands
        rule = self.for_methodology(methodology).get(cost_center)
        if not isinstance(rule, PeopleRule):
            found = frozenset({""})
        else:
            names = {"", *(str(kind) for term in rule.terms for kind in term.kinds)}
            found = frozenset(names | ({rule.none_counted[0]} if rule.none_counted else set()))
        cache[cost_center, methodology] = found
        return found

    def mandatory_set(self, methodology: str) -> tuple[str, ...]:
        return self.mandatory[methodology][0]

    def mandatory_section(self, methodology: str) -> str:
        return self.mandatory[methodology][1]

    def level(self, cost_center: str, name: str) -> Level | None:
        return next((x for x in self.levels if x.cost_center == cost_center and x.name == name), None)


def _cited(entry: dict[str, Any]) -> Cited:
    return Cited(entry["section"], entry.get("lite_section", entry["section"]))


def _methodologies(entry: dict[str, Any]) -> frozenset[str]:
    return frozenset(entry["methodology"])


def _role_weight(entry: dict[str, Any] | None) -> RoleWeight | None:
    if entry is None:
        return None
    return RoleWeight(frozenset(entry["roles"]), Decimal(entry.get("weight", "0")), entry["section"])


def _people(entry: dict[str, Any]) -> PeopleRule:
    none = entry.get("none_counted")
    return PeopleRule(
        cost_center=entry["cost_center"],
        methodologies=_methodologies(entry),
        section=_cited(entry),
        terms=tuple(Term(frozenset(PersonKind(k) for k in t["kinds"]), Decimal(t["weight"])) for t in entry["terms"]),
        subscription=bool(entry.get("subscription", False)),
        sma=bool(entry.get("sma", True)),
        med_eligible=bool(entry.get("med_eligible", False)),
        exclude_roles=_role_weight(entry.get("exclude_roles")),
        home_post_only=entry.get("home_post_only", ""),
        role_weight=_role_weight(entry.get("role_weight")),
        none_counted=(none["factor"], Decimal(none["count"])) if none else None,
    )


def _space(entry: dict[str, Any], measure: str | None = None) -> SpaceRule:
    return SpaceRule(
        cost_center=entry["cost_center"],
        methodologies=_methodologies(entry),
        section=_cited(entry),
        tenures=frozenset(Tenure(t) for t in entry.get("tenures", ("GOCL", "OL"))),
        measure=measure or entry["measure"],
    )


def _parse(document: dict[str, Any]) -> CountingRules:
    dates = document["dates"]
    return CountingRules(
        static_month=int(dates["static_month"]),
        static_day=int(dates["static_day"]),
        dates_section=dates["section"],
        transactions_section=document["transactions"]["section"],
        mandatory={m["methodology"]: (tuple(m["cost_centers"]), m["section"]) for m in document["mandatory"]},
        roles={
            r["role"]: RoleRouting(r["role"], r["agency"], r["what"], Cited(r["standard"], r["lite"]))
            for r in document["role"]
        },
        people=tuple(_people(p) for p in document["people"]),
        it=tuple(
            ItRule(
                cost_center=e["cost_center"],
                methodologies=_methodologies(e),
                section=_cited(e),
                device_weight=Decimal(e["device_weight"]),
                account_weight=Decimal(e["account_weight"]),
                separate_network_account_weight=Decimal(e["separate_network_account_weight"]),
                separate_network_section=e["separate_network_section"],
            )
            for e in document["it"]
        ),
        procurement=tuple(
            ProcurementRule(
                cost_center=e["cost_center"],
                methodologies=_methodologies(e),
                section=_cited(e),
                base=Decimal(e["base"]),
                tiers=tuple(sorted(((Decimal(t["above"]), Decimal(t["weight"])) for t in e["tiers"]), reverse=True)),
            )
            for e in document["procurement"]
        ),
        housing=tuple(_space(e) for e in document["housing"]),
        guard_hours=tuple(_space(e, "guard_hours") for e in document["guard_hours"]),
        office=tuple(_space(e, "net_square_meters") for e in document["office"]),
        vacancy={
            Tenure(v["tenure"]): Vacancy(Tenure(v["tenure"]), int(v["days"]), v["agency"], _cited(v), v.get("note", ""))
            for v in document["vacancy"]
        },
        levels=tuple(
            Level(x["cost_center"], x["name"], Decimal(x["modification"]), x["what"], x["section"])
            for x in document["level"]
        ),
        approvals=tuple(Approval(a["cost_center"], a["column"], a["who"], _cited(a)) for a in document["approval"]),
    )


@cache
def load_counting_rules() -> CountingRules:
    from icass.catalog.compiled import load_documents

    try:
        return _parse(load_documents([Path(__file__).parent / "counting" / "rules.toml"], "counting")[0])
    except (KeyError, ValueError, TypeError) as problem:
        raise CatalogError(f"counting/rules.toml: {problem!r}") from None
