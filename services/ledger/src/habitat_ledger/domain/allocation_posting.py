"""What posting an allocation writes: per member a journal transaction and a cash distribution."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from habitat_ledger.domain.distribution import ScheduledDistributions
from habitat_ledger.domain.journal import AccountRef, Basis, JournalBatch, SourceType
from habitat_ledger.domain.money import ZERO
from habitat_ledger.domain.proposal import Allocation

SCHEDULED_METHOD = "other"  # the admin names the real method when completing the payment
BASES = (Basis.BOOK, Basis.TAX)


def allocation_entries(
    allocation: Allocation, *, description: str, occurred_on: date, by: uuid.UUID, now: datetime
) -> JournalBatch:
    """One transaction per member with a non-zero allocation: on each basis, debit the co-op's
    surplus and credit the member's capital by the allocation."""
    rows = [row for row in allocation.rows if row.allocation != ZERO]
    surplus = AccountRef.coop_surplus()
    capital = [AccountRef.member_capital(row.member_id) for row in rows]
    ids = [uuid.uuid4() for _ in rows]
    return JournalBatch(
        source_type=SourceType.ALLOCATION,
        source_id=allocation.id,
        occurred_on=occurred_on,
        description=description,
        recorded_at=now,
        recorded_by=by,
        ids=ids,
        member_ids=[row.member_id for row in rows],
        accounts=[surplus, *capital],
        posting_transaction=[tx for tx in ids for _ in range(2 * len(BASES))],
        posting_account=[code for ref in capital for _ in BASES for code in (surplus.code, ref.code)],
        posting_basis=[basis for _ in rows for basis in BASES for _ in range(2)],
        posting_amount=[amount for row in rows for _ in BASES for amount in (row.allocation, -row.allocation)],
    )


def cash_distributions(allocation: Allocation, *, by: uuid.UUID, now: datetime) -> ScheduledDistributions:
    """A scheduled distribution of each member's cash portion, where there is one."""
    rows = [row for row in allocation.rows if row.cash_portion_amount > ZERO]
    return ScheduledDistributions(
        method=SCHEDULED_METHOD,
        scheduled_on=now.date(),
        created_by=by,
        created_at=now,
        allocation_id=allocation.id,
        ids=[uuid.uuid4() for _ in rows],
        member_ids=[row.member_id for row in rows],
        amounts=[row.cash_portion_amount for row in rows],
    )
