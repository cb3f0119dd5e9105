"""K-1 data for the accountant (admin): per tax year as JSON or CSV, and issuing a year's K-1s."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from habitat_common.api.ledger import K1Issue as K1IssueAnswer
from habitat_common.csv_safe import spreadsheet_row
from habitat_common.web.observability import long_running

from habitat_ledger.domain.exports.k1 import ItemL, K1Row
from habitat_ledger.domain.exports.k1_issue import K1Issue
from habitat_ledger.entrypoints.dependencies import Admin, Today, Uow
from habitat_ledger.service_layer.exports import exports
from habitat_ledger.service_layer.exports.k1_issues import issue_k1

router = APIRouter(tags=["exports"])
ITEM_L = ("beginning", "contributed", "income", "other", "other_explanation", "withdrawals", "ending")
ITEM_J = {
    "profit_share_percent_beginning": "profit_beginning",
    "profit_share_percent_ending": "profit_ending",
    "loss_share_percent_beginning": "loss_beginning",
    "loss_share_percent_ending": "loss_ending",
    "capital_percent_beginning": "capital_beginning",
    "capital_percent_ending": "capital_ending",
}
SECTION_704C = ("section_704c_gain_beginning", "section_704c_gain_ending")
COLUMNS = (["member_id", "display_name"] + [f"tax_{n}" for n in ITEM_L] + [f"book_{n}" for n in ITEM_L]
           + list(ITEM_J) + list(SECTION_704C))
Year = Annotated[int, Path(ge=1900, le=2200)]


def k1_cells(row: K1Row) -> dict[str, object]:
    """The row's columns in order, amounts as Decimal (numbers) and the rest as text."""
    cells: dict[str, object] = {"member_id": str(row.member_id), "display_name": row.display_name}
    for prefix, item in (("tax", row.tax), ("book", row.book)):
        cells |= {f"{prefix}_{name}": getattr(item, name) for name in ITEM_L}
    cells |= {name: getattr(row.item_j, field) for name, field in ITEM_J.items()}
    return cells | {name: getattr(row, name) for name in SECTION_704C}


def item_l(item: ItemL) -> dict[str, str]:
    return {name: f"{getattr(item, name)}" for name in ITEM_L}


def k1_json(row: K1Row) -> dict:
    return {
        "member_id": str(row.member_id),
        "display_name": row.display_name,
        "item_l_tax": item_l(row.tax),
        "book_704b": item_l(row.book),
        "item_j": {name: f"{getattr(row.item_j, field)}" for name, field in ITEM_J.items()},
    } | {name: f"{getattr(row, name)}" for name in SECTION_704C}


def k1_csv(rows: list[K1Row]) -> str:
    """One line per member; text that could start a formula is prefixed with ', amounts stay numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(spreadsheet_row(list(k1_cells(row).values())))
    return out.getvalue()


def issue_json(issue: K1Issue) -> dict:
    """The issue as the public answer shows it (also the details of a second attempt's 409)."""
    return K1IssueAnswer(
        year=issue.year,
        issued_at=issue.issued_at,
        issued_by=issue.issued_by,
        members=len(issue.endings),
        endings=[
            {"member_id": e.member_id, "tax_ending": e.tax, "book_ending": e.book,
             "section_704c_gain_ending": e.section_704c_gain}
            for e in issue.endings
        ],
    ).model_dump(mode="json")


@router.get("/exports/k1", response_model=None)
@long_running
async def k1(
    _: Admin,
    uow: Uow,
    year: Annotated[int, Query(ge=1900, le=2200)],
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Item L on the tax basis, 704(b) book alongside, Item J, §704(c) gain; 409 k1_does_not_tie."""
    rows = await exports.k1_data(year, uow)
    if format == "csv":
        return PlainTextResponse(
            k1_csv(rows), media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="k1-{year}.csv"'},
        )
    return JSONResponse({"year": year, "rows": [k1_json(row) for row in rows]})


@router.post("/exports/k1/{year}/issue", status_code=201, response_model=K1IssueAnswer)
@long_running
async def issue(year: Year, caller: Admin, uow: Uow, today: Today) -> dict:
    """Issue the year's K-1s: stores each member's endings (next year's beginning) and locks the year.

    409 k1_already_issued (with what was issued), k1_does_not_tie, k1_previous_year_not_issued,
    k1_periods_not_closed;
    422 k1_year_not_started.
    """
    return issue_json(await issue_k1(year, caller.member_id, uow, today=today))
