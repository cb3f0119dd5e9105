"""Run each test suite in its own pytest process (each service keeps its own config and `tests`
package), two at a time by default, then print one combined closing line. Exit code is non-zero if
any suite failed.

The end-to-end tests are most of the wall time and mostly wait on their stacks, so they are split in
two suites that run beside the others: the drills that start stacks of their own (upgrade, restore,
outages, the modules that close periods) and the rest, which share one stack."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
E2E = "tests/e2e"
# e2e modules that start their own stack(s): they run as one suite beside the shared-stack modules
E2E_OWN_STACKS = (
    "test_upgrade.py", "test_restore_drill.py", "test_postgres_outage.py", "test_authorization_matrix.py",
    "test_period_close.py", "test_quarter_off_happy_path.py", "test_browser_close.py", "test_browser_loss.py",
    "test_imports.py", "test_fuzz_api.py", "test_traces.py", "test_notifications_live.py",
)


def e2e_split() -> tuple[list[str], list[str]]:
    """The e2e modules that share the session's stack, and those that start their own."""
    modules = sorted(p.name for p in (ROOT / E2E).glob("test_*.py"))
    own = [f"{E2E}/{m}" for m in modules if m in E2E_OWN_STACKS]
    shared = [f"{E2E}/{m}" for m in modules if m not in E2E_OWN_STACKS]
    return shared, own


@dataclass(frozen=True)
class Suite:
    name: str
    paths: tuple[str, ...]


def _suites(names: list[str]) -> list[Suite]:
    suites = []
    for name in names:
        if name == E2E:
            shared, own = e2e_split()
            suites += [Suite(f"{E2E} (own stacks)", tuple(own)), Suite(f"{E2E} (shared stack)", tuple(shared))]
        else:
            suites.append(Suite(name, (name,)))
    return suites


SUITES = {
    "unit": [
        "libs/habitat_common/tests", "services/identity/tests/unit", "services/contributions/tests/unit",
        "services/ledger/tests/unit", "services/notifications/tests/unit", "services/gateway/tests",
        "tools/habitat_cli/tests",
    ],
    "integration": [
        "libs/habitat_common/tests", "services/identity/tests/integration",
        "services/contributions/tests/integration", "services/ledger/tests/integration",
        "services/notifications/tests/integration", "tests/deploy",
    ],
    "e2e": [E2E, "tests/chaos"],
}
# longest first, so the two lanes finish close together
ALL = [
    E2E, "tests/chaos",  # its fast recipes only; `make chaos` runs them all (HABITAT_CHAOS_FULL=1)
    "tests/deploy", "services/ledger/tests", "services/contributions/tests", "services/identity/tests",
    "services/notifications/tests", "libs/habitat_common/tests", "services/gateway/tests", "tools/habitat_cli/tests",
]


NO_TESTS_COLLECTED = 5


def suite_failed(code: int, tests: int, failures: int, errors: int, skipped: int, ci: bool) -> bool:
    """Whether one suite's pytest run counts as failed.

    Locally a suite that collects nothing (pytest exit 5) or skips everything (no PostgreSQL, no
    Docker) is tolerated. Under CI it is a failure: a green run there must mean tests ran.
    """
    if failures or errors:
        return True
    if code == NO_TESTS_COLLECTED:
        return ci
    if code != 0:
        return True
    return ci and tests - skipped <= 0


@dataclass
class Outcome:
    suite: Suite
    code: int
    report: Path
    seconds: float


_print_lock = threading.Lock()


def _run(suite: Suite, tmp: Path, index: int) -> Outcome:
    report = tmp / f"{index}.xml"
    log = tmp / f"{index}.log"
    started = time.monotonic()
    with _print_lock:
        print(f"--- started {suite.name}", flush=True)
    with log.open("wb") as out:
        code = subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", f"--junitxml={report}",
             *suite.paths],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - started
    # a suite's output is printed whole when it ends, so two lanes never interleave their lines
    with _print_lock:
        print(f"\n=== {suite.name} ({seconds:.0f} s) ===", flush=True)
        sys.stdout.write(log.read_text(errors="replace"))
        sys.stdout.flush()
    return Outcome(suite, code, report, seconds)


def lanes() -> int:
    """How many suites run at once: HABITAT_TEST_LANES, else 2 (1 on a one-core machine)."""
    configured = os.environ.get("HABITAT_TEST_LANES", "").strip()
    if configured:
        return max(1, int(configured))
    return 2 if (os.cpu_count() or 1) > 1 else 1


def main() -> int:
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    suites = _suites(ALL if which == "all" else SUITES[which])
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failed_suites = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=lanes()) as pool:
        outcomes = list(pool.map(lambda pair: _run(pair[1], Path(tmp), pair[0]), enumerate(suites)))
        for outcome in outcomes:
            name, code, report = outcome.suite.name, outcome.code, outcome.report
            if not report.exists():
                if code == NO_TESTS_COLLECTED and not ci:
                    continue
                failed_suites.append(name)
                totals["failed"] += 1
                continue
            node = ET.parse(report).getroot()
            node = node if node.tag == "testsuite" else node.find("testsuite")
            tests, failures, errors, skipped = (int(node.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
            totals["failed"] += failures + errors
            totals["skipped"] += skipped
            totals["passed"] += tests - failures - errors - skipped
            if suite_failed(code, tests, failures, errors, skipped, ci):
                if ci and code in (0, NO_TESTS_COLLECTED) and not (failures or errors):
                    print(f"{name}: no test ran ({tests} collected, {skipped} skipped) - a failure under CI")
                failed_suites.append(name)
    print("\nsuite times: " + ", ".join(f"{o.suite.name} {o.seconds:.0f} s" for o in outcomes))
    if failed_suites:
        print("\nfailing suites: " + ", ".join(failed_suites))
    elapsed = time.monotonic() - started
    print(f"\n{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped in {elapsed:.0f} s")
    return 1 if failed_suites or totals["passed"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
