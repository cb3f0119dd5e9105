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
            description=f"Reversal of {self.description}: {reason}",
            postings=[Posting(p.account_id, p.basis, -p.amount) for p in self.postings],
            now=now,
            reverses_id=self.id,
            member_id=self.member_id,
            recorded_by=by,
        )


@dataclass(frozen=True)
class JournalBatch:
    """Many transactions of one source, held as columns: an allocation posts 10,000 at once.

    Transaction i is ids[i], of member member_ids[i]; posting j belongs to transaction
    posting_transaction[j] and names its account by code. accounts are every account named.
    """

    source_type: SourceType
    source_id: uuid.UUID
    occurred_on: date
    description: str
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    ids: list[uuid.UUID]
    member_ids: list[uuid.UUID | None]
    accounts: list[AccountRef]
    posting_transaction: list[uuid.UUID]
    posting_account: list[str]
    posting_basis: list[Basis]
    posting_amount: list[Decimal]

    def __post_init__(self) -> None:
        """Refused unless each transaction has postings that balance on each basis."""
        totals: dict[uuid.UUID, dict[Basis, Decimal]] = {tx: defaultdict(lambda: ZERO) for tx in self.ids}
        for tx, basis, amount in zip(self.posting_transaction, self.posting_basis, self.posting_amount, strict=True):
            totals[tx][basis] += amount
        for tx, by_basis in totals.items():
            if not by_basis or any(total != ZERO for total in by_basis.values()):
                raise UnbalancedTransaction(f"Postings of transaction {tx} do not balance: {dict(by_basis)}.")

    def transactions(self, account_ids: dict[str, uuid.UUID]) -> list[JournalTransaction]:
        """The same transactions as objects, accounts resolved by code (for in-memory stores)."""
        postings: dict[uuid.UUID, list[Posting]] = defaultdict(list)
        columns = (self.posting_transaction, self.posting_account, self.posting_basis, self.posting_amount)
        for tx, code, basis, amount in zip(*columns, strict=True):
            postings[tx].append(Posting(account_ids[code], basis, amount))
        return [
            JournalTransaction(
                id=tx, source_type=self.source_type, source_id=self.source_id, occurred_on=self.occurred_on,
                description=self.description, recorded_at=self.recorded_at, postings=postings[tx],
                member_id=member_id, recorded_by=self.recorded_by,
            )
            for tx, member_id in zip(self.ids, self.member_ids, strict=True)
        ]


def ensure_balanced(postings: list[Posting]) -> None:
    if not postings:
        raise UnbalancedTransaction("A journal transaction needs at least one posting.")
    totals: dict[Basis, Decimal] = defaultdict(lambda: ZERO)
    for posting in postings:
        totals[Basis(posting.basis)] += posting.amount
    unbalanced = {basis.value: str(total) for basis, total in totals.items() if total != ZERO}
    if unbalanced:
        raise UnbalancedTransaction(f"Postings do not balance: {unbalanced}.")
