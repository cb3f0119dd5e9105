"""Money in the ledger's JSON bodies and queries is decimal text: anything else is 422 with a code, never a 500."""

from __future__ import annotations

import uuid

import pytest

Q1 = {"name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
ABSURD = [("1e26", "invalid_amount"), ("NaN", "invalid_amount"), ("Infinity", "invalid_amount"),
          (500, "amount_not_string"), ("1.001", "amount_too_precise"), ("-0.001", "amount_too_precise"),
          ("1000000000000.00", "amount_too_large"), ("", "invalid_amount")]  # fmt: skip


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize(("amount", "code"), ABSURD)
async def test_distribution_amounts(api, amount, code):
    body = {"member_id": str(uuid.uuid4()), "amount": amount, "method": "check", "scheduled_on": "2026-04-15"}
    assert error_of(await api.post("/distributions", body)) == (422, code)


@pytest.mark.parametrize(("amount", "code"), ABSURD)
async def test_allocation_results_book_and_tax(api, amount, code):
    period_id = (await api.post("/periods", Q1)).json()["id"]
    for body in ({"surplus": amount}, {"surplus": "100.00", "tax_surplus": amount}):
        response = await api.post(f"/periods/{period_id}/allocations", body)
        assert error_of(response) == (422, code), response.text


@pytest.mark.parametrize(("amount", "code"), [a for a in ABSURD if not isinstance(a[0], int)])
async def test_draft_allocation_query(api, amount, code):
    period_id = (await api.post("/periods", Q1)).json()["id"]
    for params in ({"surplus": amount}, {"surplus": "100.00", "tax_surplus": amount}):
        response = await api.get(f"/periods/{period_id}/draft-allocation", params=params)
        assert error_of(response) == (422, code), response.text


async def test_a_loss_is_still_text_with_a_sign(api):
    period_id = (await api.post("/periods", Q1)).json()["id"]
    response = await api.get(f"/periods/{period_id}/draft-allocation", params={"surplus": "-1000.5"})
    assert response.status_code == 200, response.text
    assert response.json()["surplus"] == "-1000.50"
