"""Event handlers of the ledger worker: thin — claim, call a use case, commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence

from habitat_common.contracts import (
    ContributionApprovedV1,
    ContributionsImportedV1,
    Envelope,
)
from habitat_common.messaging.batching import BatchHandler
from habitat_common.messaging.consumer import Handler
from habitat_common.messaging.idempotent import idempotent

from habitat_ledger.adapters.translators import (
    to_book_contribution,
    to_book_contributions,
    to_record_seal,
    to_replicate_member,
)
from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.entrypoints.unit_of_work import LedgerUnitOfWork
from habitat_ledger.service_layer.close.closing import record_seal
from habitat_ledger.service_layer.close.posting import announce_shares
from habitat_ledger.service_layer.journal.contribution_batches import BatchOutcome, book_contribution_batch
from habitat_ledger.service_layer.journal.contributions import apply_waiting_contributions
from habitat_ledger.service_layer.journal.members import replicate_member

CONTRIBUTION_APPROVED = "ledger.contribution_approved"
CONTRIBUTIONS_IMPORTED = "ledger.contributions_imported"
PERIOD_SEALED = "ledger.period_sealed"
ALLOCATION_POSTED = "ledger.allocation_posted"
MEMBER_REGISTERED = "ledger.member_registered"
MEMBER_UPDATED = "ledger.member_updated"
UowFactory = Callable[[], LedgerUnitOfWork]


def contribution_approved_batch_handler(uow_factory: UowFactory) -> BatchHandler:
    """Batch handler for ContributionApprovedV1: one unit of work for many deliveries, through the batch path."""

    async def on_contributions_approved(envelopes: Sequence[Envelope[ContributionApprovedV1]]) -> list[bool]:
        """Book approved contributions (or keep them aside until their period exists); apply any waiting ones.
        Per envelope: False for a duplicate (the same event, or its contribution booked before or earlier in
        the batch)."""
        async with uow_factory() as uow:
            claimed = await uow.claim_events(CONTRIBUTION_APPROVED, [e.event_id for e in envelopes])
            if not claimed:
                return [False] * len(envelopes)
            fresh = [e for e in envelopes if e.event_id in claimed]
            outcome = await book_contribution_batch([to_book_contribution(e.payload) for e in fresh], uow)
            await apply_waiting_contributions(uow)
            await uow.commit()  # the claims are kept even when their contribution was already booked
        return took_effect(envelopes, claimed, outcome.changed_ids)

    return on_contributions_approved


def took_effect(
    envelopes: Sequence[Envelope[ContributionApprovedV1]], claimed: set[uuid.UUID], changed: frozenset[uuid.UUID]
) -> list[bool]:
    """Per envelope, whether it changed the books: claimed now, and the first of the batch for its contribution."""
    left = set(changed)
    outcomes = []
    for envelope in envelopes:
        contribution = envelope.payload.contribution_id
        effect = envelope.event_id in claimed and contribution in left
        if effect:
            left.discard(contribution)
        outcomes.append(effect)
    return outcomes


def contribution_approved_handler(uow_factory: UowFactory) -> Handler:
    """Handler for ContributionApprovedV1, a batch of one; returns False for a duplicate (same event or same
    contribution)."""
    handle_batch = contribution_approved_batch_handler(uow_factory)

    async def on_contribution_approved(envelope: Envelope[ContributionApprovedV1]) -> bool:
        """Book an approved contribution (or keep it aside until its period exists); apply any waiting ones."""
        (applied,) = await handle_batch([envelope])
        return applied

    return on_contribution_approved


IMPORT_BATCHES_AT_ONCE = 2


async def book_imported_batch(commands: list[BookContribution], uow: LedgerUnitOfWork) -> BatchOutcome:
    """Book an import's batch of approved contributions set-based, then apply any waiting ones (caller commits)."""
    outcome = await book_contribution_batch(commands, uow)
    await apply_waiting_contributions(uow)
    return outcome


def contributions_imported_handler(uow_factory: UowFactory, at_once: int = IMPORT_BATCHES_AT_ONCE) -> Handler:
    """Handler for ContributionsImportedV1; returns False when the batch changed nothing (a duplicate).

    At most `at_once` batches are booked at the same time per worker: batches of one import share their
    members' patronage totals and so commit one after the other anyway; more at once would only hold
    database connections waiting on those rows, which the worker's other consumers need meanwhile."""
    gate = asyncio.Semaphore(at_once)
    handle = idempotent(
        CONTRIBUTIONS_IMPORTED,
        lambda envelope: to_book_contributions(envelope.payload),
        book_imported_batch,
        uow_factory,
        took_effect=lambda outcome: outcome.changed,
    )

    async def on_contributions_imported(envelope: Envelope[ContributionsImportedV1]) -> bool:
        """Book an import's batch of approved contributions set-based; apply any waiting ones."""
        async with gate:
            return await handle(envelope)

    return on_contributions_imported


def allocation_posted_handler(uow_factory: UowFactory) -> Handler:
    """Handler for the ledger's own AllocationPostedV1: stage one AllocationSharePosted per member row, once per
    event (after the close committed)."""
    return idempotent(
        ALLOCATION_POSTED, lambda envelope: envelope.payload.allocation_id, announce_shares, uow_factory
    )


def period_sealed_handler(uow_factory: UowFactory) -> Handler:
    """Handler for PeriodSealedV1: store the sealed per-member counts and sums of a closing period, which the
    proposal must reconcile with."""
    return idempotent(
        PERIOD_SEALED, lambda envelope: to_record_seal(envelope.payload), record_seal, uow_factory
    )


def member_handler(uow_factory: UowFactory, consumer: str) -> Handler:
    """Handler for MemberRegisteredV1 / MemberUpdatedV1: upsert the member replica (names); an event older than
    the replica's state changes nothing."""
    return idempotent(
        consumer,
        lambda envelope: to_replicate_member(envelope.payload, envelope.occurred_at),
        replicate_member,
        uow_factory,
    )
