"""Keeping the member replica (names for statements and K-1 data)."""

from __future__ import annotations

from habitat_ledger.domain.commands import ReplicateMember
from habitat_ledger.domain.member import MemberReplica
from habitat_ledger.service_layer.ports import UnitOfWork


async def replicate_member(command: ReplicateMember, uow: UnitOfWork) -> bool:
    """Upsert the member unless the replica already holds a newer state (caller commits)."""
    return await uow.members.upsert(
        MemberReplica(command.member_id, command.email, command.display_name, command.status, command.occurred_at)
    )
