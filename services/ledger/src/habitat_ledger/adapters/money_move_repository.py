"""The money move repository: head, approvals (the kept import rows are the capital import's)."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.money_move_tables import money_move, money_move_approval
from habitat_ledger.domain.close.proposal import Approval, Rejection
from habitat_ledger.domain.distributions.money_move import MoneyMove, MoneyMoveKind, MoneyMoveStatus

LISTED = 500  # newest first; the waiting ones are few


class SqlAlchemyMoneyMoveRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, move: MoneyMove) -> None:
        await self.session.execute(
            insert(money_move).values(
                id=move.id, kind=str(move.kind), target_id=move.target_id, parameters=move.parameters,
                content_hash=move.content_hash, requested_by=move.requested_by, requested_at=move.requested_at,
                approvals_required=move.approvals_required, single_admin=move.single_admin, status=str(move.status),
            )
        )

    async def get(self, move_id: uuid.UUID, *, for_update: bool = False) -> MoneyMove | None:
        query = select(money_move).where(money_move.c.id == move_id)
        head = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return (await self._of([head]))[0] if head else None

    async def open_for(self, kind: MoneyMoveKind, target_id: uuid.UUID) -> MoneyMove | None:
        query = select(money_move).where(
            money_move.c.kind == str(kind), money_move.c.target_id == target_id, money_move.c.status == "requested"
        )
        head = (await self.session.execute(query)).first()
        return (await self._of([head]))[0] if head else None

    async def list(self, status: str | None) -> list[MoneyMove]:
        query = select(money_move).order_by(money_move.c.requested_at.desc()).limit(LISTED)
        if status is not None:
            query = query.where(money_move.c.status == status)
        return await self._of((await self.session.execute(query)).all())

    async def _of(self, heads) -> list[MoneyMove]:
        ids = [head.id for head in heads]
        approvals: dict[uuid.UUID, list[Approval]] = {i: [] for i in ids}
        found = await self.session.execute(
            select(money_move_approval).where(money_move_approval.c.money_move_id.in_(ids))
            .order_by(money_move_approval.c.approved_at)
        )
        for move_id, by, at in found:
            approvals[move_id].append(Approval(by, at))
        return [
            MoneyMove(
                id=h.id, kind=MoneyMoveKind(h.kind), target_id=h.target_id, parameters=h.parameters,
                content_hash=h.content_hash, requested_by=h.requested_by, requested_at=h.requested_at,
                approvals_required=h.approvals_required, single_admin=h.single_admin,
                status=MoneyMoveStatus(h.status), approvals=approvals[h.id],
                rejection=Rejection(h.rejected_by, h.rejected_at, h.rejection_reason) if h.rejected_by else None,
                executed_at=h.executed_at, result_id=h.result_id,
            )
            for h in heads
        ]

    async def add_approval(self, move: MoneyMove, approval: Approval) -> None:
        await self.session.execute(
            insert(money_move_approval).values(money_move_id=move.id, approved_by=approval.by, approved_at=approval.at)
        )

    async def update_status(self, move: MoneyMove) -> None:
        rejection = move.rejection
        await self.session.execute(
            update(money_move).where(money_move.c.id == move.id).values(
                status=str(move.status), executed_at=move.executed_at, result_id=move.result_id,
                rejected_by=rejection.by if rejection else None, rejected_at=rejection.at if rejection else None,
                rejection_reason=rejection.reason if rejection else None,
            )
        )
