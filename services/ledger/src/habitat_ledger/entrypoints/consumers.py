"""Event handlers of the ledger worker: thin — claim, call a use case, commit."""

from __future__ import annotations

from collections.abc import Callable

from habitat_common.contracts import ContributionApprovedV1, Envelope
from habitat_common.messaging.consumer import Handler

from habitat_ledger.adapters.translators import to_book_contribution
from habitat_ledger.service_layer.contributions import book_contribution
from habitat_ledger.service_layer.ports import UnitOfWork

CONTRIBUTION_APPROVED = "ledger.contribution_approved"


def contribution_approved_handler(uow_factory: Callable[[], UnitOfWork]) -> Handler:
    """Handler for ContributionApprovedV1; returns False for a duplicate (same event or same contribution)."""

    async def on_contribution_approved(envelope: Envelope[ContributionApprovedV1]) -> bool:
        """Book an approved contribution: patronage always, capital postings for cash and property."""
        async with uow_factory() as uow:
            if not await uow.claim_event(CONTRIBUTION_APPROVED, envelope.event_id):
                return False
            booked = await book_contribution(to_book_contribution(envelope.payload), uow)
            await uow.commit()  # the claim is kept even when the contribution was already booked
            return booked

    return on_contribution_approved
