"""How an approved contribution reaches the books: patronage always, capital only for cash and property."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.journal.transactions import AccountRef, Basis, Leg
from habitat_ledger.domain.money import ZERO, money

CAPITAL_ASSET = {"capital": AccountRef.coop_cash, "property": AccountRef.coop_property}


@dataclass(eq=False)
class Patronage:
    """A member's approved contribution as it counts toward patronage (value, not capital)."""

    contribution_id: uuid.UUID
    member_id: uuid.UUID
    period_id: uuid.UUID
    type: str
    value: Decimal
    recorded_at: datetime
    corrects_contribution_id: uuid.UUID | None = None


@dataclass
class PatronageRows:
    """Contributions' patronage as columns, for one set-based write, however many (plain lists, since a
    mapped Patronage per row costs more than its insert)."""

    recorded_at: datetime
    contribution_ids: list[uuid.UUID] = field(default_factory=list)
    member_ids: list[uuid.UUID] = field(default_factory=list)
    period_ids: list[uuid.UUID] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    values: list[Decimal] = field(default_factory=list)
    corrects_contribution_ids: list[uuid.UUID | None] = field(default_factory=list)

    def add(self, command: BookContribution) -> None:
        self.contribution_ids.append(command.contribution_id)
        self.member_ids.append(command.member_id)
        self.period_ids.append(command.period_id)
        self.types.append(command.type)
        self.values.append(money(command.value))
        self.corrects_contribution_ids.append(command.corrects_contribution_id)

    def __len__(self) -> int:
        return len(self.contribution_ids)


def capital_legs(command: BookContribution) -> list[Leg]:
    """Debit the co-op's asset, credit the member's capital, per basis.

    Labor is patronage, never capital (crediting services to capital is a taxable capital
    interest), so it yields no legs. Cash is credited at face value on both bases; property at
    fair market value on book and at the contributor's adjusted basis on tax. Corrections may
    carry negative amounts, which simply reverse the signs.
    """
    asset = CAPITAL_ASSET.get(command.type)
    if asset is None:
        return []
    capital = AccountRef.member_capital(command.member_id)
    legs: list[Leg] = []
    for basis, amount in ((Basis.BOOK, command.book_amount), (Basis.TAX, command.tax_amount)):
        amount = money(amount)
        if amount != ZERO:
            legs += [Leg(asset(), basis, amount), Leg(capital, basis, -amount)]
    return legs


def booking_description(command: BookContribution) -> str:
    """How a contribution's capital transaction reads in the journal and on statements."""
    if command.corrects_contribution_id:
        return f"Correction of contribution {command.corrects_contribution_id} ({command.type})"
    if command.type == "property":
        return "Property contribution (book at fair market value, tax at adjusted basis)"
    return "Capital contribution"
