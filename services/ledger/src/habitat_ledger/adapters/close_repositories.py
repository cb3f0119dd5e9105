"""Repositories of the member replica, pending events, seals, allocations and distributions."""

from __future__ import annotations

import io
import uuid
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import (
    allocation,
    allocation_approval,
    allocation_row,
    distribution,
    member,
    member_number,
    pending_event,
    period_seal,
)
from habitat_ledger.adapters.orm import period
from habitat_ledger.domain.allocation import Weights
from habitat_ledger.domain.distribution import Distribution
from habitat_ledger.domain.errors import ProposalPending
from habitat_ledger.domain.member import MemberReplica
from habitat_ledger.domain.pending import UNKNOWN_PERIOD, PendingEvent
from habitat_ledger.domain.proposal import Allocation, AllocationRow, AllocationStatus, Approval, Rejection
from habitat_ledger.domain.seal import Difference, PeriodSeal, Reconciliation

ACTIVE = ("proposed", "approved", "posted")
ROW_COLUMNS = [
    "allocation_id", "member_id", "weighted_patronage", "share", "allocation", "cash_portion_amount", "retained_amount",
    "tax_allocation",
]


class SqlAlchemyMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, replica: MemberReplica) -> bool:
        values = {k: getattr(replica, k) for k in ("id", "email", "display_name", "status", "updated_at")}
        statement = upsert(member).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[member.c.id],
            set_={k: statement.excluded[k] for k in values if k != "id"},
            where=member.c.updated_at < statement.excluded.updated_at,  # an older event never wins
        ).returning(member.c.id)
        return (await self.session.execute(statement)).first() is not None

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None:
        row = (await self.session.execute(select(member).where(member.c.id == member_id))).first()
        return MemberReplica(*row) if row else None

    async def names(self) -> dict[uuid.UUID, str]:
        return dict((await self.session.execute(select(member.c.id, member.c.display_name))).all())

    async def numbers(self) -> dict[uuid.UUID, int]:
        return dict((await self.session.execute(select(member_number.c.member_id, member_number.c.number))).all())


class SqlAlchemyPendingEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unresolved(self) -> list[PendingEvent]:
        query = select(pending_event).where(pending_event.c.applied_at.is_(None)).order_by(pending_event.c.recorded_at)
        return [PendingEvent(**row) for row in (await self.session.execute(query)).mappings()]

    async def waiting_for_known_periods(self, period_id: uuid.UUID | None = None) -> list[PendingEvent]:
        waiting = (pending_event.c.applied_at.is_(None), pending_event.c.reason == UNKNOWN_PERIOD)
        if period_id is not None:  # a period being opened in this unit of work, not flushed yet
            query = select(pending_event).where(*waiting, pending_event.c.period_id == period_id)
        else:
            query = (
                select(pending_event)
                .join(period, period.c.id == pending_event.c.period_id)
                .where(*waiting, period.c.status != "closed")
            )
        query = query.order_by(pending_event.c.recorded_at)
        with self.session.sync_session.no_autoflush:  # the new period flushes at commit, with its checks
            rows = (await self.session.execute(query)).mappings().all()
        return [PendingEvent(**row) for row in rows]

    async def mark_applied(self, events: list[PendingEvent], at: datetime) -> None:
        if events:
            ids = [event.id for event in events]
            applied = update(pending_event).where(pending_event.c.id.in_(ids)).values(applied_at=at)
            await self.session.execute(applied)


# domain.seal.reconcile() over the ledger's running totals and the sealed ones, compared in the database:
# only the members that differ come back (a seal holds every member of a large co-op).
SEAL_DIFFERENCES = text(
    "WITH sealed AS ("
    "  SELECT entry.key::uuid AS member_id, (entry.value ->> 0)::bigint AS count, (entry.value ->> 1)::numeric AS value"
    "  FROM ledger.period_seal AS s, jsonb_each(s.members) AS entry WHERE s.period_id = :period_id"
    "), booked AS ("
    "  SELECT member_id, sum(count)::bigint AS count, sum(value) AS value"
    "  FROM ledger.patronage_total WHERE period_id = :period_id GROUP BY member_id"
    ")"
    " SELECT member_id, coalesce(b.count, 0) AS ledger_count, coalesce(b.value, 0) AS ledger_value,"
    "        coalesce(s.count, 0) AS sealed_count, coalesce(s.value, 0) AS sealed_value"
    " FROM booked AS b FULL JOIN sealed AS s USING (member_id)"
    " WHERE coalesce(b.count, 0) <> coalesce(s.count, 0) OR coalesce(b.value, 0) <> coalesce(s.value, 0)"
    " ORDER BY member_id::text"
)


class SqlAlchemySealRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, seal: PeriodSeal) -> None:
        values = {
            "period_id": seal.period_id,
            "members": {str(m): [c, str(v)] for m, (c, v) in seal.members.items()},
            "total_count": seal.total_count,
            "total_value": seal.total_value,
            "pending_count": seal.pending_count,
            "received_at": seal.received_at,
        }
        statement = upsert(period_seal).values(values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[period_seal.c.period_id],
                set_={k: statement.excluded[k] for k in values if k != "period_id"},
            )
        )

    async def pending_count_of(self, period_id: uuid.UUID) -> int | None:
        return await self.session.scalar(
            select(period_seal.c.pending_count).where(period_seal.c.period_id == period_id)
        )

    async def reconciliation(self, period_id: uuid.UUID) -> Reconciliation:
        pending = await self.session.scalar(
            select(period_seal.c.pending_count).where(period_seal.c.period_id == period_id)
        )
        if pending is None:
            return Reconciliation(False, None, [])
        differences = [
            Difference(row.member_id, row.ledger_count, row.ledger_value, row.sealed_count, row.sealed_value)
            for row in await self.session.execute(SEAL_DIFFERENCES, {"period_id": period_id})
        ]
        return Reconciliation(True, not differences, differences, pending)


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


class SqlAlchemyDistributionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Distribution) -> None:
        self.session.add(record)

    async def get(self, distribution_id: uuid.UUID, *, for_update: bool = False) -> Distribution | None:
        return await self.session.get(
            Distribution, distribution_id, with_for_update=for_update or None, populate_existing=for_update
        )

    async def list(self, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]:
        query = select(Distribution).order_by(distribution.c.scheduled_on, distribution.c.created_at)
        if member_id is not None:
            query = query.where(distribution.c.member_id == member_id)
        if status is not None:
            query = query.where(distribution.c.status == status)
        return list((await self.session.scalars(query)).all())
