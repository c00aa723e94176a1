"""Issue 18's browser flows of the committee and the what-if, in Chromium under the Content-Security-Policy (the
`page` fixture fails on any console error or policy violation)."""

from __future__ import annotations

from tests.web.test_browser import AGENCY, FY, KVR, _amount, page, server, sign_in  # noqa: F401 (fixtures)


def test_the_committee_approves_a_modification_with_a_note_from_the_queue(page):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "committee")
    page.goto(f"/posts/{KVR}/{FY}")
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_url(f"**/posts/{KVR}/{FY}/committee")
    review = page.locator("section.review").first
    heading = review.locator("h3").inner_text()
    review.locator("textarea").fill("Approved at the meeting of 3 December")
    review.get_by_role("button", name="Approve…").click()
    modal = page.locator(".usa-modal-wrapper.is-visible .usa-modal")  # USWDS moves it to the end of the page
    modal.wait_for(state="visible")
    assert "Approve this modification?" in modal.inner_text()
    assert "becomes" in modal.inner_text()  # it says what is decided
    assert "its invoice by $" in modal.inner_text()
    with page.expect_navigation():
        modal.get_by_role("button", name="Approve", exact=True).click()
    page.locator("#decided-now").wait_for()
    assert "Approved for" in page.inner_text("#decided-now")
    decided = page.locator("#decided tbody tr").filter(has_text=heading)
    assert "Approved" in decided.inner_text()
    assert "Approved at the meeting of 3 December" in decided.inner_text()
    assert heading not in [h.inner_text() for h in page.locator("section.review h3").all()]
    page.screenshot(path="/tmp/committee-queue.png", full_page=True)
