import json

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from habitat_common.messaging.relay import OutboxRelay
from habitat_common.messaging.topology import declare_topology
from habitat_common.testing import temporary_vhost
from habitat_identity.adapters.orm import outbox

from tests.integration.conftest import a_stored_member, in_thread

pytestmark = pytest.mark.integration


@pytest.fixture
def amqp_url():
    vhost = temporary_vhost("identity_test")
    url = in_thread(vhost.__enter__)
    yield url
    in_thread(vhost.__exit__, None, None, None)


class TestOutboxRelay:
    async def test_member_registered_reaches_the_contributions_queue(self, app, amqp_url):
        member, _ = await a_stored_member(app)
        broker = RabbitBroker(amqp_url, logger=None)
        await broker.connect()
        try:
            await declare_topology(broker, delivery_limit=5)
            relay = OutboxRelay(
                service="identity",
                broker=broker,
                session_factory=app.state.container.session_factory,
                table=outbox,
                interval_seconds=0.05,
                batch_size=10,
            )
            assert await relay.relay_once() == 1
            assert await relay.relay_once() == 0
        finally:
            await broker.stop()
        connection = await aio_pika.connect(amqp_url)
        try:
            channel = await connection.channel()
            queue = await channel.get_queue("contributions.identity.member_registered.v1", ensure=True)
            message = await queue.get(timeout=5)
            body = json.loads(message.body)
            assert body["event_type"] == "identity.member_registered" and body["payload"]["member_id"] == str(member.id)
            assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        finally:
            await connection.close()
