"""Builders of the commands, members and messages tests need."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from habitat_notifications.domain.commands import MailAllocationPosted, MailDecision, MailLink
from habitat_notifications.domain.kinds import Kind
from habitat_notifications.domain.messages import Message
from habitat_notifications.domain.replicas import MemberReplica, PeriodReplica

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def member(status: str = "active", **overrides) -> MemberReplica:
    member_id = overrides.pop("member_id", None) or uuid.uuid4()
    values = {"email": f"{member_id.hex[:8]}@example.coop", "display_name": "Ada", "role": "member"}
    return MemberReplica(member_id=member_id, updated_at=T0, status=status, **{**values, **overrides})


def link(kind: Kind = Kind.PASSWORD_RESET, **overrides) -> MailLink:
    values = {
        "event_id": uuid.uuid4(),
        "kind": kind,
        "member_id": uuid.uuid4(),
        "email": "ada@example.coop",
        "display_name": "Ada",
        "token": "tok-en_123",
        "expires_at": T0 + timedelta(minutes=30),
    }
    return MailLink(**{**values, **overrides})


def decision(member_id: uuid.UUID, kind: Kind = Kind.CONTRIBUTION_REJECTED, **overrides) -> MailDecision:
    values = {
        "event_id": uuid.uuid4(),
        "kind": kind,
        "member_id": member_id,
        "contribution_id": uuid.uuid4(),
        "reason": "Receipt missing" if kind is Kind.CONTRIBUTION_REJECTED else None,
        "question": "Which day?" if kind is Kind.CLARIFICATION_REQUESTED else None,
        "value": Decimal("150.00") if kind is Kind.CONTRIBUTION_APPROVED else None,
    }
    return MailDecision(**{**values, **overrides})


def allocation_posted(**overrides) -> MailAllocationPosted:
    values = {
        "event_id": uuid.uuid4(),
        "allocation_id": uuid.uuid4(),
        "period_name": "2026-Q4",
        "member_id": uuid.uuid4(),
        "allocation": Decimal("1200.00"),
        "tax_allocation": Decimal("1200.00"),
        "cash_portion_amount": Decimal("240.00"),
        "retained_amount": Decimal("960.00"),
        "explanation": (
            "For period 2026-Q4, the co-op allocated a surplus of 12000.00 by weighted patronage.",
            "Your allocation is 1200.00.",
        ),
    }
    return MailAllocationPosted(**{**values, **overrides})


def message(**overrides) -> Message:
    values = {
        "id": uuid.uuid4(),
        "kind": str(Kind.CONTRIBUTION_APPROVED),
        "recipient_id": uuid.uuid4(),
        "recipient_email": "ada@example.coop",
        "subject": "Approved",
        "text_body": "text",
        "html_body": "<p>html</p>",
        "source_event_id": uuid.uuid4(),
        "created_at": T0,
        "next_attempt_at": T0,
    }
    return Message(**{**values, **overrides})


def period(**overrides) -> PeriodReplica:
    values = {
        "period_id": uuid.uuid4(),
        "name": "2026-Q4",
        "starts_on": date(2026, 10, 1),
        "ends_on": date(2026, 12, 31),
        "status": "open",
        "updated_at": T0,
    }
    return PeriodReplica(**{**values, **overrides})
