"""Losses and separate tax results (PRODUCT.md rule 9): properties over random members and results,
the edges, the calculation record and its hash, and the close run against fakes."""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habitat_ledger.domain.close.allocation import Weights, allocate, apportion, explain
from habitat_ledger.domain.close.allocation_posting import allocation_description
from habitat_ledger.domain.close.proposal import (
    AllocationRow,
    PatronageSnapshot,
    canonical_inputs,
    content_hash,
    rows_of,
)
from habitat_ledger.domain.commands import ProposeAllocation, RecordSeal
from habitat_ledger.domain.errors import LossHasNoCashPortion, NoPatronage
from habitat_ledger.service_layer.close.allocations import approve_allocation, propose_allocation
from habitat_ledger.service_layer.close.closing import record_seal, start_close
from habitat_ledger.service_layer.close.drafts import draft_allocation
from habitat_ledger.service_layer.close.posting import post_allocation
from habitat_ledger.service_layer.exports.statements import allocation_statement
from habitat_ledger.service_layer.journal.capital import get_capital_account
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.fakes import FakeUnitOfWork
from tests.ledger_builders import DEFAULT_PERIOD_ID, book_command

CENT = Decimal("0.01")
TYPES = ["labor", "capital", "property"]
members = st.lists(st.uuids(version=4), min_size=1, max_size=12, unique=True)
values = st.decimals(min_value=Decimal("-500.00"), max_value=Decimal("20000.00"), places=2)
weights = st.builds(Weights, *(st.decimals(min_value=Decimal(0), max_value=Decimal(3), places=2) for _ in range(3)))
losses = st.decimals(min_value=Decimal("-1000000.00"), max_value=Decimal("-0.01"), places=2)
results = st.decimals(min_value=Decimal("-1000000.00"), max_value=Decimal("1000000.00"), places=2)


@st.composite
def contributions(draw):
    """Contributions of random members and types, with at least one member of positive patronage."""
    ids = draw(members)
    entries = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(TYPES), values), max_size=40))
    return [(ids[0], "labor", draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2))),
            *entries]


def allocate_or_none(result, w, entries, tax=None):
    try:
        return allocate(result, w, entries, tax)
    except NoPatronage:
        return None


def exact_shares(result, amount):
    positive = {line.member_id: Fraction(line.weighted) for line in result.lines if line.weighted > 0}
    total = sum(positive.values())
    return {m: Fraction(amount) * w / total for m, w in positive.items()}


class TestLossProperties:
    @settings(max_examples=300, deadline=None)
    @given(contributions(), weights, losses)
    def test_rows_sum_to_the_loss_each_at_most_zero_in_cents_within_a_cent(self, entries, w, loss):
        result = allocate_or_none(loss, w, entries)
        if result is None:  # weights of 0 can leave nobody with positive patronage
            return
        assert result.allocated_total == loss
        exact = exact_shares(result, loss)
        for line in result.lines:
            assert line.allocation <= 0
            assert line.allocation == line.allocation.quantize(CENT)
            assert line.allocation.as_tuple().exponent == -2 and str(line.allocation) != "-0.00"
            if line.weighted <= 0:
                assert line.allocation == 0
            else:
                assert abs(Fraction(line.allocation) - exact[line.member_id]) < Fraction(1, 100)

    @settings(max_examples=200, deadline=None)
    @given(contributions(), weights, losses)
    def test_a_loss_is_the_negated_allocation_of_its_absolute_amount(self, entries, w, loss):
        result = allocate_or_none(loss, w, entries)
        if result is None:
            return
        surplus = allocate(-loss, w, entries)
        assert [(line.member_id, -line.allocation) for line in result.lines] == [
            (line.member_id, line.allocation) for line in surplus.lines
        ]
        assert [line.share for line in result.lines] == [line.share for line in surplus.lines]
        # largest remainder on the absolute amount, ties by member id
        positive = {line.member_id: -line.allocation for line in result.lines if line.weighted > 0}
        assert positive == apportion(exact_shares(result, -loss), -loss)

    @settings(max_examples=150, deadline=None)
    @given(contributions(), weights, losses, results, st.randoms(use_true_random=False))
    def test_input_order_does_not_matter(self, entries, w, loss, tax, rnd):
        shuffled = list(entries)
        rnd.shuffle(shuffled)
        assert allocate_or_none(loss, w, shuffled, tax) == allocate_or_none(loss, w, entries, tax)

    @settings(max_examples=300, deadline=None)
    @given(contributions(), weights, results, results)
    def test_book_and_tax_are_each_exact_by_the_same_shares(self, entries, w, book, tax):
        result = allocate_or_none(book, w, entries, tax)
        if result is None:
            return
        assert (result.surplus, result.tax_surplus) == (book, tax)
        assert result.allocated_total == book and result.tax_allocated_total == tax
        alone = allocate(tax, w, entries)  # the tax basis apportioned on its own
        assert [line.tax_allocation for line in result.lines] == [line.allocation for line in alone.lines]
        for line in result.lines:
            assert line.tax_allocation == line.tax_allocation.quantize(CENT)
            assert line.tax_allocation * tax >= 0  # same sign as its result (or zero)

    @settings(max_examples=100, deadline=None)
    @given(contributions(), weights, results)
    def test_without_a_tax_result_tax_equals_book(self, entries, w, book):
        result = allocate_or_none(book, w, entries)
        if result is None:
            return
        assert result.tax_surplus == book
        assert all(line.tax_allocation == line.allocation for line in result.lines)


