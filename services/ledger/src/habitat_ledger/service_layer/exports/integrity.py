"""The ledger's integrity report: raw-table checks and per-member contribution totals."""

from __future__ import annotations

from habitat_ledger.domain.exports.integrity import IntegrityReport
from habitat_ledger.service_layer.exports.ports import ExportsUnitOfWork


async def check_integrity(uow: ExportsUnitOfWork) -> IntegrityReport:
    """Run every check (all on one snapshot), and total contributions per member; nothing is changed."""
    async with uow:
        checks = await uow.integrity.run_checks()
        totals = await uow.integrity.contribution_totals()
    return IntegrityReport(checks, totals)
