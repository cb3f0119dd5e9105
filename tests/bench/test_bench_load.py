"""bench/load.py still works: a --quick run starts its own stack, drives it with locust and reports.

Structure only, never speed: the figures belong to the bench (docs/reliability.md, "Load").
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from habitat_devstack.stack import ROOT

pytestmark = pytest.mark.e2e

ROW = re.compile(r"^(GET|POST) (\S+)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$")


@pytest.fixture(scope="module")
def quick_run() -> str:
    run = subprocess.Popen([sys.executable, str(ROOT / "bench" / "load.py"), "--quick"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = run.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        run.terminate()  # SIGTERM: the bench stops its stack on the way out
        out, err = run.communicate(timeout=120)
        pytest.fail("bench/load.py --quick did not finish within 15 minutes:\n" + out[-3000:] + err[-3000:])
    assert run.returncode == 0, out[-3000:] + err[-3000:]
    return out


def test_it_prints_the_reference_a_table_per_step_and_the_verdict(quick_run: str) -> None:
    lines = quick_run.splitlines()
    assert any(line.startswith("reference: /healthz through Caddy") for line in lines), quick_run
    assert any("share this machine's" in line for line in lines), quick_run  # says locust shares the box
    steps = [line for line in lines if line.startswith("--- ")]
    assert steps and steps[0].startswith("--- 10 members"), quick_run
    assert sum(line.startswith("endpoint ") and "p95 ms" in line and "errors" in line for line in lines) == len(steps)
    assert len([line for line in lines if line.startswith("knee: ")]) == 1, quick_run
    assert any(re.match(r"^target 2000 members polling \+ 20 submissions/s: (MET|NOT MET)", line) for line in lines)


def test_every_user_class_reached_the_stack_through_caddy(quick_run: str) -> None:
    rows = [m.groups() for m in map(ROW.match, quick_run.splitlines()) if m]
    requests = {endpoint: 0 for _, endpoint, *_ in rows}
    for _, endpoint, count, _, p50, p95, p99, _ in rows:
        requests[endpoint] += int(count)
        assert int(p50) <= int(p95) <= int(p99), quick_run
    for endpoint in ("/me/dashboard", "/contributions", "/review-queue", "/periods/{id}/intake"):
        assert requests.get(endpoint, 0) > 0, (endpoint, quick_run)  # measured in some step
