"""Post-import validation across the services: each service's own checks, plus the reconciliation
only the gateway can see — the ledger holds exactly the approved contributions the contributions
service holds, member by member, on patronage and on both capital bases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

EXAMPLES = 10
CROSS = "cross-service"
FIGURES = (("count", "count"), ("value", "value"), ("book_amount", "book_amount"), ("tax_amount", "tax_amount"))


def service_checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A service's /integrity checks, labelled with the service."""
    return [{"service": report["service"], **check} for check in report["checks"]]


def ledger_matches_contributions(contributions: dict[str, Any], ledger: dict[str, Any]) -> dict[str, Any]:
    """Per member: approved count and patronage value, and book and tax capital credited from contributions."""
    approved = {row["member_id"]: row for row in contributions.get("approved_totals", [])}
    booked = {row["member_id"]: row for row in ledger.get("contribution_totals", [])}
    differing = []
    for member in sorted(approved.keys() | booked.keys()):
        mine, theirs = approved.get(member, {}), booked.get(member, {})
        for label, key in FIGURES:
            if _number(mine.get(key)) != _number(theirs.get(key)):
                differing.append(f"{member} {label}: contributions {mine.get(key, 0)}, ledger {theirs.get(key, 0)}")
                break
    return {
        "service": CROSS,
        "name": "ledger_matches_contributions",
        "description": "Each member's approved contributions (count, value, book and tax amounts) are booked in the ledger.",
        "passed": not differing,
        "failures": len(differing),
        "examples": differing[:EXAMPLES],
    }


def report(identity: dict[str, Any], contributions: dict[str, Any], ledger: dict[str, Any]) -> dict[str, Any]:
    """Every check of every service and the cross-service reconciliation; passed only if all pass."""
    checks = [*service_checks(identity), *service_checks(contributions), *service_checks(ledger)]
    checks.append(ledger_matches_contributions(contributions, ledger))
    return {"passed": all(check["passed"] for check in checks), "checks": checks}


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)
