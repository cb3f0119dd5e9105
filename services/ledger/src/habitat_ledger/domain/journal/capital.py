"""A member's capital account as the sum of its postings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from habitat_ledger.domain.money import ZERO


@dataclass(frozen=True)
class CapitalBalance:
    """Credit balances are shown positive: a member who contributed 500.00 has 500.00."""

    member_id: uuid.UUID
    book_balance: Decimal
    tax_balance: Decimal
    as_of: date

    @classmethod
    def from_posting_sums(
        cls, member_id: uuid.UUID, book_sum: Decimal | None, tax_sum: Decimal | None, as_of: date
    ) -> CapitalBalance:
        """Postings are signed debit-positive; capital is a credit account, so the sign flips."""
        return cls(member_id, ZERO - (book_sum or ZERO), ZERO - (tax_sum or ZERO), as_of)
