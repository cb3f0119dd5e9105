import asyncio
import uuid

from faststream.rabbit import RabbitBroker, TestRabbitBroker
from prometheus_client import REGISTRY
from sqlalchemy import text

from habitat_common.messaging.batching import BatchSettings, subscribe_batches
from habitat_common.messaging.topology import EVENTS
from habitat_notifications import bootstrap
from habitat_notifications.entrypoints.gauges import notifications_gauges
from habitat_notifications.entrypoints.worker import consumers, create_worker, sender
from tests.integration.db import deliver, registered, rejected, reset_requested, rows, send_all


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestWiring:
    """FastStream's in-memory TestRabbitBroker: the subscription's wiring and decoding, not RabbitMQ."""

    async def test_a_published_reset_request_is_written_once_through_the_shared_subscriber(self, container):
        broker = RabbitBroker()
        for subscription, handle in consumers(container):
            subscribe_batches(broker, subscription, handle, batching=BatchSettings(), delivery_limit=5)
        envelope = reset_requested(uuid.uuid4())
        async with TestRabbitBroker(broker) as test_broker:
            for _ in range(2):
                await test_broker.publish(
                    envelope.model_dump(mode="json"),
                    exchange=EVENTS,
                    routing_key=envelope.routing_key(),
                    message_id=str(envelope.event_id),
                )
        [row] = await rows(container)
        assert (row.kind, row.recipient_email) == ("password_reset", "ada@example.coop")

    def test_worker_app_is_composed(self, settings, monkeypatch):
        monkeypatch.setenv("NOTIFICATIONS_DATABASE__URL", settings.database.url.get_secret_value())
        bootstrap.get_settings.cache_clear()
        try:
            assert create_worker().broker is not None
        finally:
            bootstrap.get_settings.cache_clear()


class TestMetrics:
    async def test_the_sender_loop_counts_what_it_sends(self, container, mailbox):
        member_id = await registered(container, email="counted@example.coop")
        kind = {"kind": "contribution_rejected"}
        queued = sample("habitat_notifications_messages_total", **kind, status="queued")
        await deliver(container, rejected(member_id))
        assert sample("habitat_notifications_messages_total", **kind, status="queued") == queued + 1
        loop = sender(container)
        sent = sample("habitat_notifications_messages_total", **kind, status="sent")
        await loop.start()
        try:
            for _ in range(100):
                if mailbox.to("counted@example.coop"):
                    break
                await asyncio.sleep(0.05)
        finally:
            await loop.stop()
        assert len(mailbox.to("counted@example.coop")) == 1
        assert sample("habitat_notifications_messages_total", **kind, status="sent") == sent + 1

    async def test_the_gauges_show_queued_failed_and_bounced_mail(self, container, mailbox):
        ada, bob = await registered(container), await registered(container, email="gone@example.coop")
        for member_id in (ada, ada, bob):
            await deliver(container, rejected(member_id))
        mailbox.refuse["gone@example.coop"] = "550 5.1.1 No such user"
        async with container.engine.begin() as conn:  # ada's two wait for later: only bob's is tried (and bounces)
            await conn.execute(
                text(
                    "UPDATE notifications.message SET next_attempt_at = now() + interval '1 hour' WHERE recipient_id = :a"
                ),
                {"a": ada},
            )
        assert [o.status for o in await send_all(container)] == ["bounced"]
        gauges = notifications_gauges(container.engine, clock=container.clock, interval_seconds=60)
        assert await gauges.refresh()
        assert sample("habitat_notifications_backlog", status="queued") == 2
        assert sample("habitat_notifications_backlog", status="bounced") == 1
        assert sample("habitat_notifications_backlog", status="failed") == 0
        assert sample("habitat_notifications_oldest_queued_seconds") > 0
