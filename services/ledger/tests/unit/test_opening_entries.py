"""Opening entries of the capital accounts import: what a balance posts, and how a replaced one is reversed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_ledger.domain.journal.opening_balance import (
    CurrentOpening,
    OpeningBalance,
    OpeningChange,
    opening_entries,
    source_id,
)
from habitat_ledger.domain.journal.transactions import Basis


class TestOpeningEntries:
    NOW = datetime(2026, 1, 5, tzinfo=UTC)

    def test_a_new_balance_credits_capital_against_opening_equity_skipping_zero(self):
        member, import_id = uuid.uuid4(), uuid.uuid4()
        wanted = OpeningBalance(member, Decimal("-20.50"), Decimal("0.00"), date(2025, 12, 31), "from the old books")
        reversals, openings = opening_entries([OpeningChange(wanted, None, True)], import_id, by=None, now=self.NOW)
        assert len(reversals) == 0 and len(openings) == 1
        assert openings.source_ids == [source_id(member, import_id, first_ever=True)] == [source_id(member, uuid.uuid4(), first_ever=True)]
        assert list(zip(openings.posting_account, openings.posting_basis, openings.posting_amount, strict=True)) == [
            ("coop:opening_equity", Basis.BOOK, Decimal("-20.50")), (f"member:{member}:capital", Basis.BOOK, Decimal("20.50"))]
        assert openings.descriptions == ["Opening balance carried from the previous system: from the old books"]

    def test_a_replaced_balance_is_reversed_on_its_own_date_first(self):
        member, import_id, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        first = OpeningBalance(member, Decimal("100.00"), Decimal("80.00"), date(2025, 12, 31))
        current = CurrentOpening(old, date(2025, 12, 31), "Opening balance carried from the previous system", first.legs())
        wanted = OpeningBalance(member, Decimal("0.00"), Decimal("0.00"), date(2025, 12, 31))
        reversals, openings = opening_entries([OpeningChange(wanted, current, False)], import_id, by=None, now=self.NOW)
        assert (reversals.reverses_ids, reversals.source_ids, reversals.occurred_on) == ([old], [old], [date(2025, 12, 31)])
        assert reversals.posting_amount == [-leg.amount for leg in first.legs()]
        assert len(openings) == 0  # a zero balance posts nothing
        assert openings.recorded_at > reversals.recorded_at
