"""The live draft allocation of a period: "if the surplus were X, your share would be Y, because…"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from habitat_ledger.domain.close.allocation import AllocationResult, Weights, allocate, surplus_of
from habitat_ledger.domain.errors import NoPatronage
from habitat_ledger.domain.money import ZERO
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.close.periods import require_period
from habitat_ledger.service_layer.close.ports import CloseUnitOfWork


@dataclass(frozen=True)
class Draft:
    period: Period
    result: AllocationResult
    names: dict[uuid.UUID, str]


async def draft_allocation(
    period_id: uuid.UUID, surplus: Decimal, weights: Weights, uow: CloseUnitOfWork, tax_surplus: Decimal | None = None
) -> Draft:
    """The allocation as it would be with the approved contributions so far; nothing is stored.

    surplus is the book result and tax_surplus the tax result (default: the same); either may be a
    loss. With no positive weighted patronage yet the draft simply has no rows (a proposal would refuse).
    """
    async with uow:
        period = await require_period(period_id, uow)
        totals = await uow.patronage.totals(period_id)
        names = await uow.members.names()
    try:
        result = allocate(surplus, weights, [(t.member_id, t.type, t.value) for t in totals], tax_surplus)
    except NoPatronage:
        book = surplus_of(surplus)
        tax = book if tax_surplus is None else surplus_of(tax_surplus, "tax result")
        result = AllocationResult(book, weights, ZERO, (), tax)
    return Draft(period, result, names)
