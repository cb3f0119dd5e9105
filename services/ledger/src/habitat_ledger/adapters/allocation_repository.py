"""Allocation proposals with their rows and approvals."""

from __future__ import annotations

import io
import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import allocation, allocation_approval, allocation_row
from habitat_ledger.domain.close.allocation import Weights
from habitat_ledger.domain.close.proposal import (
    Allocation,
    AllocationRow,
    AllocationStatus,
    Approval,
    Rejection,
)
from habitat_ledger.domain.errors import ProposalPending

ACTIVE = ("proposed", "approved", "posted")
ROW_COLUMNS = [
    "allocation_id", "member_id", "weighted_patronage", "share", "allocation", "cash_portion_amount", "retained_amount",
    "tax_allocation",
]


def _copy_text(record: Allocation) -> str:
    """The rows in COPY's text format: ids and decimals only, so nothing needs escaping (and PostgreSQL
    reads a decimal's text faster than asyncpg encodes it in binary)."""
    head = str(record.id)
    return "".join(
        "\t".join((head, str(r.member_id), str(r.weighted_patronage), str(r.share), str(r.allocation),
                   str(r.cash_portion_amount), str(r.retained_amount), str(r.tax_allocation))) + "\n"
        for r in record.rows
    )


class SqlAlchemyAllocationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Allocation) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(allocation).values(self._head(record)))
        except IntegrityError as error:  # lost a race to another proposal of the same period
            raise ProposalPending("Another proposal of this period is awaiting approval or posting.") from error
        if record.rows:  # one COPY inside the unit of work's transaction, however many members
            connection = await (await self.session.connection()).get_raw_connection()
            await connection.driver_connection.copy_to_table(
                "allocation_row", schema_name="ledger", columns=ROW_COLUMNS, format="text",
                source=io.BytesIO(_copy_text(record).encode()),
            )

    @staticmethod
    def _head(record: Allocation) -> dict:
        return {
            "id": record.id, "period_id": record.period_id, "status": str(record.status),
            "surplus": record.surplus, "tax_surplus": record.tax_surplus, "weight_labor": record.weights.labor,
            "weight_capital": record.weights.capital, "weight_property": record.weights.property,
            "cash_portion": record.cash_portion, "contribution_count": record.contribution_count,
            "content_hash": record.content_hash, "approvals_required": record.approvals_required,
            "proposed_by": record.proposed_by, "proposed_at": record.proposed_at,
            "patronage_through_seq": record.patronage_through_seq,
        }

    async def get(
        self, allocation_id: uuid.UUID, *, for_update: bool = False, with_rows: bool = True
    ) -> Allocation | None:
        query = select(allocation).where(allocation.c.id == allocation_id)
        head = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if head is None:
            return None
        rows = await self._rows(allocation_id) if with_rows else []
        approvals = await self.session.execute(
            select(allocation_approval.c.approved_by, allocation_approval.c.approved_at)
            .where(allocation_approval.c.allocation_id == allocation_id)
            .order_by(allocation_approval.c.approved_at)
        )
        return Allocation(
            id=head.id,
            period_id=head.period_id,
            status=AllocationStatus(head.status),
            surplus=head.surplus,
            tax_surplus=head.tax_surplus,
            weights=Weights(head.weight_labor, head.weight_capital, head.weight_property),
            cash_portion=head.cash_portion,
            rows=rows,
            contribution_count=head.contribution_count,
            content_hash=head.content_hash,
            proposed_by=head.proposed_by,
            proposed_at=head.proposed_at,
            approvals_required=head.approvals_required,
            patronage_through_seq=head.patronage_through_seq,
            approvals=[Approval(by, at) for by, at in approvals.all()],
            rejection=Rejection(head.rejected_by, head.rejected_at, head.rejection_reason) if head.rejected_by else None,
            posted_at=head.posted_at,
        )

    async def _rows(self, allocation_id: uuid.UUID) -> list[AllocationRow]:
        columns = [allocation_row.c[name] for name in AllocationRow.__dataclass_fields__]
        found = await self.session.execute(select(*columns).where(allocation_row.c.allocation_id == allocation_id))
        return sorted((AllocationRow(*row) for row in found), key=lambda row: str(row.member_id))

    async def active_for_period(self, period_id: uuid.UUID) -> Allocation | None:
        found = await self.session.scalar(
            select(allocation.c.id).where(allocation.c.period_id == period_id, allocation.c.status.in_(ACTIVE))
        )
        return await self.get(found) if found else None

    async def ids_for_period(self, period_id: uuid.UUID) -> list[uuid.UUID]:
        """Every proposal of the period, newest first."""
        found = await self.session.scalars(
            select(allocation.c.id).where(allocation.c.period_id == period_id).order_by(allocation.c.proposed_at.desc())
        )
        return list(found)

    async def add_approval(self, record: Allocation, approval: Approval) -> None:
        await self.session.execute(
            insert(allocation_approval).values(allocation_id=record.id, approved_by=approval.by, approved_at=approval.at)
        )

    async def update_status(self, record: Allocation) -> None:
        rejection = record.rejection
        await self.session.execute(
            update(allocation)
            .where(allocation.c.id == record.id)
            .values(
                status=str(record.status),
                rejected_by=rejection.by if rejection else None,
                rejected_at=rejection.at if rejection else None,
                rejection_reason=rejection.reason if rejection else None,
                posted_at=record.posted_at,
            )
        )
