"""How an approved contribution reaches the books: patronage always, capital only for cash and property."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from habitat_ledger.domain.commands import BookContribution
from habitat_ledger.domain.journal import AccountRef, Basis, Leg
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

    @classmethod
    def from_command(cls, command: BookContribution, now: datetime) -> Patronage:
        return cls(
            contribution_id=command.contribution_id,
            member_id=command.member_id,
            period_id=command.period_id,
            type=command.type,
            value=money(command.value),
            recorded_at=now,
            corrects_contribution_id=command.corrects_contribution_id,
        )


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
