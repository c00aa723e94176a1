"""The workspace in a real browser (issue 8 §6): Playwright driving Debian's Chromium (never a downloaded one)
against `icass serve`'s application on loopback: sign in, edit a count, see the invoice change. Every test
fails on a Content-Security-Policy violation, a console error or an uncaught script error (issue 16 §3: the
pages work under the policy icass.api.headers sends)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest

from icass.api.downloads import attachment
from icass.store.database import open_database
from icass.web.app import create_app
from tests.conftest import DEMO_PASSWORD
from tests.servers import serving
from tests.versions import recommended

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


# Reports each violation of the Content-Security-Policy as a console error (Chromium logs most of them there
# itself, but not all, e.g. a refused eval caught by the page). Playwright injects it outside the policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def page(server):
    """A page of Chromium on the server; the test fails if the page logged an error or broke the policy."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)"
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            opened = browser.new_page(base_url=server)
            opened.add_init_script(REPORT_VIOLATIONS)
            opened.on("console", lambda m: errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
            opened.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            yield opened
        finally:
            browser.close()
    assert errors == [], "the pages logged errors:\n" + "\n".join(errors)


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
    page.click('[aria-controls="cost-center-6150"]')  # the cost center's counts open on request
    field = page.locator(f'input[aria-label="count of {AGENCY} in 6150"]').first
    row = field.locator("xpath=ancestor::tr")
    row_id = row.get_attribute("id")
    field.fill("250")
    field.press("Enter")
    saved = page.locator(f"#{row_id}")
    saved.get_by_role("status").wait_for()
    assert "Typed by hand" in saved.inner_text()  # its origin, in words
    page.goto(f"/posts/{KVR}/{FY}/invoices/{AGENCY}")
    assert _amount(page.inner_text("#invoice-total")) > before
    page.click("#sign-out")  # htmx's DELETE, then static/icass.js goes to the sign-in page
    page.wait_for_url("**/login")
    page.goto(f"/posts/{KVR}/{FY}")
    assert page.url.endswith("/login")  # the session ended


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


def test_the_dashboards_charts_are_drawn(page, tmp_path):
    """Drawn under the policy: no eval (vega-interpreter evaluates the expressions) and no inline style."""
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, "committee")
    page.goto(f"/posts/{KVR}/{FY}")
    for chart in ("#chart-budget", "#chart-shares"):
        page.locator(f"{chart}[data-drawn=yes]").wait_for()
        assert page.locator(f"{chart} svg .mark-rect path").count() > 3  # one bar a cost center or agency
        box = page.locator(f"{chart} svg").bounding_box()
        assert box is not None
        assert box["width"] > 400
        assert box["height"] > 200
    # The tooltip shows the exact amount (its expression evaluated by the interpreter, styled by icass.css).
    page.locator("#chart-shares svg .mark-rect path").first.hover()
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "Total" in tooltip.inner_text()
    assert tooltip.evaluate("e => getComputedStyle(e).position") == "fixed"
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)


def test_recording_an_approval_reloads_the_dashboard(page, seeded_url):
    """The form's data-after-request="reload" (no inline hx-on handler) shows the version just recorded."""
    engine = open_database(seeded_url)
    try:
        recommended(engine, KVR, FY)
    finally:
        engine.dispose()
    sign_in(page, "fmo")
    page.goto(f"/posts/{KVR}/{FY}")
    page.fill("#council-date", "2026-11-20")
    page.fill("#version-note", "Council meeting in the browser")
    with page.expect_navigation():
        page.click("#approve-version")
    assert "Council meeting in the browser" in page.inner_text("#since-approved")


def test_a_hostile_download_name_stays_a_pdf(page):
    """Issue 16 §3: an agency `A";filename*=UTF-8''x.html;a="` once made Chromium save the invoice as x.html.
    Chromium reads the header icass.api.downloads builds for such a name: still the whole name, still .pdf."""
    hostile = f"{KVR}-{FY}-A\";filename*=UTF-8''x.html;a=\".pdf"
    headers = {"Content-Type": "application/pdf", "Content-Disposition": attachment(hostile)}
    page.route("**/hostile-download", lambda route: route.fulfill(status=200, headers=headers, body=b"%PDF-1.4\n"))
    page.goto("/login")
    with page.expect_download() as arriving:
        page.evaluate("() => { window.location.href = '/hostile-download'; }")
    name = arriving.value.suggested_filename
    assert name.startswith(f"{KVR}-{FY}-A"), name
    assert name.endswith(".pdf"), name


def test_every_kind_of_page_opens_under_the_policy(page):
    """The pages the flows above do not pass through, as the admin sees them (the fixture fails on a violation):
    the world and its invoice, the imports page with USWDS's file input, the record, the tables, TDY."""
    sign_in(page, "admin")
    for path in (
        "/world",
        "/world/2027",
        f"/world/2027/invoices/{AGENCY}",
        "/imports",
        "/audit",
        f"/posts/{KVR}/{FY}/tables",
        f"/posts/{KVR}/{FY}/tables/budget-lines",
        f"/posts/{KVR}/{FY}/tdy",
        f"/posts/{KVR}/{FY}/scenarios",
    ):
        answer = page.goto(path)
        assert answer is not None
        assert answer.status == 200, path
        page.wait_for_load_state("load")


def test_on_a_phone_the_navigation_opens_from_its_menu_button(page):
    """At 390 px USWDS hides the navigation behind a Menu button: without one a person on a phone could not
    reach the record, the world or signing out."""
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, "fmo")
    sign_out = page.locator("#sign-out")
    assert not sign_out.is_visible()
    page.click("button.usa-menu-btn")
    sign_out.wait_for(state="visible")
    page.click("button.usa-nav__close")
    sign_out.wait_for(state="hidden")


def test_moments_are_shown_in_the_readers_time_zone(page):
    """The record's times are stored in UTC; the page shows them in the reader's zone, the UTC text as a title."""
    sign_in(page, "admin")
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Kolkata"})
    page.goto("/audit")
    moment = page.locator("time.local-time").first
    utc = moment.get_attribute("title")
    assert utc is not None
    assert utc.endswith(" UTC")
    shown = moment.text_content() or ""
    assert "UTC" not in shown
    hours, minutes = (int(part) for part in utc.split(", ")[1].removesuffix(" UTC").split(":"))
    assert shown.endswith(f"{(hours * 60 + minutes + 330) // 60 % 24:02d}:{(minutes + 30) % 60:02d}")  # UTC+5:30
