"""Recipes 1-3: our own processes killed with SIGKILL at the worst moments; nothing lost, nothing twice."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Habitat, eventually

from .harness import Workload
from .recipes import approve_in_background, died, restart, settle_and_count, until_credited


@pytest.mark.fast
def test_ledger_worker_killed_between_commit_and_ack(shared_habitat: Habitat) -> None:
    """Recipe 2: the ledger worker dies (SIGKILL) right after a handler committed, before the ack; the
    redelivered event is recognised as a duplicate."""
    workload = Workload(shared_habitat).prepare()
    restart(shared_habitat, "ledger-worker", faults=f"consumer.after_commit:after={max(10, min(50, workload.approvals // 4))}")
    thread = approve_in_background(workload)
    eventually(lambda: died(shared_habitat, "ledger-worker"), timeout=300, interval=0.2)
    shared_habitat.stack.start("ledger-worker")
    shared_habitat.stack.wait_ready("ledger-worker")
    result = settle_and_count(shared_habitat, "2. kill -9 between commit and ack", workload, thread, time.time())
    assert result.ok, result


@pytest.mark.fast
def test_relay_killed_between_publish_and_marking(shared_habitat: Habitat) -> None:
    """Recipe 3: the contributions worker's outbox relay dies after the broker confirmed a batch and before
    it marked the rows published; the restarted relay publishes them again and the ledger books each once."""
    workload = Workload(shared_habitat).prepare()
    restart(shared_habitat, "contributions-worker", faults="relay.after_publish:after=3")
    thread = approve_in_background(workload)
    eventually(lambda: died(shared_habitat, "contributions-worker"), timeout=300, interval=0.2)
    shared_habitat.stack.start("contributions-worker")
    shared_habitat.stack.wait_ready("contributions-worker")
    result = settle_and_count(shared_habitat, "3. kill -9 relay between publish and mark", workload, thread, time.time())
    assert result.ok, result


def test_ledger_worker_killed_mid_batch(shared_habitat: Habitat) -> None:
    """Recipe 1: kill -9 the ledger worker while it holds a prefetched batch of approvals, start it again."""
    workload = Workload(shared_habitat).prepare()
    thread = approve_in_background(workload)
    until_credited(shared_habitat, workload, 0.25)
    shared_habitat.stack.kill("ledger-worker")
    time.sleep(2)  # down a while: the broker requeues its unacked deliveries, approvals keep coming
    shared_habitat.stack.start("ledger-worker")
    shared_habitat.stack.wait_ready("ledger-worker")
    result = settle_and_count(shared_habitat, "1. kill -9 ledger worker mid-batch", workload, thread, time.time())
    assert result.ok, result
