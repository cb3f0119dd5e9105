"""Write use cases of reviewers: approve (single or dual), reject, ask a question, batch approve."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from habitat_common.metrics import CONTRIBUTIONS_DECIDED
from habitat_contributions.domain.commands import ApproveContribution, RejectContribution, RequestClarification
from habitat_contributions.domain.corrections import Entry
from habitat_contributions.domain.description import meaningful_text
from habitat_contributions.domain.errors import ContributionError, ContributionNotFound, PeriodNotOpen
from habitat_contributions.domain.events import ContributionApproved
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


@dataclass(frozen=True)
class _PeriodHold:
    """How a period is held for final decisions: closing (held exclusively, each decision re-seals it), or
    open (held shared), or refused (the refusal each of its contributions gets)."""

    closing: bool = False
    refusal: PeriodNotOpen | None = None


async def _hold_periods(uow: UnitOfWork, period_ids: set[uuid.UUID]) -> dict[uuid.UUID, _PeriodHold]:
    """Hold each period for an approval or rejection, in id order (two batches never wait on each other's
    periods in a cycle). A decision is also taken while the period is closing: then the period is held
    exclusively (such decisions run one at a time) and the caller re-seals it.

    The statuses are peeked without a lock; a period that starts closing between the peek and the shared
    lock is refused as closed (period_closed), and the reviewer's retry takes the closing path."""
    statuses = await uow.periods.statuses_of(period_ids)
    held = {}
    for period_id in sorted(period_ids):
        if statuses.get(period_id) == PERIOD_CLOSING:
            period = await uow.periods.get_for_update(period_id)
            if period is not None and period.is_closing:
                held[period_id] = _PeriodHold(closing=True)
                continue
        try:
            await ensure_period_open(uow, period_id)
        except PeriodNotOpen as refusal:
            held[period_id] = _PeriodHold(refusal=refusal)
        else:
            held[period_id] = _PeriodHold()
    return held


async def _for_final_decision(uow: UnitOfWork, contribution_id: uuid.UUID) -> tuple[Contribution, bool]:
    """As _for_decision, but also taken while the period is closing (see _hold_periods): True says the caller
    re-seals the period."""
    contribution = await uow.contributions.get_for_update(contribution_id)
    if contribution is None:
        raise ContributionNotFound("No such contribution.")
    held = (await _hold_periods(uow, {contribution.period_id}))[contribution.period_id]
    if held.refusal is not None:
        raise held.refusal
    return contribution, held.closing


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
    approval waits on the same row lock, so whichever comes first wins and the other is refused.

    It is a batch of one (see batch_approve), its refusal raised."""
    expected = {cmd.contribution_id: cmd.expected_revision}
    [result] = await _approve_all(uow, [cmd.contribution_id], cmd.reviewer_id, cmd.note, expected, now)
    if result.error is not None:
        raise result.error
    return result.contribution


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
    contribution: Contribution | None = field(default=None, repr=False, compare=False)
    decided: bool = False  # this approval published the event (not the first of two required)

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
    """Approve the contributions in one transaction, in the order given (a repeated id counts once), each of
    the revision the reviewer saw when expected_revisions names it.

    Each is judged as a single approval is; a refused one is reported with its error and changes nothing, and
    never blocks the others. A failure of the transaction itself (the database) raises and approves none."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    return await _approve_all(uow_factory(), wanted, reviewer_id, note, expected_revisions or {}, now)


async def _approve_all(
    uow: UnitOfWork,
    ids: list[uuid.UUID],
    reviewer_id: uuid.UUID,
    note: str | None,
    expected_revisions: Mapping[uuid.UUID, int | None],
    now: datetime | None,
) -> list[BatchResult]:
    """Lock the batch and its periods, judge each item in order, write the approvals and their events in one
    commit; a closing period is re-sealed once, after the last of its decisions."""
    async with uow:
        found = await uow.contributions.get_many_for_update(ids)
        periods = await _hold_periods(uow, {c.period_id for c in found.values()})
        # the decision's time once the rows are ours: an edit that committed while we waited is before it
        now = now or utcnow()
        results = []
        for contribution_id in ids:
            contribution = found.get(contribution_id)
            try:
                event = await _approve_one(
                    uow, contribution, periods, reviewer_id, note, expected_revisions.get(contribution_id), now
                )
            except ContributionError as error:
                results.append(BatchResult(contribution_id, error=error))
                continue
            if event is not None:
                uow.events.append(event)
            decided = event is not None
            results.append(BatchResult(contribution_id, str(contribution.status), None, contribution, decided))
        closing = {r.contribution.period_id for r in results if r.decided and periods[r.contribution.period_id].closing}
        for period_id in sorted(closing):
            uow.events.append(await sealed_totals(period_id, uow))
        await uow.commit()
        for result in results:
            if result.decided:  # a first of two required approvals decides nothing yet
                _count_decision(result.contribution)
        return results


async def _approve_one(
    uow: UnitOfWork,
    contribution: Contribution | None,
    periods: dict[uuid.UUID, _PeriodHold],
    reviewer_id: uuid.UUID,
    note: str | None,
    expected_revision: int | None,
    now: datetime,
) -> ContributionApproved | None:
    """One approval of a batch, its event if it decides; every refusal is raised before anything changes."""
    if contribution is None:
        raise ContributionNotFound("No such contribution.")
    if (refusal := periods[contribution.period_id].refusal) is not None:
        raise refusal
    contribution.check_open()
    contribution.check_revision(expected_revision)
    if contribution.corrects_contribution_id is not None:
        # before approve(): a query would flush its new status and count it among the approved corrections;
        # the approvals of earlier items are flushed by it, so a later correction of the same original counts them
        await ensure_bounded(uow, Entry.of(contribution), contribution.corrects_contribution_id, lock=True)
    return contribution.approve(reviewer_id, now, note, expected_revision=expected_revision)
