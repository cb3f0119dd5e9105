"""Builders for test data: fresh ids every call, so tests share nothing mutable."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_common.contracts import ContributionApprovedV1, Envelope

from habitat_ledger.adapters.translators import to_book_contribution
from habitat_ledger.domain.commands import BookContribution, OpenPeriod

DEFAULT_PERIOD_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def approved(
    type: str = "capital",
    *,
    book: str = "500.00",
    tax: str | None = None,
    value: str | None = None,
    member_id: uuid.UUID | None = None,
    period_id: uuid.UUID | None = None,
    contribution_id: uuid.UUID | None = None,
    contributed_on: date = date(2026, 2, 10),
) -> ContributionApprovedV1:
    """An approved contribution; labor carries no capital amounts."""
    if type == "labor":
        book, tax = "0.00", "0.00"
    return ContributionApprovedV1(
        contribution_id=contribution_id or uuid.uuid4(),
        member_id=member_id or uuid.uuid4(),
        period_id=period_id or DEFAULT_PERIOD_ID,
        type=type,
        contributed_on=contributed_on,
        value=Decimal(value or book),
        book_amount=Decimal(book),
        tax_amount=Decimal(tax if tax is not None else book),
        approved_by=uuid.uuid4(),
        approved_at=datetime.now(UTC),
    )


def envelope(contract: ContributionApprovedV1, event_id: uuid.UUID | None = None) -> Envelope:
    wrapped = Envelope.wrap(contract, producer="contributions")
    typed = Envelope[ContributionApprovedV1].model_validate_json(wrapped.model_dump_json())
    return typed.model_copy(update={"event_id": event_id}) if event_id else typed


def book_command(**kwargs) -> BookContribution:
    return to_book_contribution(approved(**kwargs))


def open_period_command(
    name: str = "2026-Q1", starts_on: date = date(2026, 1, 1), ends_on: date = date(2026, 3, 31)
) -> OpenPeriod:
    return OpenPeriod(name, starts_on, ends_on, requested_by=uuid.uuid4())


def quarter_contributions(period_id: uuid.UUID, ana: uuid.UUID, ben: uuid.UUID) -> list[ContributionApprovedV1]:
    """Ana: labor 1000.00 and capital 500.00; Ben: property worth 2000.00 with a basis of 1200.00."""
    return [
        approved("labor", value="1000.00", member_id=ana, period_id=period_id),
        approved("capital", book="500.00", member_id=ana, period_id=period_id),
        approved("property", book="2000.00", tax="1200.00", member_id=ben, period_id=period_id),
    ]
