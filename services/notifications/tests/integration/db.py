"""Helpers for integration tests: events as the broker delivers them, the sender as the worker runs it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from habitat_common.contracts import (
    AllocationSharePostedV1,
    ContributionRejectedV1,
    Envelope,
    MemberRegisteredV1,
    PasswordResetRequestedV1,
)
from habitat_notifications.bootstrap import Container
from habitat_notifications.entrypoints.worker import consumers
from habitat_notifications.service_layer import sending


def handlers_by_event(container: Container) -> dict:
    return {sub.contract: handle for sub, handle in consumers(container)}


async def deliver(container: Container, envelope: Envelope) -> bool:
    """Hand the envelope to its consumer, as the broker would (a batch of one)."""
    (applied,) = await handlers_by_event(container)[type(envelope.payload)]([envelope])
    return applied


async def registered(container: Container, *, status: str = "active", email: str | None = None) -> uuid.UUID:
    """A member identity announced, in the replica."""
    member_id = uuid.uuid4()
    payload = MemberRegisteredV1(
        member_id=member_id,
        email=email or f"{member_id.hex[:8]}@example.coop",
        display_name="Ada",
        role="member",
        status=status,
        joined_at=date(2026, 1, 1),
    )
    await deliver(container, Envelope.wrap(payload, producer="identity"))
    return member_id


def rejected(member_id: uuid.UUID, reason: str = "Receipt missing") -> Envelope:
    payload = ContributionRejectedV1(
        contribution_id=uuid.uuid4(),
        member_id=member_id,
        period_id=uuid.uuid4(),
        rejected_by=uuid.uuid4(),
        reason=reason,
        rejected_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, producer="contributions")


def reset_requested(member_id: uuid.UUID, email: str = "ada@example.coop") -> Envelope:
    payload = PasswordResetRequestedV1(
        member_id=member_id,
        email=email,
        display_name="Ada",
        token="reset-token-123",
        expires_at=datetime.now(UTC) + timedelta(minutes=30),
    )
    return Envelope.wrap(payload, producer="identity")


async def send_all(container: Container, limit: int = 100) -> list[sending.Outcome]:
    """One round of the sender loop."""
    policy = container.settings.sender.policy()
    return await sending.send_due(container.uow, container.mailer, policy, container.clock, limit=limit)


async def rows(container: Container, where: str = "true", **params) -> list:
    async with container.engine.connect() as conn:
        query = f"SELECT * FROM notifications.message WHERE {where} ORDER BY created_at, id"
        return list((await conn.execute(text(query), params)).all())


SURPLUS = Decimal("12000.00")


def share(allocation_id: uuid.UUID, member_id: uuid.UUID, amount) -> AllocationSharePostedV1:
    amount = amount.quantize(Decimal("0.01"))
    return AllocationSharePostedV1(
        allocation_id=allocation_id, period_id=uuid.uuid4(), period_name="2026-Q4", member_id=member_id,
        allocation=amount, tax_allocation=amount, cash_portion_amount=Decimal("0.00"), retained_amount=amount,
        explanation=["For period 2026-Q4, the co-op allocated a surplus by weighted patronage.",
                     f"Your allocation is {amount}."],
    )
