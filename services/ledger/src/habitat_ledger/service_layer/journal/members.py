"""Keeping the member replica (names for statements and K-1 data)."""

from __future__ import annotations

from habitat_ledger.domain.commands import ReplicateMember
from habitat_ledger.domain.journal.member import MemberReplica
from habitat_ledger.service_layer.journal.ports import JournalUnitOfWork


async def replicate_member(command: ReplicateMember, uow: JournalUnitOfWork) -> bool:
    """Upsert the member unless the replica already holds a newer state (caller commits)."""
    return await uow.members.upsert(
        MemberReplica(command.member_id, command.email, command.display_name, command.status, command.occurred_at)
    )
