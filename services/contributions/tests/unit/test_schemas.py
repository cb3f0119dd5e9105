import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from habitat_contributions.entrypoints.schemas import SubmitContributionBody


def body(**money):
    return {"type": "labor", "contributed_on": "2026-02-10", "description": "Weeded the garden beds", **money}


class TestSubmitContributionBody:
    @pytest.mark.parametrize("field", ["hours", "rate", "amount", "fair_market_value", "adjusted_basis"])
    def test_json_numbers_are_refused_money_travels_as_text(self, field):
        with pytest.raises(ValidationError) as caught:
            SubmitContributionBody.model_validate(json.loads(json.dumps(body(**{field: 100}))))
        assert caught.value.errors()[0]["type"] == "amount_not_string"

    @pytest.mark.parametrize(
        ("raw", "code"),
        [("1e26", "invalid_amount"), ("NaN", "invalid_amount"), ("Infinity", "invalid_amount"), ("", "invalid_amount"),
         ("1.001", "amount_too_precise"), ("-0.001", "amount_too_precise"), ("1000000000000", "amount_too_large")],
    )  # fmt: skip
    def test_absurd_amounts_are_refused_with_a_code(self, raw, code):
        with pytest.raises(ValidationError) as caught:
            SubmitContributionBody.model_validate(body(amount=raw))
        assert caught.value.errors()[0]["type"] == code

    def test_hours_beyond_numeric_5_2_are_refused(self):
        with pytest.raises(ValidationError):
            SubmitContributionBody.model_validate(body(hours="1000"))

    def test_strings_are_taken_as_written(self):
        parsed = SubmitContributionBody.model_validate(body(hours=" 7.25 "))
        assert parsed.hours == Decimal("7.25")

    @pytest.mark.parametrize("bad", ["seven", True, [1], 7.5])
    def test_non_numbers_are_rejected(self, bad):
        with pytest.raises(ValidationError):
            SubmitContributionBody.model_validate(body(hours=bad))

    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError):
            SubmitContributionBody.model_validate(body(hours="1", value="1000"))
