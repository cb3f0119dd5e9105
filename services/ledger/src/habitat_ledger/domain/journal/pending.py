"""Events that cannot take effect yet (or ever, without an admin): kept, never dropped."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from habitat_ledger.domain.commands import BookContribution

CONTRIBUTION_APPROVED = "contribution_approved"
UNKNOWN_PERIOD = "unknown_period"
PERIOD_CLOSED = "period_closed"


@dataclass(eq=False)
class PendingEvent:
    """An approved contribution waiting for its period, or refused because its period is closed."""

    id: uuid.UUID
    kind: str
    key: uuid.UUID
    period_id: uuid.UUID
    payload: dict[str, Any]
    reason: str
    recorded_at: datetime
    applied_at: datetime | None = None

    @classmethod
    def of_contribution(cls, command: BookContribution, reason: str, now: datetime) -> PendingEvent:
        return cls(uuid.uuid4(), CONTRIBUTION_APPROVED, command.contribution_id, command.period_id,
                   to_payload(command), reason, now)

    def command(self) -> BookContribution:
        return from_payload(self.payload)


def to_payload(command: BookContribution) -> dict[str, Any]:
    return {key: (None if value is None else str(value)) for key, value in vars(command).items()}


def from_payload(payload: dict[str, Any]) -> BookContribution:
    def uid(key: str) -> uuid.UUID | None:
        return uuid.UUID(payload[key]) if payload.get(key) else None

    return BookContribution(
        contribution_id=uuid.UUID(payload["contribution_id"]),
        member_id=uuid.UUID(payload["member_id"]),
        period_id=uuid.UUID(payload["period_id"]),
        type=payload["type"],
        contributed_on=date.fromisoformat(payload["contributed_on"]),
        value=Decimal(payload["value"]),
        book_amount=Decimal(payload["book_amount"]),
        tax_amount=Decimal(payload["tax_amount"]),
        corrects_contribution_id=uid("corrects_contribution_id"),
    )