class TestLossEdges:
    def test_zero_gives_zero_rows(self):
        result = allocate(Decimal("0.00"), Weights(), [(uuid.UUID(int=i), "labor", Decimal(10)) for i in (1, 2)])
        assert [str(line.allocation) for line in result.lines] == ["0.00", "0.00"]

    def test_one_cent_of_loss_goes_to_the_largest_remainder(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        result = allocate(Decimal("-0.01"), Weights(), [(a, "labor", Decimal(10)), (b, "labor", Decimal(30))])
        assert [(line.member_id, str(line.allocation)) for line in result.lines] == [(a, "0.00"), (b, "-0.01")]

    def test_a_loss_of_fewer_cents_than_members_charges_the_smallest_ids_on_ties(self):
        ids = [uuid.UUID(int=i) for i in range(1, 8)]
        result = allocate(Decimal("-0.05"), Weights(), [(m, "capital", Decimal("3.00")) for m in reversed(ids)])
        assert [str(line.allocation) for line in result.lines] == ["-0.01"] * 5 + ["0.00"] * 2
        assert [line.member_id for line in result.lines] == ids

    def test_one_member_bears_the_whole_loss(self):
        [line] = allocate(Decimal("-1234.56"), Weights(), [(uuid.uuid4(), "property", Decimal("7.00"))]).lines
        assert (line.allocation, line.share) == (Decimal("-1234.56"), Decimal("1.0000000000"))

    def test_ties_split_evenly_extra_cents_to_smallest_ids(self):
        ids = [uuid.UUID(int=i) for i in (3, 1, 2)]
        result = allocate(Decimal("-1.00"), Weights(), [(m, "labor", Decimal("5.00")) for m in ids])
        assert [(line.member_id.int, line.allocation) for line in result.lines] == [
            (1, Decimal("-0.34")), (2, Decimal("-0.33")), (3, Decimal("-0.33")),
        ]

    def test_members_without_positive_patronage_bear_none_of_the_loss(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        result = allocate(Decimal("-90.00"), Weights(),
                          [(a, "labor", Decimal("10.00")), (b, "labor", Decimal("5.00")), (b, "labor", Decimal("-5.00"))])
        assert [line.allocation for line in result.lines] == [Decimal("-90.00"), Decimal("0.00")]

    def test_the_explanation_names_the_loss(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        result = allocate(Decimal("-1000.00"), Weights(), [(a, "labor", Decimal(100)), (b, "labor", Decimal(300))])
        assert explain(result.lines[0], result).endswith("so of a loss of 1000.00 your share is -250.00.")

    def test_the_explanation_gives_the_tax_share_when_it_differs(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        result = allocate(Decimal("-1000.00"), Weights(), [(a, "labor", Decimal(100)), (b, "labor", Decimal(300))],
                          Decimal("-800.00"))
        assert explain(result.lines[0], result).endswith(
            "so of a loss of 1000.00 your share is -250.00; on the tax basis, of a loss of 800.00 your share is -200.00."
        )


class TestLossRecord:
    def test_a_loss_with_a_cash_portion_is_refused(self):
        result = allocate(Decimal("-100.00"), Weights(), [(uuid.uuid4(), "labor", Decimal(1))])
        with pytest.raises(LossHasNoCashPortion, match="cash portion must be 0"):
            rows_of(result, Decimal(10))

    def test_a_loss_is_all_retained(self):
        result = allocate(Decimal("-100.00"), Weights(), [(uuid.UUID(int=1), "labor", Decimal(1)),
                                                           (uuid.UUID(int=2), "labor", Decimal(3))],
                          Decimal("-60.00"))
        rows = rows_of(result, Decimal(0))
        assert [(str(r.allocation), str(r.cash_portion_amount), str(r.retained_amount), str(r.tax_allocation))
                for r in rows] == [("-25.00", "0.00", "-25.00", "-15.00"), ("-75.00", "0.00", "-75.00", "-45.00")]

    def test_a_record_without_a_separate_tax_result_hashes_as_before(self):
        # the document exactly as content_hash() wrote it before tax results could differ
        inputs = canonical_inputs(Decimal("10.00"), Weights(), Decimal(0), Decimal("10.00"))
        snapshot = PatronageSnapshot(7, 1, {}, "ab" * 32)
        row = AllocationRow(uuid.UUID(int=1), Decimal(5), Decimal("1.0000000000"), Decimal("10.00"),
                            Decimal("0.00"), Decimal("10.00"), Decimal("10.00"))
        before = (
            '{"contributions":{"groups_sha256":"' + "ab" * 32 + '","through_seq":7},'
            '"inputs":{"cash_portion":"0.00","surplus":"10.00","weights":{"capital":"0.50","labor":"1.00",'
            '"property":"0.50"}},"rows":[{"allocation":"10.00","cash_portion_amount":"0.00",'
            '"member_id":"00000000-0000-0000-0000-000000000001","retained_amount":"10.00",'
            '"share":"1.0000000000","weighted_patronage":"5.00"}]}'
        )
        assert content_hash(inputs, snapshot, [row]) == hashlib.sha256(before.encode()).hexdigest()

    def test_a_separate_tax_result_is_hashed_with_each_tax_allocation(self):
        inputs = canonical_inputs(Decimal("-10.00"), Weights(), Decimal(0), Decimal("-8.00"))
        assert inputs["tax_surplus"] == "-8.00"
        snapshot = PatronageSnapshot(7, 1, {}, "ab" * 32)
        row = AllocationRow(uuid.UUID(int=1), Decimal(5), Decimal("1.0000000000"), Decimal("-10.00"),
                            Decimal("0.00"), Decimal("-10.00"), Decimal("-8.00"))
        document = {"contributions": snapshot.canonical(), "inputs": inputs,
                    "rows": [row.canonical(with_tax=True)]}
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        assert '"tax_allocation":"-8.00"' in text and '"tax_surplus":"-8.00"' in text
        assert content_hash(inputs, snapshot, [row]) == hashlib.sha256(text.encode()).hexdigest()
        other = AllocationRow(*[getattr(row, f) for f in AllocationRow.__dataclass_fields__][:-1], Decimal("-7.99"))
        assert content_hash(inputs, snapshot, [other]) != content_hash(inputs, snapshot, [row])

    @pytest.mark.parametrize(("book", "tax", "described"), [
        ("-5.00", "-5.00", "Allocation of the 2026-Q1 loss"),
        ("5.00", "5.00", "Allocation of the 2026-Q1 surplus"),
        ("0.00", "0.00", "Allocation of the 2026-Q1 surplus"),
        ("5.00", "-1.00", "Allocation of the 2026-Q1 surplus (a loss on the tax basis)"),
        ("-5.00", "1.00", "Allocation of the 2026-Q1 loss (a surplus on the tax basis)"),
    ])
    def test_the_journal_describes_a_loss_as_a_loss(self, book, tax, described):
        record = type("Record", (), {"surplus": Decimal(book), "tax_surplus": Decimal(tax)})()
        assert allocation_description("2026-Q1", record) == described


A, B = uuid.UUID(int=1), uuid.UUID(int=2)
ADMIN, OTHER = uuid.uuid4(), uuid.uuid4()


async def closing_and_sealed(*entries: tuple[uuid.UUID, str, str]) -> FakeUnitOfWork:
    """A closing period with these approved contributions, sealed with the ledger's own totals."""
    uow = FakeUnitOfWork().with_period()
    for member, type_, value in entries:
        await book_contribution(book_command(type=type_, book=value, value=value, member_id=member), uow)
    await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
    totals: dict[uuid.UUID, tuple[int, Decimal]] = {}
    for p in uow.patronage.of(DEFAULT_PERIOD_ID):
        count, value = totals.get(p.member_id, (0, Decimal("0.00")))
        totals[p.member_id] = (count + 1, value + p.value)
    await record_seal(RecordSeal(DEFAULT_PERIOD_ID, totals, 0, Decimal("0.00"), 0), uow)
    return uow


def loss_proposal(book="-1000.00", tax=None, cash="0", by=ADMIN) -> ProposeAllocation:
    weights = {"labor": Decimal("1.0"), "capital": Decimal("0.5"), "property": Decimal("0.5")}
    return ProposeAllocation(DEFAULT_PERIOD_ID, Decimal(book), weights, Decimal(cash), by,
                             tax_surplus=None if tax is None else Decimal(tax))


class TestLossClose:
    async def test_a_loss_with_a_cash_portion_is_refused_before_anything_is_stored(self):
        uow = await closing_and_sealed((A, "labor", "100.00"))
        with pytest.raises(LossHasNoCashPortion):
            await propose_allocation(loss_proposal(cash="10"), uow, approvals_required=2)
        assert uow.allocations.rows == {}

    async def test_proposed_approved_posted_both_bases_go_negative_by_their_own_allocation(self):
        uow = await closing_and_sealed((A, "labor", "100.00"), (B, "labor", "300.00"))
        record = await propose_allocation(loss_proposal("-1000.00", "-800.01"), uow, approvals_required=2)
        assert [(r.allocation, r.tax_allocation, r.cash_portion_amount) for r in record.rows] == [
            (Decimal("-250.00"), Decimal("-200.00"), Decimal("0.00")),
            (Decimal("-750.00"), Decimal("-600.01"), Decimal("0.00")),
        ]
        assert record.inputs["tax_surplus"] == "-800.01"
        for approver in (ADMIN, OTHER):
            await approve_allocation(record.id, approver, uow)
        await post_allocation(record.id, ADMIN, uow)
        await post_allocation(record.id, ADMIN, uow)  # twice is safe
        a = await get_capital_account(A, uow)
        b = await get_capital_account(B, uow)
        assert (a.book_balance, a.tax_balance) == (Decimal("-250.00"), Decimal("-200.00"))
        assert (b.book_balance, b.tax_balance) == (Decimal("-750.00"), Decimal("-600.01"))
        assert list(uow.distributions.rows.values()) == []
        statement = await allocation_statement(record.id, A, uow)
        assert statement.lines[0].startswith("For period ") and "allocated a loss of 1000.00" in statement.lines[0]
        assert "Your tax-basis allocation is -200.00." in statement.lines
        assert any("none of it is paid in cash" in line for line in statement.lines)

    async def test_a_draft_of_a_loss_before_any_patronage_has_no_rows_but_both_results(self):
        draft = await draft_allocation(DEFAULT_PERIOD_ID, Decimal("-5.00"), Weights(), FakeUnitOfWork().with_period(),
                                       Decimal("-4.00"))
        assert (draft.result.surplus, draft.result.tax_surplus, draft.result.lines) == (
            Decimal("-5.00"), Decimal("-4.00"), (),
        )
