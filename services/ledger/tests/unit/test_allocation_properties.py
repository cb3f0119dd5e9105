"""The allocation algorithm, proved by properties over random members, contributions and surpluses."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habitat_ledger.domain.close.allocation import Weights, allocate, apportion, explain, split_cash
from habitat_ledger.domain.errors import InvalidAllocationInput, NoPatronage

CENT = Fraction(1, 100)
members = st.lists(st.uuids(version=4), min_size=1, max_size=12, unique=True)
values = st.decimals(min_value=Decimal("-500.00"), max_value=Decimal("20000.00"), places=2)
weights = st.builds(
    Weights,
    *(st.decimals(min_value=Decimal(0), max_value=Decimal(3), places=2) for _ in range(3)),
)
surpluses = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("1000000.00"), places=2)


@st.composite
def contributions(draw):
    """Contributions of random members and types, including negative corrections."""
    ids = draw(members)
    entries = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(["labor", "capital", "property"]), values), min_size=1, max_size=40)
    )
    return entries


def exact_shares(result):
    positive = {line.member_id: Fraction(line.weighted) for line in result.lines if line.weighted > 0}
    total = sum(positive.values())
    return {m: Fraction(result.surplus) * w / total for m, w in positive.items()}


class TestAllocationProperties:
    @settings(max_examples=300, deadline=None)
    @given(contributions(), weights, surpluses)
    def test_sum_is_the_surplus_each_non_negative_within_a_cent_deterministic(self, entries, w, surplus):
        try:
            result = allocate(surplus, w, entries)
        except NoPatronage:
            weighted = {}
            for m, t, v in entries:
                weighted[m] = weighted.get(m, 0) + v * w.of(t)
            assert all(total <= 0 for total in weighted.values())
            return
        assert result.allocated_total == surplus
        exact = exact_shares(result)
        for line in result.lines:
            assert line.allocation >= 0
            assert line.allocation == line.allocation.quantize(Decimal("0.01"))
            if line.weighted <= 0:
                assert line.allocation == 0 and line.share == 0
            else:
                assert abs(Fraction(line.allocation) - exact[line.member_id]) < CENT
        # the integer arithmetic gives exactly the largest-remainder rounding of the exact fractions
        assert {line.member_id: line.allocation for line in result.lines if line.weighted > 0} == apportion(exact, surplus)
        assert allocate(surplus, w, entries) == result

    @settings(max_examples=150, deadline=None)
    @given(contributions(), weights, surpluses, st.randoms(use_true_random=False))
    def test_order_of_contributions_does_not_matter(self, entries, w, surplus, rnd):
        shuffled = list(entries)
        rnd.shuffle(shuffled)
        try:
            first = allocate(surplus, w, entries)
        except NoPatronage:
            with pytest.raises(NoPatronage):
                allocate(surplus, w, shuffled)
            return
        assert allocate(surplus, w, shuffled) == first

    @settings(max_examples=100, deadline=None)
    @given(st.uuids(version=4), st.sampled_from(["labor", "capital", "property"]),
           st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2), surpluses)
    def test_one_member_gets_everything(self, member, type_, value, surplus):
        result = allocate(surplus, Weights(Decimal(1), Decimal(1), Decimal(1)), [(member, type_, value)])
        [line] = result.lines
        assert (line.allocation, line.share) == (surplus, Decimal("1.0000000000"))

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.uuids(version=4), min_size=2, max_size=9, unique=True),
           st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2))
    def test_ties_give_leftover_cents_to_the_smallest_member_ids(self, ids, surplus):
        result = allocate(surplus, Weights(), [(m, "labor", Decimal("10.00")) for m in ids])
        by_id = sorted(result.lines, key=lambda line: str(line.member_id))
        amounts = [line.allocation for line in by_id]
        assert amounts == sorted(amounts, reverse=True)  # extra cents go first to the smallest ids
        assert max(amounts) - min(amounts) <= Decimal("0.01")

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.uuids(version=4), st.decimals(min_value=Decimal(0), max_value=Decimal(50000), places=2),
                           min_size=1, max_size=10),
           st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2))
    def test_cash_split_sums_to_the_rounded_cash_total_and_never_exceeds_an_allocation(self, allocations, percent):
        cash = split_cash(allocations, percent)
        total = sum(allocations.values(), Decimal(0))
        assert sum(cash.values(), Decimal(0)) == (total * percent / 100).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        for member, amount in allocations.items():
            assert Decimal(0) <= cash[member] <= amount
            assert abs(Fraction(cash[member]) - Fraction(amount) * Fraction(percent) / 100) < CENT
        exact = {member: Fraction(amount) * Fraction(percent) / 100 for member, amount in allocations.items()}
        assert cash == apportion(exact, sum(cash.values(), Decimal(0)))


class TestAllocationExamples:
    def test_zero_total_patronage_is_refused(self):
        with pytest.raises(NoPatronage):
            allocate(Decimal("100.00"), Weights(), [(uuid.uuid4(), "labor", Decimal("0.00"))])

    def test_negative_member_is_excluded_from_the_denominator(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        result = allocate(
            Decimal("100.00"), Weights(),
            [(a, "labor", Decimal("100.00")), (b, "labor", Decimal("50.00")), (b, "labor", Decimal("-80.00"))],
        )
        assert [(line.member_id, line.allocation) for line in result.lines] == [(a, Decimal("100.00")), (b, Decimal("0.00"))]
        assert result.total_weighted == Decimal("100.00")

    def test_three_equal_members_split_a_dollar(self):
        ids = sorted((uuid.uuid4() for _ in range(3)), key=str)
        result = allocate(Decimal("1.00"), Weights(), [(m, "capital", Decimal("5.00")) for m in ids])
        assert [line.allocation for line in result.lines] == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
        assert result.lines[0].member_id == ids[0]

    def test_weights_apply_per_type(self):
        a, b = uuid.UUID(int=1), uuid.UUID(int=2)
        result = allocate(Decimal("1000.00"), Weights(), [(a, "labor", Decimal("1000.00")), (b, "capital", Decimal("2000.00"))])
        assert [line.allocation for line in result.lines] == [Decimal("500.00"), Decimal("500.00")]
        assert "labor 1000.00, weighted 1000.00 × 1.00 = 1000.00 of 2000.00 total weighted patronage (50.00%)" in explain(result.lines[0], result)
        assert explain(result.lines[0], result).endswith("so of a surplus of 1000.00 your share is 500.00.")

    @pytest.mark.parametrize("surplus", [Decimal("1.001"), Decimal("-1.001"), Decimal("NaN"), Decimal("1E+15")])
    def test_bad_surplus_is_refused(self, surplus):
        with pytest.raises(InvalidAllocationInput):
            allocate(surplus, Weights(), [(uuid.uuid4(), "labor", Decimal("1.00"))])

    def test_weights_with_more_than_four_decimals_are_refused(self):
        with pytest.raises(InvalidAllocationInput):
            Weights(Decimal("0.00001"))

    def test_apportion_is_exact_for_many_members(self):
        rnd = random.Random(7)
        exact = {i: Fraction(rnd.randint(0, 10**6), 997) for i in range(1000)}
        target = Decimal(sum(exact.values()).__floor__()) + Decimal("0.00")
        shares = apportion(exact, target, tie_key=lambda i: f"{i:04d}")
        assert sum(shares.values()) == target
