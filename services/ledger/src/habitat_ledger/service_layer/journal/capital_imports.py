"""Importing capital accounts' opening balances from CSV: validated in passes, all or nothing, re-runnable.

Passes, stopping after the first with problems: format (as the file streams in) → references (each
email a member the ledger knows) → business (no future date, nothing dated on or before the lock date)
→ reconciliation (one row per member). The file is read once, its valid rows COPYed to a staging
table; the later passes and the plan are SQL there, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from habitat_common.csv_stream import ProblemLog

from habitat_ledger.domain.errors import InvalidCsv
from habitat_ledger.domain.journal.capital_import import (
    ImportSummary,
    OpeningBalanceRow,
    PlannedRow,
)
from habitat_ledger.domain.journal.opening_balance import opening_entries
from habitat_ledger.service_layer.journal.capital_accounts_file import CapitalAccountsFile
from habitat_ledger.service_layer.journal.ports import CapitalImportRun, JournalUnitOfWork
from habitat_ledger.service_layer.periods.locks import current_lock

STAGE_ROWS = 5000
SAMPLE_ROWS = 10


@dataclass(frozen=True)
class CapitalImportReport:
    """What an import did (or, on a dry run, would do); import_id is None when nothing was written."""

    dry_run: bool
    import_id: uuid.UUID | None
    summary: ImportSummary
    sample: list[PlannedRow]
    columns: dict[str, int] = field(default_factory=dict)  # each field's 1-based column in the file


async def check_upload(
    chunks: AsyncIterable[bytes], uow: JournalUnitOfWork, *, dry_run: bool, today: date
) -> CapitalImportReport:
    """Stage an upload and run every pass over it, in the caller's unit of work; InvalidCsv names
    every problem of the first pass with any. The plan stays staged for write_planned()."""
    await uow.capital_imports.start()
    file = await _stage(chunks, uow)
    return await _passes(uow, file.columns, exclusive=not dry_run, dry_run=dry_run, today=today)


async def check_kept(move_id: uuid.UUID, columns: dict[str, int], uow: JournalUnitOfWork, *, today: date) -> CapitalImportReport:
    """The rows kept with a money move staged again and every pass run over them afresh."""
    await uow.capital_imports.start()
    await uow.capital_imports.restage(move_id)
    return await _passes(uow, columns, exclusive=True, dry_run=False, today=today)


async def _passes(
    uow: JournalUnitOfWork, columns: dict[str, int], *, exclusive: bool, dry_run: bool, today: date
) -> CapitalImportReport:
    imports = uow.capital_imports
    _refuse("references", await imports.unknown_members(columns))
    await imports.plan(exclusive=exclusive)
    _refuse("business", await imports.rule_breaches(today, await current_lock(uow), columns))
    _refuse("reconciliation", await imports.repeated_members(columns))
    return CapitalImportReport(dry_run, None, await imports.summary(), await imports.sample(SAMPLE_ROWS), columns)


async def write_planned(
    uow: JournalUnitOfWork, report: CapitalImportReport, *, by: uuid.UUID, now: datetime
) -> CapitalImportReport:
    """Create or replace the planned opening balances, in the caller's unit of work.

    A member's balance restated unchanged is left alone, so re-running a file changes nothing; a
    changed one reverses the balance in force and records the new one.
    """
    changes = await uow.capital_imports.changes()
    if not changes:
        return report
    import_id = uuid.uuid4()
    for rows in opening_entries(changes, import_id, by=by, now=now):
        await uow.journal_rows.add_rows(rows)
    await uow.capital_imports.record(CapitalImportRun(import_id, by, now, report.summary))
    return replace(report, import_id=import_id)


async def _stage(chunks: AsyncIterable[bytes], uow: JournalUnitOfWork) -> CapitalAccountsFile:
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
