"""A member's capital statement on the process's asyncpg read pool: the member dashboard asks for its latest
lines on every view, the CSV and PDF statements for a date range.

The member's capital movements (credit-positive per basis, in journal order), the account's posting sums
(raw, signed) and the member replica's name, as text, run in one read-only REPEATABLE READ snapshot
(habitat_common.read_pool says what skipping the ORM saves). This is the only place the movements are read.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from habitat_common.read_pool import ReadPool, Snapshot
from sqlalchemy import text

from habitat_ledger.adapters.schema import SCHEMA
from habitat_ledger.domain.journal.statement import CapitalMovement
from habitat_ledger.domain.journal.transactions import Basis
from habitat_ledger.service_layer.journal.ports import PostingSums

POSTINGS_WITH_ACCOUNTS = (
    f"{SCHEMA}.posting p JOIN {SCHEMA}.journal_transaction t ON p.transaction_id = t.id"
    f" JOIN {SCHEMA}.account a ON p.account_id = a.id"
)
MOVEMENTS = (
    "SELECT t.id, t.occurred_on, t.source_type, t.source_id, t.description,"
    " -sum(CASE WHEN p.basis = 'book' THEN p.amount ELSE 0 END),"
    " -sum(CASE WHEN p.basis = 'tax' THEN p.amount ELSE 0 END)"
    f" FROM {POSTINGS_WITH_ACCOUNTS}"
    " WHERE a.kind = 'member_capital' AND a.member_id = :member_id AND t.occurred_on <= :as_of"
    " GROUP BY t.id"
)
EVERY_MOVEMENT = text(f"{MOVEMENTS} ORDER BY t.occurred_on, t.recorded_at, t.id")
# the latest first, so the limit keeps them; turned back into journal order below
LATEST_MOVEMENTS = text(f"{MOVEMENTS} ORDER BY t.occurred_on DESC, t.recorded_at DESC, t.id DESC LIMIT :last")
POSTING_SUMS = text(
    f"SELECT p.basis, sum(p.amount), max(t.occurred_on) FROM {POSTINGS_WITH_ACCOUNTS}"
    " WHERE a.code = :code AND t.occurred_on <= :as_of GROUP BY p.basis"
)
DISPLAY_NAME = text(f"SELECT display_name FROM {SCHEMA}.member WHERE id = :id")


class PooledStatementReads:
    def __init__(self, reads: ReadPool) -> None:
        self._reads = reads

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PooledStatementSnapshot]:
        async with self._reads.snapshot() as snapshot:
            yield PooledStatementSnapshot(snapshot)


class PooledStatementSnapshot:
    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    async def capital_movements(self, member_id: uuid.UUID, as_of: date, last: int | None) -> list[CapitalMovement]:
        if last is None:
            rows = await self._snapshot.fetch(EVERY_MOVEMENT, {"member_id": member_id, "as_of": as_of})
        else:
            latest = {"member_id": member_id, "as_of": as_of, "last": last}
            rows = (await self._snapshot.fetch(LATEST_MOVEMENTS, latest))[::-1]
        return [CapitalMovement(*row) for row in rows]

    async def posting_sums(self, account_code: str, as_of: date) -> PostingSums:
        rows = await self._snapshot.fetch(POSTING_SUMS, {"code": account_code, "as_of": as_of})
        return PostingSums(
            by_basis={Basis(basis): total for basis, total, _ in rows},
            last_occurred_on=max((last for _, _, last in rows), default=None),
        )

    async def display_name(self, member_id: uuid.UUID) -> str | None:
        row = await self._snapshot.fetchrow(DISPLAY_NAME, {"id": member_id})
        return row["display_name"] if row is not None else None
