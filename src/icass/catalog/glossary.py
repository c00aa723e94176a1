"""The glossary: the words of ICASS the pages use, each explained with the handbook sections it comes from
(glossary.toml). Read once; the pages link each term to its entry and each section to the handbook's text."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import NamedTuple

OVERVIEW = "ICASS overview"  # the ISC's overview page bundled beside the handbook (handbook/overview.txt)


class Term(NamedTuple):
    term: str
    also: str  # the abbreviation or other name a page may use; empty if none
    definition: str
    sections: tuple[str, ...]  # handbook citations, or OVERVIEW

    @property
    def anchor(self) -> str:
        """The term's id on the glossary page: `time-allocation`."""
        return re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-")


@cache
def glossary() -> tuple[Term, ...]:
    text = (resources.files("icass.catalog") / "glossary.toml").read_text(encoding="utf-8")
    terms = tuple(
        Term(entry["term"], entry.get("also", ""), entry["definition"], tuple(entry["sections"]))
        for entry in tomllib.loads(text)["term"]
    )
    return tuple(sorted(terms, key=lambda t: t.term.lower()))
