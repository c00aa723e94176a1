"""Tables for the terminal, built from their rows so an amount is never cut: number columns are at least as
wide as their widest value, and only name columns give way (with an ellipsis) when the screen is narrow.

Every string is data, shown as it is: an agency called `State [/]` must not be read as rich markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

CODE, TEXT, WIDE, NUMBER, PROSE = "code", "text", "wide", "number", "prose"


def grid(
    title: str,
    columns: Sequence[tuple[str, str]],
    body: Sequence[Sequence[str]],
    footer: Sequence[Sequence[str]] = (),
    caption: str | None = None,
) -> Table:
    """`columns` are (header, CODE | TEXT | WIDE | NUMBER | PROSE); PROSE wraps rather than cut (an explanation
    read whole); `footer` rows come bold, below a rule."""
    table = Table(
        title=Text(title, style="table.title"),
        caption=None if caption is None else Text(caption, style="table.caption"),
    )
    for i, (header, kind) in enumerate(columns):
        if kind == NUMBER:
            widest = max((len(row[i]) for row in (*body, *footer)), default=0)
            table.add_column(Text(header), justify="right", no_wrap=True, min_width=widest)
        elif kind == PROSE:
            table.add_column(Text(header), overflow="fold")
        elif kind in (TEXT, WIDE):
            table.add_column(Text(header), max_width=44 if kind == TEXT else 72, no_wrap=True, overflow="ellipsis")
        else:
            table.add_column(Text(header), no_wrap=True)
    for row in body:
        table.add_row(*map(Text, row))
    if footer:
        table.add_section()
        for row in footer:
            table.add_row(*map(Text, row), style="bold")
    return table
