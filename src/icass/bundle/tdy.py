"""Read a bundle's tdy/ folder (docs/tdy.md): the visitor policy, the visits and the services they asked for,
each checked against the format, each other and the catalog; every problem names its file, row and field."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from icass.bundle import tables as t
from icass.bundle.codes import code_problem, text_problem
from icass.bundle.format import TDY_POLICY
from icass.bundle.load import optional_date, read_file
from icass.catalog import Catalog
from icass.catalog.cost_centers import CountBasis
from icass.catalog.tdy import TdyRules
from icass.checks.broken import broken
from icass.diagnostics import Diagnostic, error, has_errors, warning
from icass.model import Methodology, Source
from icass.model.tdy import Basket, Policy, Service, TdyRecords, Visit
from icass.money import format_grouped

FOLDER = "tdy"
POLICY, VISITS, SERVICES = f"{FOLDER}/policy.toml", f"{FOLDER}/visits.csv", f"{FOLDER}/services.csv"
MODIFICATION_SECTION = "H-363.1-5 d"
BASKET_SECTION = "H-363.1-5 e"
DEFAULT_BASKET_SERVICES = ("6145",)
COUNCIL = TDY_POLICY.key("council_approved_on")

# The direct-cost estimates of Exhibit H-363.1-2, in its order: the key in [policy.direct_costs], its wording.
DIRECT_COSTS = (
    ("overtime", "U.S. citizen and locally employed staff (LE Staff) overtime"),
    ("field_travel", "Per diem and miscellaneous travel costs for embassy employees in support of field travel"),
    ("vehicle_without_driver", "Commercially leased vehicle without a driver, per day"),
    ("vehicle_with_driver", "Commercially leased vehicle with a driver, per day"),
    ("communication_devices", "Commercially obtained communication devices and related charges, per day"),
    ("computer_fees", "Computer fees per user account and/or credential fees"),
    ("expediter", "Commercially obtained airport expediter services, per person"),
)
_ONE = Decimal(1)


def read_tdy(
    root: Path | t.CellSource,
    methodology: Methodology,
    catalog: Catalog,
    rules: TdyRules,
    policy_text: str | None = None,
) -> tuple[TdyRecords | None, list[Diagnostic]]:
    """The tdy/ folder of the bundle at `root`, or None with the reasons when any of it has an error. `root`
    may also be the database's rows of a bundle (icass.store), with policy.toml's text as kept."""
    if isinstance(root, Path):
        here = (root / FOLDER).is_dir()
    else:
        here = policy_text is not None or root.has(VISITS) or root.has(SERVICES)
    if not here:
        return None, [
            error(Source(FOLDER), "the bundle has no tdy/ folder: policy.toml, visits.csv, services.csv (docs/tdy.md)")
        ]
    if isinstance(root, Path):
        table, problems = t.read_toml_table(root, POLICY, "policy")
    elif policy_text is None:
        table, problems = None, [error(Source(POLICY), "the file is missing")]
    else:
        table, problems = t.toml_table(policy_text, POLICY, "policy")
    policy, problems = _policy(table, problems, methodology, catalog, rules)
    visits_read, p1 = read_file(root, VISITS)
    services_read, p2 = read_file(root, SERVICES)
    visit_rows, service_rows = visits_read.rows(), services_read.rows()
    problems += p1 + p2
    visits = tuple(Visit(**r.values, source=r.source) for r in visit_rows)
    services = tuple(
        Service(**{**r.values, "modification": _modification(r.values)}, source=r.source) for r in service_rows
    )
    problems += _visit_problems(visits, rules)
    baskets = {b.name: b for b in policy.baskets} if policy is not None else {}
    problems += _service_problems(services, visits, baskets, methodology, catalog, rules)
    if policy is None or has_errors(problems):
        return None, problems
    return TdyRecords(policy, visits, services), problems


def _modification(values: dict[str, Any]) -> Decimal:
    given: Decimal | None = values["modification"]
    return _ONE if given is None else given  # empty is 1, for every kind of line


def _policy(
    table: dict[str, Any] | None,
    problems: list[Diagnostic],
    methodology: Methodology,
    catalog: Catalog,
    rules: TdyRules,
) -> tuple[Policy | None, list[Diagnostic]]:
    if table is None:
        return None, problems
    source = Source(POLICY)
    threshold = _threshold(table.get("threshold"), source, rules, problems)
    invoices = table.get("invoices")
    if isinstance(invoices, bool):
        invoices = "yes" if invoices else "no"
    if invoices not in ("yes", "no"):
        problems.append(error(source, f'{invoices!r} is not "yes" or "no"', "policy.invoices", "H-363.1-3 b"))
    baskets = _baskets(table.get("basket", []), source, methodology, catalog, problems)
    direct = table.get("direct_costs", {})
    known = {key for key, _ in DIRECT_COSTS}
    if not isinstance(direct, dict) or not all(isinstance(v, str) for v in direct.values()):
        problems.append(
            error(source, 'is not a table of texts (e.g. vehicle_with_driver = "$80 to $120")', "policy.direct_costs")
        )
        direct = {}
    for key in sorted(known & set(direct)):
        problem = text_problem(direct[key])
        if problem is not None:
            problems.append(error(source, problem, f"policy.direct_costs.{key}"))
    for key in sorted(set(direct) - known):
        problems.append(
            warning(source, f"{key!r} is not one of {', '.join(sorted(known))}; ignored", "policy.direct_costs")
        )
    council = _council_approved_on(table.get(COUNCIL.name), source, problems)
    if has_errors(problems) or threshold is None:
        return None, problems
    entered = tuple((key, direct[key]) for key, _ in DIRECT_COSTS if key in direct)
    return Policy(threshold, invoices == "yes", baskets, entered, council, source), problems


def _council_approved_on(value: Any, source: Source, problems: list[Diagnostic]) -> dt.date | None:
    """The Council's approval of the policy: a TOML date or a text YYYY-MM-DD; None when left out."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        found = optional_date(value) if isinstance(value, str) else None
    except ValueError:
        found = None
    if found is None:
        message = f"{value!r} is not a date such as 2027-10-05 (or leave the key out)"
        problems.append(error(source, message, f"policy.{COUNCIL.name}", COUNCIL.section))
    return found


