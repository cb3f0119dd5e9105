"""Recipes 1-3: our own processes killed with SIGKILL at the worst moments; nothing lost, nothing twice."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Habitat, eventually

from .harness import Result, Workload
from .recipes import approve_in_background, died, restart, settle_and_count, until_credited


def crash_at(habitat: Habitat, process: str, faults: str, recipe: str) -> Result:
    """Arm the process's fault point, approve the workload, start the process again once the point killed it,
    settle and count."""
    workload = Workload(habitat).prepare()
    restart(habitat, process, faults=faults.format(n=max(10, min(50, workload.approvals // 4))))
    thread = approve_in_background(workload)
    eventually(lambda: died(habitat, process), timeout=300, interval=0.2)
    habitat.stack.start(process)
    habitat.stack.wait_ready(process)
    return settle_and_count(habitat, recipe, workload, thread, time.time())


@pytest.mark.fast
def test_ledger_worker_killed_between_commit_and_ack(shared_habitat: Habitat) -> None:
    """Recipe 2: the ledger worker dies (SIGKILL) right after a handler committed, before the ack; the
    redelivered event is recognised as a duplicate."""
    result = crash_at(shared_habitat, "ledger-worker", "consumer.after_commit:after={n}",
                      "2. kill -9 between commit and ack")
    assert result.ok, result


def test_relay_killed_between_publish_and_marking(shared_habitat: Habitat) -> None:
    """Recipe 3: the contributions worker's outbox relay dies after the broker confirmed a batch and before
    it marked the rows published; the restarted relay publishes them again and the ledger books each once."""
    result = crash_at(shared_habitat, "contributions-worker", "relay.after_publish:after=3",
                      "3. kill -9 relay between publish and mark")
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
