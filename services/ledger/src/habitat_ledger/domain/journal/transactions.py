"""Double-entry journal: accounts, postings and transactions that balance on each basis."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from habitat_ledger.domain.errors import UnbalancedTransaction
from habitat_ledger.domain.money import ZERO, money


class Basis(StrEnum):
    BOOK = "book"  # section 704(b)
    TAX = "tax"


class AccountKind(StrEnum):
    MEMBER_CAPITAL = "member_capital"
    COOP_CASH = "coop_cash"
    COOP_PROPERTY = "coop_property"
    COOP_SURPLUS = "coop_surplus"
    COOP_OPENING_EQUITY = "coop_opening_equity"


class SourceType(StrEnum):
    CONTRIBUTION = "contribution"
    ALLOCATION = "allocation"
    DISTRIBUTION = "distribution"
    OPENING_BALANCE = "opening_balance"
    REVERSAL = "reversal"


@dataclass(frozen=True)
class AccountRef:
    """Names an account by its natural key (code), so it can be created on first use."""

    code: str
    kind: AccountKind
    member_id: uuid.UUID | None = None

    @classmethod
    def member_capital(cls, member_id: uuid.UUID) -> AccountRef:
        return cls(f"member:{member_id}:capital", AccountKind.MEMBER_CAPITAL, member_id)

    @classmethod
    def coop_cash(cls) -> AccountRef:
        return cls("coop:cash", AccountKind.COOP_CASH)

    @classmethod
    def coop_property(cls) -> AccountRef:
        return cls("coop:property", AccountKind.COOP_PROPERTY)

    @classmethod
    def coop_surplus(cls) -> AccountRef:
        """The surplus being allocated: debited when allocations are credited to members."""
        return cls("coop:surplus", AccountKind.COOP_SURPLUS)

    @classmethod
    def coop_opening_equity(cls) -> AccountRef:
        """Balances opening member capital carried from a previous system."""
        return cls("coop:opening_equity", AccountKind.COOP_OPENING_EQUITY)


@dataclass(eq=False)
class Account:
    id: uuid.UUID
    code: str
    kind: AccountKind
    member_id: uuid.UUID | None = None

    @classmethod
    def from_ref(cls, ref: AccountRef) -> Account:
        return cls(id=uuid.uuid4(), code=ref.code, kind=ref.kind, member_id=ref.member_id)


@dataclass(frozen=True)
class Leg:
    """One side of an entry before accounts are resolved: debit positive, credit negative."""

    account: AccountRef
    basis: Basis
    amount: Decimal


@dataclass(eq=False)
class Posting:
    account_id: uuid.UUID
    basis: Basis
    amount: Decimal


@dataclass(eq=False)
class JournalTransaction:
    """An immutable journal entry; a mistake is fixed by a reversal that references it."""

    id: uuid.UUID
    source_type: SourceType
    source_id: uuid.UUID
    occurred_on: date
    description: str
    recorded_at: datetime
    postings: list[Posting] = field(default_factory=list)
    reverses_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    recorded_by: uuid.UUID | None = None

    @classmethod
    def record(
        cls,
        *,
        source_type: SourceType,
        source_id: uuid.UUID,
        occurred_on: date,
        description: str,
        postings: list[Posting],
        now: datetime,
        reverses_id: uuid.UUID | None = None,
        member_id: uuid.UUID | None = None,
        recorded_by: uuid.UUID | None = None,
    ) -> JournalTransaction:
        """A new transaction, refused unless its postings balance on each basis."""
        postings = [Posting(p.account_id, Basis(p.basis), money(p.amount)) for p in postings]
        ensure_balanced(postings)
        return cls(
            id=uuid.uuid4(),
            source_type=source_type,
            source_id=source_id,
            occurred_on=occurred_on,
            description=description,
            recorded_at=now,
            postings=postings,
            reverses_id=reverses_id,
            member_id=member_id,
            recorded_by=recorded_by,
        )

    def reversal(self, *, reason: str, occurred_on: date, by: uuid.UUID, now: datetime) -> JournalTransaction:
        """The correcting transaction: every posting negated, referencing this one."""
        return JournalTransaction.record(
            source_type=SourceType.REVERSAL,
            source_id=self.id,
            occurred_on=occurred_on,
            description=reversal_description(self.description, reason),
            postings=[Posting(p.account_id, p.basis, -p.amount) for p in self.postings],
            now=now,
            reverses_id=self.id,
            member_id=self.member_id,
            recorded_by=by,
        )


def reversal_description(description: str, reason: str) -> str:
    """How a reversal reads: what it reverses, and why (an admin's reason, or the import that replaced it)."""
    return f"Reversal of {description}: {reason}"


def ensure_balanced(postings: list[Posting]) -> None:
    if not postings:
        raise UnbalancedTransaction("A journal transaction needs at least one posting.")
    totals: dict[Basis, Decimal] = defaultdict(lambda: ZERO)
    for posting in postings:
        totals[Basis(posting.basis)] += posting.amount
    unbalanced = {basis.value: str(total) for basis, total in totals.items() if total != ZERO}
    if unbalanced:
        raise UnbalancedTransaction(f"Postings do not balance: {unbalanced}.")
