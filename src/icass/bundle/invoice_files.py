"""An agency's invoice at a post as files: a PDF (WeasyPrint, from an HTML template with paged CSS, letter
size, "Page X of Y") and an Excel workbook (openpyxl). Both are made from the engine's typed invoice
(icass.distribution.invoice), the record the API's JSON is made from, so the three agree to the cent.

Amounts in the workbook are numbers with two decimals, each written as the Decimal of its integer cents / 100
(icass.money.to_decimal): openpyxl writes a Decimal's own digits into the file, so no amount ever passes through
float arithmetic here; a reader that turns them into doubles gets the nearest double of an exact decimal, and
Excel's shortest decimal of it is the amount again (amounts stay well under 15 significant digits). Totals are
the engine's sums, written as values, not formulas, so the file says what the JSON says even where no
spreadsheet recalculates it."""

from __future__ import annotations

import io
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from icass.bundle.workbook_writer import text_is_never_a_formula
from icass.catalog.cost_centers import REDISTRIBUTION_NOTE
from icass.distribution.invoice import Invoice
from icass.model import FUNDING_SOURCES, Post
from icass.money import format_grouped, to_decimal

PDF = "pdf"
XLSX = "xlsx"
MEDIA_TYPES = {
    PDF: "application/pdf",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AMOUNT_FORMAT = "#,##0.00"

_templates = Environment(
    loader=FileSystemLoader(str(resources.files("icass.bundle") / "templates")),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)


def file_name(bill: Invoice, kind: str) -> str:
    """`KVR-2027-1931.0.pdf`: the post, the fiscal year and the agency."""
    return f"{bill.post}-{bill.fiscal_year}-{bill.agency}.{kind}"


def fundings_of(bill: Invoice) -> list[str]:
    """The funding sources the invoice charges, in the handbook's order (H-420)."""
    charged = {f for line in bill.lines for f in line.amounts}
    return [str(f) for f in FUNDING_SOURCES if f in charged]


def _count(value: Any) -> str:
    return "" if value is None else f"{value:,}"


def invoice_html(bill: Invoice, post: Post) -> str:
    """The page the PDF is printed from."""
    fundings = fundings_of(bill)
    lines = [
        {
            "cost_center": line.cost_center,
            "workload": _count(line.workload),
            "modified": _count(line.modified_workload),
            "share": f"{line.share_percent}%",
            "amounts": [format_grouped(line.amounts[f]) if f in line.amounts else "" for f in fundings],
            "redistribution": format_grouped(line.redistribution),
            "total": format_grouped(line.total),
        }
        for line in bill.lines
    ]
    return _templates.get_template("invoice_pdf.html").render(
        bill=bill,
        post=post,
        fundings=fundings,
        lines=lines,
        subtotals=[format_grouped(bill.subtotal(f)) for f in fundings],
        redistribution=format_grouped(bill.redistribution),
        total=format_grouped(bill.total),
        note=REDISTRIBUTION_NOTE,
    )


def invoice_pdf(bill: Invoice, post: Post) -> bytes:
    # Imported here: WeasyPrint takes about half a second to import, and only the PDF needs it.
    from weasyprint import HTML  # type: ignore[import-untyped]  # WeasyPrint ships no types

    pdf = HTML(string=invoice_html(bill, post)).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return bytes(pdf)


def invoice_xlsx(bill: Invoice, post: Post) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    fundings = fundings_of(bill)
    book = Workbook()
    sheet = book.active
    sheet.title = "Invoice"
    bold = Font(bold=True)
    heading = [
        ("Post", f"{post.code} {post.name}"),
        ("Fiscal year", post.fiscal_year),
        ("Stage", post.stage),
        ("Agency", f"{bill.agency} {bill.agency_name}"),
    ]
    for key, value in heading:
        sheet.append([key, value])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    header = ["Cost center", "Workload", "Modified workload", "Share %", *fundings, "of which ICASS redistribution"]
    sheet.append([*header, "Total"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    for line in bill.lines:
        sheet.append(
            [
                line.cost_center,
                line.workload,
                line.modified_workload,
                line.share_percent,
                *(to_decimal(line.amounts[f]) if f in line.amounts else None for f in fundings),
                to_decimal(line.redistribution),
                to_decimal(line.total),
            ]
        )
    sheet.append(
        [
            "Total",
            None,
            None,
            None,
            *(to_decimal(bill.subtotal(f)) for f in fundings),
            to_decimal(bill.redistribution),
            to_decimal(bill.total),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=5):
        for cell in row:
            cell.number_format = AMOUNT_FORMAT
    sheet.append([])
    sheet.append([REDISTRIBUTION_NOTE])
    sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    sheet.column_dimensions["A"].width = 14
    text_is_never_a_formula(book)  # an agency's code or name is data, whatever it starts with
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def invoice_file(bill: Invoice, post: Post, kind: str) -> bytes:
    """The invoice as a `kind` file (PDF or XLSX)."""
    return invoice_pdf(bill, post) if kind == PDF else invoice_xlsx(bill, post)
