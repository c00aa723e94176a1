"""The handbook's text as chapters of sections, to read and search in the workspace. The bundled text
(handbook/*.txt) is kept as received; each section runs from its heading line to the next one."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import NamedTuple

from icass.catalog.sections import HEADING

# The three chapters of 6 FAH-5 the project bundles, in the handbook's order; the overview is not 6 FAH-5.
CHAPTERS = (
    ("h340", "h340-cost-centers.txt", "H-340 Cost centers"),
    ("h360", "h360-visitors.txt", "H-360 Visitors"),
    ("h420", "h420-funding.txt", "H-420 Funding"),
)
# Lines of the received text that are page furniture, not the handbook's words.
FURNITURE = re.compile(r"^(UNCLASSIFIED \(U\)|\(CT:ICASS-[^)]*\)|\(Office of Origin:[^)]*\)|\(Applies to [^)]*\))$")


class Section(NamedTuple):
    citation: str  # as cited: `H-422.1`, `Exhibit H-421`
    title: str
    paragraphs: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """The section's id on its chapter's page: `H-422.1`, `Exhibit-H-421`."""
        return self.citation.replace(" ", "-")


class Chapter(NamedTuple):
    slug: str
    title: str
    sections: tuple[Section, ...]


class Found(NamedTuple):
    chapter: Chapter
    section: Section
    excerpt: str  # the first paragraph that holds the words searched for


@cache
def chapters() -> tuple[Chapter, ...]:
    folder = resources.files("icass.catalog") / "handbook"
    return tuple(
        Chapter(slug, title, _sections((folder / name).read_text(encoding="utf-8"))) for slug, name, title in CHAPTERS
    )


def chapter(slug: str) -> Chapter | None:
    return next((c for c in chapters() if c.slug == slug), None)


def section_place(citation: str) -> tuple[str, str] | None:
    """Where a cited section is read: (chapter slug, anchor), or None if no bundled chapter has it."""
    for c in chapters():
        for s in c.sections:
            if s.citation == citation:
                return c.slug, s.anchor
    return None


def search(words: str, limit: int = 50) -> tuple[Found, ...]:
    """The sections holding every one of `words` (any case), in the handbook's order, at most `limit`."""
    wanted = [w.casefold() for w in words.split()]
    if not wanted:
        return ()
    found: list[Found] = []
    for c in chapters():
        for s in c.sections:
            text = " ".join((s.title, *s.paragraphs)).casefold()
            if all(w in text for w in wanted):
                excerpt = next((p for p in s.paragraphs if any(w in p.casefold() for w in wanted)), s.title)
                found.append(Found(c, s, excerpt))
                if len(found) == limit:
                    return tuple(found)
    return tuple(found)


def _sections(text: str) -> tuple[Section, ...]:
    sections: list[Section] = []
    citation, title = "", ""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        kept = [" ".join(line.split()) for line in block.splitlines()]
        line = " ".join(part for part in kept if part and not FURNITURE.match(part))
        if not line:
            continue
        heading = HEADING.match(line)
        if heading:
            if citation:
                sections.append(Section(citation, title, tuple(paragraphs)))
            exhibit, number = heading.groups()
            citation = f"Exhibit {number}" if exhibit else number
            title, paragraphs = line[heading.end() :].strip(), []
        elif citation and not title and not paragraphs:  # a chapter's heading has its title on the next line
            title = line
        elif citation:
            paragraphs.append(line)
    if citation:
        sections.append(Section(citation, title, tuple(paragraphs)))
    return tuple(sections)
