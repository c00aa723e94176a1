"""The workspace by keyboard alone (issue 18, "every control reachable and usable by keyboard", WCAG 2.1.1):
a person signs in, opens the menu on a phone's width, goes to a page and signs out, pressing Tab, Enter and
typing only. Every page's controls are held to the same by the every-page test (KEYBOARD there)."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.web.test_browser import page, server  # noqa: F401 (fixtures)


def _tab_to(page, matches: str, limit: int = 80) -> None:  # noqa: F811
    """Press Tab until the focused element matches the CSS selector `matches` (and is visible)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(selector) => { const e = document.activeElement;"
            " return !!e && e.matches(selector) && e.getClientRects().length > 0; }",
            matches,
        ):
            return
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"{limit} presses of Tab never reached {matches}; the focus is on {focused}")


def _tab_to_navigation(page, width: int, matches: str) -> None:  # noqa: F811
    """Tab to a control of the navigation, which is behind USWDS's menu button below 1,024 px."""
    if width < 1024:
        _tab_to(page, ".usa-menu-btn")
        page.keyboard.press("Enter")
        page.locator(".usa-nav.is-visible").wait_for()
    _tab_to(page, matches)


@pytest.mark.parametrize("seeded_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("width", [390, 1440])
def test_a_person_works_by_keyboard_alone(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/login")
    _tab_to(page, "#username")
    page.keyboard.type("fmo")
    _tab_to(page, "#password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    _tab_to_navigation(page, width, "nav a[href='/audit']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/audit")
    assert page.locator("h1").count() == 1
    _tab_to_navigation(page, width, "#sign-out")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
