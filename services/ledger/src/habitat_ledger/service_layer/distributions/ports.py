"""The distributions slice's port: distributions and the money moves a second admin approves."""

from __future__ import annotations

import uuid
from typing import Protocol

from habitat_ledger.domain.close.proposal import Approval
from habitat_ledger.domain.distributions.distribution import Distribution
from habitat_ledger.domain.distributions.money_move import MoneyMove, MoneyMoveKind
from habitat_ledger.service_layer.journal.ports import AccountRepository, JournalUnitOfWork


class DistributionRepository(Protocol):
    async def add(self, distribution: Distribution) -> None: ...
    async def get(self, distribution_id: uuid.UUID, *, for_update: bool = False) -> Distribution | None: ...
    async def list(self, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]: ...


class MoneyMoveRepository(Protocol):
    """Money moves waiting for, or done with, a second admin: head and approvals."""

    async def add(self, move: MoneyMove) -> None: ...
    async def get(self, move_id: uuid.UUID, *, for_update: bool = False) -> MoneyMove | None: ...
    async def open_for(self, kind: MoneyMoveKind, target_id: uuid.UUID) -> MoneyMove | None:
        """The requested (undecided) move of this kind on this target, if any."""
        ...
    async def list(self, status: str | None) -> list[MoneyMove]: ...
    async def add_approval(self, move: MoneyMove, approval: Approval) -> None: ...
    async def update_status(self, move: MoneyMove) -> None: ...


class DistributionsUnitOfWork(JournalUnitOfWork, Protocol):
    """What paying out and approving money moves needs: the journal's port (payments, reversals and
    capital imports are journal bookings), the accounts whose balance a debit is checked against,
    distributions and money moves."""

    accounts: AccountRepository
    distributions: DistributionRepository
    money_moves: MoneyMoveRepository
