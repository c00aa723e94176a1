"""The table editors in a real browser (issue 8 §4): htmx's Edit, Save, Add and Delete (with its confirm) as an
FMO uses them, against `icass serve`'s application, with the fixtures of tests/web/test_browser.py."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import DEMO_PASSWORD
from tests.web.test_browser import FY, KVR, _amount, page, server  # noqa: F401 (fixtures)

TABLE = f"/posts/{KVR}/{FY}/tables/budget-lines"


def test_the_fmo_edits_adds_and_deletes_budget_lines(page):  # noqa: F811
    # Signed in through the API: the browser's context shares the session cookie (tests/web/test_browser.py signs
    # in by the form).
    assert page.request.post("/api/session", data={"username": "fmo", "password": DEMO_PASSWORD}).ok
    page.goto(f"/posts/{KVR}/{FY}")
    before = _amount(page.inner_text("#post-total"))
    page.click("text=Tables")
    page.click("text=Budget lines")
    page.wait_for_url(f"**{TABLE}")
    row = page.locator("#rows tr").first
    row_id = row.get_attribute("id")
    row.get_by_role("button", name="Edit").click()
    editing = page.locator(f"#{row_id}")
    amount = editing.locator('input[name="amount"]')
    amount.wait_for()
    amount.fill(str(_amount(amount.input_value()) + Decimal("100.00")))
    editing.get_by_role("button", name="Save").click()
    page.locator(f"#{row_id}").get_by_role("status").wait_for()
    assert page.locator(f'#{row_id} input[name="amount"]').count() == 0  # shown again, not edited

    page.locator(f"#{row_id}").get_by_role("button", name="Edit").click()
    page.locator(f'#{row_id} input[name="funding"]').fill("AMSAL")
    page.locator(f"#{row_id}").get_by_role("button", name="Save").click()
    beside = page.locator(f'#{row_id} [data-field="funding"]')
    beside.wait_for()
    assert "6 FAH-5 H-423.1-1 b" in beside.inner_text()
    page.locator(f"#{row_id}").get_by_role("button", name="Cancel").click()
    page.locator(f"#{row_id}").get_by_role("button", name="Edit").wait_for()

    new = page.locator("#new-row")
    for field, value in {"cost_center": "5458", "funding": "RB", "soc": "2330", "amount": "40.00"}.items():
        new.locator(f'input[name="{field}"]').fill(value)
    new.locator('input[name="description"]').fill("Added in the browser")
    new.locator('input[name="lease"]').fill("no")
    new.get_by_role("button", name="Add").click()
    added = page.locator("#rows tr", has_text="Added in the browser")
    added.wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    added.get_by_role("button", name="Delete").click()
    added.wait_for(state="detached")

    page.goto(f"/posts/{KVR}/{FY}")
    assert _amount(page.inner_text("#post-total")) == before + Decimal("100.00")
