"""What the consumers ask of the use cases, translated from other contexts' events at the edge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from habitat_notifications.domain.kinds import Kind


@dataclass(frozen=True)
class RecordMember:
    """identity told us a member's facts (None: this event does not carry it)."""

    member_id: uuid.UUID
    occurred_at: datetime
    email: str | None = None
    display_name: str | None = None
    status: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class MailLink:
    """Mail a single-use link (invitation or password reset) to the address the event names."""

    event_id: uuid.UUID
    kind: Kind
    member_id: uuid.UUID
    email: str
    display_name: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class MailNewDevice:
    """Tell a member their account was signed in to from a client it had not seen (security mail)."""

    event_id: uuid.UUID
    member_id: uuid.UUID
    email: str
    display_name: str
    signed_in_at: datetime
    client: str
    user_agent: str


@dataclass(frozen=True)
class MailDecision:
    """Tell a member what a reviewer decided about their contribution (or asked about it)."""

    event_id: uuid.UUID
    kind: Kind
    member_id: uuid.UUID
    contribution_id: uuid.UUID
    occurred_at: datetime | None = None
    period_id: uuid.UUID | None = None  # a clarification request does not carry it
    reason: str | None = None
    question: str | None = None
    value: Decimal | None = None


@dataclass(frozen=True)
class MailAllocationPosted:
    """The ledger posted a period's allocation: tell one member their share and how it came about."""

    event_id: uuid.UUID
    allocation_id: uuid.UUID
    period_name: str
    member_id: uuid.UUID
    allocation: Decimal
    tax_allocation: Decimal
    cash_portion_amount: Decimal
    retained_amount: Decimal
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class RecordPeriod:
    """The ledger announced a period (None: this event does not carry it)."""

    period_id: uuid.UUID
    occurred_at: datetime
    status: str
    name: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class RecordContribution:
    """contributions told us a contribution was submitted (pending) or decided."""

    contribution_id: uuid.UUID
    occurred_at: datetime
    status: str
    member_id: uuid.UUID | None = None
    period_id: uuid.UUID | None = None
