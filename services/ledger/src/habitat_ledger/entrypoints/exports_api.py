"""Exports for the accountant (admin): K-1 data per tax year, the hledger journal per basis."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from habitat_ledger.domain.journal import Basis
from habitat_ledger.domain.k1 import ItemL, K1Row
from habitat_ledger.entrypoints.dependencies import Admin, Uow
from habitat_ledger.service_layer import exports

router = APIRouter(tags=["exports"])
ITEM_L = ("beginning", "contributed", "income", "other", "other_explanation", "withdrawals", "ending")


def item_l(item: ItemL) -> dict[str, str]:
    return {name: f"{getattr(item, name)}" for name in ITEM_L}


def k1_json(row: K1Row) -> dict:
    return {
        "member_id": str(row.member_id),
        "display_name": row.display_name,
        "item_l_tax": item_l(row.tax),
        "book_704b": item_l(row.book),
        "item_j": {
            "profit_share_percent": f"{row.profit_share_percent}",
            "capital_percent_beginning": f"{row.capital_percent_beginning}",
            "capital_percent_ending": f"{row.capital_percent_ending}",
        },
        "property_built_in_gain": f"{row.property_built_in_gain}",
    }


def k1_csv(rows: list[K1Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["member_id", "display_name"]
        + [f"tax_{name}" for name in ITEM_L]
        + [f"book_{name}" for name in ITEM_L]
        + ["profit_share_percent", "capital_percent_beginning", "capital_percent_ending", "property_built_in_gain"]
    )
    for row in rows:
        data = k1_json(row)
        writer.writerow(
            [data["member_id"], data["display_name"]]
            + list(data["item_l_tax"].values())
            + list(data["book_704b"].values())
            + list(data["item_j"].values())
            + [data["property_built_in_gain"]]
        )
    return out.getvalue()


@router.get("/exports/k1", response_model=None)
async def k1(
    _: Admin,
    uow: Uow,
    year: Annotated[int, Query(ge=1900, le=2200)],
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Item L on the tax basis, 704(b) book alongside, Item J percentages; 409 k1_does_not_tie."""
    rows = await exports.k1_data(year, uow)
    if format == "csv":
        return PlainTextResponse(
            k1_csv(rows), media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="k1-{year}.csv"'},
        )
    return JSONResponse({"year": year, "rows": [k1_json(row) for row in rows]})


@router.get("/exports/journal", response_class=PlainTextResponse)
async def journal(_: Admin, uow: Uow, basis: Literal["book", "tax"] = "book") -> PlainTextResponse:
    """The whole ledger on one basis as an hledger journal with balance assertions on member capital."""
    text = await exports.journal_export(Basis(basis), uow)
    return PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="habitat-{basis}.journal"'})
