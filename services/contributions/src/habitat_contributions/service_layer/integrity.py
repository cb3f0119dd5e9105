"""Use case: the post-import integrity report of the contributions context."""

from __future__ import annotations

from habitat_contributions.service_layer.ports import ApprovedTotal, IntegrityCheck, IntegrityChecks


async def check_integrity(checks: IntegrityChecks) -> tuple[list[IntegrityCheck], list[ApprovedTotal]]:
    """Every consistency check (failures and up to 10 offending rows each) and approved totals per member."""
    return await checks.run()
