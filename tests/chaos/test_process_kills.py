"""Recipes 1-3: our own processes killed with SIGKILL at the worst moments; nothing lost, nothing twice."""

from __future__ import annotations

import threading
import time

import pytest

from tests.e2e.conftest import Habitat, eventually

from .harness import Workload, quiesce, result_of, snapshot


def restart(habitat: Habitat, name: str, faults: str | None = None) -> None:
    """Stop (SIGTERM) and start one process, armed with HABITAT_FAULT_POINTS when faults is given."""
    stack = habitat.stack
    stack.stop(name)
    if faults:
        stack.config.extra_env["HABITAT_FAULT_POINTS"] = faults
    try:
        stack.start(name)
    finally:
        stack.config.extra_env.pop("HABITAT_FAULT_POINTS", None)
    stack.wait_ready(name)


def died(habitat: Habitat, name: str) -> bool:
    return habitat.stack.processes[name].poll() is not None


def approve_in_background(workload: Workload) -> tuple[threading.Thread, set[str]]:
    approved: set[str] = set()
    thread = threading.Thread(target=lambda: approved.update(workload.approve()), daemon=True)
    thread.start()
    return thread, approved


def settle_and_count(habitat: Habitat, recipe: str, workload: Workload, thread: threading.Thread, fault_ended: float):
    thread.join(600)
    assert not thread.is_alive(), "the approvals did not finish"
    snap = quiesce(habitat.config.database_url, habitat.config.amqp_url)
    subject = set(workload.pending)
    assert subject <= snap.approved, f"{len(subject - snap.approved)} contributions never approved"
    return result_of(recipe, workload.label, snap, fault_ended, subject)


@pytest.mark.fast
def test_ledger_worker_killed_between_commit_and_ack(shared_habitat: Habitat) -> None:
    """Recipe 2: the ledger worker dies (SIGKILL) right after a handler committed, before the ack; the
    redelivered event is recognised as a duplicate."""
    workload = Workload(shared_habitat).prepare()
    restart(shared_habitat, "ledger-worker", faults="consumer.after_commit:after=50")
    thread, _ = approve_in_background(workload)
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
    thread, _ = approve_in_background(workload)
    eventually(lambda: died(shared_habitat, "contributions-worker"), timeout=300, interval=0.2)
    shared_habitat.stack.start("contributions-worker")
    shared_habitat.stack.wait_ready("contributions-worker")
    result = settle_and_count(shared_habitat, "3. kill -9 relay between publish and mark", workload, thread, time.time())
    assert result.ok, result


def test_ledger_worker_killed_mid_batch(shared_habitat: Habitat) -> None:
    """Recipe 1: kill -9 the ledger worker while it holds a prefetched batch of approvals, start it again."""
    workload = Workload(shared_habitat).prepare()
    subject = set(workload.pending)
    thread, _ = approve_in_background(workload)
    eventually(
        lambda: len(subject & set(snapshot(shared_habitat.config.database_url).credited)) >= len(subject) // 4,
        timeout=300, interval=0.1,
    )
    shared_habitat.stack.kill("ledger-worker")
    time.sleep(2)  # down a while: the broker requeues its unacked deliveries, approvals keep coming
    shared_habitat.stack.start("ledger-worker")
    shared_habitat.stack.wait_ready("ledger-worker")
    result = settle_and_count(shared_habitat, "1. kill -9 ledger worker mid-batch", workload, thread, time.time())
    assert result.ok, result
