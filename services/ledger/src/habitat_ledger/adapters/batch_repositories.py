"""Set-based writes of many journal transactions and of a batch of approved contributions.

Arrays go in as parameters (unnest), one statement per table, whatever the batch size; the posting
insert is one statement, so the deferred balance check (migration 0004) queues one row for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import pending_event
from habitat_ledger.domain.journal.contribution import PatronageRows
from habitat_ledger.domain.journal.journal_rows import JournalRows
from habitat_ledger.domain.journal.pending import CONTRIBUTION_APPROVED, PendingEvent

# Every account named, created where missing; in code order, as concurrent ensures take their locks.
ENSURE_ACCOUNTS = text(
    "INSERT INTO ledger.account (id, code, kind, member_id)"
    " SELECT gen_random_uuid(), code, kind, member_id"
    " FROM unnest(CAST(:codes AS text[]), CAST(:kinds AS text[]), CAST(:members AS uuid[])) AS a(code, kind, member_id)"
    " ON CONFLICT (code) DO NOTHING"
)
INSERT_TRANSACTIONS = text(
    "INSERT INTO ledger.journal_transaction"
    " (id, source_type, source_id, occurred_on, description, recorded_at, member_id, reverses_id, recorded_by)"
    " SELECT id, source_type, source_id, occurred_on, description, CAST(:recorded_at AS timestamptz), member_id,"
    " reverses_id, CAST(:recorded_by AS uuid)"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:source_types AS text[]), CAST(:source_ids AS uuid[]),"
    " CAST(:days AS date[]), CAST(:descriptions AS text[]), CAST(:members AS uuid[]), CAST(:reverses AS uuid[]))"
    " AS t(id, source_type, source_id, occurred_on, description, member_id, reverses_id)"
)
# accounts by code; in the rows' order, so posting ids follow it
INSERT_POSTINGS = text(
    "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount)"
    " SELECT p.transaction_id, a.id, p.basis, p.amount"
    " FROM unnest(CAST(:transactions AS uuid[]), CAST(:codes AS text[]), CAST(:bases AS text[]),"
    " CAST(:amounts AS numeric[])) WITH ORDINALITY AS p(transaction_id, code, basis, amount, n)"
    " JOIN ledger.account AS a ON a.code = p.code"
    " ORDER BY p.n"
)
# Each side an index lookup per id (= ANY): written as EXISTS … OR EXISTS, PostgreSQL hashed the whole
# patronage table for every batch, so booking slowed down as the ledger grew.
RECORDED = text(
    "SELECT p.contribution_id FROM ledger.patronage p WHERE p.contribution_id = ANY(CAST(:ids AS uuid[]))"
    " UNION"
    " SELECT e.key FROM ledger.pending_event e WHERE e.kind = :kind AND e.key = ANY(CAST(:ids AS uuid[]))"
)
# FOR SHARE: posting an allocation closes its period under FOR UPDATE, so it waits for this batch
# to commit (and then sees its patronage as a stale proposal) instead of closing under it.
PERIOD_LOCKS = text("SELECT id, status = 'closed' FROM ledger.period WHERE id = ANY(CAST(:ids AS uuid[])) FOR SHARE")
INSERT_PATRONAGE = text(
    "INSERT INTO ledger.patronage"
    " (contribution_id, member_id, period_id, type, value, recorded_at, corrects_contribution_id)"
    " SELECT contribution_id, member_id, period_id, type, value, CAST(:recorded AS timestamptz),"
    " corrects_contribution_id FROM unnest(CAST(:ids AS uuid[]), CAST(:members AS uuid[]), CAST(:periods AS uuid[]),"
    " CAST(:types AS text[]), CAST(:values AS numeric[]), CAST(:corrects AS uuid[]))"
    " AS p(contribution_id, member_id, period_id, type, value, corrects_contribution_id)"
)


class SqlAlchemyJournalRowsWriter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_rows(self, rows: JournalRows) -> None:
        """Accounts ensured (in code order, as concurrent ensures take their locks), then two inserts."""
        if not rows.ids:
            return
        refs = sorted(rows.accounts.values(), key=lambda ref: ref.code)
        await self.session.execute(
            ENSURE_ACCOUNTS,
            {"codes": [r.code for r in refs], "kinds": [str(r.kind) for r in refs], "members": [r.member_id for r in refs]},
        )
        await self.session.execute(
            INSERT_TRANSACTIONS,
            {
                "ids": rows.ids, "source_types": rows.source_types, "source_ids": rows.source_ids,
                "days": rows.occurred_on, "descriptions": rows.descriptions, "members": rows.member_ids,
                "reverses": rows.reverses_ids,
                "recorded_at": rows.recorded_at, "recorded_by": rows.recorded_by,
            },
        )
        written = await self.session.execute(
            INSERT_POSTINGS,
            {
                "transactions": rows.posting_transaction, "codes": rows.posting_account,
                "bases": rows.posting_basis, "amounts": rows.posting_amount,
            },
        )
        if written.rowcount != len(rows.posting_amount):  # every code was ensured just above
            raise RuntimeError(f"{written.rowcount} of {len(rows.posting_amount)} postings found their account")


class SqlAlchemyContributionBatchRepository:
    def __init__(self, session: AsyncSession, *, flush: Callable[[], Awaitable[None]]) -> None:
        self.session = session
        self._flush = flush

    async def recorded(self, contribution_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        if not contribution_ids:
            return set()
        found = await self.session.scalars(RECORDED, {"ids": contribution_ids, "kind": CONTRIBUTION_APPROVED})
        return set(found)

    async def period_locks(self, period_ids: set[uuid.UUID]) -> dict[uuid.UUID, bool]:
        if not period_ids:
            return {}
        return dict((await self.session.execute(PERIOD_LOCKS, {"ids": sorted(period_ids)})).all())

    async def add_patronage(self, rows: PatronageRows) -> None:
        if not rows:
            return
        # a period opened in this unit of work (open_period booking what waited for it) is referenced below
        if self.session.new:
            await self._flush()
        await self.session.execute(
            INSERT_PATRONAGE,
            {
                "ids": rows.contribution_ids, "members": rows.member_ids, "periods": rows.period_ids,
                "types": rows.types, "values": rows.values, "recorded": rows.recorded_at,
                "corrects": rows.corrects_contribution_ids,
            },
        )

    async def add_pending(self, events: list[PendingEvent]) -> None:
        if events:
            await self.session.execute(
                upsert(pending_event).on_conflict_do_nothing(index_elements=["kind", "key"]),
                [vars(event) for event in events],
            )
