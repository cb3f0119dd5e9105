"""Consumer use cases keeping the member and period replicas; they run in the caller's transaction
so the inbox claim and the effect commit together."""

from __future__ import annotations

import uuid

from habitat_contributions.domain.commands import MarkPeriodClosed, RecordMember, RecordPeriod
from habitat_contributions.domain.events import PeriodSealed
from habitat_contributions.domain.replicas import MEMBER_FACTS, MemberReplica, PeriodReplica
from habitat_contributions.domain.valuation import ZERO
from habitat_contributions.service_layer.ports import UnitOfWork


async def record_member(cmd: RecordMember, uow: UnitOfWork) -> None:
    """Upsert the member replica; an event older than what we hold only fills unknown facts."""
    facts = {name: getattr(cmd, name) for name in MEMBER_FACTS}
    member = await uow.members.get_for_update(cmd.member_id)
    if member is None:
        uow.members.add(MemberReplica(member_id=cmd.member_id, updated_at=cmd.occurred_at, **facts))
    else:
        member.apply(cmd.occurred_at, **facts)


async def record_period(cmd: RecordPeriod, uow: UnitOfWork) -> None:
    """Upsert the period replica; an event older than what we hold is ignored."""
    period = await uow.periods.get_for_update(cmd.period_id)
    facts = {"name": cmd.name, "starts_on": cmd.starts_on, "ends_on": cmd.ends_on, "status": cmd.status}
    if period is None:
        uow.periods.add(PeriodReplica(period_id=cmd.period_id, updated_at=cmd.occurred_at, **facts))
    else:
        period.apply(cmd.occurred_at, **facts)


async def seal_period(cmd: RecordPeriod, uow: UnitOfWork) -> None:
    """The ledger started closing the period: stop intake, then announce per-member approved totals.

    The period row is locked first, so decisions still in flight (which hold it shared) commit before
    the totals are read, and later ones see the period closing and are refused."""
    await record_period(cmd, uow)
    uow.events.append(await sealed_totals(cmd.period_id, uow))


async def sealed_totals(period_id: uuid.UUID, uow: UnitOfWork) -> PeriodSealed:
    """The period's per-member approved totals and how many contributions still wait for a decision."""
    members, pending = await uow.contributions.approved_totals(period_id)
    return PeriodSealed(
        period_id=period_id,
        members=tuple(members),
        total_count=sum(m.approved_count for m in members),
        total_value=sum((m.approved_value for m in members), ZERO),
        pending_count=pending,
    )


async def mark_period_closed(cmd: MarkPeriodClosed, uow: UnitOfWork) -> None:
    """The ledger posted the allocation; the period is closed for good (unknown periods are ignored)."""
    period = await uow.periods.get_for_update(cmd.period_id)
    if period is not None:
        period.mark_closed(cmd.occurred_at)
