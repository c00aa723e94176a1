"""The dashboard's charts as Vega-Lite specifications, built with Altair and drawn in the browser by the
vendored vega-embed (no CDN). A chart is a picture of the exact tables beside it: its bar lengths are dollars
as floating-point numbers, which is all a bar needs, and every tooltip shows the exact amount as text.

Altair takes most of a second to import, so it is imported when the first chart is built, in the web
process, never by a command of the CLI."""

from __future__ import annotations

from typing import Any

from icass.money import format_grouped

# Charts of more bars than this are cut to the largest (Altair refuses data past 5,000 rows by default;
# a post has about 100 cost centers and 60 agencies, so this is never reached in practice).
MOST_BARS = 400


def budget_chart(cost: list[tuple[str, str, int]]) -> dict[str, Any]:
    """The budget by cost center and funding source: (cost center, funding source, cents) rows, one stacked bar
    a cost center, largest first."""
    import altair as alt

    rows = [
        {"cost_center": cc, "funding": f, "dollars": cents / 100, "amount": format_grouped(cents)}
        for cc, f, cents in cost[:MOST_BARS]
        if cents
    ]
    chart = (
        alt.Chart(alt.InlineData(values=rows), title="The budget by cost center and funding source")
        .mark_bar()
        .encode(
            y=alt.Y("cost_center:N", title="Cost center", sort="-x"),
            x=alt.X("sum(dollars):Q", title="Dollars"),
            color=alt.Color("funding:N", title="Funding source"),
            tooltip=[
                alt.Tooltip("cost_center:N", title="Cost center"),
                alt.Tooltip("funding:N", title="Funding source"),
                alt.Tooltip("amount:N", title="Amount"),
            ],
        )
        .properties(width="container")
    )
    return dict(chart.to_dict())


def shares_chart(shares: list[tuple[str, str, int]]) -> dict[str, Any]:
    """Each agency's share of the post: (agency, name, cents) rows, one bar an agency, largest first."""
    import altair as alt

    rows = [
        {"agency": code, "name": name, "dollars": cents / 100, "amount": format_grouped(cents)}
        for code, name, cents in sorted(shares, key=lambda s: -s[2])[:MOST_BARS]
    ]
    chart = (
        alt.Chart(alt.InlineData(values=rows), title="Each agency's share")
        .mark_bar()
        .encode(
            y=alt.Y("agency:N", title="Agency", sort="-x"),
            x=alt.X("dollars:Q", title="Dollars"),
            tooltip=[
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("amount:N", title="Total"),
            ],
        )
        .properties(width="container")
    )
    return dict(chart.to_dict())
