"""Issue 18's browser test for headquarters, in Debian's Chromium: hq opens its worldwide invoice (its home),
follows a post line to the post's invoice, and downloads both as PDF and Excel. The page fixture fails the test
on any console error or Content-Security-Policy violation."""

from __future__ import annotations

import io
import shutil
import subprocess

from openpyxl import load_workbook

from tests.web.test_browser import AGENCY, FY, KVR, page, server, sign_in  # noqa: F401 (fixtures)


def _pdf_text(path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is needed (apt-get install poppler-utils; .ci/run installs it)"
    return subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _download(page, link: str, tmp_path):  # noqa: F811
    with page.expect_download() as arriving:
        page.click(link)
    download = arriving.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    return download.suggested_filename, saved


def test_hq_opens_its_worldwide_invoice_follows_a_post_and_downloads_both(page, tmp_path):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "hq")
    assert "Headquarters invoice of 1931.0" in page.inner_text("h1")
    world_total = page.inner_text("#world-total").strip()
    name, saved = _download(page, "#world-pdf", tmp_path)
    assert name == f"world-{FY}-{AGENCY}.pdf"
    text = _pdf_text(saved)
    assert world_total in text
    assert "Contingency fund replenishment" in text
    name, saved = _download(page, "#world-xlsx", tmp_path)
    assert name == f"world-{FY}-{AGENCY}.xlsx"
    book = load_workbook(io.BytesIO(saved.read_bytes()))
    assert {"Headquarters invoice", "Below the line"} <= set(book.sheetnames)
    # A post's line leads to the agency's invoice at that post.
    page.locator(f'#bureaus a[href="/posts/{KVR}/{FY}/invoices/{AGENCY}"]').click()
    page.wait_for_url(f"**/posts/{KVR}/{FY}/invoices/{AGENCY}")
    assert page.get_attribute("#figures-state", "data-state") == "live"
    post_total = page.inner_text("#invoice-total").strip()
    # Its amounts are in view at 1,280 px, the derivation of a line opened too.
    page.locator("tr.derivation summary").nth(2).click()
    box = page.locator("#invoice-total").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    name, saved = _download(page, "#invoice-pdf", tmp_path)
    assert name == f"{KVR}-{FY}-{AGENCY}.pdf"
    assert post_total in _pdf_text(saved)
    name, saved = _download(page, "#invoice-xlsx", tmp_path)
    assert name == f"{KVR}-{FY}-{AGENCY}.xlsx"
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert any(row[0].value == "Total" for row in sheet.iter_rows())