def _threshold(value: Any, source: Source, rules: TdyRules, problems: list[Diagnostic]) -> int | None:
    where = "policy.threshold"
    if value is None:
        problems.append(error(source, "is missing", where))
        return None
    try:
        cents = t.cents(value if isinstance(value, str) else str(value)) if not isinstance(value, bool) else None
    except ValueError as why:
        problems.append(error(source, str(why), where))
        return None
    if cents is None:
        problems.append(error(source, f"{value!r} is not an amount in dollars", where))
        return None
    if cents < rules.minimum_threshold:
        floor = format_grouped(rules.minimum_threshold)
        problems.append(broken("R141", source, f"the threshold is {value} dollars, below ${floor}", where))
        return None
    return cents


def _baskets(
    raw: Any, source: Source, methodology: Methodology, catalog: Catalog, problems: list[Diagnostic]
) -> tuple[Basket, ...]:
    if not isinstance(raw, list):
        problems.append(error(source, "is not a list of [[policy.basket]] tables", "policy.basket"))
        return ()
    if raw and methodology != Methodology.LITE:
        problems.append(
            warning(source, "baskets are for Lite posts; this post is Standard", "policy.basket", BASKET_SECTION)
        )
    baskets: list[Basket] = []
    for n, entry in enumerate(raw, start=1):
        where = f"policy.basket[{n}]"
        if not isinstance(entry, dict):
            problems.append(error(source, "is not a table", where))
            continue
        name, modification = entry.get("name"), entry.get("modification")
        services = entry.get("services", list(DEFAULT_BASKET_SERVICES))
        found = len(problems)
        if not isinstance(name, str) or not name.strip()[:1].isalpha():
            message = f"name {name!r} must be a text that starts with a letter (not a cost center code)"
            problems.append(error(source, message, where))
        elif (problem := code_problem(name.strip())) is not None:
            problems.append(error(source, f"name {problem}", where))
        level = _basket_modification(modification, source, f"{where}.modification", problems)
        if not isinstance(services, list) or not services or not all(isinstance(s, str) for s in services):
            problems.append(
                error(source, 'services must be a list of cost centers, e.g. ["6145"]', f"{where}.services")
            )
            services = []
        for code in services:
            spec = catalog.find(code, methodology)
            if spec is None or spec.count_basis != CountBasis.STATIC:
                message = f"{code} is not a capitation or static cost center of the {methodology} methodology"
                problems.append(error(source, message, f"{where}.services", BASKET_SECTION))
        if len(problems) == found and level is not None and isinstance(name, str):
            baskets.append(Basket(name.strip(), level, tuple(services), source))
    for name, times in Counter(b.name for b in baskets).items():
        if times > 1:
            problems.append(error(source, f"basket {name!r} is named {times} times", "policy.basket"))
    return tuple(baskets)


