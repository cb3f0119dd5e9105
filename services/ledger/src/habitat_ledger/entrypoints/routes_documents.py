"""Documents to download: a member's capital statement (CSV, PDF), their allocation statement (PDF) and the
board's period report (PDF)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from habitat_common.csv_safe import spreadsheet_row
from habitat_common.web.inputs import IsoDate
from starlette.concurrency import run_in_threadpool

from habitat_ledger.adapters import pdf
from habitat_ledger.domain.errors import AllocationNotFound
from habitat_ledger.entrypoints.dependencies import Member, StatementReads, Steward, Today, Uow
from habitat_ledger.entrypoints.routes_capital import ensure_may_see
from habitat_ledger.service_layer.exports.documents import (
    MemberStatement,
    allocation_document,
    board_report,
    member_statement,
)

router = APIRouter(tags=["documents"])
From = Annotated[
    IsoDate | None, Query(alias="from", description="First day (default: the first transaction's)")
]
To = Annotated[IsoDate | None, Query(alias="to", description="Last day, included (default: today)")]
CSV_COLUMNS = [
    "date",
    "transaction_id",
    "source_type",
    "source_id",
    "description",
    "book_amount",
    "tax_amount",
    "book_balance",
    "tax_balance",
]
REFUSALS = {
    404: {"description": "capital_account_not_found: another member's"},
    422: {"description": "invalid_statement_range (from after to, or over 100 years); invalid_date"},
}


def pdf_media(description: str) -> dict:
    return {200: {"content": {"application/pdf": {}}, "description": description}}


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def statement_csv(document: MemberStatement) -> str:
    """A row brought forward (the opening balances), a row per transaction, a row carried forward; text that
    could start a formula gets a leading ', amounts stay numbers."""
    s = document.statement
    rows = [balance_row(s.starts_on, "Balance brought forward", s.opening_book, s.opening_tax)]
    for line in s.lines:
        m = line.movement
        cells = [m.occurred_on, m.transaction_id, m.source_type, m.source_id, m.description]
        rows.append(cells + [m.book_amount, m.tax_amount, line.book_balance, line.tax_balance])
    rows.append(balance_row(s.ends_on, "Balance carried forward", s.closing_book, s.closing_tax))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(spreadsheet_row(row) for row in rows)
    return out.getvalue()


def balance_row(day: date, label: str, book: Decimal, tax: Decimal) -> list[object]:
    return [day, "", "", "", label, "", "", book, tax]


def statement_name(document: MemberStatement, extension: str) -> str:
    s = document.statement
    return f"statement-{document.member_id}-{s.starts_on}-{s.ends_on}.{extension}"


async def statement_body(document: MemberStatement, kind: str) -> bytes | str:
    if kind == "csv":
        return statement_csv(document)
    return await run_in_threadpool(pdf.statement_pdf, document)  # rendering is CPU work: keep the loop free


def add_statement_route(kind: str, media_type: str) -> None:
    """GET /capital-accounts/{member_id}/statement.<kind>: the same statement, rendered as kind."""

    @router.get(
        f"/capital-accounts/{{member_id}}/statement.{kind}",
        response_class=Response,
        responses={200: {"content": {media_type: {}}, "description": f"The statement as {kind.upper()}"}}
        | REFUSALS,
        name=f"statement_as_{kind}",
        summary=f"Statement as {kind.upper()}",
    )
    async def statement(
        member_id: uuid.UUID, caller: Member, reads: StatementReads, today: Today, from_: From = None, to: To = None
    ) -> Response:
        """The member's capital statement from `from` to `to` (self, steward, admin; others 404)."""
        ensure_may_see(caller, member_id)
        document = await member_statement(member_id, reads, starts_on=from_, ends_on=to, today=today)
        return attachment(await statement_body(document, kind), media_type, statement_name(document, kind))


add_statement_route("csv", "text/csv")
add_statement_route("pdf", "application/pdf")


@router.get(
    "/allocations/{allocation_id}/statement/{member_id}.pdf",
    response_class=Response,
    responses=pdf_media("The allocation statement as PDF") | {404: {"description": "allocation_not_found"}},
)
async def allocation_statement_as_pdf(
    allocation_id: uuid.UUID, member_id: uuid.UUID, caller: Member, uow: Uow
) -> Response:
    """A member's part of an allocation as PDF (self, steward, admin; others 404)."""
    if caller.member_id != member_id and not caller.has_role("steward"):
        raise AllocationNotFound("No such allocation.")
    document = await allocation_document(allocation_id, member_id, uow)
    body = await run_in_threadpool(pdf.allocation_pdf, document)
    return attachment(body, "application/pdf", f"allocation-{allocation_id}-{member_id}.pdf")


@router.get(
    "/periods/{period_id}/report.pdf",
    response_class=Response,
    responses=pdf_media("The board report as PDF") | {404: {"description": "period_not_found"}},
)
async def period_report_as_pdf(period_id: uuid.UUID, _: Steward, uow: Uow) -> Response:
    """The period for the board (steward, admin): intake by type, the allocation, capital by member."""
    report = await board_report(period_id, uow)
    body = await run_in_threadpool(pdf.board_report_pdf, report)
    return attachment(body, "application/pdf", f"report-{report.period.name}.pdf")
