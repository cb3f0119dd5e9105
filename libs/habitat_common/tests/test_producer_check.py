"""Consumers accept an event only from the service that owns its type (no broker needed)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from faststream.rabbit import RabbitBroker, RabbitQueue, TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from habitat_common.contracts import ContributionApprovedV1, Envelope, MemberRegisteredV1, PeriodOpenedV1
from habitat_common.messaging.consumer import REASON_HEADER, producer_of, subscribe
from habitat_common.messaging.topology import EVENTS, Subscription, refusals_exchange
from habitat_common.telemetry import EVENTS_FAILED


def test_the_owner_of_an_event_is_the_context_it_is_named_after() -> None:
    assert (producer_of(ContributionApprovedV1), producer_of(MemberRegisteredV1), producer_of(PeriodOpenedV1)) == (
        "contributions", "identity", "ledger",
    )


def opened(name: str) -> PeriodOpenedV1:
    return PeriodOpenedV1(period_id=uuid.uuid4(), name=name, starts_on=date(2026, 1, 1),
                          ends_on=date(2026, 3, 31), status="open")


@pytest.mark.parametrize("producer", ["contributions", "identity", "test", ""])
async def test_an_event_from_another_producer_is_dead_lettered_not_handled(producer: str) -> None:
    subscription = Subscription("contributions", PeriodOpenedV1)
    broker, seen = RabbitBroker(), []

    async def handle(envelope: Envelope) -> bool:
        seen.append(envelope.payload.name)
        return True

    subscribe(broker, subscription, handle, delivery_limit=3)
    filed: list[str] = []

    @broker.subscriber(
        RabbitQueue(subscription.dead_letter_queue_name, routing_key=subscription.queue_name),
        refusals_exchange("contributions"),
    )
    async def dead_letters(body: object, message: RabbitMessage) -> None:
        filed.append(message.headers[REASON_HEADER])

    refused = EVENTS_FAILED.labels("contributions", PeriodOpenedV1.routing_key(), "wrong_producer")
    before = refused._value.get()
    async with TestRabbitBroker(broker) as test_broker:
        for name, by in (("forged", producer), ("genuine", "ledger")):
            envelope = Envelope.wrap(opened(name), producer=by)
            await test_broker.publish(envelope.model_dump(mode="json"), exchange=EVENTS,
                                      routing_key=PeriodOpenedV1.routing_key())
    assert seen == ["genuine"]
    assert refused._value.get() == before + 1
    assert filed == [f"wrong_producer: {producer!r} published ledger.period_opened.v1, only 'ledger' may"]

