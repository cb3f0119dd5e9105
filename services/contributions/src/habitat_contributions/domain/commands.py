"""Commands: what callers ask the contributions context to do."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

EDITABLE_FIELDS = ("contributed_on", "description", "hours", "rate", "amount", "fair_market_value", "adjusted_basis")


@dataclass(frozen=True)
class SubmitContribution:
    member_id: uuid.UUID
    type: str
    contributed_on: date
    description: str
    hours: Decimal | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None
    fair_market_value: Decimal | None = None
    adjusted_basis: Decimal | None = None
    corrects_contribution_id: uuid.UUID | None = None
    idempotency_key: str | None = None

    def fingerprint(self) -> str:
        """Hash of what was asked (not the key): the same key must come with the same request."""
        facts = {k: v for k, v in asdict(self).items() if k != "idempotency_key"}
        return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class EditContribution:
    """Change some submitted fields (names in EDITABLE_FIELDS) of a pending or questioned contribution."""

    contribution_id: uuid.UUID
    member_id: uuid.UUID
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ApproveContribution:
    """expected_revision (on every review command): the revision the reviewer saw; None leaves it unchecked."""

    contribution_id: uuid.UUID
    reviewer_id: uuid.UUID
    note: str | None = None
    expected_revision: int | None = None


@dataclass(frozen=True)
class RejectContribution:
    contribution_id: uuid.UUID
    reviewer_id: uuid.UUID
    reason: str
    expected_revision: int | None = None


@dataclass(frozen=True)
class RequestClarification:
    contribution_id: uuid.UUID
    reviewer_id: uuid.UUID
    question: str
    expected_revision: int | None = None


@dataclass(frozen=True)
class RespondToClarification:
    """The submitter's answer, optionally with edits (names in EDITABLE_FIELDS)."""

    contribution_id: uuid.UUID
    member_id: uuid.UUID
    answer: str
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RecordMember:
    """Replicate a member's state as of occurred_at; None fields are unknown (e.g. on deactivation)."""

    member_id: uuid.UUID
    occurred_at: datetime
    email: str | None = None
    display_name: str | None = None
    role: str | None = None
    status: str | None = None
    joined_at: date | None = None


@dataclass(frozen=True)
class RecordPeriod:
    period_id: uuid.UUID
    occurred_at: datetime
    name: str
    starts_on: date
    ends_on: date
    status: str


@dataclass(frozen=True)
class MarkPeriodClosed:
    """The ledger locked the period for good (its event carries no dates)."""

    period_id: uuid.UUID
    occurred_at: datetime
