"""A form the services refuse comes back with the reason and with what was typed, not empty."""

from __future__ import annotations

import uuid

import httpx


def refusing_ledger(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        return httpx.Response(409, json={"error": {"code": "period_overlap", "message": "It overlaps 2026-Q1."}})
    return httpx.Response(200, json={"items": [], "total": 0})



class TestRefusedFormsKeepTheirInput:
    async def test_a_new_period(self, gateway_over, keys, post_form) -> None:
        async with gateway_over(ledger=refusing_ledger) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            answer = await post_form(gw, "/periods", "/periods",
                                  {"name": "2026-Q1 <again>", "starts_on": "2026-01-01", "ends_on": "2026-03-31"})
        assert answer.status_code == 409 and "It overlaps 2026-Q1." in answer.text
        assert 'name="name" placeholder="2026-Q2" required value="2026-Q1 &lt;again&gt;"' in answer.text
        assert 'name="starts_on" required value="2026-01-01"' in answer.text
        assert 'name="ends_on" required value="2026-03-31"' in answer.text

    async def test_a_distribution(self, gateway_over, keys, post_form) -> None:
        member = str(uuid.uuid4())
        async with gateway_over(ledger=refusing_ledger) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            answer = await post_form(gw, "/distributions", "/distributions",
                                  {"member_id": member, "amount": "120.50", "method": "check", "scheduled_on": "2026-04-15"})
        assert answer.status_code == 409
        assert f'name="member_id" required value="{member}"' in answer.text
        assert 'name="amount" required value="120.50"' in answer.text
        assert "<option selected>check</option>" in answer.text
        assert 'name="scheduled_on" required value="2026-04-15"' in answer.text

    async def test_a_fresh_form_is_empty(self, gateway_over, keys) -> None:
        async with gateway_over(ledger=refusing_ledger) as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "admin"))
            page = (await gw.get("/periods")).text
        assert 'name="name" placeholder="2026-Q2" required value=""' in page
