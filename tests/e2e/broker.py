"""Direct access to the run's RabbitMQ vhost and database, to replay and inject events."""

from __future__ import annotations

import asyncio
import json
import re

import aio_pika
import asyncpg

EXCHANGE = "habitat.events"
APPROVED = "contributions.contribution_approved.v1"
LEDGER_QUEUE = f"ledger.{APPROVED}"


def _pg_url(database_url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", database_url)


def approved_envelope(database_url: str, contribution_id: str) -> dict:
    """The `contribution approved` envelope the contributions service put in its outbox."""

    async def fetch() -> dict:
        conn = await asyncpg.connect(_pg_url(database_url))
        try:
            row = await conn.fetchval(
                "SELECT payload FROM contributions.outbox WHERE routing_key = $1 "
                "AND payload->'payload'->>'contribution_id' = $2",
                APPROVED, contribution_id,
            )
        finally:
            await conn.close()
        return json.loads(row)

    return asyncio.run(fetch())


def publish_raw(amqp_url: str, routing_key: str, body: bytes, message_id: str | None = None, times: int = 1) -> None:
    async def send() -> None:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(EXCHANGE)
            for _ in range(times):
                await exchange.publish(
                    aio_pika.Message(body, message_id=message_id, content_type="application/json",
                                     delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=routing_key,
                )

    asyncio.run(send())


def drain_queue(amqp_url: str, queue_name: str) -> list[bytes]:
    """Take every message currently in a queue (used on dead-letter queues)."""

    async def take() -> list[bytes]:
        connection = await aio_pika.connect(amqp_url)
        bodies = []
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(queue_name, ensure=True)
            while (message := await queue.get(fail=False, no_ack=True)) is not None:
                bodies.append(message.body)
        return bodies

    return asyncio.run(take())


def inbox_count(database_url: str, consumer: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(_pg_url(database_url))
        try:
            return await conn.fetchval("SELECT count(*) FROM ledger.inbox WHERE consumer = $1", consumer)
        finally:
            await conn.close()

    return asyncio.run(count())


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of a Prometheus sample's values whose labels include the given ones."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total
