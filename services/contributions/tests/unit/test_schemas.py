import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from habitat_contributions.entrypoints.schemas import SubmitContributionBody


def body(**money):
    return {"type": "labor", "contributed_on": "2026-02-10", "description": "Weeded the garden beds", **money}


class TestSubmitContributionBody:
    def test_json_numbers_become_exact_decimals(self):
        parsed = SubmitContributionBody.model_validate(json.loads(json.dumps(body(hours=0.1, rate=100))))
        assert parsed.hours == Decimal("0.1") and parsed.rate == Decimal(100)

    def test_strings_are_taken_as_written(self):
        parsed = SubmitContributionBody.model_validate(body(hours=" 7.25 "))
        assert parsed.hours == Decimal("7.25")

    @pytest.mark.parametrize("bad", ["seven", True, [1]])
    def test_non_numbers_are_rejected(self, bad):
        with pytest.raises(ValidationError):
            SubmitContributionBody.model_validate(body(hours=bad))

    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError):
            SubmitContributionBody.model_validate(body(hours="1", value="1000"))
