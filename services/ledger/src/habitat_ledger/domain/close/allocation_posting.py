"""What posting an allocation writes: one journal transaction crediting every member, and cash distributions.

The allocation is one transaction per calculation record: on each basis it debits the co-op's
surplus by that basis's result (book: surplus, tax: tax_surplus) and credits each member's
capital by their allocation on that basis, so each basis balances exactly because its allocations
sum to its result (largest-remainder rounding). A loss is the same transaction with the signs
turned: the surplus account is credited and members' capital debited. The member lines come from
the record's stored rows; the database writes them set-based and its balance check refuses the
transaction if a basis does not sum to its result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from habitat_ledger.domain.close.proposal import Allocation
from habitat_ledger.domain.journal.transactions import AccountRef

SCHEDULED_METHOD = "other"  # the admin names the real method when completing the payment


@dataclass(frozen=True)
class AllocationEntry:
    """The journal transaction of a posted allocation; member credits are the record's rows."""

    transaction_id: uuid.UUID
    allocation_id: uuid.UUID
    surplus: Decimal  # the book result; negative for a loss
    tax_surplus: Decimal  # the tax result
    surplus_account: AccountRef
    description: str
    occurred_on: date
    recorded_at: datetime
    recorded_by: uuid.UUID


@dataclass(frozen=True)
class CashSchedule:
    """Scheduled distributions of the allocation's cash portions (rows with a positive one)."""

    allocation_id: uuid.UUID
    method: str
    scheduled_on: date
    created_by: uuid.UUID
    created_at: datetime


def allocation_description(period_name: str, allocation: Allocation) -> str:
    """What statements show: "Allocation of the 2026-Q1 loss" (or surplus), and the tax result's
    kind when it differs, e.g. "Allocation of the 2026-Q1 surplus (a loss on the tax basis)"."""
    book = "loss" if allocation.surplus < 0 else "surplus"
    tax = "loss" if allocation.tax_surplus < 0 else "surplus"
    tail = f" (a {tax} on the tax basis)" if tax != book else ""
    return f"Allocation of the {period_name} {book}{tail}"


def allocation_entry(
    allocation: Allocation, *, description: str, occurred_on: date, by: uuid.UUID, now: datetime
) -> AllocationEntry:
    """The transaction that moves the result (surplus or loss) into members' capital on both bases."""
    return AllocationEntry(
        transaction_id=uuid.uuid4(),
        allocation_id=allocation.id,
        surplus=allocation.surplus,
        tax_surplus=allocation.tax_surplus,
        surplus_account=AccountRef.coop_surplus(),
        description=description,
        occurred_on=occurred_on,
        recorded_at=now,
        recorded_by=by,
    )


def cash_schedule(allocation: Allocation, *, by: uuid.UUID, now: datetime, on: date | None = None) -> CashSchedule:
    """Each member's cash portion, scheduled on the day given (the co-op's today) or now's date, with a
    method the admin names on completion."""
    return CashSchedule(allocation.id, SCHEDULED_METHOD, on or now.date(), by, now)
