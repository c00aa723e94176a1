"""The position and workload pages in a real browser (issue 18's test "the FMO adds a position with its time
allocation and sees the invoices change"), at a phone's and a desktop's width, with the fixtures of
tests/web/test_browser.py (each test fails on a console error or a refused script)."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.web.test_browser import AGENCY, CHROMIUM_ARGS, FY, KVR, _amount, page, server  # noqa: F401 (fixtures)

POSITIONS = f"/posts/{KVR}/{FY}/positions"
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _sign_in(page) -> None:  # noqa: F811
    assert page.request.post("/api/session", data={"username": "fmo", "password": DEMO_PASSWORD}).ok


@pytest.mark.parametrize("width", [390, 1440])
def test_the_fmo_adds_a_position_with_its_time_allocation_and_sees_the_invoices_change(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page)
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    before = _amount(page.inner_text("#invoice-total"))
    page.goto(f"/posts/{KVR}/{FY}/tables")
    page.get_by_role("link", name="Positions with their cost pools and time").click()
    page.wait_for_url(f"**{POSITIONS}")
    form = page.locator("#new-position")
    form.get_by_label("Position number").fill("G-900")
    form.get_by_label("Category").select_option("LE")
    form.get_by_label("Grade").fill("FSN-9")
    form.get_by_label("Title (optional)").fill("Motor pool dispatcher")
    form.get_by_label("Cost center 1", exact=True).select_option("6150")
    form.get_by_label("Percent of time 1", exact=True).fill("70")
    form.get_by_role("button", name="Another cost center").click()
    form.get_by_label("Cost center 4", exact=True).wait_for()  # three offered, one more asked for
    assert form.get_by_label("Percent of time 1", exact=True).input_value() == "70"  # kept as typed
    form.get_by_label("Cost center 4", exact=True).select_option("6134")
    form.get_by_label("Percent of time 4", exact=True).fill("20")
    form.get_by_label("Funding source 1", exact=True).select_option("RB")
    form.get_by_label("Object class (SOC) 1", exact=True).fill("1100")
    form.get_by_label("Amount in dollars 1", exact=True).fill("24,000")
    form.get_by_role("button", name="Add the position").click()
    # 70 + 20 is not 100: refused, the problem beside the percents, nothing saved, what was typed kept.
    beside = page.locator("#time_allocation-0-percent-error")
    beside.wait_for()
    assert "adds up to 90 percent, not 100" in beside.inner_text()
    assert form.get_by_label("Amount in dollars 1", exact=True).input_value() == "24,000"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator("#new-position").get_by_label("Percent of time 4", exact=True).fill("30")
    page.locator("#new-position").get_by_role("button", name="Add the position").click()
    page.wait_for_url("**/positions?made=G-900*")
    made = page.locator("#position-made")
    assert "Position G-900 was added" in made.inner_text()
    # The new position's section opens from the address: where its time goes, and its dollars.
    time = page.get_by_role("table", name="Where the time of G-900 goes, and its cost pool with it")
    time.wait_for()
    assert "6150 Basic Package Services" in time.inner_text()
    assert "16,800.00" in time.inner_text()  # 70% of $24,000
    assert "7,200.00" in time.inner_text()  # 30%
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    after = _amount(page.inner_text("#invoice-total"))
    assert Decimal(0) < after - before < Decimal(24000)  # the agency's share of the new position's pool


def test_the_fmo_removes_a_position_after_confirming(page):  # noqa: F811
    _sign_in(page)
    page.goto(f"/posts/{KVR}/{FY}")
    before = _amount(page.inner_text("#post-total"))
    page.goto(POSITIONS)
    section = page.locator("#positions .usa-accordion__button").first
    name = section.inner_text().split()[0]
    section.click()
    page.get_by_role("button", name=f"Remove {name}…").click()
    page.get_by_role("button", name="Keep it").click()  # thought better of it
    page.get_by_role("button", name=f"Remove {name}…").click()
    page.get_by_role("button", name=f"Yes, remove {name}").click()
    page.wait_for_url(f"**/positions?removed={name}")
    assert f"Position {name} was removed" in page.inner_text("#position-removed")
    page.goto(f"/posts/{KVR}/{FY}")
    assert _amount(page.inner_text("#post-total")) < before


@pytest.mark.parametrize("width", [390, 1440])
def test_a_count_left_empty_is_answered_in_its_row_and_the_derived_count_used_again(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page)
    page.goto(f"/posts/{KVR}/{FY}/workload")
    page.click('[aria-controls="cost-center-6150"]')
    row = page.locator("#line-6150-1931_0-UNIFORMED")
    field = row.locator('input[name="count"]')
    field.fill("")
    field.press("Enter")
    alert = page.locator("#line-6150-1931_0-UNIFORMED").get_by_role("alert")
    alert.wait_for()
    assert "Enter a count" in alert.inner_text()
    page.locator('#line-6150-1931_0-UNIFORMED input[name="count"]').fill("40")
    page.locator('#line-6150-1931_0-UNIFORMED input[name="count"]').press("Enter")
    page.locator("#line-6150-1931_0-UNIFORMED").get_by_role("status").wait_for()
    subtotal = page.locator("#subtotals-6150").inner_text()
    page.locator("#line-6150-1931_0-UNIFORMED").get_by_role("button", name="Use the derived count").click()
    page.locator("#line-6150-1931_0-UNIFORMED").get_by_text("now the count the records derive").wait_for()
    assert page.locator('#line-6150-1931_0-UNIFORMED input[name="count"]').input_value() == "9"
    assert page.locator("#subtotals-6150").inner_text() != subtotal  # the group's subtotal followed
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator("#line-6150-1931_0-UNIFORMED a", has_text="Derived").click()
    page.wait_for_url("**/workload/records?line=*")
    assert page.get_by_role("table", name="The records counted").locator("tbody tr").count() == 9


def test_a_link_to_a_count_opens_its_cost_center(page):  # noqa: F811
    # The source record editors link each record to the counts it is counted in: its cost center's lines of its
    # agency (a cost center's lines are rendered only on request), at the line's anchor.
    _sign_in(page)
    page.goto(f"/posts/{KVR}/{FY}/workload?cost_center=6150&agency={AGENCY}#line-6150-1931_0-UNIFORMED")
    page.locator('#line-6150-1931_0-UNIFORMED input[name="count"]').wait_for(state="visible")
    assert page.locator("#workload .usa-accordion__button").count() == 1  # only the linked cost center, open
    assert page.locator("#open-6150").get_attribute("aria-expanded") == "true"


@pytest.mark.parametrize("width", [390, 1440])
def test_a_cost_centers_counts_come_when_it_is_opened_and_page_in_place(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page)
    page.goto(f"/posts/{KVR}/{FY}/workload")
    assert page.locator("#workload tr").count() == 0  # no line before a section is opened
    page.locator("#open-5624").click()
    section = page.locator("#cost-center-5624")
    section.locator("tbody tr").first.wait_for()
    assert section.locator("tbody tr").count() == 25
    assert page.locator("#cost-center-6150").is_hidden()  # the others stay closed, their lines not fetched
    assert page.locator("#cost-center-6150 tr").count() == 0
    address = page.url
    section.get_by_role("link", name="Page 2, last page").click()
    section.get_by_text("Counts 26\u201327 of 27.").wait_for()
    assert section.locator("tbody tr").count() == 2
    assert page.url == address  # paged in place
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.get_by_label("Agency", exact=True).select_option("1100.0")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**/workload?cost_center=&agency=1100.0")
    page.locator("#workload .usa-accordion__button").first.click()
    rows = page.locator(".workload-lines tbody tr")
    rows.first.wait_for()
    assert all(text.startswith("1100.0") for text in rows.locator("th").all_inner_texts())


def test_a_cost_centers_counts_not_fetched_are_said_in_its_section(server):  # noqa: F811
    """A section whose lines cannot be fetched says so in place (static/workload.js). Its own browser: the `page`
    fixture fails on the console errors that htmx and Chromium log for the request cut here on purpose."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(base_url=server)
            _sign_in(page)
            page.goto(f"/posts/{KVR}/{FY}/workload")
            page.route("**/workload/lines?*", lambda route: route.abort())  # the workspace out of reach
            page.locator("#open-5624").click()
            alert = page.locator("#cost-center-5624").get_by_role("alert")
            alert.wait_for()
            assert "The counts were not fetched" in alert.inner_text()
            link = page.locator("#cost-center-5624").get_by_role("link", name="Show the counts of 5624")
            assert link.is_visible()  # to try again, without htmx
        finally:
            browser.close()


