"""Migrations: up, down and up again on an empty database, and models that match them."""

from __future__ import annotations

import asyncio
from datetime import date

import asyncpg
from habitat_common.testing import temporary_database

from tests.ledger_db import alembic, in_thread

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

    def test_member_numbers_backfill_by_first_capital_then_follow_first_sight(self):
        """0012 numbers existing members by their first capital booking (then by id); afterwards a member is
        numbered when first seen, from the replica or a capital account, and keeps that number."""
        early, late, labor_only, replica_later = (f"00000000-0000-0000-0000-0000000000{n}" for n in ("0a", "0b", "0c", "0d"))
        first_sight = "00000000-0000-0000-0000-0000000000ff"

        async def before(url: str) -> None:
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                await conn.execute(
                    "INSERT INTO ledger.member (id, email, display_name, status, updated_at) VALUES"
                    " ($1, 'l@x', 'Late', 'active', now()), ($2, 'e@x', 'Early', 'active', now()),"
                    " ($3, 'o@x', 'Labor only', 'active', now())", late, early, labor_only)
                async with conn.transaction():  # balanced per transaction (checked at commit)
                    for member, day in ((late, date(2026, 2, 1)), (early, date(2026, 1, 5)), (replica_later, date(2026, 3, 1))):
                        await conn.execute(
                            "WITH a AS (INSERT INTO ledger.account (id, code, kind, member_id) VALUES"
                            "  (gen_random_uuid(), 'member:' || $1 || ':capital', 'member_capital', $1::uuid) RETURNING id),"
                            " c AS (INSERT INTO ledger.account (id, code, kind) VALUES (gen_random_uuid(), 'coop:cash', 'coop_cash')"
                            "  ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id),"
                            " t AS (INSERT INTO ledger.journal_transaction (id, source_type, source_id, occurred_on,"
                            "  description, recorded_at) VALUES (gen_random_uuid(), 'contribution', gen_random_uuid(),"
                            "  $2::date, 'Capital contribution', now()) RETURNING id)"
                            " INSERT INTO ledger.posting (transaction_id, account_id, basis, amount)"
                            " SELECT t.id, c.id, 'book', 10 FROM t, c UNION ALL SELECT t.id, a.id, 'book', -10 FROM t, a",
                            member, day)
            finally:
                await conn.close()

        async def later(url: str) -> dict[str, int]:
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                await conn.execute(
                    "INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                    " VALUES ($1, 'r@x', 'Replica later', 'active', now())", replica_later)
                await conn.execute(
                    "INSERT INTO ledger.account (id, code, kind, member_id) VALUES"
                    " (gen_random_uuid(), 'member:' || $1 || ':capital', 'member_capital', $1::uuid)", first_sight)
                await conn.execute(
                    "INSERT INTO ledger.member (id, email, display_name, status, updated_at)"
                    " VALUES ($1, 'f@x', 'First sight', 'active', now())", first_sight)
                rows = await conn.fetch("SELECT member_id::text, number FROM ledger.member_number")
                return {r["member_id"]: r["number"] for r in rows}
            finally:
                await conn.close()

        with temporary_database("ledger_member_numbers") as url:
            alembic(url, ("upgrade", "0011_k1_issue"))
            in_thread(lambda: asyncio.run(before(url)))
            alembic(url, ("upgrade", "head"))
            backfilled = {early: 1, late: 2, replica_later: 3, labor_only: 4}
            assert in_thread(lambda: asyncio.run(later(url))) == {**backfilled, first_sight: 5}
            alembic(url, ("downgrade", "0011_k1_issue"), ("upgrade", "head"))
