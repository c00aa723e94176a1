"""An agency's invoice at a post as files: a PDF (WeasyPrint, from an HTML template with paged CSS, letter
size, "Page X of Y") and an Excel workbook (openpyxl). Both are made from the engine's typed invoice
(icass.distribution.invoice), the record the API's JSON is made from, so the three agree to the cent.

Amounts in the workbook are numbers with two decimals, each written as the Decimal of its integer cents / 100
(icass.money.to_decimal): openpyxl writes a Decimal's own digits into the file, so no amount ever passes through
float arithmetic here; a reader that turns them into doubles gets the nearest double of an exact decimal, and
Excel's shortest decimal of it is the amount again (amounts stay well under 15 significant digits). Totals are
the engine's sums, written as values, not formulas, so the file says what the JSON says even where no
spreadsheet recalculates it. Counts are numbers with separators, shares are fractions shown as percent, and
every column has a width.

The PDF prints its lines in pages of its own (LINES_PER_PAGE): each page but a one-page invoice ends with that
page's subtotal, labelled as such, and the invoice's total comes once, at the end. A running footer cannot
sum the lines a page holds, so the pages are cut here, with room to spare for names that wrap.

An agency at post for part of the fiscal year also gets its partial-year invoice (icass.distribution.partial_year)
in both files: the PDF prints it after the full-year lines, the workbook on a sheet of its own, each with the
days, the fraction and the section that leaves out the local guard program (H-341.5-3(D) NOTE 1).

An agency's headquarters invoice (Exhibit H-421) is written the same ways from a `WorldInvoiceFile`, the record
icass.views.world_invoice makes of it (this layer cannot read the views)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from icass.bundle.workbook_writer import text_is_never_a_formula
from icass.catalog.cost_centers import REDISTRIBUTION_NOTE, load_catalog
from icass.distribution.invoice import Invoice
from icass.distribution.partial_year import PartialYear
from icass.model import FUNDING_SOURCES, Post
from icass.money import format_grouped, to_decimal

PDF = "pdf"
XLSX = "xlsx"
MEDIA_TYPES = {
    PDF: "application/pdf",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
FRACTIONAL_COUNT_FORMAT = "#,##0.0##"
PERCENT_FORMAT = "0.00%"
LINES_PER_PAGE = 16  # lines of a PDF page, with room for cost center names over two lines

_templates = Environment(
    loader=FileSystemLoader(str(resources.files("icass.bundle") / "templates")),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)


def file_name(bill: Invoice, kind: str, suffix: str = "") -> str:
    """`KVR-2027-1931.0.pdf`: the post, the fiscal year and the agency (then `suffix`, e.g. `-version-1`)."""
    return f"{bill.post}-{bill.fiscal_year}-{bill.agency}{suffix}.{kind}"


def fundings_of(bill: Invoice) -> list[str]:
    """The funding sources the invoice charges, in the handbook's order (H-420)."""
    charged = {f for line in bill.lines for f in line.amounts}
    return [str(f) for f in FUNDING_SOURCES if f in charged]


def _count(value: Any) -> str:
    return "" if value is None else f"{value:,}"


def cost_center_names(bill: Invoice, post: Post) -> dict[str, str]:
    """Each line's cost center name from the catalog (a code it does not know keeps an empty name)."""
    catalog = load_catalog()
    return {
        line.cost_center: spec.name if (spec := catalog.find(line.cost_center, post.methodology)) else ""
        for line in bill.lines
    }


# What the files say of the budget stage (post.toml's `stage`, the world's): H-420's initial budget, for
# information, or final one, payable. "final" is printed only beside an approved version's figures, as the invoice
# pages say it (issue 18): live figures of a final-stage budget are said to be payable once approved, so that no
# printed page of figures that still change can be read as the final invoice.
WORLD_FIGURES = "live: computed from each post's budget as it stands now, they still change with every edit at a post"


def stage_said(stage: str | None, approved: bool) -> str:
    """The budget stage in the files' words: "final" only when the figures are an approved version's."""
    written = str(stage or "").strip()
    if not written:
        return "not given"
    if "final" in written.casefold():
        return "final budget: payable" if approved else "payable once approved; these figures are not approved"
    if written.casefold() == "initial":
        return "initial budget: for information, not payable"
    return written  # as post.toml says it: no claim of finality, and the figures' own line says whose they are


def _pages(count: int) -> list[range]:
    return [range(i, min(i + LINES_PER_PAGE, count)) for i in range(0, count, LINES_PER_PAGE)]


PARTIAL_YEAR_SECTION = "H-341.5-3(D) NOTE 1, H-341.5-4(D) NOTE 1"


