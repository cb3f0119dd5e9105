"""Per-service RabbitMQ users on a vhost of their own: publish only their events, consume only their queues."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused
from habitat_common.contracts import Envelope, PeriodOpenedV1
from habitat_common.messaging.consumer import subscribe
from habitat_common.messaging.retry_schedule import RetrySchedule
from habitat_common.messaging.topology import SUBSCRIPTIONS, Subscription, events_exchange
from habitat_common.messaging.worker import make_broker
from habitat_common.settings import RabbitSettings
from habitat_common.testing import docker_engine_reachable, temporary_broker_users, temporary_vhost

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(docker_engine_reachable(), reason="service users are made with rabbitmqctl on this machine"),
]
CONTRIBUTIONS_QUEUE = Subscription("contributions", PeriodOpenedV1).queue_name
LEDGER_QUEUE = next(s.queue_name for s in SUBSCRIPTIONS if s.consumer == "ledger")


@pytest.fixture(scope="module")
def users():
    with temporary_vhost("habitat_mq_roles") as url, temporary_broker_users(url) as users:
        yield users


def envelope(name: str, producer: str = "ledger") -> bytes:
    payload = PeriodOpenedV1(period_id=uuid.uuid4(), name=name, starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 3, 31), status="open")
    return Envelope.wrap(payload, producer=producer).model_dump_json().encode()


async def publish(url: str, routing_key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("habitat.events")
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=routing_key)


async def take_one(url: str, queue: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await (await channel.get_queue(queue)).get(fail=False)


async def declare(url: str, queue: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True)


@pytest.mark.parametrize("service, foreign", [
    ("ledger", "contributions.contribution_approved.v1"),
    ("identity", "ledger.period_closed.v1"),
    ("contributions", "identity.member_registered.v1"),
])
def test_a_service_user_cannot_publish_another_services_event(users, service, foreign) -> None:
    with pytest.raises(ChannelAccessRefused, match="access to topic"):
        asyncio.run(publish(users[service], foreign))


async def file_refusal(url: str, exchange: str, routing_key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange)
        await target.publish(aio_pika.Message(b"{}"), routing_key=routing_key)


def test_a_service_user_files_refusals_into_its_own_dead_letter_queues_only(users) -> None:
    asyncio.run(file_refusal(users["ledger"], "habitat.dead-letter.ledger", LEDGER_QUEUE))
    with pytest.raises(ChannelAccessRefused, match="access to exchange"):
        asyncio.run(file_refusal(users["ledger"], "habitat.dead-letter.contributions", CONTRIBUTIONS_QUEUE))
    with pytest.raises(ChannelAccessRefused, match="access to exchange"):
        asyncio.run(file_refusal(users["ledger"], "habitat.dead-letter", CONTRIBUTIONS_QUEUE))


def test_a_service_user_puts_messages_back_through_its_own_retry_exchange_only(users) -> None:
    # into its own delayed retry queue, and straight back into its own work queue (a replay)
    asyncio.run(file_refusal(users["ledger"], "habitat.retry.ledger", f"{LEDGER_QUEUE}.retry.1"))
    asyncio.run(file_refusal(users["ledger"], "habitat.retry.ledger", LEDGER_QUEUE))
    asyncio.run(take_one(users["ledger"], LEDGER_QUEUE))
    with pytest.raises(ChannelAccessRefused, match="access to exchange"):
        asyncio.run(file_refusal(users["ledger"], "habitat.retry.contributions", CONTRIBUTIONS_QUEUE))
    with pytest.raises(ChannelAccessRefused, match="access to exchange"):
        asyncio.run(file_refusal(users["contributions"], "habitat.retry.ledger", f"{LEDGER_QUEUE}.retry.1"))


def test_a_service_user_cannot_consume_its_delayed_retry_queues(users) -> None:
    # nobody consumes them: a message leaves only when its expiration is up
    with pytest.raises(ChannelAccessRefused, match="access to queue"):
        asyncio.run(take_one(users["ledger"], f"{LEDGER_QUEUE}.retry.1"))


def test_a_service_user_publishes_its_own_events(users) -> None:
    asyncio.run(publish(users["ledger"], "ledger.period_opened.v1"))


@pytest.mark.parametrize("service, queue", [
    ("ledger", CONTRIBUTIONS_QUEUE), ("identity", CONTRIBUTIONS_QUEUE), ("contributions", LEDGER_QUEUE),
    ("ledger", f"{CONTRIBUTIONS_QUEUE}.dlq"),
])
def test_a_service_user_cannot_consume_another_services_queue(users, service, queue) -> None:
    with pytest.raises(ChannelAccessRefused, match="access to queue"):
        asyncio.run(take_one(users[service], queue))


@pytest.mark.parametrize("service, queue", [("ledger", LEDGER_QUEUE), ("ledger", f"{LEDGER_QUEUE}.dlq")])
def test_a_service_user_consumes_its_own_queues_and_their_dead_letters(users, service, queue) -> None:
    asyncio.run(take_one(users[service], queue))  # the worker's dead-letter keeper reads the .dlq


def test_a_service_user_cannot_declare_queues(users) -> None:
    with pytest.raises(ChannelAccessRefused):
        asyncio.run(declare(users["ledger"], "ledger.sneaky"))


async def run_worker_of_contributions(users, handle, until, period_name: str, **options) -> None:
    """contributions' worker as its own broker user (declares nothing) while ledger's user publishes one
    period opened; waits (generously) until `until()` holds."""
    broker = make_broker(RabbitSettings(url=users["contributions"], declare_topology=False))
    subscribe(broker, Subscription("contributions", PeriodOpenedV1), handle, delivery_limit=5, declare=False,
              **options)
    await broker.start()
    try:
        ledger = make_broker(RabbitSettings(url=users["ledger"]))
        await ledger.connect()
        await ledger.publish(envelope(period_name), exchange=events_exchange(declare=False),
                             routing_key=PeriodOpenedV1.routing_key(), persist=True)
        await ledger.stop()
        for _ in range(600):
            if until():
                break
            await asyncio.sleep(0.05)
    finally:
        await broker.stop()


async def test_a_worker_without_declare_rights_consumes_its_own_queue(users) -> None:
    seen: list[str] = []

    async def handle(envelope: Envelope) -> bool:
        seen.append(envelope.payload.name)
        return True

    await run_worker_of_contributions(users, handle, lambda: bool(seen), "2026-Q1")
    assert seen == ["2026-Q1"]


async def test_a_worker_without_declare_rights_retries_a_failure_through_its_retry_queues(users) -> None:
    attempts: list[str] = []

    async def handle(envelope: Envelope) -> bool:
        attempts.append(envelope.payload.name)
        if len(attempts) == 1:
            raise RuntimeError("not yet")
        return True

    await run_worker_of_contributions(users, handle, lambda: len(attempts) == 2, "2026-Q2",
                                      retry=RetrySchedule((0.2,), jitter=0))
    assert attempts == ["2026-Q2", "2026-Q2"]
