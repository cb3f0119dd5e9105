"""The shared money type: decimal strings only, exact to the cent, within NUMERIC(14, 2); errors carry codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from habitat_common.web.errors import install_error_handlers
from habitat_common.web.money import HoursIn, MoneyIn, NonNegativeMoneyIn
from pydantic import BaseModel, TypeAdapter, ValidationError

money = TypeAdapter(MoneyIn)
non_negative = TypeAdapter(NonNegativeMoneyIn)
hours = TypeAdapter(HoursIn)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("500", "500.00"), ("500.5", "500.50"), (" 12.34 ", "12.34"), ("-0.01", "-0.01"), ("-0", "0.00"),
     ("1.000", "1.00"), ("999999999999.99", "999999999999.99"), ("0", "0.00")],
)  # fmt: skip
def test_decimal_strings_are_exact_cents(raw, expected):
    assert str(money.validate_python(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [(500, "amount_not_string"), (500.0, "amount_not_string"), (True, "amount_not_string"),
     (None, "amount_not_string"), ("1e26", "invalid_amount"), ("NaN", "invalid_amount"),
     ("Infinity", "invalid_amount"), ("-inf", "invalid_amount"), ("", "invalid_amount"), ("1,000", "invalid_amount"),
     ("0x10", "invalid_amount"), ("1.001", "amount_too_precise"), ("-0.001", "amount_too_precise"),
     ("1000000000000", "amount_too_large"), ("-1000000000000.00", "amount_too_large")],
)  # fmt: skip
def test_anything_else_is_refused_with_a_code(raw, code):
    with pytest.raises(ValidationError) as caught:
        money.validate_python(raw)
    assert caught.value.errors()[0]["type"] == code


def test_the_non_negative_variant_refuses_negatives_only():
    assert non_negative.validate_python("0.00") == Decimal("0.00")
    assert str(non_negative.validate_python("-0")) == "0.00"
    with pytest.raises(ValidationError) as caught:
        non_negative.validate_python("-0.01")
    assert caught.value.errors()[0]["type"] == "amount_negative"


def test_hours_follow_the_same_text_rule_within_numeric_5_2():
    assert hours.validate_python("7.5") == Decimal("7.50")
    for raw in (7.5, "1000", "1e3", "7.125"):
        with pytest.raises(ValidationError):
            hours.validate_python(raw)


def test_json_serialisation_is_text_with_two_places():
    class Body(BaseModel):
        amount: MoneyIn

    assert Body(amount="5").model_dump(mode="json") == {"amount": "5.00"}
    assert Body.model_json_schema()["properties"]["amount"]["type"] == "string"


class Payment(BaseModel):
    amount: MoneyIn
    note: str = ""


def _client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/pay")
    async def pay(body: Payment) -> dict:
        return {"amount": f"{body.amount:.2f}"}

    @app.get("/draft")
    async def draft(surplus: Annotated[MoneyIn, Query()]) -> dict:
        return {"surplus": f"{surplus:.2f}"}

    return TestClient(app)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (500, "amount_not_string"),
        ("1e26", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("1.001", "amount_too_precise"),
    ],
)
def test_an_api_answers_422_in_the_project_error_shape(amount, code):
    response = _client().post("/pay", json={"amount": amount})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"].startswith("amount: ")


def test_query_strings_are_checked_the_same_way():
    client = _client()
    assert client.get("/draft", params={"surplus": "-12.5"}).json() == {"surplus": "-12.50"}
    response = client.get("/draft", params={"surplus": "1e26"})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_amount")


def test_other_validation_errors_keep_the_generic_code():
    response = _client().post("/pay", json={"amount": "1.00", "note": 5})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_request")
