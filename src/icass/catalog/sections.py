"""The handbook's section headings, so that every citation can be checked against the text itself."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# The exhibits of H-340 are headed "EXHIBIT", those of H-360 and H-420 "Exhibit".
HEADING = re.compile(r"^6 FAH-5 (?:((?i:EXHIBIT)) )?(H-\d+(?:\.\d+)*(?:-\d+)?(?:\([A-Z]\))?)", re.MULTILINE)


@cache
def headings() -> frozenset[str]:
    """Every heading of the bundled handbook text, as cited: `H-341.4-4`, `H-341.5-1(D)`, `Exhibit H-341`."""
    found: set[str] = set()
    folder = resources.files("icass.catalog") / "handbook"
    for item in folder.iterdir():
        if item.name.endswith(".txt"):
            for exhibit, number in HEADING.findall(item.read_text(encoding="utf-8")):
                found.add(f"Exhibit {number}" if exhibit else number)
    return frozenset(found)


def heading_of(citation: str) -> str:
    """`H-341.4-4 a(2)` -> `H-341.4-4`; `Exhibit H-341` stays whole."""
    if citation.startswith("Exhibit "):
        return " ".join(citation.split()[:2])
    return citation.split()[0]
