"""Fault points kill the process (SIGKILL) exactly when armed, and do nothing otherwise; each case runs in a
subprocess because the spec is read at import and a firing point ends the process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

SCRIPT = """
import sys
from habitat_common.faults import fault_point
for i in range(1, int(sys.argv[1]) + 1):
    fault_point("consumer.after_commit")
    print(i, flush=True)
"""


def run(spec: str | None, reach: int = 100) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HABITAT_FAULT_POINTS"}
    if spec is not None:
        env["HABITAT_FAULT_POINTS"] = spec
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(reach)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def reached(result: subprocess.CompletedProcess) -> int:
    lines = result.stdout.split()
    return int(lines[-1]) if lines else 0


def test_unarmed_points_do_nothing():
    result = run(None)
    assert result.returncode == 0, result.stderr
    assert reached(result) == 100


def test_other_points_armed_do_nothing():
    result = run("relay.after_publish:after=1")
    assert result.returncode == 0, result.stderr
    assert reached(result) == 100


@pytest.mark.parametrize(
    ("spec", "completed"),
    [
        ("consumer.after_commit:after=50", 49),  # the 50th time
        ("relay.after_publish, consumer.after_commit", 0),  # a bare name: the first time
        ("consumer.after_commit:every=7", 6),
        ("consumer.after_commit:p=1", 0),
    ],
)
def test_an_armed_point_kills_with_sigkill_when_its_trigger_fires(spec, completed):
    result = run(spec)
    assert result.returncode == -signal.SIGKILL
    assert reached(result) == completed


@pytest.mark.parametrize("spec", ["consumer.after_commit:after=0", "consumer.after_commit:sometimes", "x:p=2"])
def test_a_spec_it_cannot_read_fails_at_import(spec):
    result = run(spec)
    assert result.returncode == 1
    assert "FaultSpecError" in result.stderr
    assert reached(result) == 0


FAILURES = """
import sys
from habitat_common.faults import InjectedFault, fault_failure
failed = 0
for i in range(int(sys.argv[1])):
    try:
        fault_failure("consumer.first_delivery")
    except InjectedFault:
        failed += 1
print(failed, flush=True)
"""


@pytest.mark.parametrize(("spec", "failed"), [(None, 0), ("consumer.after_commit", 0),
                                              ("consumer.first_delivery:every=4", 25),
                                              ("consumer.first_delivery:after=3", 1)])
def test_an_armed_failure_point_raises_a_transient_error_and_never_kills(spec, failed):
    env = {k: v for k, v in os.environ.items() if k != "HABITAT_FAULT_POINTS"}
    if spec is not None:
        env["HABITAT_FAULT_POINTS"] = spec
    result = subprocess.run([sys.executable, "-c", FAILURES, "100"], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) == failed


def test_an_injected_fault_is_not_taken_for_an_unavailable_database():
    from habitat_common.db import is_database_unavailable
    from habitat_common.faults import InjectedFault

    assert not is_database_unavailable(InjectedFault("armed"))
