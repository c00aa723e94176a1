"""The FMO's acknowledgements of warnings (acknowledgements.csv): a warning of a budget rule on a row the FMO
has acknowledged is marked with the reason, so that every face shows it beside the warning and counts it no
longer as open; an acknowledgement whose warning is no longer raised is itself a warning, so that reasons do not
outlive what they answered. That only warnings are acknowledged, of rules that exist, is checked as the file is
read (icass.bundle.load.read_acknowledgements)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from icass.diagnostics import ERROR, Diagnostic, has_errors, warning
from icass.model import Acknowledgement


def acknowledge(
    diagnostics: Sequence[Diagnostic], acknowledgements: Sequence[Acknowledgement]
) -> tuple[Diagnostic, ...]:
    if not acknowledgements:
        return tuple(diagnostics)
    by_place = {(a.rule, a.file, a.row): a for a in acknowledgements}
    used: set[tuple[str, str, int]] = set()
    found: list[Diagnostic] = []
    for d in diagnostics:
        place = (d.rule, d.source.place, d.source.row)
        known = by_place.get(place) if d.rule and d.severity != ERROR else None
        if known is None:
            found.append(d)
        else:
            used.add(place)
            found.append(dataclasses.replace(d, acknowledged=f"{known.reason} ({known.by}, {known.on.isoformat()})"))
    # A run stopped by an error has not judged every rule yet: its unanswered acknowledgements prove nothing.
    if not has_errors(found):
        found += [
            warning(
                a.source,
                f"acknowledges {a.rule} on {a.file}" + (f", row {a.row}" if a.row else "") + ", which is no longer "
                "raised there: remove the acknowledgement, or move it to the row the warning is on now",
                field="row",
            )
            for place, a in by_place.items()
            if place not in used
        ]
    return tuple(found)
