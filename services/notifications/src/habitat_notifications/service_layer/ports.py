"""Ports the use cases depend on; adapters implement them (SQLAlchemy, aiosmtplib, Jinja2) and tests fake them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Self

from habitat_notifications.domain.mailing import MailPlan
from habitat_notifications.domain.messages import Delivery, Message
from habitat_notifications.domain.preferences import Preferences
from habitat_notifications.domain.replicas import ContributionReplica, MemberReplica, PeriodReplica
from habitat_notifications.domain.schedule import Run

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class MessageFilter:
    """Which messages an admin lists, newest first; after is the keyset cursor (created_at, id) of the last
    row of the previous page."""

    status: str | None = None
    recipient_id: uuid.UUID | None = None
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 50


class MemberReplicaRepository(Protocol):
    """The member replica fed by identity's events."""

    def add(self, member: MemberReplica) -> None: ...

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None: ...

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None: ...

    async def active(self) -> list[MemberReplica]:
        """Every active member with an address."""
        ...


class PreferenceRepository(Protocol):
    """Members' choices; a member without a row has the defaults."""

    def add(self, preferences: Preferences) -> None: ...

    async def get(self, member_id: uuid.UUID) -> Preferences | None: ...

    async def get_for_update(self, member_id: uuid.UUID) -> Preferences | None: ...

    async def of(self, member_ids: list[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
        """The stored preferences of those members that have any."""
        ...


class MessageRepository(Protocol):
    """The mail outbox."""

    async def add_new(self, messages: list[Message]) -> list[Message]:
        """Write those whose idempotency key is new; the ones written."""
        ...

    async def claim_due(self, now: datetime) -> Message | None:
        """The queued message due longest, locked until this transaction ends; one another transaction holds
        is skipped (so any number of senders share the work); None when nothing is due."""
        ...

    async def get_for_update(self, message_id: uuid.UUID) -> Message | None: ...

    async def page(self, where: MessageFilter) -> list[Message]: ...


class PeriodReplicaRepository(Protocol):
    """The period replica fed by the ledger's events."""

    def add(self, period: PeriodReplica) -> None: ...

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None: ...

    async def open(self) -> list[PeriodReplica]:
        """Every period whose status is open."""
        ...


class ContributionReplicaRepository(Protocol):
    """The contribution replica fed by contributions' events."""

    def add(self, contribution: ContributionReplica) -> None: ...

    async def get_for_update(self, contribution_id: uuid.UUID) -> ContributionReplica | None: ...

    async def submitters(self, period_id: uuid.UUID) -> set[uuid.UUID]:
        """Members with any contribution in the period."""
        ...

    async def undecided_since(self, cutoff: datetime) -> tuple[int, datetime | None]:
        """How many undecided contributions were submitted before cutoff, and when the oldest was."""
        ...


class ReminderRuns(Protocol):
    """The record of reminder runs: one row per slot."""

    async def claim(self, run: Run, *, at: datetime, by: uuid.UUID | None) -> bool:
        """Record the run; False when its slot ran before (or is running in another transaction, which won)."""
        ...

    async def record_mailed(self, run: Run, mailed: int) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: repositories and the inbox."""

    members: MemberReplicaRepository
    preferences: PreferenceRepository
    messages: MessageRepository
    periods: PeriodReplicaRepository
    contributions: ContributionReplicaRepository
    runs: ReminderRuns
    events: list[Any]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


@dataclass(frozen=True)
class Draft:
    """A rendered mail: subject, bodies and, for non-essential mail, the unsubscribe link."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None


class Composer(Protocol):
    """Renders a plan with its kind's templates."""

    def compose(self, plan: MailPlan) -> Draft: ...


class MailSession(Protocol):
    """One conversation with the SMTP server: hands it a message; the server's answer, never an exception for a
    refusal."""

    async def send(self, message: Message) -> Delivery: ...


class Mailer(Protocol):
    """Opens a conversation with the SMTP server for a round of messages."""

    def session(self) -> AbstractAsyncContextManager[MailSession]: ...
