"""Write use cases of reviewers: approve (single or dual), reject, ask a question, batch approve."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from habitat_common.metrics import CONTRIBUTIONS_DECIDED
from habitat_contributions.domain.commands import ApproveContribution, RejectContribution, RequestClarification
from habitat_contributions.domain.corrections import Entry
from habitat_contributions.domain.description import meaningful_text
from habitat_contributions.domain.errors import ContributionError, ContributionNotFound
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.replicas import PERIOD_CLOSING
from habitat_contributions.service_layer.corrections import ensure_bounded
from habitat_contributions.service_layer.handlers import ensure_period_open, utcnow
from habitat_contributions.service_layer.ports import UnitOfWork
from habitat_contributions.service_layer.replicas import sealed_totals

MAX_BATCH = 500


async def _for_decision(uow: UnitOfWork, contribution_id: uuid.UUID) -> Contribution:
    """The contribution locked against concurrent decisions; its period held against sealing."""
    contribution = await uow.contributions.get_for_update(contribution_id)
    if contribution is None:
        raise ContributionNotFound("No such contribution.")
    await ensure_period_open(uow, contribution.period_id)
    return contribution


async def _for_final_decision(uow: UnitOfWork, contribution_id: uuid.UUID) -> tuple[Contribution, bool]:
    """As _for_decision, but an approval or rejection is also taken while the period is closing: then the
    period is held exclusively (such decisions run one at a time) and True says the caller re-seals it.

    The period's status is peeked without a lock; one that starts closing between the peek and the shared
    lock is refused as closed (period_closed), and the reviewer's retry takes the closing path."""
    contribution = await uow.contributions.get_for_update(contribution_id)
    if contribution is None:
        raise ContributionNotFound("No such contribution.")
    if await uow.periods.status_of(contribution.period_id) == PERIOD_CLOSING:
        period = await uow.periods.get_for_update(contribution.period_id)
        if period is not None and period.is_closing:
            return contribution, True
    await ensure_period_open(uow, contribution.period_id)
    return contribution, False


async def _reseal_if_closing(closing: bool, contribution: Contribution, uow: UnitOfWork) -> None:
    """A decision taken while the period closes announces the period's totals again: the ledger keeps the
    seal with the fewest undecided contributions, which is the newest, since none can be added now."""
    if closing and contribution.is_decided:
        uow.events.append(await sealed_totals(contribution.period_id, uow))


async def approve_contribution(
    cmd: ApproveContribution, uow: UnitOfWork, *, now: datetime | None = None
) -> Contribution:
    """Approve another member's contribution (row locked, so concurrent decisions yield exactly one event).

    Above the dual-approval threshold the first approval is only recorded; a second, distinct approver
    makes it approved and publishes the event. A correction is checked against its original again (rule 10),
    the original locked so that corrections approved at the same time are counted one after the other.
    With expected_revision, an edit since the reviewer looked refuses it (stale_revision); an edit racing the
    approval waits on the same row lock, so whichever comes first wins and the other is refused."""
    async with uow:
        contribution, closing = await _for_final_decision(uow, cmd.contribution_id)
        contribution.check_open()
        contribution.check_revision(cmd.expected_revision)
        if contribution.corrects_contribution_id is not None:
            # before approve(): a query would flush its new status and count it among the approved corrections
            await ensure_bounded(uow, Entry.of(contribution), contribution.corrects_contribution_id, lock=True)
        event = contribution.approve(
            cmd.reviewer_id, now or utcnow(), cmd.note, expected_revision=cmd.expected_revision
        )
        if event is not None:
            uow.events.append(event)
        await _reseal_if_closing(closing, contribution, uow)
        await uow.commit()
        if event is not None:  # a first of two required approvals decides nothing yet
            _count_decision(contribution)
        return contribution


async def reject_contribution(cmd: RejectContribution, uow: UnitOfWork, *, now: datetime | None = None) -> Contribution:
    """Reject another member's contribution with a reason they will read; final."""
    reason = meaningful_text(cmd.reason, field="reason", code="invalid_reason", say="say why it is rejected")
    async with uow:
        contribution, closing = await _for_final_decision(uow, cmd.contribution_id)
        uow.events.append(
            contribution.reject(cmd.reviewer_id, now or utcnow(), reason, expected_revision=cmd.expected_revision)
        )
        await _reseal_if_closing(closing, contribution, uow)
        await uow.commit()
        _count_decision(contribution)
        return contribution


async def request_clarification(
    cmd: RequestClarification, uow: UnitOfWork, *, now: datetime | None = None
) -> Contribution:
    """Ask the submitter a question; the contribution leaves the queue until they answer."""
    question = meaningful_text(cmd.question, field="question", code="invalid_question", say="ask what you need")
    async with uow:
        contribution = await _for_decision(uow, cmd.contribution_id)
        asked = contribution.request_clarification(
            cmd.reviewer_id, now or utcnow(), question, expected_revision=cmd.expected_revision
        )
        uow.events.append(asked)
        await uow.commit()
        _count_decision(contribution)
        return contribution


def _count_decision(contribution: Contribution) -> None:
    """A committed decision, named by the status it gave the contribution (approved, rejected,
    clarification_requested)."""
    CONTRIBUTIONS_DECIDED.labels(str(contribution.type), str(contribution.status)).inc()


@dataclass(frozen=True)
class BatchResult:
    id: uuid.UUID
    status: str | None = None
    error: ContributionError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def batch_approve(
    ids: list[uuid.UUID],
    reviewer_id: uuid.UUID,
    uow_factory: Callable[[], UnitOfWork],
    *,
    note: str | None = None,
    expected_revisions: dict[uuid.UUID, int] | None = None,
    now: datetime | None = None,
) -> list[BatchResult]:
    """Approve each contribution in its own transaction, each of the revision the reviewer saw when
    expected_revisions names it; one failure never blocks the others."""
    results = []
    seen = expected_revisions or {}
    for contribution_id in dict.fromkeys(ids):
        cmd = ApproveContribution(contribution_id, reviewer_id, note, expected_revision=seen.get(contribution_id))
        try:
            contribution = await approve_contribution(cmd, uow_factory(), now=now)
        except ContributionError as error:
            results.append(BatchResult(contribution_id, error=error))
        else:
            results.append(BatchResult(contribution_id, status=str(contribution.status)))
    return results
