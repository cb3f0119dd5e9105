"""Importing capital accounts' opening balances from CSV: validated in passes, all or nothing, re-runnable.

Passes, stopping after the first with problems: format (as the file streams in) → references (each
email a member the ledger knows) → business (no future date, nothing dated on or before the lock date)
→ reconciliation (one row per member). The file is read once, its valid rows COPYed to a staging
table; the later passes and the plan are SQL there, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from habitat_ledger.domain.capital_import import (
    CapitalAccountsFile,
    ImportSummary,
    OpeningBalanceRow,
    PlannedRow,
)
from habitat_ledger.domain.csv_stream import ProblemLog
from habitat_ledger.domain.errors import InvalidCsv
from habitat_ledger.domain.opening_balance import opening_entries
from habitat_ledger.service_layer.locks import current_lock
from habitat_ledger.service_layer.ports import CapitalImportRun, UnitOfWork

STAGE_ROWS = 5000
SAMPLE_ROWS = 10


@dataclass(frozen=True)
class CapitalImportReport:
    """What an import did (or, on a dry run, would do); import_id is None when nothing was written."""

    dry_run: bool
    import_id: uuid.UUID | None
    summary: ImportSummary
    sample: list[PlannedRow]


async def import_capital_accounts(
    chunks: AsyncIterable[bytes],
    uow: UnitOfWork,
    *,
    dry_run: bool,
    requested_by: uuid.UUID,
    now: datetime | None = None,
    today: date | None = None,
) -> CapitalImportReport:
    """Create or replace members' opening balances from a CSV upload; InvalidCsv names every problem of a pass.

    A member's balance restated unchanged is left alone, so re-running a file changes nothing; a
    changed one reverses the balance in force and records the new one.
    """
    now = now or datetime.now(UTC)
    today = today or now.date()
    async with uow:
        imports = uow.capital_imports
        await imports.start()
        file = await _stage(chunks, uow)
        _refuse("references", await imports.unknown_members(file.columns))
        await imports.plan(exclusive=not dry_run)
        _refuse("business", await imports.rule_breaches(today, await current_lock(uow), file.columns))
        _refuse("reconciliation", await imports.repeated_members(file.columns))
        summary = await imports.summary()
        sample = await imports.sample(SAMPLE_ROWS)
        changes = [] if dry_run else await imports.changes()
        if not changes:
            return CapitalImportReport(dry_run, None, summary, sample)
        import_id = uuid.uuid4()
        for rows in opening_entries(changes, import_id, by=requested_by, now=now):
            await uow.journal_rows.add_rows(rows)
        await imports.record(CapitalImportRun(import_id, requested_by, now, summary))
        await uow.commit()
    return CapitalImportReport(dry_run, import_id, summary, sample)


async def _stage(chunks: AsyncIterable[bytes], uow: UnitOfWork) -> CapitalAccountsFile:
    """The format pass while the upload arrives; valid rows are staged in batches until a problem shows."""
    file = CapitalAccountsFile()
    batch: list[OpeningBalanceRow] = []
    async for chunk in chunks:  # read to the end even after a problem, so the client is not cut off
        batch += file.feed(chunk)
        if file.problems:
            batch.clear()
        elif len(batch) >= STAGE_ROWS:
            await uow.capital_imports.stage(batch)
            batch = []
    batch += file.finish()
    _refuse("format", file.problems)
    if batch:
        await uow.capital_imports.stage(batch)
    return file


def _refuse(pass_name: str, problems: ProblemLog) -> None:
    if problems:
        raise InvalidCsv(pass_name, problems.listed, problems.count)
