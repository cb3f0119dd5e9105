"""ContributionApprovedV1 in batches, against PostgreSQL and RabbitMQ: the bookings of one delivery at a time,
a poison isolated from the rest of its batch, a batch redelivered after a crash before its ack changing nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from habitat_common.contracts import Envelope
from habitat_common.messaging.batching import BatchSettings, subscribe_batches
from habitat_common.messaging.topology import declare_topology
from habitat_common.messaging.worker import make_broker
from habitat_common.settings import DatabaseSettings, RabbitSettings
from habitat_common.testing import temporary_database, temporary_vhost
from sqlalchemy import text

from habitat_ledger.adapters.translators import to_book_contribution
from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.entrypoints.consumers import (
    contribution_approved_batch_handler,
    contribution_approved_handler,
)
from habitat_ledger.entrypoints.worker import CONTRIBUTION_APPROVED, create_worker
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.ledger_builders import approved, envelope, open_period_command
from tests.ledger_db import alembic

BOOKED = text(
    "SELECT t.source_type, t.source_id, t.member_id, t.occurred_on, t.description, a.code, p.basis, p.amount"
    " FROM ledger.posting p JOIN ledger.journal_transaction t ON t.id = p.transaction_id"
    " JOIN ledger.account a ON a.id = p.account_id ORDER BY t.source_id, a.code, p.basis"
)
PATRONAGE = text("SELECT contribution_id, member_id, period_id, type, value FROM ledger.patronage ORDER BY contribution_id")
PENDING = text("SELECT kind, key, period_id, reason, payload FROM ledger.pending_event ORDER BY key")
TOO_BIG = "1000000000000.00"  # passes the contract, overflows numeric(14, 2): fails every time it is booked


async def books(connection) -> tuple[list[tuple], ...]:
    found = []
    for query in (BOOKED, PATRONAGE, PENDING):
        found.append([tuple(r) for r in (await connection.execute(query)).all()])
    return tuple(found)


def mixed(period_id: uuid.UUID) -> list[Envelope]:
    """Capital, property, labor and a correction of two members; one of a period not known yet; a contribution
    approved twice under two event ids; one event delivered twice."""
    member, other = uuid.uuid4(), uuid.uuid4()
    again = approved("capital", book="30.00", member_id=other, period_id=period_id)
    repeated = envelope(approved("capital", book="7.00", member_id=member, period_id=period_id))
    return [
        envelope(approved("capital", book="500.00", member_id=member, period_id=period_id)),
        envelope(approved("property", book="1000.00", tax="600.00", member_id=member, period_id=period_id)),
        envelope(approved("labor", value="1200.00", member_id=other, period_id=period_id)),
        envelope(approved("capital", book="-50.00", member_id=member, period_id=period_id)),
        envelope(approved("capital", book="70.00", member_id=other, period_id=uuid.uuid4())),
        envelope(again), repeated, envelope(again), repeated,
    ]


@pytest.fixture
async def period_id(uow_factory) -> uuid.UUID:
    return (await open_period(open_period_command(), uow_factory())).id


class TestApprovalBatch:
    async def test_a_batch_books_what_single_deliveries_and_the_single_use_case_book(
        self, uow_factory, period_id, connection
    ):
        deliveries = mixed(period_id)

        savepoint = await connection.begin_nested()
        for delivery in deliveries:  # the single-item use case, as the consumer called it before batches
            async with uow_factory() as uow:
                await book_contribution(to_book_contribution(delivery.payload), uow)
                await uow.commit()
        use_case = await books(connection)
        await savepoint.rollback()

        savepoint = await connection.begin_nested()
        single = contribution_approved_handler(uow_factory)
        one_by_one = [await single(delivery) for delivery in deliveries]
        singly = await books(connection)
        await savepoint.rollback()
        assert await books(connection) == ([], [], [])

        batched = await contribution_approved_batch_handler(uow_factory)(deliveries)
        assert await books(connection) == singly
        assert _without_ids(singly) == _without_ids(use_case)
        assert batched == one_by_one == [True, True, True, True, True, True, True, False, False]
        assert [len(rows) for rows in singly] == [20, 6, 1]  # capital, property, correction, again, repeated: 4 postings each; 1 waiting

    async def test_a_redelivered_batch_changes_nothing(self, uow_factory, period_id, connection):
        handle = contribution_approved_batch_handler(uow_factory)
        deliveries = mixed(period_id)
        await handle(deliveries)
        before = await books(connection)
        assert await handle(deliveries) == [False] * len(deliveries)
        assert await books(connection) == before


def _without_ids(books: tuple[list[tuple], ...]) -> tuple[list[tuple], ...]:
    """Pending rows get fresh ids and payload texts in either path; compare what they say."""
    booked, patronage, pending = books
    return booked, patronage, [(kind, key, period, reason) for kind, key, period, reason, _ in pending]


@pytest.fixture(scope="module")
def committing_database_url():
    with temporary_database("ledger_approval_batches") as url:
        alembic(url, ("upgrade", "head"))
        yield url


@pytest.fixture(scope="module")
def amqp_url():
    with temporary_vhost("ledger_approval_batches") as url:
        yield url


@pytest.fixture
async def ledger(committing_database_url, amqp_url):
    rabbit = RabbitSettings(url=amqp_url, retry_delays_seconds=(0.1, 0.2), retry_jitter=0.0)
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_database_url), rabbit=rabbit,
                                  batching=BatchSettings(size=50, wait_ms=20)))
    broker = make_broker(rabbit)
    await broker.connect()
    await declare_topology(broker, delivery_limit=rabbit.delivery_limit, retry_tiers=rabbit.retry_schedule.retries)
    await broker.stop()
    yield ledger
    await ledger.engine.dispose()


async def publish(amqp_url: str, deliveries: list[Envelope]) -> None:
    """Straight into the ledger's queue, persistent and confirmed, before any consumer runs."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for delivery in deliveries:
            message = aio_pika.Message(delivery.model_dump_json().encode(), message_id=str(delivery.event_id),
                                       delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await channel.default_exchange.publish(message, routing_key=CONTRIBUTION_APPROVED.queue_name)


async def until(condition, limit: float = 60.0) -> None:
    """Poll an async condition; the limit only ends a hopeless wait."""
    deadline = asyncio.get_running_loop().time() + limit
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "the awaited condition never held"
        await asyncio.sleep(0.05)


async def scalar(ledger, sql: str, **params):
    async with ledger.engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def credited(ledger, member: uuid.UUID) -> Decimal | None:
    return await scalar(ledger, "SELECT -sum(p.amount) FROM ledger.posting p JOIN ledger.account a ON a.id = p.account_id"
                                " WHERE a.member_id = :m AND p.basis = 'book'", m=member)


class TestBatchesOnRabbitMQ:
    async def test_a_poison_in_a_batch_is_dead_lettered_and_the_rest_is_booked(self, ledger, amqp_url):
        period = await open_period(open_period_command("poison", date(2026, 1, 1), date(2026, 1, 31)), ledger.uow())
        member = uuid.uuid4()
        good = [envelope(approved(book="1.00", member_id=member, period_id=period.id, contributed_on=date(2026, 1, 5)))
                for _ in range(40)]
        poison = envelope(approved(book=TOO_BIG, member_id=uuid.uuid4(), period_id=period.id,
                                   contributed_on=date(2026, 1, 5)))
        await publish(amqp_url, [*good[:20], poison, *good[20:]])
        broker = make_broker(ledger.settings.rabbit)
        create_worker(ledger.settings, broker=broker)
        await broker.start()
        try:
            await until(lambda: scalar(ledger, "SELECT count(*) FROM ledger.dead_letter WHERE event_id = :e",
                                       e=poison.event_id))
        finally:
            await broker.stop()
        assert await credited(ledger, member) == Decimal("40.00")
        reason = await scalar(ledger, "SELECT reason FROM ledger.dead_letter WHERE event_id = :e", e=poison.event_id)
        assert reason.startswith("retries_exhausted: 3 attempts") and "numeric field overflow" in reason
        assert await scalar(ledger, "SELECT count(*) FROM ledger.patronage WHERE member_id = :m",
                            m=poison.payload.member_id) == 0

    async def test_a_batch_redelivered_after_a_crash_before_its_ack_changes_nothing(self, ledger, amqp_url):
        period = await open_period(open_period_command("crash", date(2026, 2, 1), date(2026, 2, 28)), ledger.uow())
        member = uuid.uuid4()
        deliveries = [envelope(approved(book="2.00", member_id=member, period_id=period.id,
                                        contributed_on=date(2026, 2, 6))) for _ in range(30)]
        await publish(amqp_url, deliveries)
        book = contribution_approved_batch_handler(ledger.uow)
        committed = asyncio.Event()

        async def commit_then_die(envelopes: Sequence[Envelope]) -> list[bool]:
            await book(envelopes)
            committed.set()
            await asyncio.Event().wait()  # never returns: nothing is acked, as when the process dies here
            return []

        crashing = RabbitBroker(amqp_url, logger=None)
        subscribe_batches(crashing, CONTRIBUTION_APPROVED, commit_then_die, batching=BatchSettings(size=50, wait_ms=50),
                          delivery_limit=5)
        await crashing.start()
        await asyncio.wait_for(committed.wait(), 60)
        await crashing.stop()  # the connection closes with the deliveries unacked: RabbitMQ delivers them again
        assert await credited(ledger, member) == Decimal("60.00")

        outcomes: list[bool] = []

        async def book_again(envelopes: Sequence[Envelope]) -> list[bool]:
            outcomes.extend(result := await book(envelopes))
            return result

        restarted = RabbitBroker(amqp_url, logger=None)
        subscribe_batches(restarted, CONTRIBUTION_APPROVED, book_again, batching=BatchSettings(size=50, wait_ms=50),
                          delivery_limit=5)
        await restarted.start()
        try:
            await until(lambda: asyncio.sleep(0, len(outcomes) >= len(deliveries)))
        finally:
            await restarted.stop()
        assert outcomes == [False] * len(deliveries)
        assert await credited(ledger, member) == Decimal("60.00")
        assert await scalar(ledger, "SELECT count(*) FROM ledger.patronage WHERE member_id = :m", m=member) == 30
