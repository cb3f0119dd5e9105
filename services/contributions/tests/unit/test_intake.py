import uuid
from decimal import Decimal

import pytest

from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.intake import new_contribution
from habitat_contributions.domain.valuation import RateCard
from tests.builders import T0, capital, labor, property_

PERIOD = uuid.uuid4()


def make(cmd):
    return new_contribution(cmd, period_id=PERIOD, card=RateCard(), now=T0)


class TestNewContribution:
    def test_labor_records_hours_rate_and_value(self):
        c = make(labor(hours="7.5"))
        assert (c.hours, c.rate, c.value, c.book_amount, c.tax_amount) == (
            Decimal("7.50"),
            Decimal("100.00"),
            Decimal("750.00"),
            Decimal("0.00"),
            Decimal("0.00"),
        )
        assert c.status == "pending" and c.period_id == PERIOD and c.submitted_at == T0

    def test_capital_records_amount(self):
        c = make(capital(amount="250.5"))
        assert c.amount == c.value == c.book_amount == c.tax_amount == Decimal("250.50")

    def test_property_records_fmv_and_basis(self):
        c = make(property_(fmv="1000", basis="400"))
        assert (c.fair_market_value, c.adjusted_basis, c.tax_amount) == (
            Decimal("1000.00"),
            Decimal("400.00"),
            Decimal("400.00"),
        )

    def test_a_field_of_another_type_is_rejected(self):
        with pytest.raises(InvalidContribution) as error:
            make(capital(hours=Decimal(2)))
        assert error.value.code == "unexpected_field"

    def test_a_missing_field_is_rejected(self):
        with pytest.raises(InvalidContribution) as error:
            make(property_(adjusted_basis=None))
        assert error.value.code == "missing_field"

    def test_unknown_type_is_rejected(self):
        with pytest.raises(InvalidContribution):
            make(capital(type="gift"))

    def test_trivial_description_is_rejected(self):
        with pytest.raises(InvalidContribution) as error:
            make(labor(description="xxxxxxxxxxxx"))
        assert error.value.code == "invalid_description"
