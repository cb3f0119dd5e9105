"""The topology (habitat_common.messaging.topology.SUBSCRIPTIONS) is what provisioning declares and what each
service's broker user may read; each worker must consume exactly those queues, no more (a queue nobody declared
or may read) and no fewer (a declared queue filling up with nobody behind it)."""

from __future__ import annotations

import importlib

import pytest
from habitat_common.messaging.topology import SUBSCRIPTIONS
from habitat_common.provisioning import SERVICES

WORKERS = list(SERVICES)  # every service but the gateway runs a worker


def declared_queues(service: str) -> set[str]:
    return {
        name
        for subscription in SUBSCRIPTIONS
        if subscription.consumer == service
        for name in (subscription.queue_name, subscription.dead_letter_queue_name)
    }


@pytest.mark.parametrize("service", WORKERS)
def test_the_worker_consumes_exactly_the_queues_the_topology_declares_for_it(service: str) -> None:
    worker = importlib.import_module(f"habitat_{service}.entrypoints.worker").create_worker()
    consumed = [subscriber.queue.name for subscriber in worker.broker.subscribers]
    assert len(consumed) == len(set(consumed)), f"{service} consumes a queue twice"
    assert set(consumed) - declared_queues(service) == set(), f"{service} consumes queues the topology lacks"
    assert declared_queues(service) - set(consumed) == set(), f"{service} leaves declared queues unconsumed"


def test_every_consumer_of_the_topology_is_a_service_with_a_worker() -> None:
    assert {subscription.consumer for subscription in SUBSCRIPTIONS} <= set(WORKERS)
