"""Recipes 4 and 5: the broker and the database restarted under load, on private instances of this run's own."""

from __future__ import annotations

import time

import httpx

import pytest
from habitat_common.private_postgres import private_postgres_cluster

from .conftest import chaos_habitat
from .harness import Workload
from .infra import private_rabbit
from .recipes import approve_in_background, pg_stop, settle_and_count, until_credited


# Half the ledger's first deliveries fail once (InjectedFault) and come back after 2-3 s through the
# delayed retry queues, so the broker stops with retries waiting and expiring: the path that once lost an
# approval (a classic retry queue dead-letters at most once).
RETRIES_IN_FLIGHT = {"HABITAT_FAULT_POINTS": "consumer.first_delivery:p=0.5",
                     "LEDGER_RABBIT__RETRY_DELAYS_SECONDS": "[2, 3, 4, 4, 4, 4, 4, 4, 4, 4]"}


def test_rabbitmq_restart_under_load() -> None:
    """Recipe 4: stop_app / start_app of the (private) RabbitMQ node while approvals flow and retries wait."""
    with private_rabbit() as rabbit, chaos_habitat(rabbit=rabbit) as habitat:
        stack = habitat.stack
        stack.stop("ledger-worker")
        stack.config.extra_env.update(RETRIES_IN_FLIGHT)
        try:
            stack.start("ledger-worker")
        finally:
            for key in RETRIES_IN_FLIGHT:
                stack.config.extra_env.pop(key, None)
        stack.wait_ready("ledger-worker")
        workload = Workload(habitat).prepare()
        thread = approve_in_background(workload)
        until_credited(habitat, workload, 0.25)
        rabbit.stop_app()
        time.sleep(5)
        rabbit.start_app()
        result = settle_and_count(habitat, "4. RabbitMQ stop_app/start_app", workload, thread, time.time())
        assert result.ok, result
        metrics = httpx.get(habitat.config.service_url("ledger-worker") + "/metrics", timeout=10).text
        retried = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                      if line.startswith("habitat_event_retries_scheduled_total{"))
        assert retried > 0, "no retry was in flight: the recipe did not test the way back from the retry queues"


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_restart_under_load(mode: str) -> None:
    """Recipe 5: the (private) PostgreSQL cluster shut down (fast, then immediate: as a crash) and started
    again while approvals flow; consumers pause and retry, nothing is dead-lettered."""
    with private_postgres_cluster() as cluster, private_rabbit() as rabbit, chaos_habitat(
        pg_admin_url=f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres", rabbit=rabbit
    ) as habitat:
        workload = Workload(habitat).prepare()
        thread = approve_in_background(workload)
        until_credited(habitat, workload, 0.25)
        pg_stop(cluster, mode)
        time.sleep(5)
        cluster.start()
        result = settle_and_count(habitat, f"5. PostgreSQL restart ({mode})", workload, thread, time.time())
        assert result.ok, result
