"""Distributions: cash paid out of a member's capital (scheduled → completed | cancelled)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from habitat_ledger.domain.errors import DistributionNotScheduled, InvalidDistribution
from habitat_ledger.domain.journal.transactions import AccountRef, Basis, Leg
from habitat_ledger.domain.money import MAX_AMOUNT, ZERO, money

METHODS = ("ach", "check", "cash", "other")


class DistributionStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(eq=False)
class Distribution:
    id: uuid.UUID
    member_id: uuid.UUID
    amount: Decimal
    method: str
    scheduled_on: date
    status: DistributionStatus
    created_by: uuid.UUID
    created_at: datetime
    allocation_id: uuid.UUID | None = None
    reference: str | None = None
    paid_on: date | None = None
    completed_by: uuid.UUID | None = None
    completed_at: datetime | None = None
    override_reason: str | None = None
    cancelled_by: uuid.UUID | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None

    @classmethod
    def schedule(
        cls,
        *,
        member_id: uuid.UUID,
        amount: Decimal,
        method: str,
        scheduled_on: date,
        created_by: uuid.UUID,
        now: datetime,
        allocation_id: uuid.UUID | None = None,
    ) -> Distribution:
        amount = money(amount)
        if amount <= ZERO:
            raise InvalidDistribution("A distribution pays a positive amount.")
        if amount > MAX_AMOUNT:
            raise InvalidDistribution(f"A distribution pays at most {MAX_AMOUNT}.")
        if method not in METHODS:
            raise InvalidDistribution(f"The payment method is one of {', '.join(METHODS)}.")
        return cls(
            uuid.uuid4(), member_id, amount, method, scheduled_on, DistributionStatus.SCHEDULED,
            created_by, now, allocation_id,
        )

    def complete(
        self, *, reference: str, paid_on: date, by: uuid.UUID, at: datetime, override_reason: str | None
    ) -> None:
        if self.status != DistributionStatus.SCHEDULED:
            raise DistributionNotScheduled(f"This distribution is {self.status}.")
        if not reference.strip():
            raise InvalidDistribution("A completed distribution needs the payment reference.")
        self.status = DistributionStatus.COMPLETED
        self.reference, self.paid_on, self.completed_by, self.completed_at = reference.strip(), paid_on, by, at
        self.override_reason = override_reason

    def cancel(self, *, reason: str, by: uuid.UUID, at: datetime) -> None:
        if self.status != DistributionStatus.SCHEDULED:
            raise DistributionNotScheduled(f"This distribution is {self.status}; only a scheduled one is cancelled.")
        if not reason.strip():
            raise InvalidDistribution("A cancellation needs a reason.")
        self.status = DistributionStatus.CANCELLED
        self.cancel_reason, self.cancelled_by, self.cancelled_at = reason.strip(), by, at

    def legs(self) -> list[Leg]:
        """Debit the member's capital, credit the co-op's cash, on both bases."""
        capital = AccountRef.member_capital(self.member_id)
        return [
            leg
            for basis in (Basis.BOOK, Basis.TAX)
            for leg in (Leg(capital, basis, self.amount), Leg(AccountRef.coop_cash(), basis, -self.amount))
        ]
