"""The members as identity last told us: only what a mail needs (address, name, status, role)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime

MEMBER_ACTIVE = "active"
MEMBER_INACTIVE = "inactive"


@dataclass(eq=False)
class MemberReplica:
    """A member's mail facts; updated_at is the occurred_at of the event that last changed them."""

    member_id: uuid.UUID
    updated_at: datetime
    email: str | None = None
    display_name: str | None = None
    status: str | None = None
    role: str | None = None

    def apply(self, occurred_at: datetime, **facts: str | None) -> None:
        """Newer facts overwrite; an older event only fills what we do not know yet (out-of-order delivery)."""
        newer = occurred_at >= self.updated_at
        for name, fact in facts.items():
            if fact is not None and (newer or getattr(self, name) is None):
                setattr(self, name, fact)
        if newer:
            self.updated_at = occurred_at

    @property
    def is_active(self) -> bool:
        return self.status == MEMBER_ACTIVE

    @property
    def reachable(self) -> bool:
        """Known address and not deactivated: a pending member (invited, no password yet) still hears from us."""
        return bool(self.email) and self.status != MEMBER_INACTIVE


MEMBER_FACTS = tuple(f.name for f in fields(MemberReplica) if f.name not in ("member_id", "updated_at"))


PERIOD_OPEN = "open"


@dataclass(eq=False)
class PeriodReplica:
    """A ledger period as last announced: reminders concern the open one."""

    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: str
    updated_at: datetime

    def apply(self, occurred_at: datetime, **facts: object) -> None:
        """A newer announcement overwrites what it carries; an older one is ignored."""
        if occurred_at < self.updated_at:
            return
        for name, fact in facts.items():
            if fact is not None:
                setattr(self, name, fact)
        self.updated_at = occurred_at

    def is_open_on(self, day: date) -> bool:
        return self.status == PERIOD_OPEN and self.starts_on <= day <= self.ends_on


UNDECIDED = ("pending", "clarification_requested")


@dataclass(eq=False)
class ContributionReplica:
    """Who submitted what in which period, and whether it is decided: what reminders and the digest need."""

    contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    status: str
    submitted_at: datetime
    updated_at: datetime

    def apply(self, occurred_at: datetime, status: str) -> None:
        """A newer decision overwrites the status; an older event (out of order) does not."""
        if occurred_at >= self.updated_at:
            self.status, self.updated_at = status, occurred_at
