"""GET /rate-card: the deployment's rate card and review policy, public, as the settings say."""

from __future__ import annotations

from decimal import Decimal

import httpx

from habitat_common.testing import LocalKeys
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.entrypoints.http import create_app


class TestRateCard:
    async def test_shows_the_configured_rates_and_review_policy_without_a_token(self) -> None:
        settings = ContributionsSettings(
            rate_default=Decimal("90.00"), rate_min=Decimal("80.00"), rate_max=Decimal("120.50"),
            dual_approval_threshold=Decimal("2500.00"), review_target_hours=24,
        )
        app = create_app(settings, verifier=LocalKeys())  # no lifespan: nothing connects to the database
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://contributions") as http:
            response = await http.get("/rate-card")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "labor_rate_default": "90.00", "labor_rate_minimum": "80.00", "labor_rate_maximum": "120.50",
            "dual_approval_threshold": "2500.00", "review_target_hours": 24,
        }

    async def test_is_in_the_openapi_document(self) -> None:
        app = create_app(ContributionsSettings(), verifier=LocalKeys())
        operation = app.openapi()["paths"]["/rate-card"]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("RateCardOut")
