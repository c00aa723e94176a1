"""The TDY invoice path in Debian's Chromium (issue 20 §5): the FMO submits an invoice from its form, the ISC
rejects it (its reason first refused in the form, then given), on a phone's width without the page overflowing.
The page fixture fails the test on any console error or Content-Security-Policy violation."""

from __future__ import annotations

import datetime as dt

from icass.api import tdy as tdy_api
from tests.web.test_browser import FY, KVR, page, server, sign_in  # noqa: F401 (fixtures)

URL = f"/posts/{KVR}/{FY}/tdy"


def test_the_fmo_submits_and_the_isc_rejects_with_its_reason(page, monkeypatch):  # noqa: F811
    monkeypatch.setattr(tdy_api, "today", lambda: dt.date(2028, 7, 1))  # the server runs in this process
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, "fmo")
    page.goto(URL)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#tdy-T01-comment", "signed by the four travelers")
    page.click("#tdy-T01-submit_to_isc")
    page.wait_for_selector('#invoice-T01[data-state="submitted_to_isc"]')
    assert "signed by the four travelers" in page.inner_text("#tdy-T01-steps")
    assert page.locator("#tdy-T01-step").count() == 0  # nothing more for the FMO to do
    page.set_viewport_size({"width": 1024, "height": 800})  # on a phone, signing out is behind the menu
    page.click("#sign-out")
    page.wait_for_url("**/login")
    sign_in(page, "admin")
    page.goto(URL)
    page.click("#tdy-T01-reject")
    message = page.locator("#tdy-T01-message")
    message.wait_for(state="visible")
    assert "needs its reason" in message.inner_text()
    page.fill("#tdy-T01-comment", "the eCC number of Dev Patel is missing a digit")
    page.click("#tdy-T01-reject")
    page.wait_for_selector('#invoice-T01[data-state="rejected"]')
    assert "Rejected by admin" in page.inner_text("#tdy-T01-steps")