@pytest.mark.parametrize("width", [390, 1024, 1440])
def test_the_find_button_stands_level_with_the_search_field(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page)
    page.goto(POSITIONS)
    field = page.locator("#positions-search").bounding_box()
    button = page.get_by_role("search").get_by_role("button", name="Find").bounding_box()
    assert field is not None
    assert button is not None
    assert abs(field["y"] - button["y"]) < 1
    assert abs(field["height"] - button["height"]) < 1
    assert button["x"] >= field["x"] + field["width"] - 1  # beside it, not under it


@pytest.mark.parametrize("width", [390, 1440])
def test_a_warning_is_left_as_it_is_from_the_posts_home_with_a_reason(page, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page)
    csrf = page.request.get("/api/session").json()["csrf_token"]
    line = {"cost_center": "8790", "funding": "RB", "soc": "2600", "amount": "9000000", "description": "fees"}
    assert page.request.post(f"/api/posts/{KVR}/{FY}/budget-lines", data=line, headers={"X-CSRF-Token": csrf}).ok
    page.goto(f"/posts/{KVR}/{FY}")
    page.locator("details.acknowledge summary").first.click()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)  # the open form fits a phone
    page.get_by_label("Why is it right for this post?").first.fill("Bank fees of the move")
    page.get_by_role("button", name="Acknowledge the warning").first.click()
    page.locator("#acknowledged").wait_for()
    assert "Bank fees of the move (fmo, " in page.inner_text("#acknowledged")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
