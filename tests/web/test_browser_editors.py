"""The table editors in a real browser (issue 8 §4, issue 18): an FMO edits a row through USWDS's combo box and
date picker, sees every problem of a refused Save beside its field, adds a row from the form above the rows and
deletes it (confirmed in a USWDS modal), on a phone's width and a desktop's, against `icass serve`'s application,
with the fixtures of tests/web/test_browser.py."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD
from tests.web.test_browser import FY, KVR, _amount, page, server  # noqa: F401 (fixtures)
from tests.web.test_browser_every_page import AXE, RUN_AXE

TABLES = f"/posts/{KVR}/{FY}/tables"
WIDTHS = [390, 1440]


def _signed_in(page, width: int) -> None:  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    # Signed in through the API: the browser's context shares the session cookie (tests/web/test_browser.py signs
    # in by the form).
    assert page.request.post("/api/session", data={"username": "fmo", "password": DEMO_PASSWORD}).ok


def _no_sideways_scroll(page) -> None:  # noqa: F811
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _pick(page, row, field: str, typed: str, option: str) -> None:  # noqa: F811
    """Pick `option` in the row's combo box of `field` by typing part of its name, as a person does."""
    box = row.locator(f'.usa-combo-box:has(select[name="{field}"])')
    box.locator("input.usa-combo-box__input").fill(typed)
    box.locator("li.usa-combo-box__list-option", has_text=option).first.click()
    assert box.locator(f'select[name="{field}"]').input_value() == option.split(" ")[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_fmo_edits_a_budget_line_through_its_combo_box(page, width):  # noqa: F811
    _signed_in(page, width)
    page.goto(f"/posts/{KVR}/{FY}")
    before = _amount(page.inner_text("#post-total"))
    page.goto(f"{TABLES}/budget-lines")
    row = page.locator("#rows tr").first
    row_id = row.get_attribute("id")
    old = _amount(row.locator("td.text-right").first.inner_text())
    row.get_by_role("link", name="Edit").click()
    editing = page.locator(f"#{row_id}.editing")
    editing.wait_for()
    _no_sideways_scroll(page)
    # A refused Save: every problem at once, beside its field; the fields stay as they were typed.
    soc = editing.locator('input[name="soc"]').input_value()
    editing.locator('input[name="soc"]').fill("")
    editing.locator('input[name="amount"]').fill("12,00")
    editing.get_by_role("button", name="Save").click()
    page.locator(f'#{row_id} [data-field="amount"]').wait_for()
    assert "Amount: '12,00' is not an amount in dollars" in page.inner_text(f'#{row_id} [data-field="amount"]')
    assert page.inner_text(f'#{row_id} [data-field="soc"]') == "SOC is empty"
    assert editing.locator('input[name="amount"]').input_value() == "12,00"
    # Then put right: a cost center picked by its name, an amount typed as people type it.
    editing.locator('input[name="soc"]').fill(soc)
    _pick(page, editing, "cost_center", "vehicle maint", "6132 Vehicle Maintenance Services")
    amount = old + Decimal("100")
    editing.locator('input[name="amount"]').fill(f"${amount:,.0f}")
    editing.get_by_role("button", name="Save").click()
    saved = page.locator(f"#{row_id}:not(.editing)")
    saved.get_by_role("status").wait_for()
    assert "6132" in saved.inner_text()
    assert "Vehicle Maintenance Services" in saved.inner_text()
    assert f"{amount:,.2f}" in saved.inner_text()
    assert saved.locator("input").count() == 0  # shown again, not edited
    _no_sideways_scroll(page)
    page.goto(f"/posts/{KVR}/{FY}")
    assert _amount(page.inner_text("#post-total")) == before + Decimal("100")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_fmo_dates_a_modification_with_the_date_picker(page, width):  # noqa: F811
    _signed_in(page, width)
    page.goto(f"{TABLES}/modifications")
    row = page.locator("#rows tr").first
    row_id = row.get_attribute("id")
    row.get_by_role("link", name="Edit").click()
    editing = page.locator(f"#{row_id}.editing")
    editing.wait_for()
    picker = editing.locator('.usa-date-picker:has(input[name="bc_approved_on"])')
    picker.locator("button.usa-date-picker__button").click()
    this_month = (
        "button.usa-date-picker__calendar__date[data-day='15']"
        ":not(.usa-date-picker__calendar__date--previous-month):not(.usa-date-picker__calendar__date--next-month)"
    )
    day = picker.locator(this_month)
    chosen = day.get_attribute("data-value")
    assert chosen is not None
    day.click()
    assert picker.locator("input.usa-date-picker__internal-input").input_value() == chosen
    year, month, day_of_month = chosen.split("-")  # the field shows it as people in the US write it
    assert picker.locator('input[name="bc_approved_on"]').input_value() == f"{month}/{day_of_month}/{year}"
    _no_sideways_scroll(page)
    editing.get_by_role("button", name="Save").click()
    page.locator(f"#{row_id}:not(.editing)").get_by_role("status").wait_for()
    assert chosen in page.inner_text(f"#{row_id}")
    answer = page.request.get(f"/api/posts/{KVR}/{FY}/modifications/{row_id.removeprefix('row-')}")
    assert answer.json()["bc_approved_on"] == chosen


def test_the_fmo_adds_a_row_from_the_form_above_and_deletes_it(page):  # noqa: F811
    _signed_in(page, 1440)
    page.goto(f"/posts/{KVR}/{FY}")
    before = _amount(page.inner_text("#post-total"))
    page.goto(f"{TABLES}/budget-lines")
    new = page.locator("#new-row")
    new.locator('select[name="funding"]').select_option("PAT")  # refused: PAT comes from the grades (H-423.1-2)
    new.locator('input[name="soc"]').fill("2330")
    new.locator('input[name="amount"]').fill("$1,040")
    new.locator('input[name="description"]').fill("Added in the browser")
    _pick(page, new, "cost_center", "information management", "5458 Information Management Technical")
    new.get_by_role("button", name="Add").click()
    page.locator('#new-problems-funding [data-field="funding"]').wait_for()
    assert "(rule R01) (6 FAH-5 H-423.1 b; H-423.1-1 b; H-423.1-2 b)" in page.inner_text("#new-problems-funding")
    new.locator('select[name="funding"]').select_option("RB")
    new.get_by_role("button", name="Add").click()
    added = page.locator("#rows tr", has_text="Added in the browser")
    added.wait_for()
    assert page.locator("#rows tr").first.get_attribute("id") == added.get_attribute("id")  # atop the rows
    assert "1,040.00" in added.inner_text()
    assert page.inner_text("#new-problems-funding") == ""  # the old problem cleared
    # Delete is confirmed in the page's USWDS modal, by keyboard, never in the browser's own dialog.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    number = added.locator(".row-number").inner_text()
    added.get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    modal = page.locator("#delete-row .usa-modal")
    modal.wait_for(state="visible")
    assert f"Row {number} of budget lines" in modal.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "Keep it"  # the safe choice has the focus
    page.evaluate(AXE.read_text())
    assert page.evaluate(RUN_AXE) == []  # the page with its modal open, as axe-core judges every page
    page.keyboard.press("Escape")  # kept
    modal.wait_for(state="hidden")
    assert added.is_visible()
    assert page.evaluate("document.activeElement.closest('tr')?.id") == added.get_attribute("id")
    page.keyboard.press("Enter")  # the row's Delete again, which has the focus back
    modal.wait_for(state="visible")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "delete-row-yes"
    page.keyboard.press("Enter")
    added.wait_for(state="detached")
    assert f"Row {number} of budget lines deleted" in page.inner_text("#row-deleted")
    assert dialogs == []
    page.goto(f"/posts/{KVR}/{FY}")
    assert _amount(page.inner_text("#post-total")) == before


@pytest.mark.parametrize("width", WIDTHS)
def test_a_position_is_typed_and_the_matching_ones_suggested(page, width):  # noqa: F811
    _signed_in(page, width)
    page.goto(f"{TABLES}/time-allocation")
    field = page.locator("#new-position_id")
    suggested = page.locator("#new-position_id-choices option")
    field.click()  # focused: the first positions are suggested before anything is typed
    expect(suggested).to_have_count(20)
    field.press_sequentially("offic")
    unmatched = page.locator('#new-position_id-choices option:not([label*="offic" i]):not([value*="offic" i])')
    expect(unmatched).to_have_count(0)  # those that match alone (their titles: "... Officer")
    expect(suggested).not_to_have_count(0)
    assert suggested.count() < 20
    first = suggested.first.get_attribute("value")
    assert first
    field.fill(first)
    assert field.input_value() == first
    _no_sideways_scroll(page)
    row = page.locator("#rows tr").first
    row.get_by_role("link", name="Edit").click()
    editing = page.locator("#rows tr.editing")
    editing.wait_for()
    typed = editing.locator('input[name="position_id"]')
    assert typed.get_attribute("list")
    typed.fill("")
    typed.press_sequentially("M-0")
    expect(page.locator(f"#{typed.get_attribute('list')} option").first).to_have_attribute("value", re.compile("^M-0"))
    _no_sideways_scroll(page)
