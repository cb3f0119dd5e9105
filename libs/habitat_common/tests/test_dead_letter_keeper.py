"""The worker's dead-letter keeper and replay loop against real PostgreSQL and RabbitMQ: a dead message is kept
then acked, held in its queue while the database is down, and replayed to its own work queue only."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import select, text

from habitat_common.contracts import MemberRegisteredV1
from habitat_common.db import make_engine, make_sessionmaker, schema_metadata
from habitat_common.messaging import dead_letter_rules as rules
from habitat_common.messaging.dead_letter_store import DeadLetterStore, dead_letter_table
from habitat_common.messaging.dead_letters import DEAD_LETTERS, keep_dead_letters, replayer
from habitat_common.messaging.retry import RETRIES_HEADER
from habitat_common.messaging.topology import Subscription, declare_topology, refusals_exchange
from habitat_common.settings import DatabaseSettings

pytestmark = pytest.mark.integration
LEDGER = Subscription("ledger", MemberRegisteredV1)
CONTRIBUTIONS = Subscription("contributions", MemberRegisteredV1)  # the same event, another consumer's queue
BODY = json.dumps({"event_id": str(uuid.uuid4()), "event_type": "identity.member_registered",
                   "event_version": 1}).encode()


@pytest.fixture
async def store(database_url):
    metadata = schema_metadata("keeper")
    table = dead_letter_table(metadata)
    engine = make_engine(DatabaseSettings(url=database_url))
    async with engine.begin() as conn:
        await conn.execute(text('DROP SCHEMA IF EXISTS "keeper" CASCADE'))
        await conn.execute(text('CREATE SCHEMA "keeper"'))
        await conn.run_sync(metadata.create_all)
    yield DeadLetterStore(make_sessionmaker(engine), table)
    await engine.dispose()


async def fresh_queues(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for subscription in (LEDGER, CONTRIBUTIONS):
            await channel.queue_delete(subscription.queue_name)
            await channel.queue_delete(subscription.dead_letter_queue_name)
    broker = RabbitBroker(amqp_url, logger=None)
    await broker.connect()
    await declare_topology(broker, delivery_limit=3)
    await broker.stop()


async def file_refusal(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(refusals_exchange("ledger").name)
        await exchange.publish(
            aio_pika.Message(BODY, message_id="m-1", headers={rules.REASON_HEADER: "retries_exhausted: test",
                                                              RETRIES_HEADER: 10, "x-correlation-id": "c-1"}),
            routing_key=LEDGER.queue_name,
        )


async def waiting(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        return (await channel.declare_queue(queue, passive=True)).declaration_result.message_count


async def until(check, timeout: float = 20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while (result := await check()) is None or result is False:
        assert asyncio.get_running_loop().time() < deadline, "condition not met"
        await asyncio.sleep(0.05)
    return result


async def rows(store: DeadLetterStore) -> list:
    async with store._sessions() as session:
        return (await session.execute(select(store.table))).all()


async def test_a_dead_message_is_kept_then_acked_and_replayed_to_its_own_queue_only(store, amqp_url) -> None:
    await fresh_queues(amqp_url)
    broker = RabbitBroker(amqp_url, logger=None)
    keep_dead_letters(broker, [LEDGER], store)
    loop = replayer("ledger", broker, [LEDGER], store, interval_seconds=0.05)
    await broker.start()
    await loop.start()
    try:
        await file_refusal(amqp_url)
        [row] = await until(lambda: _some(rows(store)))
        assert (row.reason, row.message_id, bytes(row.body)) == ("retries_exhausted: test", "m-1", BODY)
        await until(lambda: _gauge_is(LEDGER.queue_name, 1))
        assert await waiting(amqp_url, LEDGER.dead_letter_queue_name) == 0  # acked once kept

        await store.request_replay(LEDGER.queue_name, [row.id], actor=uuid.uuid4())
        await until(lambda: _status_is(store, rules.REPLAYED))
        await until(lambda: _gauge_is(LEDGER.queue_name, 0))
    finally:
        await loop.stop()
        await broker.stop()
    assert await waiting(amqp_url, LEDGER.queue_name) == 1
    assert await waiting(amqp_url, CONTRIBUTIONS.queue_name) == 0  # never through habitat.events
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        message = await (await channel.get_queue(LEDGER.queue_name)).get()
        await message.ack()
    assert message.body == BODY and message.message_id == "m-1"
    assert message.headers[rules.LETTER_ID_HEADER] == str(row.id)
    assert rules.REASON_HEADER not in message.headers
    assert RETRIES_HEADER not in message.headers  # a replay starts a fresh retry schedule
    assert message.headers["x-correlation-id"] == "c-1"


async def test_while_the_database_is_down_the_message_stays_in_its_queue(store, amqp_url) -> None:
    await fresh_queues(amqp_url)
    down = make_engine(DatabaseSettings(url="postgresql+asyncpg://nobody@127.0.0.1:1/none", connect_timeout_seconds=1))
    unreachable = DeadLetterStore(make_sessionmaker(down), store.table)
    broker = RabbitBroker(amqp_url, logger=None)
    attempts: list[int] = []
    record = unreachable.record

    async def counted(death):
        attempts.append(1)
        return await record(death)

    unreachable.record = counted  # type: ignore[method-assign]
    keep_dead_letters(broker, [LEDGER], unreachable, unavailable_pause_seconds=0.1)
    await broker.start()
    try:
        await file_refusal(amqp_url)
        await until(lambda: _at_least(attempts, 2))  # nacked and delivered again, not dropped
    finally:
        await broker.stop()
        await down.dispose()
    assert await waiting(amqp_url, LEDGER.dead_letter_queue_name) == 1
    assert await rows(store) == []


async def _some(result) -> list | None:
    found = await result
    return found or None


async def _gauge_is(queue: str, value: float) -> bool:
    return DEAD_LETTERS.labels(queue)._value.get() == value


async def _status_is(store: DeadLetterStore, status: str) -> bool:
    return [row.status for row in await rows(store)] == [status]


async def _at_least(items: list, count: int) -> bool:
    return len(items) >= count
