"""Posting an allocation from its stored rows: INSERT ... SELECT, one statement per table.

However many members a co-op has, nothing per member crosses between Python and the database:
the rows were written when the record was proposed and are read here by the statements that
turn them into capital credits and scheduled distributions.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.domain.close.allocation_posting import AllocationEntry, CashSchedule

# Members' capital accounts that do not exist yet (an allocation may be a member's first credit).
ENSURE_CAPITAL_ACCOUNTS = text(
    "INSERT INTO ledger.account (id, code, kind, member_id)"
    " SELECT gen_random_uuid(), 'member:' || r.member_id || '\\:capital', 'member_capital', r.member_id"
    " FROM ledger.allocation_row AS r"
    " WHERE r.allocation_id = :allocation_id AND (r.allocation <> 0 OR r.tax_allocation <> 0) AND NOT EXISTS ("
    "   SELECT 1 FROM ledger.account AS a WHERE a.kind = 'member_capital' AND a.member_id = r.member_id)"
    " ORDER BY 2"
    " ON CONFLICT (code) DO NOTHING"
)
ENSURE_ACCOUNT = text(
    "INSERT INTO ledger.account (id, code, kind) VALUES (gen_random_uuid(), :code, :kind) ON CONFLICT (code) DO NOTHING"
)
INSERT_TRANSACTION = text(
    "INSERT INTO ledger.journal_transaction"
    " (id, source_type, source_id, occurred_on, description, recorded_at, member_id, recorded_by)"
    " VALUES (:id, 'allocation', :allocation_id, :occurred_on, :description, :recorded_at, NULL, :recorded_by)"
)
# On each basis: the surplus debited by that basis's result (credited, for a loss), each member's
# capital credited by their allocation on that basis (debited, for a loss). Answers how many
# members' capital it moved.
INSERT_POSTINGS = text(
    "WITH written AS ("
    " INSERT INTO ledger.posting (transaction_id, account_id, basis, amount)"
    " SELECT CAST(:transaction_id AS uuid), s.id, b.basis, b.result"
    "   FROM ledger.account AS s"
    "   CROSS JOIN (VALUES ('book', CAST(:surplus AS numeric)), ('tax', CAST(:tax_surplus AS numeric))) AS b(basis, result)"
    "  WHERE s.code = :surplus_code"
    " UNION ALL"
    " SELECT CAST(:transaction_id AS uuid), a.id, b.basis, -b.amount"
    "   FROM ledger.allocation_row AS r"
    "   JOIN ledger.account AS a ON a.kind = 'member_capital' AND a.member_id = r.member_id"
    "   CROSS JOIN LATERAL (VALUES ('book', r.allocation), ('tax', r.tax_allocation)) AS b(basis, amount)"
    "  WHERE r.allocation_id = :allocation_id AND b.amount <> 0"
    " RETURNING account_id)"
    " SELECT count(DISTINCT account_id) FILTER (WHERE account_id <> s.id)"
    " FROM written CROSS JOIN (SELECT id FROM ledger.account WHERE code = :surplus_code) AS s"
)
SCHEDULE_CASH = text(
    "WITH scheduled AS ("
    " INSERT INTO ledger.distribution"
    " (id, member_id, amount, method, scheduled_on, status, allocation_id, created_by, created_at)"
    " SELECT gen_random_uuid(), member_id, cash_portion_amount, CAST(:method AS text),"
    " CAST(:scheduled_on AS date), 'scheduled', CAST(:allocation_id AS uuid), CAST(:created_by AS uuid),"
    " CAST(:created_at AS timestamptz)"
    " FROM ledger.allocation_row WHERE allocation_id = CAST(:allocation_id AS uuid) AND cash_portion_amount > 0"
    " RETURNING amount)"
    " SELECT count(*), COALESCE(sum(amount), 0) FROM scheduled"
)


class SqlAlchemyAllocationPostingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def post_entries(self, entry: AllocationEntry) -> int:
        params = {"allocation_id": entry.allocation_id}
        await self.session.execute(ENSURE_CAPITAL_ACCOUNTS, params)
        surplus = entry.surplus_account
        await self.session.execute(ENSURE_ACCOUNT, {"code": surplus.code, "kind": str(surplus.kind)})
        await self.session.execute(
            INSERT_TRANSACTION,
            {
                **params, "id": entry.transaction_id, "occurred_on": entry.occurred_on,
                "description": entry.description, "recorded_at": entry.recorded_at, "recorded_by": entry.recorded_by,
            },
        )
        return await self.session.scalar(
            INSERT_POSTINGS,
            {
                **params, "transaction_id": entry.transaction_id, "surplus": entry.surplus,
                "tax_surplus": entry.tax_surplus, "surplus_code": surplus.code,
            },
        )

    async def schedule_cash(self, schedule: CashSchedule) -> tuple[int, Decimal]:
        count, total = (
            await self.session.execute(
                SCHEDULE_CASH,
                {
                    "allocation_id": schedule.allocation_id, "method": schedule.method,
                    "scheduled_on": schedule.scheduled_on, "created_by": schedule.created_by,
                    "created_at": schedule.created_at,
                },
            )
        ).one()
        return count, total
