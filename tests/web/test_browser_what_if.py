"""Issue 18's what-if in Chromium: a count picked by its name and changed, its effect on every agency seen as it
is made, applied after the step that says what will change, and its comparison still shown once applied (the
post before it against the post after it). The `page` fixture fails on any console error or policy violation."""

from __future__ import annotations

from tests.web.test_browser import AGENCY, FY, KVR, _amount, page, server, sign_in  # noqa: F401 (fixtures)


def test_a_what_if_change_made_seen_applied_after_confirmation_and_still_compared(page):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "fmo")
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    before = _amount(page.inner_text("#invoice-total"))
    page.goto(f"/posts/{KVR}/{FY}")
    page.get_by_role("link", name="What-if").click()
    page.wait_for_url(f"**/posts/{KVR}/{FY}/scenarios")
    page.fill("#scenario-name", "more uniformed staff")
    page.click("#new-scenario button[type=submit]")
    page.wait_for_url(f"**/posts/{KVR}/{FY}/scenarios/*")
    here = page.url
    assert page.locator("#no-changes").is_visible()
    # Pick the line by its name in USWDS's combo box (its id is on the text field it makes of the select).
    page.locator("#pick-workload").fill(f"({AGENCY}) in")
    option = page.locator("#pick-workload--list li").filter(has_text="(6150), factor UNIFORMED").first
    option.click()
    page.fill("#value-workload", "250")
    page.locator("#change-workload button[type=submit]").click()
    saved = page.locator("#scenario-saved")
    saved.wait_for()
    assert f"({AGENCY}) in " in saved.inner_text()
    assert "→ 250" in saved.inner_text()
    assert "→ 250" in page.inner_text("#changes")
    row = page.locator(f"#agency-{AGENCY.replace('.', '_')}")
    baseline = _amount(row.locator(".baseline").inner_text())
    scenario = _amount(row.locator(".scenario").inner_text())
    assert baseline == before
    assert scenario > baseline
    assert _amount(row.locator(".difference").inner_text()) == scenario - baseline
    page.screenshot(path="/tmp/what-if.png", full_page=True)
    # Nothing of the post moved until it is applied, after the step that says what will change.
    page.click("#review-apply")
    page.wait_for_url(f"{here}/apply")
    assert "→ 250" in page.inner_text("#apply-changes")
    assert f"({AGENCY})" in page.inner_text("#apply-agencies")
    page.screenshot(path="/tmp/what-if-apply.png", full_page=True)
    with page.expect_navigation(url=here):
        page.click("#apply")
    page.locator("#applied").wait_for()
    row = page.locator(f"#agency-{AGENCY.replace('.', '_')}")
    assert _amount(row.locator(".baseline").inner_text()) == baseline  # the post before it was applied
    assert _amount(row.locator(".scenario").inner_text()) == scenario
    assert _amount(row.locator(".difference").inner_text()) == scenario - baseline != 0
    page.screenshot(path="/tmp/what-if-applied.png", full_page=True)
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    assert _amount(page.inner_text("#invoice-total")) == scenario
