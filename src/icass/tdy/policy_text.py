"""The post's visitor policy, ready to publish on eCC: the direct-cost language of Exhibit H-363.1-2 and, when
the post bills visitors, the TDY invoice language of Exhibit H-363.1-4 with the post's own rates (Standard or
Lite example; baskets for Lite). The handbook's words are kept; only the figures are the post's.

Markdown is the one source; HTML is rendered from it, so both say the same thing."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

from icass.model import Methodology
from icass.model.tdy import Policy
from icass.money import format_grouped
from icass.tdy.rates import DAILY, UNIT, Rate, Rates, basket_rate, days_to_threshold

PLACEHOLDER = "$XX"
# Exhibit H-363.1-2's bullets: (key in [policy.direct_costs], the handbook's words before and after the figure).
DIRECT_COST_BULLETS = (
    (
        "overtime",
        "U.S. citizen and locally employed staff (LE Staff) overtime (e.g., airport expediter, cashier for "
        "accommodation exchange, motor pool drivers, etc.) (estimated cost: {}",
        ")",
    ),
    (
        "field_travel",
        "Per diem and miscellaneous travel costs for embassy employees in support of the TDY visitor's field travel "
        "(estimated cost: {}, depending on location and duration of the travel",
        ")",
    ),
    ("vehicle_without_driver", "Commercially leased vehicle without a driver: {} per day", ""),
    ("vehicle_with_driver", "Commercially leased vehicle with a driver: {} per day", ""),
    (
        "communication_devices",
        "Commercially obtained communication devices, rental and/or related charges at an estimated daily cost of {}",
        "",
    ),
    ("computer_fees", "Computer fees per user accounts and/or credential fees at an estimated cost of {}", ""),
    ("expediter", "Commercially obtained airport expediter services at a cost of {} per person", ""),
)
NO_INVOICE = (
    "As per post policy, post does not bill TDY visitors for ICASS administrative services through a TDY invoice."
)


def missing_direct_costs(policy: Policy) -> tuple[str, ...]:
    """The direct-cost estimates the post has not given: the text shows $XX for them (Exhibit H-363.1-2 NOTE 2)."""
    given = dict(policy.direct_costs)
    return tuple(key for key, _, _ in DIRECT_COST_BULLETS if key not in given)


def policy_markdown(policy: Policy, rates: Rates, mandatory: tuple[str, ...]) -> str:
    post = rates.post
    given = dict(policy.direct_costs)
    out = [
        f"# {post.name}: visitor and TDY policy",
        "",
        f"Rates for visits that end in fiscal year {rates.fiscal_year}, from the FY {post.fiscal_year} final ICASS "
        "budget (6 FAH-5 H-363.1-4 b).",
        "",
        *(
            [f"Approved by the ICASS Council on {policy.council_approved_on} (6 FAH-5 H-362 a).", ""]
            if policy.council_approved_on
            else []
        ),
        "## Direct costs (6 FAH-5 Exhibit H-363.1-2)",
        "",
        "Each visitor in their eCC request, and regardless of their length of stay, must provide fiscal data to pay "
        "for all direct costs for items or services requested by the agency for the visit. Each agency, "
        "organization, or visiting delegation is charged for the actual costs for items or services requested by "
        "and attributed to its visit. Direct costs include, but are not limited to:",
        "",
    ]
    out += [f"- {before.format(given.get(key, PLACEHOLDER))}{after};" for key, before, after in DIRECT_COST_BULLETS]
    out += ["- Any other commercial costs which are requested by and directly attributable to the visit.", ""]
    if not policy.invoices:
        return "\n".join([*out, NO_INVOICE, ""])
    threshold = f"${format_grouped(policy.threshold)}"
    out += [
        "## ICASS services and the TDY invoice (6 FAH-5 Exhibit H-363.1-4)",
        "",
        "TDY visitors who require ICASS support services are charged for the provision of those services in "
        "addition to any direct charges. The TDY visitor must include the ICASS agency billing code in the eCC "
        "request. A TDY invoice is prepared based on the ICASS services subscribed to by the TDY visitor if the "
        f"total cost for those services is {threshold} or more.",
        "",
        "TDY visitors with no sponsoring agency at post must be prepared to sign a memorandum of understanding (MOU) "
        "and complete a subscription of services (SOS) agreement upon arrival at post. The SOS identifies the ICASS "
        "support services requested. The TDY invoice must be signed before leaving the post. With the granting of "
        "country clearance by post through the eCC, the TDY visitor is authorized to sign the ICASS TDY invoice "
        "generated at post, and the agency commits to paying all charges associated with the TDY visit. The TDY "
        "visitor should contact its agency's financial management office to obtain the correct ICASS agency "
        "billing code.",
        "",
        "In cases where travel is urgent, the TDY visitors must bring the required financial documentation (e.g., "
        "travel orders, fund cite for direct-charges, and the ICASS agency code for ICASS charges) with them to "
        "ensure provision of services.",
        "",
    ]
    example = "Lite" if post.methodology == Methodology.LITE else "Standard"
    published = rates.published()
    daily = [r for r in published if r.basis == DAILY and r.rate]
    first = [r for r in daily if r.cost_center in mandatory]
    first.sort(key=lambda r: mandatory.index(r.cost_center))
    others = [r for r in daily if r.cost_center not in mandatory]
    out += [
        f"### TDY invoice charges per traveler, fiscal year {rates.fiscal_year} ({example} post)",
        "",
        "| service | rate |",
        "|---|---|",
    ]
    out += [f"| {_name(r)} (mandatory) | ${format_grouped(r.rate or 0)} per day |" for r in first]
    out += [f"| {_name(r)} | ${format_grouped(r.rate or 0)} per day |" for r in others]
    days = days_to_threshold(rates, policy.threshold, mandatory)
    if days is not None:
        out += [
            "",
            f"A visitor's four mandatory services reach the {threshold} threshold after {days} days at post "
            "(6 FAH-5 H-363.1-4 c).",
        ]
    units = [r for r in published if r.basis == UNIT and r.rate]
    if units:
        out += ["", "Plus, the following for TDY visitors with no sponsoring agency at post:", ""]
        out += ["| service | rate |", "|---|---|"]
        out += [f"| {_name(r)} | ${format_grouped(r.rate or 0)} a unit ({r.unit}) |" for r in units]
    if policy.baskets:
        out += [
            "",
            "Plus, one of the following General Services baskets for TDY visitors with no sponsoring agency at post:",
        ]
        out += ["", "| basket | rate |", "|---|---|"]
        for b in policy.baskets:
            rate = format_grouped(basket_rate(rates, b))
            out.append(f"| {b.name} ({', '.join(b.services)}) | ${rate} per day ({b.modification} modification) |")
        out += ["", "NOTE: Each basket is post-determined based on services provided."]
    return "\n".join([*out, ""])


def _name(rate: Rate) -> str:
    return f"{rate.cost_center} {rate.name}"


def policy_html(markdown: str) -> str:
    """The Markdown above as a standalone HTML page (markdown-it-py, which rich already brings)."""
    title = markdown.splitlines()[0].lstrip("# ")
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}</body>\n</html>\n"
    )
