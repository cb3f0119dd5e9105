"""A mail is written first (queued), then sent by a loop: sent, retried later, failed or bounced."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from habitat_notifications.domain.backoff import RetryPolicy
from habitat_notifications.domain.errors import NotResendable
from habitat_notifications.domain.kinds import Kind


class Status(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # every attempt refused for now (4xx, connection): given up
    BOUNCED = "bounced"  # refused for good (5xx) at the first answer


RESENDABLE = (Status.FAILED, Status.BOUNCED)
RETRIED = "retried"  # a transient refusal with attempts left: the metric's status, the row stays queued
# What a sent security mail keeps of its bodies: they held a single-use link, which the database need not keep.
REDACTED = "[removed once sent: it held a single-use link]"


@dataclass(frozen=True)
class Delivery:
    """What the SMTP server answered: accepted, or refused (permanent for a 5xx to the recipient or data)."""

    accepted: bool
    answer: str = ""
    permanent: bool = False


def idempotency_key(source_event_id: uuid.UUID, recipient_id: uuid.UUID, kind: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    """An event mails each recipient at most once per kind, however often it is delivered."""
    return (source_event_id, recipient_id, str(kind))


@dataclass(eq=False)
class Message:
    """One mail to one member, with its bodies as rendered when it was written."""

    id: uuid.UUID
    kind: str
    recipient_id: uuid.UUID
    recipient_email: str
    subject: str
    text_body: str
    html_body: str
    source_event_id: uuid.UUID
    created_at: datetime
    next_attempt_at: datetime | None
    unsubscribe_url: str | None = None
    status: str = Status.QUEUED
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    resend_count: int = 0
    resent_at: datetime | None = None
    resent_by: uuid.UUID | None = None

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID, str]:
        return idempotency_key(self.source_event_id, self.recipient_id, self.kind)

    def record(self, delivery: Delivery, now: datetime, policy: RetryPolicy, random: float) -> str:
        """Apply the server's answer to this attempt; the outcome (a Status, or RETRIED)."""
        self.attempts += 1
        if delivery.accepted:
            self.status, self.sent_at, self.next_attempt_at = Status.SENT, now, None
            if Kind(self.kind).essential:
                self.text_body = self.html_body = REDACTED
            return Status.SENT
        self.last_error = delivery.answer
        if delivery.permanent:
            self.status, self.next_attempt_at = Status.BOUNCED, None
            return Status.BOUNCED
        if policy.exhausted(self.attempts):
            self.status, self.next_attempt_at = Status.FAILED, None
            return Status.FAILED
        self.next_attempt_at = now + policy.delay(self.attempts, random)
        return RETRIED

    def resend(self, *, by: uuid.UUID, at: datetime, email: str | None = None) -> None:
        """An admin queues a failed or bounced mail again (to the member's current address when known);
        the attempts start over, the last answer stays until the next one."""
        if self.status not in RESENDABLE:
            raise NotResendable(f"Only failed or bounced mail can be resent; this one is {self.status}.")
        self.status, self.attempts, self.next_attempt_at = Status.QUEUED, 0, at
        self.resend_count += 1
        self.resent_at, self.resent_by = at, by
        if email:
            self.recipient_email = email
