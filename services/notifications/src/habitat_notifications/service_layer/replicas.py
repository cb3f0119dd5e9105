"""Consumer use cases keeping the replicas (members, periods, contributions); they run in the caller's transaction
with the inbox claim and write no mail."""

from __future__ import annotations

from habitat_notifications.domain.commands import RecordContribution, RecordMember, RecordPeriod
from habitat_notifications.domain.replicas import MEMBER_FACTS, ContributionReplica, MemberReplica, PeriodReplica
from habitat_notifications.service_layer.ports import UnitOfWork


async def record_member(cmd: RecordMember, uow: UnitOfWork) -> list:
    """Upsert the member replica; an event older than what we hold only fills unknown facts."""
    facts = {name: getattr(cmd, name) for name in MEMBER_FACTS}
    member = await uow.members.get_for_update(cmd.member_id)
    if member is None:
        uow.members.add(MemberReplica(member_id=cmd.member_id, updated_at=cmd.occurred_at, **facts))
    else:
        member.apply(cmd.occurred_at, **facts)
    return []


async def record_period(cmd: RecordPeriod, uow: UnitOfWork) -> list:
    """Upsert the period replica; a period first heard of by an event without its dates is not kept (it is
    closing or closed: no reminder concerns it)."""
    period = await uow.periods.get_for_update(cmd.period_id)
    facts = {"name": cmd.name, "starts_on": cmd.starts_on, "ends_on": cmd.ends_on, "status": cmd.status}
    if period is not None:
        period.apply(cmd.occurred_at, **facts)
    elif cmd.name is not None and cmd.starts_on is not None and cmd.ends_on is not None:
        uow.periods.add(PeriodReplica(period_id=cmd.period_id, updated_at=cmd.occurred_at, **facts))
    return []


async def record_contribution(cmd: RecordContribution, uow: UnitOfWork) -> list:
    """Upsert the contribution replica; one first heard of without its member and period is not kept."""
    contribution = await uow.contributions.get_for_update(cmd.contribution_id)
    if contribution is not None:
        contribution.apply(cmd.occurred_at, cmd.status)
    elif cmd.member_id is not None and cmd.period_id is not None:
        uow.contributions.add(
            ContributionReplica(
                contribution_id=cmd.contribution_id,
                member_id=cmd.member_id,
                period_id=cmd.period_id,
                status=cmd.status,
                submitted_at=cmd.occurred_at,
                updated_at=cmd.occurred_at,
            )
        )
    return []
