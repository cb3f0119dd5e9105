import uuid
from datetime import date, timedelta

from faststream.rabbit import RabbitBroker, TestRabbitBroker
from sqlalchemy import text

from habitat_common.contracts import Envelope, MemberDeactivatedV1, MemberRegisteredV1, MemberUpdatedV1, PeriodOpenedV1
from habitat_common.messaging.consumer import subscribe
from habitat_common.messaging.topology import EVENTS
from habitat_contributions.entrypoints.worker import consumers, create_worker
from tests.integration.db import count


def handlers_by_event(container) -> dict:
    return {sub.contract: handle for sub, handle in consumers(container.uow)}


def registered(member_id, **changes) -> Envelope:
    values = {
        "member_id": member_id,
        "email": "ada@example.coop",
        "display_name": "Ada",
        "role": "member",
        "status": "pending",
        "joined_at": date(2026, 1, 1),
    }
    return Envelope.wrap(MemberRegisteredV1(**{**values, **changes}), producer="identity")


async def member_row(container, member_id):
    async with container.engine.connect() as conn:
        return (
            await conn.execute(
                text("SELECT * FROM contributions.member_replica WHERE member_id = :id"), {"id": member_id}
            )
        ).one()


class TestMemberConsumers:
    async def test_duplicate_delivery_has_its_effect_once(self, container):
        handle = handlers_by_event(container)[MemberRegisteredV1]
        envelope = registered(uuid.uuid4())
        assert await handle(envelope) is True
        assert await handle(envelope) is False
        assert await count(container, "member_replica") == 1 and await count(container, "inbox") == 1

    async def test_the_joining_date_is_replicated(self, container):
        member_id = uuid.uuid4()
        await handlers_by_event(container)[MemberRegisteredV1](registered(member_id, joined_at=date(2026, 1, 9)))
        async with container.uow() as uow:
            assert (await uow.members.get(member_id)).joined_at == date(2026, 1, 9)

    async def test_older_update_is_ignored_newer_applies(self, container):
        by_event = handlers_by_event(container)
        member_id = uuid.uuid4()
        first = registered(member_id)
        await by_event[MemberRegisteredV1](first)
        active = MemberUpdatedV1(**{**first.payload.model_dump(), "status": "active"})
        newer = Envelope.wrap(active, producer="identity")
        stale = newer.model_copy(
            update={
                "event_id": uuid.uuid4(),
                "occurred_at": first.occurred_at - timedelta(1),
                "payload": MemberUpdatedV1(**{**active.model_dump(), "role": "admin"}),
            }
        )
        await by_event[MemberUpdatedV1](newer)
        await by_event[MemberUpdatedV1](stale)
        row = await member_row(container, member_id)
        assert (row.status, row.role, row.updated_at) == ("active", "member", newer.occurred_at)

    async def test_deactivation_marks_inactive(self, container):
        by_event = handlers_by_event(container)
        member_id = uuid.uuid4()
        await by_event[MemberRegisteredV1](registered(member_id))
        await by_event[MemberDeactivatedV1](
            Envelope.wrap(MemberDeactivatedV1(member_id=member_id), producer="identity")
        )
        assert (await member_row(container, member_id)).status == "inactive"


class TestPeriodConsumer:
    async def test_period_opened_is_replicated_once(self, container):
        handle = handlers_by_event(container)[PeriodOpenedV1]
        envelope = Envelope.wrap(
            PeriodOpenedV1(
                period_id=uuid.uuid4(),
                name="2026-Q2",
                starts_on=date(2026, 4, 1),
                ends_on=date(2026, 6, 30),
                status="open",
            ),
            producer="ledger",
        )
        assert [await handle(envelope), await handle(envelope)] == [True, False]
        async with container.uow() as uow:
            period = await uow.periods.containing(date(2026, 5, 5))
        assert period is not None and period.period_id == envelope.payload.period_id


class TestThroughAnInMemoryBroker:
    """FastStream's in-memory TestRabbitBroker: the subscription's wiring and decoding, not RabbitMQ
    (the real broker is in habitat_common's messaging integration tests and the e2e suite)."""

    async def test_published_envelope_reaches_the_handler_through_the_shared_subscriber(self, container):
        broker = RabbitBroker()
        subscription, handle = next(pair for pair in consumers(container.uow) if pair[0].contract is MemberRegisteredV1)
        subscribe(broker, subscription, handle, delivery_limit=5)
        envelope = registered(uuid.uuid4())
        async with TestRabbitBroker(broker) as test_broker:
            for _ in range(2):
                await test_broker.publish(
                    envelope.model_dump(mode="json"),
                    exchange=EVENTS,
                    routing_key=envelope.routing_key(),
                    message_id=str(envelope.event_id),
                )
        assert await count(container, "member_replica") == 1 and await count(container, "inbox") == 1

    def test_worker_app_is_composed(self, settings, monkeypatch):
        monkeypatch.setenv("CONTRIBUTIONS_DATABASE__URL", settings.database.url.get_secret_value())
        from habitat_contributions import bootstrap

        bootstrap.get_settings.cache_clear()
        try:
            assert create_worker().broker is not None
        finally:
            bootstrap.get_settings.cache_clear()
