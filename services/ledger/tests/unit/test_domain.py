"""The pure domain: periods, money, balanced transactions, how contributions reach capital."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from habitat_ledger.domain.close.proposal import (
    AllocationRow,
    ContributionGroup,
    PatronageSnapshot,
    content_hash,
    groups_sha256,
)
from habitat_ledger.domain.errors import InvalidPeriod, UnbalancedTransaction
from habitat_ledger.domain.journal.capital import CapitalBalance
from habitat_ledger.domain.journal.contribution import capital_legs
from habitat_ledger.domain.journal.journal_rows import JournalRows
from habitat_ledger.domain.journal.transactions import (
    AccountKind,
    AccountRef,
    Basis,
    JournalTransaction,
    Leg,
    Posting,
    SourceType,
)
from habitat_ledger.domain.money import money
from habitat_ledger.domain.periods.period import Period, PeriodStatus
from tests.ledger_builders import book_command

NOW = datetime(2026, 1, 1, tzinfo=UTC)
amounts = st.decimals(min_value=Decimal("-999999.99"), max_value=Decimal("999999.99"), places=2)


def period(
    name: str = "2026-Q1", starts_on: date = date(2026, 1, 1), ends_on: date = date(2026, 3, 31)
) -> Period:
    return Period.open(name=name, starts_on=starts_on, ends_on=ends_on, created_by=uuid.uuid4(), now=NOW)


class TestOpenPeriod:
    def test_a_new_period_is_open(self):
        opened = period(" 2026-Q1 ")
        assert (opened.name, opened.status) == ("2026-Q1", PeriodStatus.OPEN)

    def test_a_period_cannot_end_before_it_starts(self):
        with pytest.raises(InvalidPeriod):
            period(starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 31))

    def test_a_one_day_period_is_allowed(self):
        day = date(2026, 1, 1)
        assert period(starts_on=day, ends_on=day).contains(day)

    def test_blank_name_is_refused(self):
        with pytest.raises(InvalidPeriod):
            period("  ")

    def test_overlap_is_inclusive_of_both_ends(self):
        q1 = period()
        assert q1.overlaps(date(2026, 3, 31), date(2026, 6, 30))
        assert not q1.overlaps(date(2026, 4, 1), date(2026, 6, 30))


class TestMoney:
    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            money(0.1)  # type: ignore[arg-type]

    def test_sub_cent_amounts_are_refused(self):
        with pytest.raises(ValueError):
            money(Decimal("0.001"))

    def test_amounts_have_two_places(self):
        assert str(money("5")) == "5.00"


class TestRecordTransaction:
    def posting(self, basis: Basis, amount: str) -> Posting:
        return Posting(uuid.uuid4(), basis, Decimal(amount))

    def record(self, postings: list[Posting]) -> JournalTransaction:
        return JournalTransaction.record(
            source_type=SourceType.CONTRIBUTION,
            source_id=uuid.uuid4(),
            occurred_on=date(2026, 1, 5),
            description="t",
            postings=postings,
            now=NOW,
        )

    def test_balanced_on_each_basis_is_recorded(self):
        postings = [
            self.posting(Basis.BOOK, "10.00"),
            self.posting(Basis.BOOK, "-10.00"),
            self.posting(Basis.TAX, "6.00"),
            self.posting(Basis.TAX, "-6.00"),
        ]
        assert len(self.record(postings).postings) == 4

    def test_balancing_across_bases_is_not_enough(self):
        with pytest.raises(UnbalancedTransaction):
            self.record([self.posting(Basis.BOOK, "10.00"), self.posting(Basis.TAX, "-10.00")])

    def test_a_transaction_without_postings_is_refused(self):
        with pytest.raises(UnbalancedTransaction):
            self.record([])


class TestJournalRows:
    def legs(self, *amounts: tuple[Basis, str]) -> list[Leg]:
        accounts = (AccountRef.coop_cash(), AccountRef.member_capital(uuid.UUID(int=1)))
        return [Leg(accounts[i % 2], basis, Decimal(amount)) for i, (basis, amount) in enumerate(amounts)]

    def test_balanced_transactions_are_held_as_columns(self):
        rows = JournalRows(recorded_at=NOW)
        first = rows.add(source_type=SourceType.CONTRIBUTION, source_id=uuid.UUID(int=7), occurred_on=date(2026, 1, 2),
                         description="one", legs=self.legs((Basis.BOOK, "5.00"), (Basis.BOOK, "-5.00")))
        rows.add(source_type=SourceType.CONTRIBUTION, source_id=uuid.UUID(int=8), occurred_on=date(2026, 1, 3),
                 description="two", legs=self.legs((Basis.TAX, "1.50"), (Basis.TAX, "-1.50")))
        assert (len(rows), rows.posting_transaction[:2], rows.posting_basis) == (
            2, [first, first], ["book", "book", "tax", "tax"])
        assert rows.posting_amount == [Decimal("5.00"), Decimal("-5.00"), Decimal("1.50"), Decimal("-1.50")]
        assert set(rows.accounts) == {"coop:cash", f"member:{uuid.UUID(int=1)}:capital"}

    @pytest.mark.parametrize("amounts", [
        ((Basis.BOOK, "5.00"), (Basis.TAX, "-5.00")),
        ((Basis.BOOK, "5.00"), (Basis.BOOK, "-4.99")),
        (),
    ])
    def test_an_unbalanced_transaction_is_refused_and_nothing_is_held(self, amounts):
        rows = JournalRows(recorded_at=NOW)
        with pytest.raises(UnbalancedTransaction):
            rows.add(source_type=SourceType.CONTRIBUTION, source_id=uuid.UUID(int=7), occurred_on=date(2026, 1, 2),
                     description="bad", legs=self.legs(*amounts))
        assert (len(rows), rows.posting_amount) == (0, [])


class TestCapitalLegs:
    def sums(self, legs, kind: AccountKind) -> dict[Basis, Decimal]:
        return {
            b: sum((l.amount for l in legs if l.basis == b and l.account.kind == kind), Decimal(0))
            for b in Basis
        }

    def test_cash_credits_capital_at_face_value_on_both_bases(self):
        legs = capital_legs(book_command(type="capital", book="500.00"))
        assert self.sums(legs, AccountKind.MEMBER_CAPITAL) == {
            Basis.BOOK: Decimal("-500.00"),
            Basis.TAX: Decimal("-500.00"),
        }
        assert self.sums(legs, AccountKind.COOP_CASH) == {
            Basis.BOOK: Decimal("500.00"),
            Basis.TAX: Decimal("500.00"),
        }

    def test_property_is_fmv_on_book_and_adjusted_basis_on_tax(self):
        legs = capital_legs(book_command(type="property", book="1000.00", tax="600.00"))
        assert self.sums(legs, AccountKind.MEMBER_CAPITAL) == {
            Basis.BOOK: Decimal("-1000.00"),
            Basis.TAX: Decimal("-600.00"),
        }
        assert self.sums(legs, AccountKind.COOP_PROPERTY) == {
            Basis.BOOK: Decimal("1000.00"),
            Basis.TAX: Decimal("600.00"),
        }

    def test_labor_never_reaches_capital(self):
        assert capital_legs(book_command(type="labor", value="800.00")) == []
        # even when the event carries capital amounts (the builder would zero them)
        command = dataclasses.replace(
            book_command(type="labor", value="800.00"), book_amount=Decimal("800.00"), tax_amount=Decimal("500.00")
        )
        assert capital_legs(command) == []

    def test_property_with_zero_tax_basis_posts_book_only(self):
        legs = capital_legs(book_command(type="property", book="300.00", tax="0.00"))
        assert {l.basis for l in legs} == {Basis.BOOK}

    @given(book=amounts, tax=amounts, kind=st.sampled_from(["capital", "property"]))
    def test_legs_always_balance_per_basis(self, book, tax, kind):
        legs = capital_legs(book_command(type=kind, book=str(book), tax=str(tax)))
        for basis in Basis:
            assert sum((l.amount for l in legs if l.basis == basis), Decimal(0)) == 0


class TestCapitalBalance:
    def test_credit_balances_show_positive(self):
        balance = CapitalBalance.from_posting_sums(uuid.uuid4(), Decimal("-500.00"), None, date(2026, 1, 1))
        assert (balance.book_balance, balance.tax_balance) == (Decimal("500.00"), Decimal("0.00"))


class TestContentHash:
    def test_the_hash_is_sha256_of_the_documented_document(self):
        inputs, snapshot = {"surplus": "10.00"}, PatronageSnapshot(7, 0, {}, "ab" * 32)
        document = json.dumps({"contributions": {"through_seq": 7, "groups_sha256": "ab" * 32}, "inputs": inputs,
                               "rows": []}, sort_keys=True, separators=(",", ":"))
        assert content_hash(inputs, snapshot, []) == hashlib.sha256(document.encode()).hexdigest()

    def test_rows_are_hashed_with_sorted_keys(self):
        inputs, snapshot = {"surplus": "10.00"}, PatronageSnapshot(7, 3, {}, "cd" * 32)
        rows = [
            AllocationRow(uuid.UUID(int=1), Decimal("7.500"), Decimal("0.7500000000"), Decimal("7.50"),
                          Decimal("2.25"), Decimal("5.25")),
            AllocationRow(uuid.UUID(int=2), Decimal(-1), Decimal("0E-10"), Decimal("0.00"), Decimal("0.00"),
                          Decimal("0.00")),
        ]
        document = {"contributions": snapshot.canonical(), "inputs": inputs, "rows": [r.canonical() for r in rows]}
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        assert '"weighted_patronage":"7.50"' in text and '"share":"0E-10"' in text
        assert content_hash(inputs, snapshot, rows) == hashlib.sha256(text.encode()).hexdigest()

    def test_the_groups_fingerprint_is_sha256_of_their_sorted_lines(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        groups = [ContributionGroup(b, "labor", 1, Decimal("1.00"), 5),
                  ContributionGroup(a, "property", 2, Decimal("-3.50"), 9),
                  ContributionGroup(a, "capital", 1, Decimal("2.00"), 7)]
        lines = f"{a}\tcapital\t1\t2.00\t7\n{a}\tproperty\t2\t-3.50\t9\n{b}\tlabor\t1\t1.00\t5\n"
        assert groups_sha256(groups) == hashlib.sha256(lines.encode()).hexdigest()

    @given(st.lists(st.tuples(st.uuids(), st.sampled_from(["labor", "capital", "property"])), unique=True, max_size=8))
    def test_the_order_groups_arrive_in_does_not_matter(self, keys):
        groups = [ContributionGroup(m, t, 1, Decimal("1.00"), i) for i, (m, t) in enumerate(keys)]
        assert groups_sha256(groups) == groups_sha256(list(reversed(groups)))

    def test_any_changed_contribution_changes_the_fingerprint(self):
        member = uuid.uuid4()
        base = groups_sha256([ContributionGroup(member, "labor", 1, Decimal("1.00"), 99)])
        assert base != groups_sha256([ContributionGroup(member, "labor", 1, Decimal("1.00"), 98)])
        assert base != groups_sha256([ContributionGroup(member, "labor", 1, Decimal("1.01"), 99)])
