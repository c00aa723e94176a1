"""The Record in a real browser (issue 18: "the Record with filters (who, what, post, dates)"): its filters are
USWDS combo boxes, picked by typing, with the fixtures of tests/web/test_browser.py."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.web.test_browser import KVR, page, server  # noqa: F401 (fixtures)


@pytest.mark.parametrize("width", [390, 1440])
def test_the_records_filters_are_combo_boxes_picked_by_typing(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    assert page.request.post("/api/session", data={"username": "admin", "password": DEMO_PASSWORD}).ok
    page.goto("/audit")
    for name in ("user", "action", "post"):
        box = page.locator(f'.usa-combo-box:has(select[name="{name}"])')
        assert box.locator("input.usa-combo-box__input").is_visible(), name
    post = page.locator('.usa-combo-box:has(select[name="post"])')
    post.locator("input.usa-combo-box__input").fill(KVR[:2])
    post.locator("li.usa-combo-box__list-option", has_text=KVR).first.click()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/audit?*post={KVR}*")
    # The choice stays picked in the page that answers, its combo box showing it.
    post = page.locator('.usa-combo-box:has(select[name="post"])')
    assert post.locator("input.usa-combo-box__input").input_value() == KVR
    assert post.locator('select[name="post"]').input_value() == KVR
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
