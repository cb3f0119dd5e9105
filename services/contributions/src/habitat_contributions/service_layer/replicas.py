"""Consumer use cases keeping the member and period replicas; they run in the caller's transaction
so the inbox claim and the effect commit together."""

from __future__ import annotations

from habitat_contributions.domain.commands import RecordMember, RecordPeriod
from habitat_contributions.domain.replicas import MEMBER_FACTS, MemberReplica, PeriodReplica
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
