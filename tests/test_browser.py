"""The workspace in a real browser (issue 8 §6): Playwright driving Debian's Chromium (never a downloaded one)
against `icass serve`'s application on loopback: sign in, edit a count, see the invoice change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest

from icass.store.database import open_database
from icass.web.app import create_app
from tests.conftest import DEMO_PASSWORD
from tests.servers import serving

# STACK.md section 6: the flags that keep Debian's Chromium quiet and sandbox-free in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
KVR, FY, AGENCY = "KVR", 2027, "1931.0"


@pytest.fixture
def server(seeded_url) -> Iterator[str]:
    """The application on a free loopback port, in a thread of this process."""
    engine = open_database(seeded_url)
    try:
        with serving(create_app(engine, secure_cookies=False)) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        engine.dispose()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(base_url=server)
        finally:
            browser.close()


def _amount(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ""))


def sign_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_sign_in_edit_a_count_and_see_the_invoice_change(page):
    page.goto("/posts/KVR/2027")
    assert page.url.endswith("/login")  # sent to sign in
    sign_in(page, "fmo")
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    before = _amount(page.inner_text("#invoice-total"))
    page.goto(f"/posts/{KVR}/{FY}/workload")
    field = page.locator(f'input[aria-label="count of {AGENCY} in 6150"]').first
    row = field.locator("xpath=ancestor::tr")
    row_id = row.get_attribute("id")
    field.fill("250")
    field.press("Enter")
    saved = page.locator(f"#{row_id}")
    saved.get_by_role("status").wait_for()
    assert "entered" in saved.inner_text()
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    assert _amount(page.inner_text("#invoice-total")) > before


def test_sign_in_open_an_invoice_and_download_its_pdf(page, tmp_path):
    import subprocess

    sign_in(page, "hq")
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    total = page.inner_text("#invoice-total").strip()
    with page.expect_download() as arriving:
        page.click("#invoice-pdf")
    download = arriving.value
    assert download.suggested_filename == f"{KVR}-{FY}-{AGENCY}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is needed (apt-get install poppler-utils; .ci/run installs it)"
    text = subprocess.run([pdftotext, "-layout", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert f"ICASS invoice of {AGENCY}" in text
    assert total in text
    assert _amount(total) > 0


def test_run_a_what_if_and_apply_it(page):
    """Issue 8 §6 "run a what-if": a count changed in a scenario moves the agency's invoice there and not on the
    post, until the FMO applies the scenario."""
    sign_in(page, "fmo")
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    before = _amount(page.inner_text("#invoice-total"))
    page.goto(f"/posts/{KVR}/{FY}")
    page.get_by_role("link", name="What-if").click()
    page.wait_for_url(f"**/posts/{KVR}/{FY}/scenarios")
    page.fill("#scenario-name", "more uniformed staff")
    page.click("#new-scenario button[type=submit]")
    page.wait_for_url(f"**/posts/{KVR}/{FY}/scenarios/*")
    field = page.locator(f'input[aria-label="scenario count of {AGENCY} in 6150"]').first
    field.fill("250")
    field.press("Enter")
    page.locator("#scenario-saved").wait_for()
    row = page.locator(f"#agency-{AGENCY.replace('.', '_')}")
    baseline = _amount(row.locator(".baseline").inner_text())
    scenario = _amount(row.locator(".scenario").inner_text())
    assert baseline == before
    assert scenario > baseline
    assert _amount(row.locator(".difference").inner_text()) == scenario - baseline
    here = page.url
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    assert _amount(page.inner_text("#invoice-total")) == before  # the baseline is untouched
    page.goto(here)
    page.click("#apply")
    page.locator("#applied").wait_for()
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    assert _amount(page.inner_text("#invoice-total")) == scenario


def test_the_dashboards_charts_are_drawn(page):
    sign_in(page, "committee")
    page.goto(f"/posts/{KVR}/{FY}")
    for chart in ("#chart-budget", "#chart-shares"):
        page.locator(f"{chart}[data-drawn=yes]").wait_for()
        assert page.locator(f"{chart} svg .mark-rect path").count() > 3  # one bar a cost center or agency
