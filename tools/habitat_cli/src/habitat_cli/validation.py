"""`habitat validate`: the integrity checks of every service and their reconciliation, pass or fail."""

from __future__ import annotations

import typer

from habitat_cli.client import signed_in
from habitat_cli.output import JsonFlag, handles_errors, out, print_json, spinner, table

EXAMPLES_SHOWN = 3


@handles_errors
def validate(as_json: JsonFlag = False) -> None:
    """Run the post-import integrity checks; prints a pass/fail table and exits 1 if any check fails."""
    with signed_in() as client, spinner("Checking…", quiet=as_json):
        report = client.json("GET", "/integrity")
    if as_json:
        print_json(report)
    else:
        rows = [
            (c["service"], c["name"], "PASS" if c["passed"] else "FAIL", c["failures"],
             "; ".join(c.get("examples", [])[:EXAMPLES_SHOWN]))
            for c in report["checks"]
        ]
        table("Integrity checks", ("service", "check", "result", "failures", "examples"), rows)
        failed = sum(not c["passed"] for c in report["checks"])
        out().print(f"{len(rows) - failed} of {len(rows)} checks passed.", markup=False)
    if not report["passed"]:
        raise typer.Exit(1)
