"""The rows of a contributions import as the database resolves them for the passes (domain.import_passes):
each staged row with what its names resolve to, the contribution imported before under its reference and
what it corrects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from habitat_contributions.domain.corrections import Entry, Figures
from habitat_contributions.domain.intake import MONEY_FIELDS
from habitat_contributions.domain.valuation import valuation_of


@dataclass(slots=True, eq=False)  # not frozen: one per row of a re-run file
class Stored:
    """The contribution imported before under the row's reference, as the reconciliation pass compares it."""

    member_id: uuid.UUID
    member_email: str | None
    period_id: uuid.UUID
    period_name: str | None
    type: str
    contributed_on: date
    description: str
    hours: Decimal | None
    rate: Decimal | None
    amount: Decimal | None
    fair_market_value: Decimal | None
    adjusted_basis: Decimal | None
    status: str
    decided_by: uuid.UUID | None
    approver_email: str | None
    decided_at: datetime | None
    corrects_contribution_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Member:
    """The members answering to one email (case-insensitive): how many, and the first of them."""

    matches: int
    member_id: uuid.UUID
    role: str | None
    joined_at: date | None


@dataclass(frozen=True, slots=True)
class Period:
    """The periods answering to one name (case-insensitive): how many, and the first of them."""

    matches: int
    period_id: uuid.UUID
    starts_on: date
    ends_on: date
    status: str


@dataclass(frozen=True)
class Names:
    """What the names in a file resolve to: members by lower-cased email, periods by lower-cased name."""

    members: dict[str, Member]
    periods: dict[str, Period]


@dataclass(slots=True, eq=False)  # not frozen: built once per row of a file, where frozen's __init__ costs 3x
class ResolvedRow:
    """A staged row with what the database knows of its reference: first_line the first line of a repeated reference; stored the contribution imported before
    under it, description the row's own (only fetched to compare with it); target what the row corrects (in
    the file or imported before) with that original's corrections approved in the database."""

    line: int
    reference: str
    member_email: str
    period: str
    type: str
    contributed_on: date
    hours: Decimal | None
    rate: Decimal | None
    amount: Decimal | None
    fair_market_value: Decimal | None
    adjusted_basis: Decimal | None
    status: str
    approver_email: str | None
    decided_at: datetime | None
    corrects_reference: str | None
    first_line: int | None = None
    stored: Stored | None = None
    target: Entry | None = None
    approved_before: Figures | None = None
    description: str | None = None

    @property
    def is_new(self) -> bool:
        return self.stored is None

    @property
    def is_correction(self) -> bool:
        return self.corrects_reference is not None

    def amounts(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in MONEY_FIELDS}

    def figures(self) -> Figures:
        """Value and capital credits by the valuation rules (a figure is None while an amount is missing)."""
        valued = valuation_of(
            self.type, hours=self.hours, rate=self.rate, amount=self.amount,
            fair_market_value=self.fair_market_value, adjusted_basis=self.adjusted_basis,
        )
        return Figures(valued.value, valued.book_amount, valued.tax_amount)
