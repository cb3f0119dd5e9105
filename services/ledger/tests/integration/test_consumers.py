"""The ContributionApprovedV1 consumer against PostgreSQL: effects, idempotency, exactness."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from habitat_common.messaging.topology import EVENTS
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.entrypoints.worker import create_worker
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.journal.capital import get_capital_account
from tests.ledger_builders import approved, envelope, open_period_command
from tests.ledger_db import alembic


@pytest.fixture
async def period_id(uow_factory) -> uuid.UUID:
    return (await open_period(open_period_command(), uow_factory())).id


@pytest.fixture
def handle(uow_factory):
    return contribution_approved_handler(uow_factory)


async def balances(uow_factory, member_id, as_of=None) -> tuple[Decimal, Decimal]:
    balance = await get_capital_account(member_id, uow_factory(), as_of=as_of)
    return balance.book_balance, balance.tax_balance


async def count(connection: AsyncConnection, table: str) -> int:
    return await connection.scalar(text(f"SELECT count(*) FROM ledger.{table}"))


class TestContributionApproved:
    async def test_capital_credits_500_on_both_bases(self, handle, uow_factory, period_id, connection):
        contract = approved("capital", book="500.00", period_id=period_id)
        assert await handle(envelope(contract)) is True
        assert await balances(uow_factory, contract.member_id) == (Decimal("500.00"), Decimal("500.00"))
        cash = await connection.scalar(
            text(
                "SELECT sum(p.amount) FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
                " WHERE a.code = 'coop:cash' AND p.basis = 'book'"
            )
        )
        assert cash == Decimal("500.00")

    async def test_property_is_fmv_on_book_and_adjusted_basis_on_tax(self, handle, uow_factory, period_id):
        contract = approved("property", book="1000.00", tax="600.00", period_id=period_id)
        await handle(envelope(contract))
        assert await balances(uow_factory, contract.member_id) == (Decimal("1000.00"), Decimal("600.00"))

    async def test_labor_records_patronage_but_no_capital(self, handle, uow_factory, period_id, connection):
        # the builder zeroes labor's amounts; a labor event that carries capital amounts anyway
        # (contributions bug, hand-made message) must still credit no capital
        contract = approved("labor", value="1200.00", period_id=period_id).model_copy(
            update={"book_amount": Decimal("1200.00"), "tax_amount": Decimal("900.00")}
        )
        assert await handle(envelope(contract)) is True
        assert await balances(uow_factory, contract.member_id) == (Decimal("0.00"), Decimal("0.00"))
        assert await count(connection, "journal_transaction") == 0
        row = (await connection.execute(text("SELECT type, value, member_id FROM ledger.patronage"))).one()
        assert tuple(row) == ("labor", Decimal("1200.00"), contract.member_id)

    async def test_patronage_is_recorded_for_capital_too(self, handle, period_id, connection):
        await handle(envelope(approved("capital", book="80.00", period_id=period_id)))
        assert await connection.scalar(text("SELECT value FROM ledger.patronage")) == Decimal("80.00")

    async def test_duplicate_delivery_credits_once(self, handle, uow_factory, period_id, connection):
        contract = approved("capital", book="500.00", period_id=period_id)
        message = envelope(contract)
        assert await handle(message) is True
        assert await handle(message) is False
        assert await balances(uow_factory, contract.member_id) == (Decimal("500.00"), Decimal("500.00"))
        assert await count(connection, "posting") == 4

    async def test_same_contribution_under_a_new_event_id_is_a_duplicate(
        self, handle, uow_factory, period_id
    ):
        contract = approved("capital", book="500.00", period_id=period_id)
        assert await handle(envelope(contract)) is True
        assert await handle(envelope(contract, event_id=uuid.uuid4())) is False
        assert await balances(uow_factory, contract.member_id) == (Decimal("500.00"), Decimal("500.00"))

    async def test_cents_are_exact_across_three_events(self, handle, uow_factory, period_id):
        member = uuid.uuid4()
        for amount in ("0.10", "0.20", "0.30"):
            await handle(envelope(approved("capital", book=amount, member_id=member, period_id=period_id)))
        assert await balances(uow_factory, member) == (Decimal("0.60"), Decimal("0.60"))

    async def test_a_negative_correction_reduces_capital(self, handle, uow_factory, period_id):
        member = uuid.uuid4()
        await handle(envelope(approved("capital", book="500.00", member_id=member, period_id=period_id)))
        await handle(envelope(approved("capital", book="-50.00", member_id=member, period_id=period_id)))
        assert await balances(uow_factory, member) == (Decimal("450.00"), Decimal("450.00"))

    async def test_balance_as_of_a_date(self, handle, uow_factory, period_id):
        member = uuid.uuid4()
        for day, amount in ((date(2026, 1, 10), "100.00"), (date(2026, 3, 10), "40.00")):
            contract = approved(book=amount, member_id=member, period_id=period_id, contributed_on=day)
            await handle(envelope(contract))
        assert await balances(uow_factory, member, as_of=date(2026, 1, 31)) == (
            Decimal("100.00"),
            Decimal("100.00"),
        )
        assert await balances(uow_factory, member) == (Decimal("140.00"), Decimal("140.00"))

    async def test_accounts_are_shared_not_duplicated(self, handle, period_id, connection):
        member = uuid.uuid4()
        for _ in range(2):
            await handle(envelope(approved(book="10.00", member_id=member, period_id=period_id)))
        assert await count(connection, "account") == 2  # coop:cash and this member's capital


@pytest.fixture(scope="module")
def committing_database_url():
    """A database of its own: this test commits, the others roll back."""
    with temporary_database("ledger_worker") as url:
        alembic(url, ("upgrade", "head"))
        yield url


@pytest.fixture
async def committing_ledger(committing_database_url):
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_database_url)))
    yield ledger
    await ledger.engine.dispose()


class TestWorker:
    async def test_messages_reach_the_consumer_and_duplicates_are_ignored(self, committing_ledger):
        """Through the worker's own subscription, on an in-memory broker."""
        period = await open_period(
            open_period_command(f"worker-{uuid.uuid4().hex[:6]}", date(2026, 1, 1), date(2026, 1, 31)),
            committing_ledger.uow(),
        )
        broker = RabbitBroker()
        create_worker(committing_ledger.settings, broker=broker)
        contract = approved(book="25.00", period_id=period.id, contributed_on=date(2026, 1, 5))
        body = envelope(contract).model_dump_json()
        async with TestRabbitBroker(broker) as test_broker:
            for _ in range(2):
                await test_broker.publish(
                    body, exchange=EVENTS, routing_key="contributions.contribution_approved.v1"
                )
        balance = await get_capital_account(contract.member_id, committing_ledger.uow())
        assert (balance.book_balance, balance.tax_balance) == (Decimal("25.00"), Decimal("25.00"))
