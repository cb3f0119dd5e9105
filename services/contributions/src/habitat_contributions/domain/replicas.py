"""Local copies of other contexts' facts: members (identity) and periods (ledger)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime

PERIOD_OPEN = "open"
PERIOD_CLOSING = "closing"
PERIOD_CLOSED = "closed"
MEMBER_ACTIVE = "active"


@dataclass(eq=False)
class MemberReplica:
    """The member as identity last told us; updated_at is the occurred_at of that event."""

    member_id: uuid.UUID
    updated_at: datetime
    email: str | None = None
    display_name: str | None = None
    role: str | None = None
    status: str | None = None
    joined_at: date | None = None

    def apply(self, occurred_at: datetime, **facts: str | date | None) -> None:
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


@dataclass(eq=False)
class PeriodReplica:
    """A ledger period as last announced; contributions must fall in an open one."""

    period_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    status: str
    updated_at: datetime

    def apply(self, occurred_at: datetime, *, name: str, starts_on: date, ends_on: date, status: str) -> None:
        """Overwrite with a newer announcement; ignore an older one."""
        if occurred_at < self.updated_at:
            return
        self.name, self.starts_on, self.ends_on, self.status = name, starts_on, ends_on, status
        self.updated_at = occurred_at

    def mark_closed(self, occurred_at: datetime) -> None:
        """The ledger locked the period; a newer event only (an older one cannot reopen or un-close)."""
        if occurred_at >= self.updated_at:
            self.status, self.updated_at = PERIOD_CLOSED, occurred_at

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def accepts(self, day: date) -> bool:
        return self.status == PERIOD_OPEN and self.starts_on <= day <= self.ends_on

    @property
    def is_closing(self) -> bool:
        """Intake and edits stopped, the allocation not yet posted. What was submitted before still gets
        its final decision (approved or rejected) here, or a contribution sent just before the close
        started would keep the period from ever closing."""
        return self.status == PERIOD_CLOSING


MEMBER_FACTS = tuple(f.name for f in fields(MemberReplica) if f.name not in ("member_id", "updated_at"))
