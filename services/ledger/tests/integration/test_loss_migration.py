"""Migration 0010: records made before losses keep their figures, the tax ones equal to the book ones."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from habitat_common.testing import temporary_database

from tests.ledger_db import alembic, in_thread

PERIOD, ALLOCATION, MEMBER, ADMIN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
RECORD = [
    (
        "INSERT INTO ledger.period (id, name, starts_on, ends_on, status, created_at, created_by)"
        f" VALUES ('{PERIOD}', '2026-Q1', '2026-01-01', '2026-03-31', 'closing', now(), '{ADMIN}')"
    ),
    (
        "INSERT INTO ledger.allocation (id, period_id, status, surplus, weight_labor, weight_capital, weight_property,"
        " cash_portion, contribution_count, content_hash, approvals_required, proposed_by, proposed_at)"
        f" VALUES ('{ALLOCATION}', '{PERIOD}', 'proposed', 1000.00, 1, 0.5, 0.5, 10, 1, 'h', 2, '{ADMIN}', now())"
    ),
    (
        "INSERT INTO ledger.allocation_row (allocation_id, member_id, weighted_patronage, share, allocation,"
        f" cash_portion_amount, retained_amount) VALUES ('{ALLOCATION}', '{MEMBER}', 5, 1, 1000.00, 100.00, 900.00)"
    ),
]


def run(url: str, *statements: str) -> list:
    async def go() -> list:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            found = []
            for statement in statements:
                found.append(await conn.fetch(statement))
            return found
        finally:
            await conn.close()

    return in_thread(lambda: asyncio.run(go()))


def test_older_records_get_tax_figures_equal_to_book_and_a_loss_refuses_cash():
    with temporary_database("ledger_loss_migration") as url:
        alembic(url, ("upgrade", "0009_balance_check_by_index"))
        run(url, *RECORD)
        alembic(url, ("upgrade", "0010_loss_allocation"))
        head, row = run(url, "SELECT surplus, tax_surplus FROM ledger.allocation",
                        "SELECT allocation, tax_allocation FROM ledger.allocation_row")
        assert [tuple(r) for r in head] == [(1000, 1000)] and [tuple(r) for r in row] == [(1000, 1000)]
        with pytest.raises(asyncpg.CheckViolationError, match="loss_has_no_cash_portion"):
            run(url, f"UPDATE ledger.allocation SET surplus = -1000.00 WHERE id = '{ALLOCATION}'")
        alembic(url, ("downgrade", "0009_balance_check_by_index"), ("upgrade", "head"))
        assert [tuple(r) for r in run(url, "SELECT tax_allocation FROM ledger.allocation_row")[0]] == [(1000,)]
