"""Use case: import historical contributions from a CSV stream, all or nothing, in validation passes."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime

from habitat_common.metrics import CONTRIBUTIONS_SUBMITTED, IMPORT_STAGE_SECONDS
from habitat_contributions.domain.errors import InvalidImport
from habitat_contributions.domain.import_passes import ImportJudgement
from habitat_contributions.domain.import_problems import ImportReport, ProblemLog
from habitat_contributions.domain.review_policy import DEFAULT_POLICY, ReviewPolicy
from habitat_contributions.service_layer.contribution_file import ContributionFile
from habitat_contributions.service_layer.ports import ContributionImportStore, ImportEvents

SAMPLE_SIZE = 10
RESOLVED_CHUNK = 5000  # resolved rows judged at a time


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
    InvalidImport with all of them (the first 200 listed); nothing is written then, nor on a dry run. The
    business pass applies live intake's rules: dates (not after `today`, the co-op's, nor before the member
    joined), amounts, self-review and corrections (rule 10)."""
    log = ProblemLog()
    file = ContributionFile(log, policy)
    async with store:
        with _stage("format"):
            await store.stage(_staged(body, file))
        if log:
            raise InvalidImport("format", log.count, log.listed)
        with _stage("resolve"):
            names = await store.resolve()
        with _stage("judge"):
            judgement = ImportJudgement(file.header, names, today=today or datetime.now(UTC).date())
            async for rows in store.resolved_rows(RESOLVED_CHUNK):
                judgement.feed(rows)
            pass_name, listed, count = judgement.outcome()
        if count:
            raise InvalidImport(pass_name, count, listed)
        with _stage("summarize"):
            summary = await store.summarize()
            sample = await store.sample(SAMPLE_SIZE)
        if dry_run or not summary.created:
            return ImportReport(dry_run, None, summary, sample)
        import_id = uuid.uuid4()
        with _stage("write"):
            created = await store.write(import_id, actor_id=actor_id, rows=summary.rows)
        with _stage("commit"):
            await store.commit()
    for kind, count in summary.created_by_type.items():
        CONTRIBUTIONS_SUBMITTED.labels(kind, "import").inc(count)
    summary = replace(summary, created=created, unchanged=summary.rows - created)
    return ImportReport(dry_run, import_id, summary, sample)


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
