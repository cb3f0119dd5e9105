"""Reading the stack's dead letters through the gateway, and filing a message straight into a dead-letter queue."""

from __future__ import annotations

import asyncio

import aio_pika

from .conftest import Habitat

REASON_HEADER = "x-habitat-dead-letter-reason"


def letters(habitat: Habitat, queue: str, status: str = "dead") -> list[dict]:
    """The queue's letters in status (with headers and body), as an admin sees them."""
    response = habitat.call("GET", f"/dead-letters/{queue}", habitat.admin_token(),
                            params={"status": status, "limit": 500})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def dead_bodies(habitat: Habitat, queue: str) -> list[bytes]:
    """The bodies of the queue's letters in status dead (what used to be read off its .dlq)."""
    return [letter["body"].encode() for letter in letters(habitat, queue)]


def file_dead_letter(amqp_url: str, queue: str, body: bytes, reason: str, message_id: str) -> None:
    """Put a message into queue's dead-letter queue as a consumer's refusal would, with its reason."""

    async def send() -> None:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange("habitat.dead-letter")
            await exchange.publish(
                aio_pika.Message(body, message_id=message_id, content_type="application/json",
                                 headers={REASON_HEADER: reason}, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue,
            )

    asyncio.run(send())
