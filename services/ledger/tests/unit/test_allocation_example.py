"""The guides' worked allocation example (GET /allocations/example): computed by the real allocation code,
exact to the cent, public."""

from __future__ import annotations

from decimal import Decimal

import httpx
from fastapi import FastAPI

from habitat_ledger.entrypoints import routes_example


async def example() -> dict:
    app = FastAPI()
    app.include_router(routes_example.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://ledger") as http:
        response = await http.get("/allocations/example")  # no token: the example is public
    assert response.status_code == 200, response.text
    return response.json()


class TestAllocationExample:
    async def test_rows_sum_to_the_surplus_exactly(self) -> None:
        body = await example()
        assert body["surplus"] == "10000.00"
        assert sum(Decimal(row["allocation"]) for row in body["rows"]) == Decimal(body["surplus"])
        for row in body["rows"]:
            assert Decimal(row["cash"]) + Decimal(row["retained"]) == Decimal(row["allocation"])

    async def test_cash_is_the_stated_portion_and_weights_are_the_defaults(self) -> None:
        body = await example()
        assert body["cash_portion"] == "20.00"
        assert body["weights"] == {"labor": "1.00", "capital": "0.50", "property": "0.50"}
        assert sum(Decimal(row["cash"]) for row in body["rows"]) == Decimal("2000.00")

    async def test_the_leftover_cent_goes_to_the_largest_remainder(self) -> None:
        # exact shares are 3773.58490..., 3081.76100..., 3144.65408...: rounded down they leave one cent
        body = await example()
        assert [(row["name"], row["allocation"]) for row in body["rows"]] == [
            ("Ana", "3773.59"), ("Ben", "3081.76"), ("Cleo", "3144.65"),
        ]

    async def test_each_row_explains_itself_with_the_statements_sentence(self) -> None:
        body = await example()
        ben = body["rows"][1]
        assert ben["weighted_patronage"] == "2450.00"
        assert ben["explanation"].startswith("You contributed capital 2500.00, labor 1200.00")
        assert ben["explanation"].endswith("your share is 3081.76.")
