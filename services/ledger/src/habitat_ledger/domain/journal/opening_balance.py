"""Opening balances: a member's capital carried from the previous system, one transaction per member.

The member's capital is credited with the book and the tax balance, each balanced by the co-op's
opening-balance equity; a zero balance on a basis posts nothing on it. A changed balance is never
edited: the current opening transaction is reversed (dated as it was, so the beginning capital of
later years is the new one) and a new one recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from habitat_ledger.domain.journal.journal_rows import JournalRows
from habitat_ledger.domain.journal.transactions import (
    AccountRef,
    Basis,
    Leg,
    SourceType,
    reversal_description,
)
from habitat_ledger.domain.money import ZERO

DESCRIPTION = "Opening balance carried from the previous system"
# source ids are uuid5 under this namespace: a member's first opening balance has one of its own,
# so two imports racing to create it cannot both succeed (unique source_type, source_id, member_id)
SOURCE_NAMESPACE = uuid.UUID("6f0d5d1e-3c57-4b55-9d3c-0a4f4d7c2b10")


@dataclass(frozen=True)
class OpeningBalance:
    """What the file asks a member's opening balance to be."""

    member_id: uuid.UUID
    book_balance: Decimal
    tax_balance: Decimal
    as_of: date
    note: str | None = None

    def legs(self) -> list[Leg]:
        capital = AccountRef.member_capital(self.member_id)
        legs: list[Leg] = []
        for basis, amount in ((Basis.BOOK, self.book_balance), (Basis.TAX, self.tax_balance)):
            if amount != ZERO:
                legs += [Leg(AccountRef.coop_opening_equity(), basis, amount), Leg(capital, basis, -amount)]
        return legs

    @property
    def description(self) -> str:
        return f"{DESCRIPTION}: {self.note}" if self.note else DESCRIPTION


@dataclass(frozen=True)
class CurrentOpening:
    """A member's opening-balance transaction in force (not reversed), with its postings as legs."""

    transaction_id: uuid.UUID
    occurred_on: date
    description: str
    legs: list[Leg]


@dataclass(frozen=True)
class OpeningChange:
    """A member whose opening balance the import creates or replaces."""

    wanted: OpeningBalance
    current: CurrentOpening | None
    first_ever: bool  # the member never had an opening balance, even a reversed one


def source_id(member_id: uuid.UUID, import_id: uuid.UUID, *, first_ever: bool) -> uuid.UUID:
    """Deterministic: the member's first opening balance, or its replacement by this import."""
    return uuid.uuid5(SOURCE_NAMESPACE, str(member_id) if first_ever else f"{member_id}:{import_id}")


def opening_entries(changes: list[OpeningChange], import_id: uuid.UUID, *, by: uuid.UUID | None, now: datetime) -> list[JournalRows]:
    """The reversals of replaced opening balances, then the new ones (recorded a microsecond later,
    so a statement lists a replacement after what it replaces on the same day)."""
    reversals = JournalRows(recorded_at=now, recorded_by=by)
    openings = JournalRows(recorded_at=now + timedelta(microseconds=1), recorded_by=by)
    for change in changes:
        member_id = change.wanted.member_id
        if change.current is not None:
            current = change.current
            reversals.add(
                source_type=SourceType.REVERSAL,
                source_id=current.transaction_id,
                reverses_id=current.transaction_id,
                occurred_on=current.occurred_on,
                description=reversal_description(current.description, f"replaced by import {import_id}"),
                legs=[Leg(leg.account, leg.basis, -leg.amount) for leg in current.legs],
                member_id=member_id,
            )
        if legs := change.wanted.legs():
            openings.add(
                source_type=SourceType.OPENING_BALANCE,
                source_id=source_id(member_id, import_id, first_ever=change.first_ever),
                occurred_on=change.wanted.as_of,
                description=change.wanted.description,
                legs=legs,
                member_id=member_id,
            )
    return [reversals, openings]
