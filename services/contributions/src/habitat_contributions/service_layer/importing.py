"""Use case: import historical contributions from a CSV stream, all or nothing, in validation passes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime

from habitat_common.metrics import CONTRIBUTIONS_SUBMITTED, IMPORT_STAGE_SECONDS
from habitat_contributions.domain.errors import InvalidImport
from habitat_contributions.domain.import_passes import ImportJudgement
from habitat_contributions.domain.import_problems import ImportReport, ProblemLog
from habitat_contributions.domain.import_rows import ResolvedRow
from habitat_contributions.domain.review_policy import DEFAULT_POLICY, ReviewPolicy
from habitat_contributions.service_layer.contribution_file import ContributionFile
from habitat_contributions.service_layer.ports import ContributionImportStore, ImportEvents

SAMPLE_SIZE = 10
RESOLVED_CHUNK = 10_000  # resolved rows judged, and then written, at a time


async def import_contributions(
    body: AsyncIterable[bytes],
    *,
    dry_run: bool,
    actor_id: uuid.UUID,
    store: ContributionImportStore,
    policy: ReviewPolicy = DEFAULT_POLICY,
    today: date | None = None,
) -> ImportReport:
    """Create contributions (with approvals and a ContributionsImportedV1 event per 1,000 approved ones, which
    announce_imports puts in the outbox once this has committed) from a CSV file read as a stream; rows imported
    before with the same values are left unchanged.

    Passes run in order (format while streaming, then references, business rules, reconciliation: the
    database resolves the rows, domain.import_passes judges them) and the first one that finds problems raises
    InvalidImport with all of them (the first 200 listed); nothing is kept then (the parts written while the
    passes ran are rolled back), nor written on a dry run. The business pass applies live intake's rules: dates
    (not after `today`, the co-op's, nor before the member joined), amounts, self-review and corrections
    (rule 10)."""
    log = ProblemLog()
    file = ContributionFile(log, policy)
    async with store:
        with _stage("format"):
            await store.stage(_staged(body, file))
        if log:
            raise InvalidImport("format", log.count, log.listed)
        with _stage("resolve"):
            names = await store.resolve()
        with _stage("summarize"):
            summary = await store.summarize()
            sample = await store.sample(SAMPLE_SIZE)
        judgement = ImportJudgement(file.header, names, today=today or datetime.now(UTC).date())
        writer = None if dry_run or not summary.created else _Writer(store, uuid.uuid4(), actor_id)
        with _stage("judge"):
            last = await _judged(store, judgement, writer)
        pass_name, listed, count = judgement.outcome()
        if count:
            raise InvalidImport(pass_name, count, listed)
        if writer is None:
            return ImportReport(dry_run, None, summary, sample)
        with _stage("write"):
            await writer.write(last)
            await writer.record_run(summary.rows)
        with _stage("commit"):
            await store.commit()
    for kind, count in summary.created_by_type.items():
        CONTRIBUTIONS_SUBMITTED.labels(kind, "import").inc(count)
    summary = replace(summary, created=writer.created, unchanged=summary.rows - writer.created)
    return ImportReport(dry_run, writer.import_id, summary, sample)


class _Writer:
    """Writes an import part by part, each part once the passes have found nothing in it or before it."""

    def __init__(self, store: ContributionImportStore, import_id: uuid.UUID, actor_id: uuid.UUID) -> None:
        self._store = store
        self.import_id = import_id
        self._actor_id = actor_id
        self.created = 0

    async def write(self, rows: Sequence[ResolvedRow]) -> None:
        if rows:
            first, last = rows[0].line, rows[-1].line
            self.created += await self._store.write_lines(self.import_id, actor_id=self._actor_id, first=first, last=last)

    async def record_run(self, rows: int) -> None:
        await self._store.record_run(self.import_id, actor_id=self._actor_id, rows=rows, created=self.created)


async def _judged(
    store: ContributionImportStore, judgement: ImportJudgement, writer: _Writer | None
) -> Sequence[ResolvedRow]:
    """Feed the resolved rows to the passes a chunk at a time; with a writer, while one chunk is judged the chunk
    before it is written, as long as nothing has been found. The passes run in a thread so that the database
    writes meanwhile (they are Python's work, the write is the database's). The last chunk, clean and not yet
    written, is returned (none when nothing is to be written)."""
    judged: Sequence[ResolvedRow] = []
    async for rows in store.resolved_rows(RESOLVED_CHUNK):
        writing = asyncio.create_task(writer.write(judged)) if writer and judged else None
        try:
            await asyncio.to_thread(judgement.feed, rows)
        finally:
            if writing is not None:
                await writing
        judged = rows if writer and judgement.clean else []
    return judged


async def announce_imports(events: ImportEvents, *, batches: int) -> int:
    """Put up to `batches` events of committed imports into the outbox (oldest import first); how many."""
    return await events.stage_pending(batches)


async def import_events_backlog(events: ImportEvents) -> tuple[int, float]:
    """Events of committed imports still to be put into the outbox, and seconds since the oldest such import."""
    count, oldest = await events.backlog()
    return count, (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0


@contextmanager
def _stage(name: str) -> Iterator[None]:
    """Time one stage of the import (habitat_import_stage_seconds): where a slow import spends its time."""
    started = time.perf_counter()
    try:
        yield
    finally:
        IMPORT_STAGE_SECONDS.labels(name).observe(time.perf_counter() - started)


async def _staged(body: AsyncIterable[bytes], file: ContributionFile) -> AsyncIterator[list[tuple]]:
    """Format-valid rows, batch by batch as the body arrives; the whole body is read even after problems."""
    async for chunk in body:
        if chunk and (rows := file.feed(chunk)):
            yield rows
    if rows := file.close():
        yield rows
