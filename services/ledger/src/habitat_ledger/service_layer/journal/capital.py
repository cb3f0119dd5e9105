"""Reading a member's capital account."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from habitat_ledger.domain.journal.capital import CapitalBalance
from habitat_ledger.domain.journal.transactions import AccountRef, Basis
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork


async def get_capital_account(
    member_id: uuid.UUID, uow: JournalUnitOfWork, *, as_of: date | None = None, today: date | None = None
) -> CapitalBalance:
    """Book and tax balances as the sum of postings dated on or before as_of (all of them if None).

    Without as_of the balance covers every posting, so it is reported as of today or the latest
    transaction date, whichever is later.
    """
    async with uow:
        sums = await uow.journal.posting_sums(AccountRef.member_capital(member_id).code, as_of)
    if as_of is None:
        today = today or datetime.now(UTC).date()
        as_of = max(today, sums.last_occurred_on or today)
    return CapitalBalance.from_posting_sums(
        member_id, sums.by_basis.get(Basis.BOOK), sums.by_basis.get(Basis.TAX), as_of
    )
