"""The documents as PDF (reportlab): the member's statement, their allocation statement, the board's report.

Amounts are written as the JSON answers write them (two places, no grouping), so a figure read from the PDF
equals the API's. Every text a person wrote (names, descriptions, periods' names) goes through pdf_fonts.marked,
so letters beyond Latin-1 keep their shape (pdf_fonts says which faces).
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import cache

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from habitat_ledger.adapters.pdf_fonts import faces, marked
from habitat_ledger.service_layer.exports.documents import AllocationDocument, BoardReport, MemberStatement


@cache
def styles() -> StyleSheet1:
    """reportlab's sample styles set in the documents' faces."""
    regular, bold = faces().regular, faces().bold
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        if hasattr(style, "fontName"):  # list styles have none
            style.fontName = bold if "Bold" in style.fontName else regular
    return sheet


@cache
def grid() -> TableStyle:
    regular, bold = faces().regular, faces().bold
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, 0), bold, 9),
            ("FONT", (0, 1), (-1, -1), regular, 9),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


def text(value: object) -> Paragraph:
    return Paragraph(marked(str(value)), styles()["BodyText"])


def table(header: list[str], rows: list[list], widths: list[float] | None = None, left: int = 1) -> Table:
    """Columns before `left` are text (left-aligned), the rest amounts."""
    framed = Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
    framed.setStyle(grid())
    framed.setStyle(TableStyle([("ALIGN", (0, 0), (left - 1, -1), "LEFT")]))
    return framed


def render(title: str, story: list, *, wide: bool = False) -> bytes:
    out = io.BytesIO()
    size = landscape(A4) if wide else A4
    document = SimpleDocTemplate(
        out,
        pagesize=size,
        title=title,
        author="Habitat",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build([Paragraph(marked(title), styles()["Title"]), *story])
    return out.getvalue()


def statement_pdf(document: MemberStatement) -> bytes:
    """Opening balances, one row per transaction with running balances, closing balances."""
    s = document.statement
    who = document.display_name or str(document.member_id)
    header = ["Date", "Source", "Description", "Book", "Tax", "Book balance", "Tax balance"]
    rows = [["", "", "Opening balance", "", "", amount(s.opening_book), amount(s.opening_tax)]]
    rows += [
        [
            str(line.movement.occurred_on),
            line.movement.source_type.replace("_", " "),
            text(line.movement.description),
            amount(line.movement.book_amount),
            amount(line.movement.tax_amount),
            amount(line.book_balance),
            amount(line.tax_balance),
        ]
        for line in s.lines
    ]
    rows.append(["", "", "Closing balance", "", "", amount(s.closing_book), amount(s.closing_tax)])
    widths = [22 * mm, 24 * mm, 95 * mm, 26 * mm, 26 * mm, 30 * mm, 30 * mm]
    return render(
        "Capital account statement",
        [
            Paragraph(marked(f"Member: {who} ({document.member_id})"), styles()["Normal"]),
            Paragraph(f"Period: {s.starts_on} to {s.ends_on}", styles()["Normal"]),
            Paragraph(f"Transactions: {len(s.lines)}", styles()["Normal"]),
            Spacer(1, 4 * mm),
            table(header, rows, widths, left=3),
        ],
        wide=True,
    )


def allocation_pdf(document: AllocationDocument) -> bytes:
    """The member's share of a period's allocation: the sentences, then the amounts."""
    row = document.statement.row
    who = document.display_name or str(document.statement.member_id)
    figures = [
        ["Allocation (book)", amount(row.allocation)],
        ["Allocation (tax)", amount(row.tax_allocation)],
        ["Paid in cash", amount(row.cash_portion_amount)],
        ["Retained in capital", amount(row.retained_amount)],
    ]
    return render(
        f"Allocation statement: {document.period.name}",
        [
            Paragraph(marked(f"Member: {who} ({document.statement.member_id})"), styles()["Normal"]),
            Paragraph(
                marked(
                    f"Period {document.period.starts_on} to {document.period.ends_on}; "
                    f"allocation {document.allocation.id} ({document.allocation.status})"
                ),
                styles()["Normal"],
            ),
            Spacer(1, 4 * mm),
            *(Paragraph(marked(sentence), styles()["BodyText"]) for sentence in document.statement.lines),
            Spacer(1, 4 * mm),
            table(["", "Amount"], figures, [60 * mm, 35 * mm]),
        ],
    )


def board_report_pdf(report: BoardReport) -> bytes:
    """Intake by type, the allocation row by row, and every member's capital at the period's end."""
    period, allocation = report.period, report.allocation
    story = [
        Paragraph(
            marked(f"{period.starts_on} to {period.ends_on}, status {period.status}"), styles()["Normal"]
        ),
        Paragraph("Intake by type", styles()["Heading2"]),
        table(
            ["Type", "Contributions", "Members", "Value"],
            [[line.type, str(line.count), str(line.members), amount(line.value)] for line in report.intake]
            or [["none", "0", "0", amount(Decimal(0))]],
            [40 * mm, 30 * mm, 25 * mm, 35 * mm],
        ),
        Paragraph("Allocation", styles()["Heading2"]),
    ]
    if allocation is None:
        story.append(Paragraph("No allocation proposed yet.", styles()["Normal"]))
    else:
        story.append(
            Paragraph(
                marked(
                    f"{allocation.status}: surplus {amount(allocation.surplus)} (book), "
                    f"{amount(allocation.tax_surplus)} (tax); cash portion {allocation.cash_portion}%"
                ),
                styles()["Normal"],
            )
        )
        story.append(
            table(
                ["Member", "Share", "Book", "Tax", "Cash", "Retained"],
                [
                    [
                        text(report.names.get(row.member_id) or row.member_id),
                        f"{row.share}",
                        amount(row.allocation),
                        amount(row.tax_allocation),
                        amount(row.cash_portion_amount),
                        amount(row.retained_amount),
                    ]
                    for row in allocation.rows
                ],
                [60 * mm, 22 * mm, 25 * mm, 25 * mm, 22 * mm, 25 * mm],
            )
        )
    story += [
        Paragraph(f"Capital by member at {period.ends_on}", styles()["Heading2"]),
        table(
            ["Member", "Book", "Tax"],
            [[text(c.display_name or c.member_id), amount(c.book), amount(c.tax)] for c in report.capital]
            + [["Total", amount(report.capital_book), amount(report.capital_tax)]],
            [90 * mm, 35 * mm, 35 * mm],
        ),
    ]
    return render(f"Board report: {period.name}", story)
