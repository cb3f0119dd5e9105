"""What PostgreSQL itself refuses, whatever the application does."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

NEW_TRANSACTION = text(
    "INSERT INTO ledger.journal_transaction (id, source_type, source_id, occurred_on, description, recorded_at)"
    " VALUES (:id, 'opening_balance', :id, '2026-01-01', 'test', now())"
)
NEW_ACCOUNT = text("INSERT INTO ledger.account (id, code, kind) VALUES (:id, :code, 'coop_cash')")
NEW_POSTING = text(
    "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount) VALUES (:tx, :account, :basis, :amount)"
)
# several transactions' postings in one statement, as posting an allocation writes them
NEW_POSTINGS = text(
    "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount)"
    " SELECT tx, :account, basis, amount"
    " FROM unnest(CAST(:txs AS uuid[]), CAST(:bases AS text[]), CAST(:amounts AS numeric[])) AS u(tx, basis, amount)"
)


async def write_transaction(conn: AsyncConnection, *legs: tuple[str, str]) -> uuid.UUID:
    tx, account = uuid.uuid4(), uuid.uuid4()
    await conn.execute(NEW_ACCOUNT, {"id": account, "code": f"test:{account}"})
    await conn.execute(NEW_TRANSACTION, {"id": tx})
    for basis, amount in legs:
        await conn.execute(NEW_POSTING, {"tx": tx, "account": account, "basis": basis, "amount": amount})
    return tx


class TestBalancedPostings:
    async def test_an_unbalanced_transaction_fails_at_commit(self, engine: AsyncEngine):
        async with engine.connect() as conn:
            await conn.begin()
            tx = await write_transaction(
                conn, ("book", "100.00"), ("book", "-90.00")
            )  # accepted until commit
            with pytest.raises(IntegrityError, match="does not balance"):
                await conn.commit()
        async with engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM ledger.journal_transaction WHERE id = :id"), {"id": tx}
            )
        assert found == 0

    async def test_balance_on_one_basis_does_not_cover_the_other(self, engine: AsyncEngine):
        async with engine.connect() as conn:
            await conn.begin()
            await write_transaction(conn, ("book", "100.00"), ("tax", "-100.00"))
            with pytest.raises(IntegrityError, match="does not balance"):
                await conn.commit()

    async def test_a_balanced_transaction_commits(self, engine: AsyncEngine):
        async with engine.connect() as conn:
            await conn.begin()
            tx = await write_transaction(conn, ("book", "0.10"), ("book", "0.20"), ("book", "-0.30"))
            await conn.commit()
            assert (
                await conn.scalar(
                    text("SELECT count(*) FROM ledger.posting WHERE transaction_id = :tx"), {"tx": tx}
                )
                == 3
            )


    async def test_postings_added_later_to_a_committed_transaction_are_checked(self, engine: AsyncEngine):
        async with engine.connect() as conn:
            await conn.begin()
            tx = await write_transaction(conn, ("book", "5.00"), ("book", "-5.00"))
            await conn.commit()
            await conn.begin()
            account = await conn.scalar(
                text("SELECT account_id FROM ledger.posting WHERE transaction_id = :tx LIMIT 1"), {"tx": tx}
            )
            await conn.execute(NEW_POSTING, {"tx": tx, "account": account, "basis": "tax", "amount": "1.00"})
            with pytest.raises(IntegrityError, match="does not balance"):
                await conn.commit()


async def write_transactions(conn: AsyncConnection, legs: dict[int, list[tuple[str, str]]]) -> list[uuid.UUID]:
    """Transactions numbered as in legs, all their postings in one INSERT statement."""
    txs, account = [uuid.uuid4() for _ in legs], uuid.uuid4()
    await conn.execute(NEW_ACCOUNT, {"id": account, "code": f"test:{account}"})
    for tx in txs:
        await conn.execute(NEW_TRANSACTION, {"id": tx})
    rows = [(txs[n], basis, Decimal(amount)) for n, pairs in legs.items() for basis, amount in pairs]
    await conn.execute(
        NEW_POSTINGS,
        {"account": account, "txs": [r[0] for r in rows], "bases": [r[1] for r in rows], "amounts": [r[2] for r in rows]},
    )
    return txs


class TestBalancedMultiRowInsert:
    async def test_balanced_transactions_in_one_statement_commit(self, engine: AsyncEngine):
        async with engine.connect() as conn:
            await conn.begin()
            txs = await write_transactions(conn, {
                0: [("book", "10.00"), ("book", "-10.00"), ("tax", "10.00"), ("tax", "-10.00")],
                1: [("book", "0.01"), ("book", "-0.01")],
            })
            await conn.commit()
            found = await conn.scalar(
                text("SELECT count(*) FROM ledger.posting WHERE transaction_id = ANY(:txs)"), {"txs": txs}
            )
            queued = await conn.scalar(text("SELECT count(*) FROM ledger.posting_balance_check"))
        assert (found, queued) == (6, 0)

    async def test_one_unbalanced_transaction_among_many_fails_the_commit(self, engine: AsyncEngine):
        async with engine.connect() as conn:
            await conn.begin()
            txs = await write_transactions(conn, {
                0: [("book", "10.00"), ("book", "-10.00")],
                1: [("book", "3.00"), ("book", "-3.00"), ("tax", "3.00"), ("tax", "-2.99")],
                2: [("tax", "1.00"), ("tax", "-1.00")],
            })  # accepted until commit
            with pytest.raises(IntegrityError, match=f"{txs[1]} does not balance on the tax basis"):
                await conn.commit()
        async with engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM ledger.journal_transaction WHERE id = ANY(:txs)"), {"txs": txs}
            )
        assert found == 0


class TestAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE ledger.posting SET amount = amount * 2 WHERE transaction_id = :tx",
            "DELETE FROM ledger.posting WHERE transaction_id = :tx",
            "UPDATE ledger.journal_transaction SET description = 'edited' WHERE id = :tx",
            "DELETE FROM ledger.journal_transaction WHERE id = :tx",
        ],
    )
    async def test_journal_rows_cannot_change(self, connection: AsyncConnection, statement: str):
        tx = await write_transaction(connection, ("book", "5.00"), ("book", "-5.00"))
        with pytest.raises(DBAPIError, match="append-only"):
            async with connection.begin_nested():
                await connection.execute(text(statement), {"tx": tx})
        assert (
            await connection.scalar(
                text("SELECT sum(abs(amount)) FROM ledger.posting WHERE transaction_id = :tx"), {"tx": tx}
            )
            == 10
        )


POSTING_OF = "INSERT INTO ledger.posting (transaction_id, account_id, basis, amount)"
NEW_ALLOCATION_ROW = (
    "INSERT INTO ledger.allocation_row (allocation_id, member_id, weighted_patronage, share, allocation,"
    " cash_portion_amount, retained_amount, tax_allocation) VALUES (:unknown, gen_random_uuid(), 1, 1, 1, 0, 1, 1)"
)
NEW_DISTRIBUTION = (
    "INSERT INTO ledger.distribution (id, member_id, amount, method, scheduled_on, status, allocation_id,"
    " created_by, created_at) VALUES (gen_random_uuid(), gen_random_uuid(), 1, 'ach', '2026-01-01', 'scheduled',"
    " {allocation}, gen_random_uuid(), now())"
)


class TestReferencesCheckedPerStatement:
    """The references that a close writes by the thousand are checked per statement (migration 0008)."""

    @pytest.mark.parametrize(
        ("statement", "referenced"),
        [
            (f"{POSTING_OF} SELECT :unknown, a.id, 'book', 0 FROM ledger.account AS a", "journal_transaction"),
            (f"{POSTING_OF} SELECT t.id, :unknown, 'book', 0 FROM ledger.journal_transaction AS t", "account"),
            (NEW_ALLOCATION_ROW, "allocation"),
            (NEW_DISTRIBUTION.format(allocation=":unknown"), "allocation"),
            ("UPDATE ledger.distribution SET allocation_id = :unknown", "allocation"),
        ],
    )
    async def test_a_row_naming_what_does_not_exist_is_refused(
        self, connection: AsyncConnection, statement: str, referenced: str
    ):
        await write_transaction(connection, ("book", "5.00"), ("book", "-5.00"))
        await connection.execute(text(NEW_DISTRIBUTION.format(allocation="NULL")))
        unknown = uuid.uuid4()
        with pytest.raises(IntegrityError, match=f"{unknown} is not present in ledger.{referenced}"):
            async with connection.begin_nested():
                await connection.execute(text(statement), {"unknown": unknown})

    async def test_rows_naming_what_exists_are_accepted(self, connection: AsyncConnection):
        tx = await write_transaction(connection, ("book", "5.00"), ("book", "-5.00"))
        assert await connection.scalar(text("SELECT count(*) FROM ledger.posting WHERE transaction_id = :tx"), {"tx": tx}) == 2

    @pytest.mark.parametrize(
        "statement",
        [
            "DELETE FROM ledger.account",
            "TRUNCATE ledger.account CASCADE",
            "UPDATE ledger.account SET id = gen_random_uuid()",
            "DELETE FROM ledger.allocation",
            "TRUNCATE ledger.allocation CASCADE",
        ],
    )
    async def test_referenced_rows_are_never_removed(self, connection: AsyncConnection, statement: str):
        await write_transaction(connection, ("book", "5.00"), ("book", "-5.00"))
        with pytest.raises(DBAPIError, match="never removed|never change|append-only"):
            async with connection.begin_nested():
                await connection.execute(text(statement))


class TestPeriodsDoNotOverlap:
    async def test_the_database_refuses_overlapping_periods(self, connection: AsyncConnection):
        insert = text(
            "INSERT INTO ledger.period (id, name, starts_on, ends_on, status, created_at, created_by)"
            " VALUES (gen_random_uuid(), :name, :starts, :ends, 'open', now(), gen_random_uuid())"
        )
        await connection.execute(insert, {"name": "A", "starts": date(2031, 1, 1), "ends": date(2031, 3, 31)})
        with pytest.raises(IntegrityError, match="period_no_overlap"):
            async with connection.begin_nested():
                await connection.execute(
                    insert, {"name": "B", "starts": date(2031, 3, 31), "ends": date(2031, 6, 30)}
                )

    async def test_the_database_refuses_a_period_ending_before_it_starts(self, connection: AsyncConnection):
        with pytest.raises(DBAPIError):
            await connection.execute(
                text(
                    "INSERT INTO ledger.period (id, name, starts_on, ends_on, status, created_at, created_by)"
                    " VALUES (gen_random_uuid(), 'bad', '2031-02-01', '2031-01-01', 'open', now(), gen_random_uuid())"
                )
            )
