"""The glossary and the handbook as the pages read them: every citation is a heading of the bundled text, every
heading is a section a person can open, and a search finds the sections that hold its words."""

from __future__ import annotations

from icass.catalog.chapters import chapter, chapters, search, section_place
from icass.catalog.glossary import OVERVIEW, glossary
from icass.catalog.sections import heading_of, headings


def test_every_glossary_citation_is_a_heading_of_the_handbook():
    cited = [(t.term, s) for t in glossary() for s in t.sections if s != OVERVIEW]
    assert cited
    assert [(term, s) for term, s in cited if heading_of(s) not in headings()] == []


def test_every_term_is_defined_once_and_has_a_place_on_the_page():
    terms = glossary()
    assert len({t.term.casefold() for t in terms}) == len(terms)
    assert len({t.anchor for t in terms}) == len(terms)
    assert all(t.definition and t.sections for t in terms)
    assert [t.term for t in terms] == sorted((t.term for t in terms), key=str.casefold)
    # the words issue 18 found unexplained on the pages
    named = {t.term for t in terms} | {t.also for t in terms}
    assert {"RB", "OBO", "LGP", "AmSal", "PAT", "Modification", "Below the line", "Stage", "Held"} <= named


def test_every_heading_is_a_section_to_read():
    sections = [s.citation for c in chapters() for s in c.sections]
    assert len(sections) == len(set(sections))
    assert set(sections) == headings()
    assert section_place("H-423.1-2") == ("h420", "H-423.1-2")
    assert section_place("Exhibit H-363.1-5") == ("h360", "Exhibit-H-363.1-5")
    assert section_place("H-999") is None


def test_a_section_holds_the_handbooks_words_without_the_page_furniture():
    funding = chapter("h420")
    assert funding is not None
    travel = next(s for s in funding.sections if s.citation == "H-423.1-2")
    assert travel.title == "ICASS Post Assignment Travel (PAT) Costs"
    assert travel.paragraphs[0].startswith("a. The Executive Office of the Bureau of Human Resources (HR/EX)")
    assert not any(
        p.startswith(("(CT:", "(Applies", "UNCLASSIFIED")) for c in chapters() for s in c.sections for p in s.paragraphs
    )
    assert funding.sections[0].title == "ICASS Funding Components"  # a chapter's title is on the line after its heading


def test_a_search_finds_the_sections_holding_every_word_in_any_case():
    found = search("post ASSIGNMENT travel")
    assert "H-423.1-2" in [f.section.citation for f in found]
    assert all(
        all(
            w in " ".join((f.section.title, *f.section.paragraphs)).casefold() for w in ("post", "assignment", "travel")
        )
        for f in found
    )
    assert search("   ") == ()
    assert search("zzzz-no-such-word") == ()
    assert len(search("the", limit=7)) == 7


def test_a_text_names_each_glossary_term_once_where_it_first_appears():
    from icass.catalog.glossary import pieces

    def named(text: str) -> list[tuple[str, str | None]]:
        found = pieces(text)
        assert "".join(p.text for p in found) == text  # nothing lost, nothing added
        return [(p.text, p.term.term) for p in found if p.term]

    assert named("RB money on the LGP cost centers, then rb and RB again") == [
        ("RB", "Regional bureau"),
        ("LGP", "Local guard program"),
        ("cost centers", "Cost center"),
    ]
    assert named("ICASS redistribution of ICASS costs") == [
        ("ICASS redistribution", "ICASS redistribution"),
        ("ICASS", "ICASS"),
    ]
    assert named("Modifications awaiting the budget committee") == [
        ("Modifications", "Modification"),
        ("budget committee", "Budget committee"),
    ]
    assert named("Sub-cost center 6150-X150 under its cost center") == [
        ("Sub-cost center", "Sub-cost center"),
        ("cost center", "Cost center"),
    ]
    assert named("workloads, a workloadless word, and workload") == [("workloads", "Workload count")]
    assert named("precost centered") == []
    assert pieces("") == []
