from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.valuation import RateCard, as_money, value_capital, value_labor, value_property

CARD = RateCard()
D = Decimal


class TestValueLabor:
    def test_hours_times_default_rate_is_patronage_only(self):
        hours, rate, valuation = value_labor(D("8"), None, CARD)
        assert (hours, rate) == (D("8.00"), D("100.00"))
        assert valuation.value == D("800.00")
        assert valuation.book_amount == valuation.tax_amount == D("0.00")

    def test_product_is_rounded_half_up_to_the_cent(self):
        # 11.265 -> 11.27: half-up, where banker's rounding would give 11.26
        assert value_labor(D("0.15"), D("75.10"), CARD)[2].value == D("11.27")
        assert value_labor(D("0.25"), D("75.10"), CARD)[2].value == D("18.78")  # 18.775 -> 18.78
        assert value_labor(D("1.33"), D("99.99"), CARD)[2].value == D("132.99")  # 132.9867

    @pytest.mark.parametrize("rate", ["75.00", "150.00", "75", "120.50"])
    def test_rate_within_the_range_is_accepted(self, rate):
        assert value_labor(D("1"), D(rate), CARD)[1] == D(rate)

    @pytest.mark.parametrize("rate", ["74.99", "150.01", "0", "-100"])
    def test_rate_outside_the_range_is_rejected(self, rate):
        with pytest.raises(InvalidContribution) as error:
            value_labor(D("1"), D(rate), CARD)
        assert error.value.code == "rate_out_of_range"

    def test_range_comes_from_the_rate_card(self):
        card = RateCard(default=D("40.00"), minimum=D("20.00"), maximum=D("60.00"))
        assert value_labor(D("2"), None, card)[2].value == D("80.00")
        with pytest.raises(InvalidContribution):
            value_labor(D("2"), D("75.00"), card)

    @pytest.mark.parametrize(
        ("hours", "code"),
        [("0", "non_positive_amount"), ("-1", "non_positive_amount"), ("24.01", "hours_out_of_range"),
         ("25", "hours_out_of_range")],
    )  # fmt: skip
    def test_hours_must_be_positive_and_at_most_a_day(self, hours, code):
        with pytest.raises(InvalidContribution) as error:
            value_labor(D(hours), None, CARD)
        assert error.value.code == code

    def test_twenty_four_hours_is_the_limit(self):
        assert value_labor(D("24"), D("150"), CARD)[2].value == D("3600.00")

    @given(
        hours=st.decimals(min_value=D("0.01"), max_value=D("24"), places=2),
        rate=st.decimals(min_value=D("75"), max_value=D("150"), places=2),
    )
    def test_value_is_within_half_a_cent_of_the_exact_product(self, hours, rate):
        value = value_labor(hours, rate, CARD)[2].value
        assert abs(value - hours * rate) <= D("0.005")
        assert value.as_tuple().exponent == -2


class TestValueCapital:
    def test_cash_counts_at_face_value_on_both_bases(self):
        valuation = value_capital(D("500.00"))
        assert (valuation.value, valuation.book_amount, valuation.tax_amount) == (D("500.00"),) * 3

    @pytest.mark.parametrize("amount", ["0", "0.00", "-5.00"])
    def test_amount_must_be_positive(self, amount):
        with pytest.raises(InvalidContribution):
            value_capital(D(amount))


class TestValueProperty:
    def test_book_at_fair_market_value_and_tax_at_adjusted_basis(self):
        valuation = value_property(D("1200.00"), D("800.00"))
        assert (valuation.value, valuation.book_amount, valuation.tax_amount) == (
            D("1200.00"),
            D("1200.00"),
            D("800.00"),
        )

    def test_zero_adjusted_basis_is_allowed(self):
        assert value_property(D("10"), D("0")).tax_amount == D("0.00")

    @pytest.mark.parametrize("fmv,basis", [("0", "0"), ("-1", "0"), ("100", "-0.01")])
    def test_fair_market_value_positive_and_basis_not_negative(self, fmv, basis):
        with pytest.raises(InvalidContribution):
            value_property(D(fmv), D(basis))


class TestAsMoney:
    @pytest.mark.parametrize("raw", ["12.345", "0.001", D("1.005")])
    def test_more_than_two_places_is_rejected(self, raw):
        with pytest.raises(InvalidContribution) as error:
            as_money(raw, "amount")
        assert error.value.code == "invalid_amount"

    @pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", None, True, "1e20"])
    def test_non_amounts_are_rejected(self, raw):
        with pytest.raises(InvalidContribution):
            as_money(raw, "amount")

    def test_exact_decimal_text_keeps_its_value(self):
        assert as_money("0.10", "amount") == D("0.10")
        assert as_money(0.1, "amount") == D("0.10")  # via str(), never binary arithmetic
        assert as_money("999999999999.99", "amount") == D("999999999999.99")

    def test_trailing_zeros_are_not_extra_places(self):
        assert as_money("1.500", "amount") == D("1.50")