def partial_year_said(bill: Invoice, part: PartialYear) -> str:
    """The partial-year invoice's reading in words, as both files print it."""
    return (
        f"{bill.agency} is at post from {part.first_day.isoformat()} through {part.last_day.isoformat()} of the "
        f"fiscal year: {part.days} of its {part.year_days} days. It pays each line of the full-year invoice times "
        f"{part.days}/{part.year_days}, rounded to the cent, half up; the local guard program (5821, 5822, 5823, 5826 "
        f'and their sub-cost centers) is not charged: "the ICASS software does not include any LGP costs in the '
        f'Partial Year Invoice" ({PARTIAL_YEAR_SECTION}).'
    )


def _partial_year_context(bill: Invoice, part: PartialYear | None, fundings: list[str]) -> dict[str, Any] | None:
    if part is None:
        return None
    return {
        "said": partial_year_said(bill, part),
        "fraction": f"{part.days}/{part.year_days}",
        "lines": [
            {
                "cost_center": line.cost_center,
                "amounts": [format_grouped(line.amounts.get(f, 0)) for f in fundings],
                "total": format_grouped(line.total),
            }
            for line in part.lines
        ],
        "subtotals": [format_grouped(part.subtotal(f)) for f in fundings],
        "total": format_grouped(part.total),
    }


def invoice_html(
    bill: Invoice, post: Post, figures: str = "", approved: bool = False, partial: PartialYear | None = None
) -> str:
    """The page the PDF is printed from; `figures` says whose they are, `approved` whether an approved version's,
    `partial` the agency's partial-year invoice when it is at post for part of the year."""
    fundings = fundings_of(bill)
    names = cost_center_names(bill, post)
    lines = [
        {
            "cost_center": line.cost_center,
            "name": names[line.cost_center],
            "workload": _count(line.workload),
            "modified": _count(line.modified_workload),
            "share": f"{line.share_percent}%",
            "amounts": [format_grouped(line.amounts[f]) if f in line.amounts else "" for f in fundings],
            "redistribution": format_grouped(line.redistribution),
            "total": format_grouped(line.total),
        }
        for line in bill.lines
    ]
    pages = []
    for numbers in _pages(len(bill.lines)):
        shown = [bill.lines[i] for i in numbers]
        pages.append(
            {
                "lines": [lines[i] for i in numbers],
                "first": numbers.start + 1,
                "last": numbers.stop,
                "subtotals": [format_grouped(sum(line.amounts.get(f, 0) for line in shown)) for f in fundings],
                "redistribution": format_grouped(sum(line.redistribution for line in shown)),
                "total": format_grouped(sum(line.total for line in shown)),
            }
        )
    return _templates.get_template("invoice_pdf.html").render(
        bill=bill,
        post=post,
        fundings=fundings,
        pages=pages,
        subtotals=[format_grouped(bill.subtotal(f)) for f in fundings],
        redistribution=format_grouped(bill.redistribution),
        total=format_grouped(bill.total),
        note=REDISTRIBUTION_NOTE,
        figures=figures,
        stage=stage_said(post.stage, approved),
        partial=_partial_year_context(bill, partial, fundings),
    )


def _print(html: str) -> bytes:
    # Imported here: WeasyPrint takes about half a second to import, and only the PDF needs it.
    from weasyprint import HTML  # type: ignore[import-untyped]  # WeasyPrint ships no types

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return bytes(pdf)


def invoice_pdf(
    bill: Invoice, post: Post, figures: str = "", approved: bool = False, partial: PartialYear | None = None
) -> bytes:
    return _print(invoice_html(bill, post, figures, approved, partial))


# A workbook column: its heading, how its cells are shown (text, count, share, money) and its width.
TEXT, COUNT, SHARE, MONEY = "text", "count", "share", "money"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str
    width: int


