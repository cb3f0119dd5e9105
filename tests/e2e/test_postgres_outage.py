"""PostgreSQL down for 20 s with approvals in flight: the API answers 503 database_unavailable quickly, and once
the database is back every approval is credited exactly once, with no dead letter (issue 14)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from habitat_common.private_postgres import private_postgres_cluster

from tests.chaos.harness import Workload, dead_letters, quiesce, snapshot

from .conftest import Habitat, started_habitat

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # a stack, a 20 s outage, the retries
APPROVALS, MEMBERS = 40, 4
OUTAGE_SECONDS = 20


@contextmanager
def habitat_on_private_postgres() -> Iterator[tuple[Habitat, object]]:
    """The whole stack on a PostgreSQL cluster of this test's own (it will be stopped), the shared broker."""
    with private_postgres_cluster() as cluster:
        saved = os.environ.get("HABITAT_TEST_PG_ADMIN_URL")
        os.environ["HABITAT_TEST_PG_ADMIN_URL"] = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
        try:
            with started_habitat("habitat_outage") as habitat:
                yield habitat, cluster
        finally:
            if saved is None:
                os.environ.pop("HABITAT_TEST_PG_ADMIN_URL", None)
            else:
                os.environ["HABITAT_TEST_PG_ADMIN_URL"] = saved


def test_approvals_in_flight_survive_a_postgres_outage() -> None:
    with habitat_on_private_postgres() as (habitat, cluster):
        workload = Workload(habitat, members=MEMBERS, approvals=APPROVALS).prepare()
        admin = habitat.admin_token()
        approved = habitat.call("POST", "/contributions/batch-approve", admin, json={"ids": workload.pending})
        assert approved.status_code == 200, approved.text
        assert all(item["ok"] for item in approved.json()["results"]), approved.text
        # at once: the relay and the ledger worker are still carrying most of the 40
        credited_before = len(set(workload.pending) & set(snapshot(habitat.config.database_url).credited))
        cluster.stop()
        print(f"\n{APPROVALS - credited_before} of {APPROVALS} approvals not yet credited when PostgreSQL stopped")
        stopped = time.monotonic()
        try:
            asked = time.monotonic()
            answer = habitat.call("GET", "/contributions", workload.tokens[0])
            answered_in = time.monotonic() - asked
            print(f"\nwhile PostgreSQL was down: HTTP {answer.status_code} in {answered_in:.2f} s")
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "database_unavailable"
            assert answered_in < 10.0
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        finally:
            cluster.start()
        restarted = time.monotonic()
        snap = quiesce(habitat.config.database_url, habitat.config.amqp_url, timeout=600)
        print(f"quiet {time.monotonic() - restarted:.1f} s after PostgreSQL came back")
        subject = set(workload.pending)
        assert subject <= snap.approved
        assert snap.count(subject) == (0, 0, 0), snap.count(subject)
        assert all(snap.credited[c] == 1 and snap.journal.get(c) == 1 for c in subject)
        assert dead_letters(habitat.config.amqp_url) == {}
        listed = habitat.call("GET", "/dead-letters", habitat.admin_token())
        assert listed.status_code == 200, listed.text
        assert listed.json()["total"] == 0, listed.text
