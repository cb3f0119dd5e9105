"""Reading the ledger's tables directly, for the stateful test's invariants (never writing them)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# every table but the inbox, which a redelivery under a new event id legitimately grows
FINGERPRINTED = text(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ledger'"
    " AND table_type = 'BASE TABLE' AND table_name NOT IN ('inbox', 'alembic_version') ORDER BY table_name"
)
UNBALANCED = text(
    "SELECT transaction_id, basis, sum(amount) FROM ledger.posting GROUP BY transaction_id, basis HAVING sum(amount) <> 0"
)
WITHOUT_TRANSACTION = text(
    "SELECT count(*) FROM ledger.posting p WHERE NOT EXISTS"
    " (SELECT 1 FROM ledger.journal_transaction t WHERE t.id = p.transaction_id)"
)
CAPITAL_SUMS = text(
    "SELECT a.member_id, p.basis, -sum(p.amount) FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
    " WHERE a.kind = 'member_capital' GROUP BY a.member_id, p.basis"
)
# posted allocations whose rows, or whose journal credits to members, do not sum to the result per basis
ALLOCATIONS_OFF = text(
    "SELECT a.id, a.surplus, a.tax_surplus, r.book, r.tax, j.book, j.tax FROM ledger.allocation a"
    " CROSS JOIN LATERAL (SELECT coalesce(sum(allocation), 0) AS book, coalesce(sum(tax_allocation), 0) AS tax"
    "   FROM ledger.allocation_row WHERE allocation_id = a.id) r"
    " CROSS JOIN LATERAL (SELECT coalesce(-sum(p.amount) FILTER (WHERE p.basis = 'book'), 0) AS book,"
    "   coalesce(-sum(p.amount) FILTER (WHERE p.basis = 'tax'), 0) AS tax"
    "   FROM ledger.journal_transaction t JOIN ledger.posting p ON p.transaction_id = t.id"
    "   JOIN ledger.account ac ON ac.id = p.account_id"
    "   WHERE t.source_type = 'allocation' AND t.source_id = a.id AND ac.kind = 'member_capital') j"
    " WHERE a.status = 'posted' AND (r.book <> a.surplus OR r.tax <> a.tax_surplus"
    "   OR j.book <> a.surplus OR j.tax <> a.tax_surplus)"
)
POSTED_WITHOUT_ENTRY = text(
    "SELECT count(*) FROM ledger.allocation a WHERE a.status = 'posted' AND NOT EXISTS"
    " (SELECT 1 FROM ledger.journal_transaction t WHERE t.source_type = 'allocation' AND t.source_id = a.id)"
)
# anything dated on or before a closed period's end but recorded after it closed
UNDER_A_CLOSE = text(
    "SELECT p.name, t.id, t.occurred_on FROM ledger.period p JOIN ledger.journal_transaction t"
    "   ON t.occurred_on <= p.ends_on AND t.recorded_at > p.closed_at WHERE p.status = 'closed'"
    " UNION ALL SELECT p.name, c.contribution_id, NULL FROM ledger.period p JOIN ledger.patronage c"
    "   ON c.period_id = p.id AND c.recorded_at > p.closed_at WHERE p.status = 'closed'"
)
ROW_HASHES = {
    "journal_transaction": text("SELECT id::text, md5(t::text) FROM ledger.journal_transaction t"),
    "posting": text("SELECT id::text, md5(t::text) FROM ledger.posting t"),
    "patronage": text("SELECT contribution_id::text, md5(t::text) FROM ledger.patronage t"),
    "allocation_row": text(
        "SELECT allocation_id::text || member_id::text, md5(t::text) FROM ledger.allocation_row t"
    ),
}


async def fingerprint(conn: AsyncConnection) -> dict[str, str]:
    """Per table (but the inbox), a hash of all its rows: equal fingerprints, equal contents."""
    tables = (await conn.execute(FINGERPRINTED)).scalars().all()
    return {
        table: await conn.scalar(
            text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ledger.{table} t")
        )
        for table in tables
    }


async def unbalanced(conn: AsyncConnection) -> list[tuple]:
    return [tuple(row) for row in await conn.execute(UNBALANCED)]


async def orphan_postings(conn: AsyncConnection) -> int:
    return await conn.scalar(WITHOUT_TRANSACTION)


async def capital_sums(conn: AsyncConnection) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    """Each member's capital as the sum of its postings (credit positive), book and tax."""
    sums: dict[uuid.UUID, list[Decimal]] = {}
    for member_id, basis, amount in await conn.execute(CAPITAL_SUMS):
        sums.setdefault(member_id, [Decimal("0.00"), Decimal("0.00")])[0 if basis == "book" else 1] = amount
    return {member_id: (book, tax) for member_id, (book, tax) in sums.items()}


async def allocations_off(conn: AsyncConnection) -> list[tuple]:
    return [tuple(row) for row in await conn.execute(ALLOCATIONS_OFF)]


async def posted_without_entry(conn: AsyncConnection) -> int:
    return await conn.scalar(POSTED_WITHOUT_ENTRY)


async def under_a_close(conn: AsyncConnection) -> list[tuple]:
    return [tuple(row) for row in await conn.execute(UNDER_A_CLOSE)]


async def row_hashes(conn: AsyncConnection) -> dict[str, dict[str, str]]:
    """Per append-only table, each row's key and the hash of its whole content."""
    return {table: dict((await conn.execute(query)).all()) for table, query in ROW_HASHES.items()}


async def opening_transactions(conn: AsyncConnection) -> list[tuple[uuid.UUID, uuid.UUID, bool]]:
    """Opening-balance transactions: (id, member, reversed already)."""
    query = text(
        "SELECT t.id, t.member_id, EXISTS (SELECT 1 FROM ledger.journal_transaction r WHERE r.reverses_id = t.id)"
        " FROM ledger.journal_transaction t WHERE t.source_type = 'opening_balance' ORDER BY t.recorded_at, t.member_id"
    )
    return [tuple(row) for row in await conn.execute(query)]


async def workflow_transactions(conn: AsyncConnection) -> list[uuid.UUID]:
    """Transactions a workflow owns (contributions, distributions, allocations, reversals): not reversed directly."""
    query = text(
        "SELECT id FROM ledger.journal_transaction WHERE source_type <> 'opening_balance'"
        " ORDER BY recorded_at, member_id NULLS FIRST, source_type"
    )
    return list((await conn.execute(query)).scalars())