def _count_cell(value: Decimal | None) -> Decimal | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _table(sheet: Any, columns: Sequence[Column], rows: Sequence[Sequence[Any]], bold_rows: Sequence[int]) -> int:
    """The table under what the sheet holds: its header (bold, frozen), its rows with each column's number
    format, the given rows (0-based among `rows`) bold, every column's width. The header's row number."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    sheet.append([c.heading for c in columns])
    header_row = int(sheet.max_row)
    for cell in sheet[header_row]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, values in enumerate(rows):
        sheet.append(list(values))
        for column, cell in zip(columns, sheet[sheet.max_row], strict=False):
            if column.kind == MONEY:
                cell.number_format = AMOUNT_FORMAT
            elif column.kind == SHARE:
                cell.number_format = PERCENT_FORMAT
            elif column.kind == COUNT:
                whole = isinstance(cell.value, int) or cell.value is None
                cell.number_format = COUNT_FORMAT if whole else FRACTIONAL_COUNT_FORMAT
            if i in bold_rows:
                cell.font = bold
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    return header_row


def _heading(sheet: Any, pairs: Sequence[tuple[str, Any]]) -> None:
    from openpyxl.styles import Font

    for key, value in pairs:
        sheet.append([key, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])


def _saved(book: Any) -> bytes:
    text_is_never_a_formula(book)  # an agency's code or name is data, whatever it starts with
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def invoice_xlsx(
    bill: Invoice, post: Post, figures: str = "", approved: bool = False, partial: PartialYear | None = None
) -> bytes:
    from openpyxl import Workbook

    fundings = fundings_of(bill)
    names = cost_center_names(bill, post)
    book = Workbook()
    sheet = book.active
    sheet.title = "Invoice"
    _heading(
        sheet,
        [
            ("Post", f"{post.code} {post.name}"),
            ("Fiscal year", post.fiscal_year),
            ("Budget stage", stage_said(post.stage, approved)),
            ("Agency", f"{bill.agency} {bill.agency_name}"),
            *([("Figures", figures)] if figures else []),
            *([("Partial-year invoice", _partial_year_seen(partial))] if partial else []),
        ],
    )
    columns = [
        Column("Cost center", TEXT, 14),
        Column("Name", TEXT, 44),
        Column("Workload", COUNT, 12),
        Column("Modified workload", COUNT, 12),
        Column("Share", SHARE, 10),
        *(Column(f, MONEY, 15) for f in fundings),
        Column("of which ICASS redistribution", MONEY, 16),
        Column("Total", MONEY, 16),
    ]
    rows: list[list[Any]] = [
        [
            line.cost_center,
            names[line.cost_center],
            _count_cell(line.workload),
            _count_cell(line.modified_workload),
            line.share_percent / 100,
            *(to_decimal(line.amounts[f]) if f in line.amounts else None for f in fundings),
            to_decimal(line.redistribution),
            to_decimal(line.total),
        ]
        for line in bill.lines
    ]
    rows.append(
        [
            "Total",
            None,
            None,
            None,
            None,
            *(to_decimal(bill.subtotal(f)) for f in fundings),
            to_decimal(bill.redistribution),
            to_decimal(bill.total),
        ]
    )
    _table(sheet, columns, rows, [len(rows) - 1])
    sheet.append([])
    sheet.append([REDISTRIBUTION_NOTE])
    if partial is not None:
        _partial_year_sheet(book.create_sheet(PARTIAL_YEAR_SHEET), bill, partial, fundings)
    return _saved(book)


PARTIAL_YEAR_SHEET = "Partial year"


def _partial_year_seen(part: PartialYear) -> str:
    return f'sheet "{PARTIAL_YEAR_SHEET}": {to_decimal(part.total)}'


def _partial_year_sheet(sheet: Any, bill: Invoice, part: PartialYear, fundings: list[str]) -> None:
    """The partial-year invoice: its days and reading, then its lines and total, as the invoice sheet lays out its
    own."""
    _heading(
        sheet,
        [
            ("At post", f"{part.first_day.isoformat()} through {part.last_day.isoformat()}"),
            ("Days", f"{part.days} of {part.year_days}"),
            ("Section", PARTIAL_YEAR_SECTION),
            ("Reading", partial_year_said(bill, part)),
        ],
    )
    columns = [Column("Cost center", TEXT, 14), *(Column(f, MONEY, 15) for f in fundings), Column("Total", MONEY, 16)]
    rows: list[list[Any]] = [
        [line.cost_center, *(to_decimal(line.amounts.get(f, 0)) for f in fundings), to_decimal(line.total)]
        for line in part.lines
    ]
    rows.append(
        [
            f"Partial year, {part.days}/{part.year_days}",
            *(to_decimal(part.subtotal(f)) for f in fundings),
            to_decimal(part.total),
        ]
    )
    _table(sheet, columns, rows, [len(rows) - 1])


def invoice_file(
    bill: Invoice,
    post: Post,
    kind: str,
    figures: str = "",
    approved: bool = False,
    partial: PartialYear | None = None,
) -> bytes:
    """The invoice as a `kind` file (PDF or XLSX); `figures` says whose they are (live, or a version's),
    `approved` whether they are an approved version's (stage_said), `partial` the agency's partial-year invoice
    when it is at post for part of the year."""
    if kind == PDF:
        return invoice_pdf(bill, post, figures, approved, partial)
    return invoice_xlsx(bill, post, figures, approved, partial)


@dataclass(frozen=True)
class WorldPostFileLine:
    post: str
    name: str
    amounts: dict[str, int]  # funding source -> cents
    total: int
    # In words, when the agency is at the post for part of the year and the amounts are its partial-year
    # invoice's (H-341.5-3(D) NOTE 1); empty otherwise.
    partial_year: str = ""


@dataclass(frozen=True)
class WorldBureauFileLines:
    region: str
    posts: tuple[WorldPostFileLine, ...]
    amounts: dict[str, int]  # the bureau's subtotal by funding source, cents
    total: int


@dataclass(frozen=True)
class WorldItemFileLine:
    name: str  # as H-424 b names it
    section: str
    basis: str  # in words, without the item's code
    amount: int


@dataclass(frozen=True)
class WorldInvoiceFile:
    """An agency's headquarters invoice as its files show it (Exhibit H-421), made by icass.views.world_invoice."""

    agency: str
    agency_name: str
    fiscal_year: int
    stage: str
    fundings: tuple[str, ...]
    bureaus: tuple[WorldBureauFileLines, ...]
    items: tuple[WorldItemFileLine, ...]
    post_total: int
    item_total: int
    total: int
    figures: str = WORLD_FIGURES  # whose figures: live, or the posts' versions (issue 20 §1)
    approved: bool = False  # the final versions the ISC accepted: payable


def world_file_name(bill: WorldInvoiceFile, kind: str) -> str:
    """`world-2027-1931.0.pdf`: the fiscal year and the agency."""
    return f"world-{bill.fiscal_year}-{bill.agency}.{kind}"


def world_invoice_html(bill: WorldInvoiceFile) -> str:
    # Its figures are live, or the posts' versions: payable only from the final versions the ISC accepted.
    stage = stage_said(bill.stage, approved=bill.approved)
    return _templates.get_template("world_invoice_pdf.html").render(
        bill=bill, money=format_grouped, figures=bill.figures, stage=stage
    )


def world_invoice_xlsx(bill: WorldInvoiceFile) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Headquarters invoice"
    _heading(
        sheet,
        [
            ("Agency", f"{bill.agency} {bill.agency_name}".strip()),
            ("Fiscal year", bill.fiscal_year),
            ("Budget stage", stage_said(bill.stage, approved=bill.approved)),
            ("Figures", bill.figures),
        ],
    )
    # A column of notes only when an agency is at a post for part of the year: the others keep their layout.
    partial = any(line.partial_year for bureau in bill.bureaus for line in bureau.posts)
    columns = [
        Column("Bureau", TEXT, 10),
        Column("Post", TEXT, 8),
        Column("Name", TEXT, 34),
        *(Column(f, MONEY, 15) for f in bill.fundings),
        Column("Total", MONEY, 16),
        *([Column("Partial year (H-341.5-3(D) NOTE 1)", TEXT, 60)] if partial else []),
    ]
    rows: list[list[Any]] = []
    bold: list[int] = []
    for bureau in bill.bureaus:
        for line in bureau.posts:
            rows.append(
                [
                    bureau.region,
                    line.post,
                    line.name,
                    *(to_decimal(line.amounts[f]) if f in line.amounts else None for f in bill.fundings),
                    to_decimal(line.total),
                    *([line.partial_year or None] if partial else []),
                ]
            )
        bold.append(len(rows))
        rows.append(
            [
                bureau.region,
                None,
                f"{bureau.region} subtotal",
                *(to_decimal(bureau.amounts.get(f, 0)) for f in bill.fundings),
                to_decimal(bureau.total),
            ]
        )
    bold.append(len(rows))
    rows.append(["At posts", None, None, *(None for _ in bill.fundings), to_decimal(bill.post_total)])
    _table(sheet, columns, rows, bold)
    sheet.append([])
    below = [[i.name, i.section, i.basis, to_decimal(i.amount)] for i in bill.items]
    below.append(["Below the line", None, None, to_decimal(bill.item_total)])
    below.append(["Total", None, None, to_decimal(bill.total)])
    items = book.create_sheet("Below the line")
    _table(
        items,
        [Column("Item", TEXT, 40), Column("Section", TEXT, 14), Column("Basis", TEXT, 70), Column("Amount", MONEY, 16)],
        below,
        [len(below) - 2, len(below) - 1],
    )
    total_column = 4 + len(bill.fundings)  # bureau, post, name, the funding sources, then the total
    sheet.append(['Below the line (sheet "Below the line")', None, None, *(None for _ in bill.fundings)])
    sheet.cell(sheet.max_row, total_column).value = to_decimal(bill.item_total)
    sheet.cell(sheet.max_row, total_column).number_format = AMOUNT_FORMAT
    sheet.append(["Total", None, None, *(None for _ in bill.fundings)])
    sheet.cell(sheet.max_row, total_column).value = to_decimal(bill.total)
    sheet.cell(sheet.max_row, total_column).number_format = AMOUNT_FORMAT
    return _saved(book)


def world_invoice_file(bill: WorldInvoiceFile, kind: str) -> bytes:
    """The headquarters invoice as a `kind` file (PDF or XLSX)."""
    return _print(world_invoice_html(bill)) if kind == PDF else world_invoice_xlsx(bill)
