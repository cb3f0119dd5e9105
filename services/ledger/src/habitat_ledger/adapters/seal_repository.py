"""Period seals: contributions' own totals of a period, reconciled against the ledger's."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import period_seal
from habitat_ledger.domain.close.seal import Difference, PeriodSeal, Reconciliation

# domain.close.seal.reconcile() over the ledger's running totals and the sealed ones, compared in the database:
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
