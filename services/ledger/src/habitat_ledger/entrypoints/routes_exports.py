"""Exports for the accountant (admin): the hledger journal per basis (K-1 data: routes_k1)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from habitat_common.web.observability import long_running

from habitat_ledger.domain.journal.transactions import Basis
from habitat_ledger.entrypoints.dependencies import Admin, Uow
from habitat_ledger.service_layer.exports import exports

router = APIRouter(tags=["exports"])


@router.get("/exports/journal", response_class=PlainTextResponse)
@long_running
async def journal(_: Admin, uow: Uow, basis: Literal["book", "tax"] = "book") -> PlainTextResponse:
    """The whole ledger on one basis as an hledger journal with balance assertions on member capital."""
    text = await exports.journal_export(Basis(basis), uow)
    return PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="habitat-{basis}.journal"'})
