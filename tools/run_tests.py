"""Run each test suite in its own pytest process (each service keeps its own config and `tests`
package), then print one combined closing line. Exit code is non-zero if any suite failed."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITES = {
    "unit": [
        "libs/habitat_common/tests", "services/identity/tests/unit", "services/contributions/tests/unit",
        "services/ledger/tests/unit", "services/gateway/tests", "tools/habitat_cli/tests",
    ],
    "integration": [
        "libs/habitat_common/tests", "services/identity/tests/integration",
        "services/contributions/tests/integration", "services/ledger/tests/integration", "tests/deploy",
    ],
    "e2e": ["tests/e2e"],
}
ALL = [
    "libs/habitat_common/tests", "services/identity/tests", "services/contributions/tests", "services/ledger/tests",
    "services/gateway/tests", "tools/habitat_cli/tests", "tests/deploy", "tests/e2e",
]


def main() -> int:
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    suites = ALL if which == "all" else SUITES[which]
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failed_suites = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, suite in enumerate(suites):
            report = Path(tmp) / f"{index}.xml"
            print(f"\n=== {suite} ===", flush=True)
            code = subprocess.call(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", suite],
                cwd=ROOT,
            )
            if not report.exists():
                failed_suites.append(suite)
                totals["failed"] += 1
                continue
            node = ET.parse(report).getroot()
            node = node if node.tag == "testsuite" else node.find("testsuite")
            tests, failures, errors, skipped = (int(node.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
            totals["failed"] += failures + errors
            totals["skipped"] += skipped
            totals["passed"] += tests - failures - errors - skipped
            if code not in (0, 5) or failures or errors:
                failed_suites.append(suite)
    if failed_suites:
        print("\nfailing suites: " + ", ".join(failed_suites))
    print(f"\n{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    return 1 if failed_suites or totals["passed"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
