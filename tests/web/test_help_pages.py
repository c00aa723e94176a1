"""The help every signed-in person has: the glossary, the handbook to read and search, the API explorer served
from the workspace itself, and the pages' icon."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from icass.catalog.glossary import glossary
from tests.web.test_web import app, signed_in  # noqa: F401 (app is a fixture)


def test_the_glossary_links_each_cited_section_to_its_text(app):  # noqa: F811 (the fixture)
    client, _ = signed_in(app, "committee")
    page = client.get("/glossary")
    assert page.status_code == 200
    for term in glossary():
        assert f'id="{term.anchor}"' in page.text
    links = sorted(set(re.findall(r'href="(/handbook/[^"]+)"', page.text)))
    assert "/handbook/h420/H-423.1-2" in links
    for link in links:
        section = client.get(link)
        assert section.status_code == 200, link
        assert "6 FAH-5" in section.text


def test_the_handbook_is_searched_and_read_section_by_section(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    found = client.get("/handbook", params={"q": "post assignment travel"})
    assert found.status_code == 200
    assert 'href="/handbook/h420/H-423.1-2"' in found.text
    assert "No section holds" in client.get("/handbook", params={"q": "zzzz-no-such-word"}).text
    assert client.get("/handbook", params={"q": "x" * 201}).status_code == 422
    chapter = client.get("/handbook/h360")
    assert 'href="/handbook/h360/Exhibit-H-363.1-5"' in chapter.text
    section = client.get("/handbook/h420/H-423.1-2")
    assert "Previous: H-423.1-1" in section.text
    assert "Next: H-423.2" in section.text
    assert client.get("/handbook/h999").status_code == 404
    assert client.get("/handbook/h420/H-999").status_code == 404


def test_help_needs_a_session(app):  # noqa: F811
    for path in ("/glossary", "/handbook", "/handbook/h420", "/handbook/h420/H-421"):
        answer = TestClient(app).get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path


def test_the_api_explorer_and_the_icon_are_served_here(app):  # noqa: F811
    client = TestClient(app)
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources
    assert all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "cdn" not in docs.text.lower()
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/login").text


def test_a_refused_address_is_a_page_in_sentences_not_json(app):  # noqa: F811
    client, _ = signed_in(app, "admin")
    answer = client.get("/posts/KVR/2027/tdy", params={"as_of": "2027-13-45"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Something to correct</h1>" in answer.text
    assert "As of: input should be a valid date" in answer.text
    assert "(given: 2027-13-45)." in answer.text
    assert '"loc"' not in answer.text
    missing = client.get("/posts/ZZZ/2027")
    assert missing.status_code == 404
    assert "<h1>Not found</h1>" in missing.text
    # the API keeps its JSON
    api = client.get("/api/posts/KVR/2027/tdy/invoices", params={"as_of": "2027-13-45"})
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/json")


def test_a_term_is_linked_to_its_glossary_entry_where_a_page_names_it():
    from icass.web.render import templates

    macro = templates.env.from_string('{% from "macros.html" import linked %}{{ linked(text) }}')
    html = macro.render(text="Budget by cost center & <funding source>, cost center again")
    assert html.count('href="/glossary#cost-center"') == 1
    assert 'href="/glossary#funding-source"' in html
    assert "&amp; &lt;" in html  # the words around the terms are escaped like any text
    assert "<funding" not in html


def test_the_years_words_are_in_the_glossary_and_its_pages_link_them(app):  # noqa: F811
    """A new member of the committee met "data call", "count date", "staffing certification", "workload approval"
    and "version" on the year's pages and found none of them in the glossary."""
    from tests.versions import recommended

    recommended(app.state.engine, "KVR", 2027)
    client, _ = signed_in(app, "committee")
    glossary = client.get("/glossary").text
    for anchor in ("budget-version", "count-date", "data-call", "staffing-certification", "workload-approval"):
        assert f'id="{anchor}"' in glossary, anchor
    for page, anchor in (
        ("/posts/KVR/2027/staffing", "staffing-certification"),
        ("/posts/KVR/2027/workload-approval/1931.0", "workload-approval"),
        ("/posts/KVR/2027", "budget-version"),
    ):
        assert f'href="/glossary#{anchor}" id="glossary-link"' in client.get(page).text, page
    admin, _ = signed_in(app, "admin")
    assert 'href="/glossary#data-call" id="glossary-link"' in admin.get("/world/2027/data-call").text
