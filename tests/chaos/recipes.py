"""Steps the recipes share: restart a process (optionally armed with fault points), approve in the
background, wait until part of the work is credited, settle and count."""

from __future__ import annotations

import subprocess
import threading
import time

import asyncpg

from tests.e2e.conftest import Habitat, eventually

from .harness import Result, Workload, quiesce, result_of, snapshot


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


def approve_in_background(workload: Workload) -> threading.Thread:
    thread = threading.Thread(target=workload.approve, daemon=True)
    thread.start()
    return thread


def until_credited(habitat: Habitat, workload: Workload, share: float) -> None:
    """Wait until `share` of the workload is credited: the fault then hits it mid-stream."""
    subject = set(workload.pending)

    def reached() -> bool:
        try:
            return len(subject & set(snapshot(habitat.config.database_url).credited)) >= len(subject) * share
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False  # a busy or faulty database (too many clients): look again

    eventually(reached, timeout=300, interval=0.1)


def settle_and_count(habitat: Habitat, recipe: str, workload: Workload, thread: threading.Thread,
                     fault_ended: float, notes: str = "") -> Result:
    thread.join(600)
    assert not thread.is_alive(), "the approvals did not finish"
    snap = quiesce(habitat.config.database_url, habitat.config.amqp_url)
    subject = set(workload.pending)
    assert subject <= snap.approved, f"{len(subject - snap.approved)} contributions never approved"
    return result_of(recipe, workload.label, snap, fault_ended, subject, notes)


def pg_stop(cluster, mode: str) -> None:
    """Stop a private cluster with the given shutdown mode (fast: clients told; immediate: as a crash)."""
    subprocess.run(
        [*cluster._run_as, f"{cluster.bindir}/pg_ctl", "-D", cluster.datadir, "-m", mode, "-w", "-t", "60", "stop"],
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip


def now() -> float:
    return time.time()
