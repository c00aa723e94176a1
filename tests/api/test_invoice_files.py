"""The invoice as files (issue 8 §3, §4): `?format=pdf` and `?format=xlsx` on the invoice route, made from the
same invoice as the JSON; their role boundaries; an unknown format; the schema that documents them; and the
invoice page's derivation of every line with its download links."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import DEMO_PASSWORD
from tests.web import test_web

KVR, FY, AGENCY = "KVR", 2027, "1931.0"  # the demo committee's and hq's agency
INVOICE = f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
app = test_web.app  # the fixture: the pages and the API on the seeded database


def sign_in(app, username: str) -> TestClient:
    client = TestClient(app)
    answer = client.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return client


def pdf_text(content: bytes) -> str:
    """The PDF's text by Debian's pdftotext (poppler-utils; .ci/run installs it)."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is needed (apt-get install poppler-utils; .ci/run installs it)"
    done = subprocess.run([tool, "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


def grouped(plain: str) -> str:
    """A JSON amount as the files and pages show it: 12345.60 -> 12,345.60."""
    return f"{Decimal(plain):,.2f}"


def test_the_pdf_says_what_the_json_says(app):
    hq = sign_in(app, "hq")
    bill = hq.get(INVOICE).json()
    answer = hq.get(INVOICE, params={"format": "pdf"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    name = f"{KVR}-{FY}-{AGENCY}.pdf"
    assert answer.headers["content-disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert answer.content.startswith(b"%PDF-")
    text = pdf_text(answer.content)
    pages = re.findall(r"Page (\d+) of (\d+)", text)
    assert pages, text[:500]
    assert {total for _, total in pages} == {str(len(pages))}
    assert [int(n) for n, _ in pages] == list(range(1, len(pages) + 1))
    assert bill["agency_name"] in text
    assert f"{AGENCY} " in text
    assert "U.S. Embassy Kivara" in text
    assert "Fiscal year" in text
    assert "2027" in text
    # The figures are live, said at the foot of every page; the post's final stage is said without the word
    # "final", which only an approved version's figures carry (issue 18; tests/web/test_web_hq.py has those).
    assert text.count("Figures: live") == len(pages)
    assert "Budget stage" in text
    assert "payable once approved; these figures are not approved" in text
    assert "final" not in text.lower()
    # Every line, each subtotal by funding source, the redistribution and the total.
    for line in bill["lines"]:
        row = next(r for r in text.splitlines() if r.strip().startswith(line["cost_center"] + " "))
        assert row.split()[-1] == grouped(line["total"]), row
    subtotal_row = next(r for r in text.splitlines() if "Subtotals by funding source" in r)
    shown = subtotal_row.split()[-len(bill["subtotals"]) - 2 :]
    fundings = [f for f in ("RB", "OBO", "LGP", "AMSAL", "PAT") if f in bill["subtotals"]]
    expected = [grouped(bill["subtotals"][f]) for f in fundings]
    assert shown == [*expected, grouped(bill["redistribution"]), grouped(bill["total"])]


def test_the_workbook_totals_equal_the_json_to_the_cent(app):
    fmo = sign_in(app, "fmo")
    bill = fmo.get(INVOICE).json()
    answer = fmo.get(INVOICE, params={"format": "xlsx"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX_TYPE
    name = f"{KVR}-{FY}-{AGENCY}.xlsx"
    assert answer.headers["content-disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Cost center")
    header = rows[header_at]
    heading = {r[0]: r[1] for r in rows[:header_at] if r and r[0]}
    assert heading["Agency"] == f"{AGENCY} {bill['agency_name']}"
    assert heading["Fiscal year"] == FY
    assert heading["Budget stage"] == "payable once approved; these figures are not approved"  # never "final"
    assert heading["Figures"].startswith("live:")
    assert not any("final" in str(value).lower() for value in heading.values())

    def cents(value) -> Decimal:
        # openpyxl reads a number cell as a float: its shortest repr is the decimal the file holds.
        assert isinstance(value, int | float), value
        return Decimal(repr(value)).quantize(Decimal("0.01"))

    body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[header_at + 1 :] if r[0]}
    for line in bill["lines"]:
        got = body[line["cost_center"]]
        assert cents(got["Total"]) == Decimal(line["total"])
        assert cents(got["of which ICASS redistribution"]) == Decimal(line["redistribution"])
        for funding, amount in line["amounts"].items():
            assert cents(got[funding]) == Decimal(amount)
    total = body["Total"]
    assert cents(total["Total"]) == Decimal(bill["total"])
    assert cents(total["of which ICASS redistribution"]) == Decimal(bill["redistribution"])
    for funding, amount in bill["subtotals"].items():
        assert cents(total[funding]) == Decimal(amount)
    amount_cell = sheet.cell(header_at + 2, header.index("Total") + 1)
    assert amount_cell.number_format == "#,##0.00"


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_the_files_keep_the_invoice_s_role_boundaries(app, kind):
    assert TestClient(app).get(INVOICE, params={"format": kind}).status_code == 401
    hq = sign_in(app, "hq")
    other = hq.get(f"/api/posts/{KVR}/{FY}/invoices/1900.0", params={"format": kind})
    assert other.status_code == 404  # another agency's invoice, as a file too: as if there were none
    assert other.headers["content-type"] == "application/json"
    assert "detail" in other.json()
    committee = sign_in(app, "committee")
    assert committee.get(INVOICE, params={"format": kind}).status_code == 200
    nowhere = sign_in(app, "admin").get(f"/api/posts/{KVR}/{FY}/invoices/0000.0", params={"format": kind})
    assert nowhere.status_code == 404


def test_an_unknown_format_is_a_422_that_names_the_choices(app):
    admin = sign_in(app, "admin")
    answer = admin.get(INVOICE, params={"format": "docx"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "format 'docx' is not one of json, pdf, xlsx"
    assert body["problems"][0]["field"] == "format"
    assert admin.get(INVOICE, params={"format": "json"}).json() == admin.get(INVOICE).json()


def test_the_schema_documents_the_format_and_the_files(app):
    schema = TestClient(app).get("/openapi.json").json()
    operation = schema["paths"]["/api/posts/{post}/{fiscal_year}/invoices/{agency}"]["get"]
    (format_parameter,) = [p for p in operation["parameters"] if p["name"] == "format"]
    assert format_parameter["in"] == "query"
    assert format_parameter["schema"]["enum"] == ["json", "pdf", "xlsx"]
    assert format_parameter["schema"]["default"] == "json"
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/json", "application/pdf", XLSX_TYPE}
    assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert "422" in operation["responses"]


def _derivation(html: str, cost_center: str) -> str:
    """An invoice line and its derivation, as the page shows them."""
    start = html.index(f'id="line-{cost_center}"')
    return html[start : html.index("</details>", start)]


def test_the_invoice_page_shows_the_derivation_of_every_line(app):
    client = TestClient(app)
    answer = client.post("/login", data={"username": "fmo", "password": DEMO_PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303
    bill = sign_in(app, "fmo").get(INVOICE).json()
    html = client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text
    assert f'href="{INVOICE}?format=pdf"' in html
    assert f'href="{INVOICE}?format=xlsx"' in html
    for line in bill["lines"]:
        assert f'id="line-{line["cost_center"]}"' in html
        assert f"How {line['cost_center']} was derived" in html
    # 6150 Basic Package: the MSG detachment's people, routed to 1931.0 by their role (H-341.5 d).
    basic = _derivation(html, "6150")
    assert "derived from records" in basic
    assert "role MSG -&gt; 1931.0 (H-341.5 d)" in basic
    assert "H-341.1-4 a" in basic  # the count's section
    assert "people.csv, row" in basic
    assert "8.57%" in basic
    # 6195: a count typed by hand in workload.csv.
    typed = _derivation(html, "6195")
    assert "typed by hand" in typed
    assert "workload.csv" in typed
    # Every line names its ICASS redistribution; the total is the JSON's.
    assert html.count("ICASS redistribution in this line") == len(bill["lines"])
    assert f'id="invoice-total">{grouped(bill["total"])}<' in html
