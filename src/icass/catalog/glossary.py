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


class Piece(NamedTuple):
    """A part of a text: words, and the glossary's term they name, if they name one."""

    text: str
    term: Term | None


@cache
def _pattern() -> tuple[re.Pattern[str], dict[str, Term]]:
    """Every name of a term: the term itself in any case (a plural's "s" with it), and its other name, which
    is matched as written when it is an abbreviation ("RB", not "rb"). Longest first, so that "ICASS
    redistribution" is found before "ICASS"."""
    names: dict[str, Term] = {}
    for term in glossary():
        names[term.term.casefold()] = term
        if term.also:
            names[term.also if term.also.isupper() else term.also.casefold()] = term
    ordered = sorted(names, key=len, reverse=True)
    alternatives = "|".join(
        f"(?-i:{re.escape(name)})" if name.isupper() else rf"{re.escape(name)}(?:s|es)?" for name in ordered
    )
    return re.compile(rf"(?i)(?<![\w-])(?:{alternatives})(?![\w-])"), names


def pieces(text: str) -> list[Piece]:
    """`text` cut where it names a term of the glossary, each term named once: at its first place, the other
    places left as words (a page links a term where it appears without a link in every sentence)."""
    pattern, names = _pattern()
    found: list[Piece] = []
    seen: set[str] = set()
    at = 0
    for match in pattern.finditer(text):
        word = match.group(0)
        term = names.get(word) or names.get(word.casefold()) or names.get(re.sub(r"e?s$", "", word.casefold()))
        if term is None or term.term in seen:
            continue
        seen.add(term.term)
        if match.start() > at:
            found.append(Piece(text[at : match.start()], None))
        found.append(Piece(word, term))
        at = match.end()
    if at < len(text):
        found.append(Piece(text[at:], None))
    return found
