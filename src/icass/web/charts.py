"""The dashboard's charts as Vega-Lite specifications, built with Altair and drawn in the browser by the
vendored vega-embed (no CDN). A chart is a picture of the exact tables beside it: its bar lengths are dollars
as floating-point numbers, which is all a bar needs, and every tooltip shows the exact amount as text.

Altair takes most of a second to import, so it is imported when the first chart is built, in the web
process, never by a command of the CLI. Altair validates every specification against Vega-Lite's JSON schema,
which costs many times what the rest of the dashboard does, so the charts are made once for a post's summary
(icass.web.posts keeps the dashboard's figures with it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from icass.money import format_grouped
from icass.views.summary import PostSummary

# The dashboard's import map: vega-interpreter, an ES module, imports the bare name "vega-util", which only an
# import map can resolve (static/vega-util.js). The one inline script of any page; its hash is what the
# Content-Security-Policy allows (icass.web.app), so the page must hold exactly this text.
IMPORT_MAP = '{"imports": {"vega-util": "/static/vega-util.js"}}'

# Charts of more bars than this are cut to the largest (Altair refuses data past 5,000 rows by default;
# a post has about 100 cost centers and 60 agencies, so this is never reached in practice).
MOST_BARS = 400


@dataclass(frozen=True)
class DashboardCharts:
    """A post's two charts, each its Vega-Lite specification as JSON for the page's script elements of type
    application/json, as Jinja2's tojson filter writes it (keys sorted, markup characters escaped)."""

    budget: Markup
    shares: Markup


def dashboard_charts(summary: PostSummary) -> DashboardCharts:
    return DashboardCharts(
        _script_json(budget_chart(list(summary.cells), {c.cost_center: c.name for c in summary.cost_centers})),
        _script_json(shares_chart([(a.agency, a.name, a.total) for a in summary.agencies])),
    )


def _script_json(spec: dict[str, Any]) -> Markup:
    return htmlsafe_json_dumps(spec, dumps=json.dumps, sort_keys=True)


def _named(name: str, code: str) -> str:
    return f"{name} ({code})" if name else code


def budget_chart(cost: list[tuple[str, str, int]], names: dict[str, str] | None = None) -> dict[str, Any]:
    """The budget by cost center and funding source: (cost center, funding source, cents) rows, one stacked bar
    a cost center (by its name and code, `names`), largest first."""
    rows = [
        {
            "cost_center": cc,
            "label": _named((names or {}).get(cc, ""), cc),
            "funding": f,
            "dollars": cents / 100,
            "amount": format_grouped(cents),
        }
        for cc, f, cents in cost[:MOST_BARS]
        if cents
    ]
    named = {"label": "Cost center", "funding": "Funding source", "amount": "Amount"}
    return _bars("The budget by cost center and funding source", rows, "label", named, stack="funding")


def shares_chart(shares: list[tuple[str, str, int]]) -> dict[str, Any]:
    """Each agency's share of the post: (agency, name, cents) rows, one bar an agency, largest first."""
    rows = [
        {"agency": code, "label": _named(name, code), "dollars": cents / 100, "amount": format_grouped(cents)}
        for code, name, cents in sorted(shares, key=lambda s: -s[2])[:MOST_BARS]
    ]
    return _bars("Each agency's share", rows, "label", {"label": "Agency", "amount": "Total"})


def _bars(title: str, rows: list[dict[str, Any]], bar: str, named: dict[str, str], stack: str = "") -> dict[str, Any]:
    """Horizontal bars of `dollars`, one a value of `bar` (stacked by `stack`), largest first; the tooltip
    gives the fields of `named` under their titles."""
    import altair as alt

    encoding: dict[str, Any] = {
        "y": alt.Y(f"{bar}:N", title=named[bar], sort="-x"),
        "x": alt.X("sum(dollars):Q", title="Dollars"),
        "tooltip": [alt.Tooltip(f"{field}:N", title=name) for field, name in named.items()],
    }
    if stack:
        encoding["color"] = alt.Color(f"{stack}:N", title=named[stack])
    chart = alt.Chart(alt.InlineData(values=rows), title=title).mark_bar().encode(**encoding)
    return dict(chart.properties(width="container").to_dict())
