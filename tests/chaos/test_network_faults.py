"""Recipe 6: the ledger worker reaches the broker and its database through a faulty TCP proxy: latency,
then a blackhole, then connection resets, while approvals flow."""

from __future__ import annotations

import dataclasses
import time
from urllib.parse import urlsplit, urlunsplit

from tests.e2e.conftest import Habitat

from .harness import Workload
from .infra import faulty_proxy
from .recipes import approve_in_background, restart, settle_and_count, until_credited

PHASES = (("latency", 0.2, 10.0), ("blackhole", 0.0, 15.0), ("reset", 0.0, 2.0), ("pass", 0.0, 0.0))


def through(url: str, port: int) -> str:
    """url with its port replaced (asyncpg and AMQP URLs alike)."""
    parts = urlsplit(url)
    credentials, _, _ = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"))


def test_network_faults_between_the_ledger_worker_and_its_broker_and_database(shared_habitat: Habitat) -> None:
    habitat = shared_habitat
    own = habitat.config.access["ledger"]
    broker_url = own.amqp_url or habitat.config.amqp_url
    with faulty_proxy(urlsplit(broker_url).port) as broker, faulty_proxy(urlsplit(own.database_url).port) as database:
        habitat.config.access["ledger"] = dataclasses.replace(
            own, amqp_url=through(broker_url, broker.port), database_url=through(own.database_url, database.port)
        )
        try:
            restart(habitat, "ledger-worker")
            workload = Workload(habitat).prepare()
            thread = approve_in_background(workload)
            until_credited(habitat, workload, 0.2)
            for mode, latency, seconds in PHASES:
                broker.set(mode, latency)
                database.set(mode, latency)
                time.sleep(seconds)
            result = settle_and_count(
                habitat, "6. network: latency, blackhole, reset", workload, thread, time.time()
            )
        finally:
            habitat.config.access["ledger"] = own
            restart(habitat, "ledger-worker")
        assert result.ok, result
