"""A version's page and its invoice page in Chromium (issue 20 §1), as tests/web/test_browser_every_page.py
judges every page: no sideways scroll at a phone's, a tablet's and a desktop's width, nothing logged or refused
by the Content-Security-Policy, no serious axe-core violation, headings in order, every control by keyboard. The
demo has no version, so the walk over every page does not reach these."""

from __future__ import annotations

import pytest

from icass.store.database import open_database
from tests.conftest import DEMO_PASSWORD
from tests.versions import recommended
from tests.web.test_browser import AGENCY, FY, KVR, REPORT_VIOLATIONS, server  # noqa: F401 (fixture)
from tests.web.test_browser_every_page import _visit, browser  # noqa: F401 (fixture)


@pytest.mark.parametrize("seeded_url", ["sqlite"], indirect=True)
def test_a_versions_pages_at_every_width(server, browser, seeded_url):  # noqa: F811
    engine = open_database(seeded_url)
    try:
        number = recommended(engine, KVR, FY)
    finally:
        engine.dispose()
    context = browser.new_context(base_url=server)
    try:
        assert context.request.post("/api/session", data={"username": "fmo", "password": DEMO_PASSWORD}).ok
        page = context.new_page()
        page.add_init_script(REPORT_VIOLATIONS)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        version = f"/posts/{KVR}/{FY}/versions/{number}"
        problems, links = _visit(page, version, errors)
        assert problems == []
        invoice = f"{server}{version}/invoices/{AGENCY}"
        assert invoice in links
        problems, links = _visit(page, invoice.removeprefix(server), errors)
        assert problems == []
        assert f"{server}{version}" in links  # the invoice of a version links back to it
    finally:
        context.close()
