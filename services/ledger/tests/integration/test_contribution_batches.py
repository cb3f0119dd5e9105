"""The ContributionsImportedV1 consumer against PostgreSQL: same books as one event at a time, once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from habitat_common.contracts import ContributionsImportedV1, Envelope, ImportedContribution
from habitat_common.messaging.topology import EVENTS
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from sqlalchemy import text

from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.periods.period import Period
from habitat_ledger.entrypoints.consumers import contribution_approved_handler, contributions_imported_handler
from habitat_ledger.entrypoints.worker import create_worker
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.journal.capital import get_capital_account
from tests.ledger_builders import approved, envelope, open_period_command
from tests.ledger_db import alembic

BOOKED = text(
    "SELECT t.source_type, t.source_id, t.member_id, t.occurred_on, t.description, t.reverses_id,"
    " a.code, a.kind, a.member_id, p.basis, p.amount"
    " FROM ledger.posting p JOIN ledger.journal_transaction t ON t.id = p.transaction_id"
    " JOIN ledger.account a ON a.id = p.account_id ORDER BY t.source_id, p.id"
)
PATRONAGE = text(
    "SELECT contribution_id, member_id, period_id, type, value, corrects_contribution_id"
    " FROM ledger.patronage ORDER BY contribution_id"
)


def row(type: str = "capital", **kwargs) -> ImportedContribution:
    """One approved imported contribution, built like ledger_builders.approved."""
    return ImportedContribution(**approved(type, **kwargs).model_dump(exclude={"corrects_contribution_id"}))


def batch(rows: list[ImportedContribution], event_id: uuid.UUID | None = None) -> Envelope:
    contract = ContributionsImportedV1(import_id=uuid.uuid4(), batch=1, batches=1, contributions=rows)
    typed = Envelope[ContributionsImportedV1].model_validate_json(
        Envelope.wrap(contract, producer="contributions").model_dump_json()
    )
    return typed.model_copy(update={"event_id": event_id}) if event_id else typed


def single(imported: ImportedContribution) -> Envelope:
    return envelope(approved(
        imported.type, book=str(imported.book_amount), tax=str(imported.tax_amount), value=str(imported.value),
        member_id=imported.member_id, period_id=imported.period_id, contribution_id=imported.contribution_id,
        contributed_on=imported.contributed_on,
    ))


async def rows_of(connection, query) -> list[tuple]:
    return [tuple(r) for r in (await connection.execute(query)).all()]


async def count(connection, table: str) -> int:
    return await connection.scalar(text(f"SELECT count(*) FROM ledger.{table}"))


@pytest.fixture
async def period_id(uow_factory) -> uuid.UUID:
    return (await open_period(open_period_command(), uow_factory())).id


@pytest.fixture
def handle(uow_factory):
    return contributions_imported_handler(uow_factory)


def mixed(period_id: uuid.UUID, member: uuid.UUID) -> list[ImportedContribution]:
    return [
        row("capital", book="500.00", member_id=member, period_id=period_id),
        row("property", book="1000.00", tax="600.00", member_id=member, period_id=period_id),
        row("property", book="250.00", tax="0.00", member_id=member, period_id=period_id, contributed_on=date(2026, 3, 1)),
        row("labor", value="1200.00", member_id=member, period_id=period_id),
        row("capital", book="-50.00", member_id=uuid.uuid4(), period_id=period_id),
    ]


class TestContributionsImported:
    async def test_books_exactly_what_single_events_book(self, handle, uow_factory, period_id, connection):
        contributions = mixed(period_id, uuid.uuid4())
        savepoint = await connection.begin_nested()
        one_by_one = contribution_approved_handler(uow_factory)
        for imported in contributions:
            assert await one_by_one(single(imported)) is True
        expected = (await rows_of(connection, BOOKED), await rows_of(connection, PATRONAGE))
        await savepoint.rollback()
        assert await count(connection, "posting") == 0

        assert await handle(batch(contributions)) is True
        assert (await rows_of(connection, BOOKED), await rows_of(connection, PATRONAGE)) == expected
        assert len(expected[0]) == 14 and len(expected[1]) == 5  # 4 + 4 + 2 + 0 (labor) + 4 postings

    async def test_balances_are_those_of_the_capital_and_property(self, handle, uow_factory, period_id):
        member = uuid.uuid4()
        await handle(batch(mixed(period_id, member)))
        balance = await get_capital_account(member, uow_factory())
        assert (balance.book_balance, balance.tax_balance) == (Decimal("1750.00"), Decimal("1100.00"))

    async def test_a_worker_books_at_most_at_once_batches_at_a_time(self, uow_factory, period_id, connection):
        active = peak = 0

        class Counted:
            """A unit of work that counts how many are open at the same time."""

            def __init__(self) -> None:
                self.uow = uow_factory()

            async def __aenter__(self):
                nonlocal active, peak
                active += 1
                peak = max(peak, active)
                return await self.uow.__aenter__()

            async def __aexit__(self, *exc):
                nonlocal active
                try:
                    return await self.uow.__aexit__(*exc)
                finally:
                    active -= 1

        handle_one_at_a_time = contributions_imported_handler(Counted, at_once=1)
        batches = [batch([row(book="10.00", period_id=period_id)]) for _ in range(3)]
        assert await asyncio.gather(*map(handle_one_at_a_time, batches)) == [True, True, True]
        assert peak == 1 and await count(connection, "patronage") == 3

    async def test_a_redelivered_batch_changes_nothing(self, handle, period_id, connection):
        message = batch(mixed(period_id, uuid.uuid4()))
        assert await handle(message) is True
        before = await rows_of(connection, BOOKED)
        assert await handle(message) is False  # same event id
        assert await handle(message.model_copy(update={"event_id": uuid.uuid4()})) is False  # same rows again
        assert await rows_of(connection, BOOKED) == before
        assert await count(connection, "patronage") == 5

    async def test_contributions_booked_one_by_one_are_skipped(self, handle, uow_factory, period_id, connection):
        first, second = row(period_id=period_id), row(period_id=period_id)
        await contribution_approved_handler(uow_factory)(single(first))
        assert await handle(batch([first, second, second])) is True
        assert await count(connection, "journal_transaction") == 2
        assert await count(connection, "patronage") == 2

    async def test_an_unknown_period_waits_then_applies_when_it_opens(
        self, handle, uow_factory, connection, monkeypatch
    ):
        later = uuid.uuid4()
        member = uuid.uuid4()
        assert await handle(batch([row(book="70.00", member_id=member, period_id=later)])) is True
        reasons = await connection.scalars(text("SELECT reason FROM ledger.pending_event WHERE applied_at IS NULL"))
        assert list(reasons) == ["unknown_period"]
        assert await count(connection, "patronage") == 0

        opened = Period.open.__func__
        monkeypatch.setattr(Period, "open", classmethod(lambda cls, **kw: _with_id(opened(cls, **kw), later)))
        await open_period(open_period_command(), uow_factory())
        balance = await get_capital_account(member, uow_factory())
        assert (balance.book_balance, balance.tax_balance) == (Decimal("70.00"), Decimal("70.00"))
        assert await connection.scalar(text("SELECT count(*) FROM ledger.pending_event WHERE applied_at IS NULL")) == 0

    async def test_a_closed_period_keeps_them_as_exceptions(self, handle, period_id, connection):
        await connection.execute(text("UPDATE ledger.period SET status = 'closed' WHERE id = :id"), {"id": period_id})
        assert await handle(batch([row(period_id=period_id), row("labor", period_id=period_id)])) is True
        reasons = await connection.scalars(text("SELECT reason FROM ledger.pending_event"))
        assert list(reasons) == ["period_closed", "period_closed"]
        assert await count(connection, "patronage") == 0
        assert await count(connection, "posting") == 0


def _with_id(period: Period, period_id: uuid.UUID) -> Period:
    period.id = period_id
    return period


@pytest.fixture(scope="module")
def committing_database_url():
    """A database of its own: this test commits, the others roll back."""
    with temporary_database("ledger_batches") as url:
        alembic(url, ("upgrade", "head"))
        yield url


class TestWorker:
    async def test_batches_reach_the_consumer_and_commit_balanced(self, committing_database_url):
        """Through the worker's own subscription on FastStream's in-memory broker (not RabbitMQ),
        committed, so the deferred balance check runs."""
        ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_database_url)))
        try:
            period = await open_period(open_period_command(), ledger.uow())
            member = uuid.uuid4()
            rows = [row(book="10.00", member_id=member, period_id=period.id) for _ in range(300)]
            broker = RabbitBroker()
            create_worker(ledger.settings, broker=broker)
            async with TestRabbitBroker(broker) as test_broker:
                for _ in range(2):
                    await test_broker.publish(
                        batch(rows).model_dump_json(), exchange=EVENTS,
                        routing_key="contributions.contributions_imported.v1",
                    )
            balance = await get_capital_account(member, ledger.uow(), today=datetime.now(UTC).date())
            assert (balance.book_balance, balance.tax_balance) == (Decimal("3000.00"), Decimal("3000.00"))
        finally:
            await ledger.engine.dispose()
