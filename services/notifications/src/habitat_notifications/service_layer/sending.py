"""The sender: one due message at a time, locked while the server takes it, so two senders never send the same
message; the answer is recorded in the same transaction. A round of messages shares one SMTP connection."""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from habitat_notifications.domain.backoff import RetryPolicy
from habitat_notifications.service_layer.ports import Clock, Mailer, MailSession, UnitOfWork


@dataclass(frozen=True)
class Outcome:
    """What one attempt did to one message: its kind and status afterwards (or "retried")."""

    kind: str
    status: str


async def send_next(
    uow: UnitOfWork,
    conversation: MailSession,
    policy: RetryPolicy,
    clock: Clock,
    random: Callable[[], float] = _random.random,
    due_by: datetime | None = None,
) -> Outcome | None:
    """Send the message due longest (by due_by, default now) and record the answer; None when nothing is due.

    Should the process die between the server's acceptance and the commit, the message is sent again on the
    next claim: delivery is at-least-once, like every message in Habitat."""
    async with uow:
        message = await uow.messages.claim_due(due_by or clock())
        if message is None:
            return None
        delivery = await conversation.send(message)
        outcome = Outcome(message.kind, message.record(delivery, clock(), policy, random()))
        await uow.commit()
        return outcome


async def send_due(
    uow_factory: Callable[[], UnitOfWork],
    mailer: Mailer,
    policy: RetryPolicy,
    clock: Clock,
    *,
    limit: int,
    random: Callable[[], float] = _random.random,
) -> list[Outcome]:
    """Send up to limit messages due when the round starts, one transaction each, over one conversation with the
    server; what each attempt did. A message refused in this round waits for a later one, however short its
    backoff."""
    outcomes: list[Outcome] = []
    started = clock()
    async with mailer.session() as conversation:
        while len(outcomes) < limit:
            outcome = await send_next(uow_factory(), conversation, policy, clock, random, due_by=started)
            if outcome is None:
                break
            outcomes.append(outcome)
    return outcomes
