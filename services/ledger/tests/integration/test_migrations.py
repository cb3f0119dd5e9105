"""Migrations: up, down and up again on an empty database, and models that match them."""

from __future__ import annotations

import asyncio

import asyncpg
from habitat_common.testing import temporary_database
from ledger_db import alembic, in_thread

ALL_TABLES = {
    "period", "account", "journal_transaction", "posting", "patronage", "outbox", "inbox", "member",
    "pending_event", "period_seal", "allocation", "allocation_row", "allocation_contribution_ids",
    "allocation_approval", "distribution", "patronage_total", "k1_issue", "member_number", "k1_issue_ending",
}


def ledger_tables(url: str) -> set[str]:
    async def fetch() -> set[str]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'ledger'")
            return {r["tablename"] for r in rows}
        finally:
            await conn.close()

    return in_thread(lambda: asyncio.run(fetch()))


class TestMigrations:
    def test_stairway_up_down_up(self):
        with temporary_database("ledger_stairway") as url:
            alembic(url, ("upgrade", "head"))
            assert ALL_TABLES <= ledger_tables(url)
            alembic(url, ("downgrade", "base"))
            assert ledger_tables(url) == {"alembic_version"}
            alembic(url, ("upgrade", "head"), ("check",))  # check: the models and migrations agree
            assert ALL_TABLES <= ledger_tables(url)
