"""Many journal transactions of different sources, held as columns for one set-based write.

Many sources (each contribution, each opening balance) with their own ids, dates and descriptions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from habitat_ledger.domain.errors import UnbalancedTransaction
from habitat_ledger.domain.journal.transactions import AccountRef, Basis, Leg, SourceType
from habitat_ledger.domain.money import ZERO, money


@dataclass
class JournalRows:
    """Transaction i is ids[i]; posting j belongs to transaction posting_transaction[j], its account by code."""

    recorded_at: datetime
    recorded_by: uuid.UUID | None = None
    ids: list[uuid.UUID] = field(default_factory=list)
    source_types: list[str] = field(default_factory=list)
    source_ids: list[uuid.UUID] = field(default_factory=list)
    occurred_on: list[date] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    member_ids: list[uuid.UUID | None] = field(default_factory=list)
    reverses_ids: list[uuid.UUID | None] = field(default_factory=list)
    accounts: dict[str, AccountRef] = field(default_factory=dict)
    posting_transaction: list[uuid.UUID] = field(default_factory=list)
    posting_account: list[str] = field(default_factory=list)
    posting_basis: list[str] = field(default_factory=list)
    posting_amount: list[Decimal] = field(default_factory=list)

    def add(
        self,
        *,
        source_type: SourceType,
        source_id: uuid.UUID,
        occurred_on: date,
        description: str,
        legs: list[Leg],
        member_id: uuid.UUID | None = None,
        reverses_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Append one transaction, refused unless its legs balance on each basis; returns its id."""
        amounts = [money(leg.amount) for leg in legs]
        bases = [str(Basis(leg.basis)) for leg in legs]
        totals: dict[str, Decimal] = {}
        for basis, amount in zip(bases, amounts, strict=True):
            totals[basis] = totals.get(basis, ZERO) + amount
        if not legs or any(total != ZERO for total in totals.values()):
            raise UnbalancedTransaction(f"Postings of {source_type} {source_id} do not balance: {totals}.")
        transaction_id = uuid.uuid4()
        self.ids.append(transaction_id)
        self.source_types.append(str(source_type))
        self.source_ids.append(source_id)
        self.occurred_on.append(occurred_on)
        self.descriptions.append(description)
        self.member_ids.append(member_id)
        self.reverses_ids.append(reverses_id)
        for leg in legs:
            self.accounts.setdefault(leg.account.code, leg.account)
            self.posting_account.append(leg.account.code)
        self.posting_transaction.extend([transaction_id] * len(legs))
        self.posting_basis.extend(bases)
        self.posting_amount.extend(amounts)
        return transaction_id

    def __len__(self) -> int:
        return len(self.ids)