def _basket_modification(value: Any, source: Source, where: str, problems: list[Diagnostic]) -> Decimal | None:
    try:
        level = None if value is None or isinstance(value, bool) else t.quantity(str(value))
    except ValueError as why:
        problems.append(error(source, str(why), where))
        return None
    if level is None or not 0 < level <= 1:
        problems.append(error(source, f"{value!r} is not a number in (0, 1]", where, BASKET_SECTION))
        return None
    return level


def _visit_problems(visits: tuple[Visit, ...], rules: TdyRules) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    first: dict[str, Visit] = {}
    for visit in visits:
        if visit.visit_id in first:
            problems.append(
                error(visit.source, f"visit {visit.visit_id} is already on {first[visit.visit_id].source}", "visit_id")
            )
        else:
            first[visit.visit_id] = visit
        if visit.arrive and visit.depart and visit.depart < visit.arrive:
            problems.append(error(visit.source, f"departs {visit.depart} before it arrives {visit.arrive}", "depart"))
        if (visit.arrive is None) != (visit.depart is None):
            problems.append(
                warning(visit.source, "has one date of two: it is listed, neither invoiced nor counted", "arrive")
            )
    for visit in visits:
        if not visit.related_to:
            continue
        other = first.get(visit.related_to)
        if other is None:
            problems.append(error(visit.source, f"visit {visit.related_to} is not in {VISITS}", "related_to"))
        elif other is visit:
            problems.append(error(visit.source, "a visit cannot be related to itself", "related_to"))
        elif _billed_to(other, rules) != _billed_to(visit, rules):
            message = (
                f"visit {other.visit_id} is billed to {_billed_to(other, rules)}, "
                f"this one to {_billed_to(visit, rules)}: "
                "only visits of one sponsoring agency are related"
            )
            problems.append(error(visit.source, message, "related_to", "H-363.1-3 d"))
    return problems


def _billed_to(visit: Visit, rules: TdyRules) -> str:
    return rules.categories[visit.category].invoice_agency or visit.agency


def _service_problems(
    services: tuple[Service, ...],
    visits: tuple[Visit, ...],
    baskets: dict[str, Basket],
    methodology: Methodology,
    catalog: Catalog,
    rules: TdyRules,
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    known = {v.visit_id for v in visits}
    seen: dict[tuple[str, str], Service] = {}
    for s in services:
        if s.visit_id not in known:
            problems.append(error(s.source, f"visit {s.visit_id} is not in {VISITS}", "visit_id"))
        key = (s.visit_id, s.cost_center)
        if key in seen:
            problems.append(
                error(s.source, f"{s.cost_center} is already on {seen[key].source} for this visit", "cost_center")
            )
        seen.setdefault(key, s)
        if not 0 < s.modification <= 1:
            problems.append(error(s.source, f"{s.modification} is not in (0, 1]", "modification", MODIFICATION_SECTION))
        if s.cost_center in baskets:
            if s.quantity is not None:
                problems.append(
                    error(s.source, "a basket is billed per day: leave the quantity empty", "quantity", BASKET_SECTION)
                )
            if s.modification != 1:
                problems.append(
                    error(
                        s.source,
                        f"basket {s.cost_center} carries its own modification: leave this one empty",
                        "modification",
                        BASKET_SECTION,
                    )
                )
            continue
        spec = catalog.find(s.cost_center, methodology)
        if spec is None:
            problems.append(
                error(
                    s.source,
                    f"{s.cost_center!r} is not a cost center of the {methodology} methodology nor a basket of {POLICY}",
                    "cost_center",
                )
            )
        elif spec.count_basis == CountBasis.NONE:
            problems.append(
                error(
                    s.source,
                    f"{s.cost_center} has no distribution factor, so no TDY rate",
                    "cost_center",
                    rules.rates_section,
                )
            )
        elif spec.count_basis == CountBasis.CUMULATIVE and s.quantity is None:
            problems.append(
                error(s.source, f"{s.cost_center} counts transactions: give the quantity", "quantity", "H-363.1-5 g(4)")
            )
        elif spec.count_basis == CountBasis.STATIC and s.quantity is not None:
            problems.append(
                error(
                    s.source,
                    f"{s.cost_center} is billed per day of the visit: leave the quantity empty",
                    "quantity",
                    "H-363.1-5 f(2)",
                )
            )
    return problems
