"""Consumers accept an event only from the service that owns its type (no broker needed)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker

from habitat_common.contracts import ContributionApprovedV1, Envelope, MemberRegisteredV1, PeriodOpenedV1
from habitat_common.messaging.consumer import producer_of, subscribe
from habitat_common.messaging.topology import EVENTS, Subscription
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
    refused = EVENTS_FAILED.labels("contributions", PeriodOpenedV1.routing_key(), "wrong_producer")
    before = refused._value.get()
    async with TestRabbitBroker(broker) as test_broker:
        for name, by in (("forged", producer), ("genuine", "ledger")):
            envelope = Envelope.wrap(opened(name), producer=by)
            await test_broker.publish(envelope.model_dump(mode="json"), exchange=EVENTS,
                                      routing_key=PeriodOpenedV1.routing_key())
    assert seen == ["genuine"]
    assert refused._value.get() == before + 1

