"""Write use cases of the submitter: submit (with idempotency and corrections), edit, answer a question."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from habitat_common.metrics import CONTRIBUTIONS_SUBMITTED
from habitat_contributions.domain.commands import EditContribution, RespondToClarification, SubmitContribution
from habitat_contributions.domain.corrections import Entry, Figures
from habitat_contributions.domain.dates import check_contributed_on
from habitat_contributions.domain.description import clean_description, meaningful_text
from habitat_contributions.domain.errors import (
    ContributionNotFound,
    IdempotencyConflict,
    MemberNotActive,
    NotSubmitter,
    PeriodNotOpen,
)
from habitat_contributions.domain.intake import edited, new_contribution, valued
from habitat_contributions.domain.model import Contribution, Viewer
from habitat_contributions.domain.replicas import PeriodReplica
from habitat_contributions.domain.review_policy import DEFAULT_POLICY, ReviewPolicy
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer.corrections import ensure_bounded
from habitat_contributions.service_layer.ports import UnitOfWork


def utcnow() -> datetime:
    return datetime.now(UTC)


def _today(today: date | None, now: datetime) -> date:
    # callers pass the co-op's today (its time zone); UTC's is the fallback of tests and tools
    return today or now.astimezone(UTC).date()


async def submit_contribution(
    cmd: SubmitContribution,
    uow: UnitOfWork,
    *,
    card: RateCard,
    policy: ReviewPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    today: date | None = None,
) -> Contribution:
    """Record a pending contribution of an active member in the open period containing its date and announce it.

    The date may be neither after `today` (the co-op's) nor before the member joined; a correction is bounded
    (rule 10). With an idempotency key, a repeated request returns the contribution it created; the same key
    with a different request is a conflict."""
    now = now or utcnow()
    async with uow:
        member, period = await uow.lookups.member_and_period(cmd.member_id, cmd.contributed_on)
        if member is None or not member.is_active:
            raise MemberNotActive("Only active members may submit contributions.")
        check_contributed_on(cmd.contributed_on, today=_today(today, now), joined_at=member.joined_at)
        contribution_id = uuid.uuid4()
        if cmd.idempotency_key:
            known = await uow.idempotency.claim(cmd.member_id, cmd.idempotency_key, cmd.fingerprint(), contribution_id)
            if known is not None:
                return await _replay(uow, cmd, *known)
        period = accepting(period, cmd.contributed_on)
        contribution = new_contribution(
            cmd,
            period_id=period.period_id,
            card=card,
            now=now,
            policy=policy,
            contribution_id=contribution_id,
        )
        if cmd.corrects_contribution_id is not None:
            await ensure_bounded(uow, Entry.of(contribution), cmd.corrects_contribution_id)
        uow.contributions.add(contribution)
        uow.events.extend(contribution.submitted())
        await uow.commit()
        CONTRIBUTIONS_SUBMITTED.labels(str(contribution.type), "api").inc()
        return contribution


async def _replay(uow: UnitOfWork, cmd: SubmitContribution, fingerprint: str, contribution_id: uuid.UUID):
    if fingerprint != cmd.fingerprint():
        raise IdempotencyConflict("This Idempotency-Key was already used for a different request.")
    contribution = await uow.contributions.get(contribution_id)
    if contribution is None:  # pragma: no cover - the key and the contribution commit together
        raise ContributionNotFound("No such contribution.")
    return contribution


async def period_accepting(uow: UnitOfWork, day: date) -> PeriodReplica:
    """The open period containing day (held against sealing), else PeriodNotOpen / period_closed."""
    return accepting(await uow.periods.containing(day), day)


def accepting(period: PeriodReplica | None, day: date) -> PeriodReplica:
    """The period found for day if it accepts contributions, else PeriodNotOpen / period_closed."""
    if period is None:
        raise PeriodNotOpen(
            f"No open period contains {day.isoformat()}; contributions can only be recorded in an open period."
        )
    if not period.accepts(day):
        raise PeriodNotOpen(
            f"Period {period.name} is {period.status}; it no longer accepts or changes contributions.",
            code="period_closed",
        )
    return period


async def ensure_period_open(uow: UnitOfWork, period_id: uuid.UUID) -> None:
    """Refuse changes to a contribution whose period is closing or closed (held against sealing)."""
    period = await uow.periods.get_for_share(period_id)
    if period is not None and not period.accepts(period.starts_on):
        raise PeriodNotOpen(
            f"Period {period.name} is {period.status}; it no longer accepts or changes contributions.",
            code="period_closed",
        )


async def own_contribution_for_update(uow: UnitOfWork, contribution_id: uuid.UUID, viewer: Viewer) -> Contribution:
    """The submitter's contribution, locked; others get not found (members) or not_submitter (reviewers)."""
    contribution = await uow.contributions.get_for_update(contribution_id)
    if contribution is None or not viewer.may_see(contribution):
        raise ContributionNotFound("No such contribution.")
    if contribution.member_id != viewer.member_id:
        raise NotSubmitter("Only the member who submitted a contribution may change it or answer for it.")
    return contribution


async def edit_contribution(
    cmd: EditContribution,
    viewer: Viewer,
    uow: UnitOfWork,
    *,
    card: RateCard,
    policy: ReviewPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    today: date | None = None,
) -> Contribution:
    """The submitter changes fields while pending or questioned; re-validated (a new date and a correction's
    amounts by the same rules as at submission), kept as a new revision."""
    now = now or utcnow()
    async with uow:
        contribution = await own_contribution_for_update(uow, cmd.contribution_id, viewer)
        contribution.check_open()
        await _revise(uow, contribution, cmd.changes, card=card, policy=policy, now=now, today=_today(today, now))
        await uow.commit()
        return contribution


async def respond_to_clarification(
    cmd: RespondToClarification,
    viewer: Viewer,
    uow: UnitOfWork,
    *,
    card: RateCard,
    policy: ReviewPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    today: date | None = None,
) -> Contribution:
    """The submitter answers the open question (optionally editing); the contribution is pending again."""
    answer = meaningful_text(cmd.answer, field="answer", code="invalid_answer", say="answer the question", min_length=5)
    now = now or utcnow()
    async with uow:
        contribution = await own_contribution_for_update(uow, cmd.contribution_id, viewer)
        await ensure_period_open(uow, contribution.period_id)
        contribution.answer(viewer.member_id, now, answer)
        if cmd.changes:
            await _revise(uow, contribution, cmd.changes, card=card, policy=policy, now=now, today=_today(today, now))
        await uow.commit()
        return contribution


async def _revise(
    uow: UnitOfWork,
    contribution: Contribution,
    changes: dict,
    *,
    card: RateCard,
    policy: ReviewPolicy,
    now: datetime,
    today: date,
) -> None:
    revised = edited(contribution, changes)
    if revised.contributed_on != contribution.contributed_on:
        member = await uow.members.get(contribution.member_id)
        check_contributed_on(revised.contributed_on, today=today, joined_at=member.joined_at if member else None)
        period_id = (await period_accepting(uow, revised.contributed_on)).period_id
    else:
        await ensure_period_open(uow, contribution.period_id)
        period_id = contribution.period_id
    amounts, valuation = valued(
        contribution.type, revised, card, correction=contribution.corrects_contribution_id is not None
    )
    if contribution.corrects_contribution_id is not None:
        figures = Figures(valuation.value, valuation.book_amount, valuation.tax_amount)
        await ensure_bounded(
            uow, replace(Entry.of(contribution), figures=figures), contribution.corrects_contribution_id
        )
    contribution.revise(
        contribution.member_id,
        now,
        changes={
            "contributed_on": revised.contributed_on,
            "description": clean_description(revised.description),
            "period_id": period_id,
            **amounts,
        },
        valuation=valuation,
        approvals_required=policy.approvals_required(valuation.value),
    )
