"""Issue 20 through the gateway's pages: each picture is there with its text alternative, built from what the page
already fetches; the skip link, the polite status region and the busy forms are in the markup."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from habitat_common.testing import LocalKeys

MEMBER_ID = uuid.uuid4()
PERIOD_ID = str(uuid.uuid4())
ALLOCATION_ID = str(uuid.uuid4())
ROWS = [
    {
        "member_id": str(uuid.uuid4()),
        "display_name": "<b>Ana</b>",
        "weighted_patronage": "60.00",
        "share": "0.6",
        "allocation": "600.00",
        "tax_allocation": "600.00",
        "explanation": "…",
        "cash_portion_amount": "0.00",
        "retained_amount": "600.00",
    },
    {
        "member_id": str(uuid.uuid4()),
        "display_name": "Ben",
        "weighted_patronage": "40.00",
        "share": "0.4",
        "allocation": "400.00",
        "tax_allocation": "400.00",
        "explanation": "…",
        "cash_portion_amount": "0.00",
        "retained_amount": "400.00",
    },
]


def ok(body: dict) -> httpx.Response:
    return httpx.Response(200, json=body)


def identity(request: httpx.Request) -> httpx.Response:
    return ok({"id": str(MEMBER_ID), "email": "m@x.coop", "display_name": "M", "role": "member"})


def contributions(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/contributions":
        return ok(
            {
                "items": [
                    {
                        "id": str(uuid.uuid4()),
                        "period_id": PERIOD_ID,
                        "type": "labor",
                        "contributed_on": "2026-02-01",
                        "description": "Shift",
                        "value": "250.00",
                        "status": "approved",
                    },
                ],
                "total": 1,
            }
        )
    if path.endswith("/patronage"):
        figures = {"labor": {"count": 2, "value": "250.00"}, "capital": {"count": 0, "value": "0.00"},
                   "property": {"count": 1, "value": "-20.00"}}  # fmt: skip
        period = {"period_id": PERIOD_ID, "name": "2026-Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31",
                  "status": "open"}  # fmt: skip
        waiting = {kind: {"count": 1, "value": "5.00"} for kind in figures}
        return ok({"member_id": str(MEMBER_ID), "on": "2026-03-01", "period": period, "approved": figures,
                   "awaiting_review": waiting})  # fmt: skip
    if path == f"/periods/{PERIOD_ID}/intake":
        return ok(
            {
                "period_id": PERIOD_ID,
                "active_members": 8,
                "members_with_submissions": 2,
                "participation_percent": "25.0",
                "by_type": {},
                "by_status": {},
                "pending_count": 1,
                "approval_rate_percent": None,
                "mean_hours_to_decision": None,
                "p95_hours_to_decision": None,
                "per_reviewer": [],
                "not_submitted": [],
            }
        )
    if path == "/review-queue":
        assert request.url.params["period_id"] == PERIOD_ID and request.url.params["status"] == "pending"
        submitted = (datetime.now(UTC) - timedelta(days=3)).isoformat()
        return ok({"items": [{"id": str(uuid.uuid4()), "submitted_at": submitted}], "total": 1})
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


def ledger(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/statement"):
        return ok(
            {
                "member_id": str(MEMBER_ID),
                "book_balance": "-50.00",
                "tax_balance": "20.00",
                "lines": [
                    {
                        "date": "2026-01-10",
                        "source_type": "contribution",
                        "description": "Cash",
                        "book_amount": "100.00",
                        "tax_amount": "100.00",
                        "book_balance": "100.00",
                        "tax_balance": "100.00",
                    },
                    {
                        "date": "2026-03-31",
                        "source_type": "allocation",
                        "description": "Loss",
                        "book_amount": "-150.00",
                        "tax_amount": "-80.00",
                        "book_balance": "-50.00",
                        "tax_balance": "20.00",
                    },
                ],
            }
        )
    period = {"id": PERIOD_ID, "name": "Q1", "status": "open", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
    if path == "/periods":
        return ok({"items": [period]})
    if path == f"/periods/{PERIOD_ID}":
        return ok(period)
    if path == f"/periods/{PERIOD_ID}/draft-allocation":
        return ok(
            {
                "rows": ROWS,
                "total_weighted": "100.00",
                "allocated_total": "1000.00",
                "surplus": "1000.00",
                "tax_surplus": None,
                "tax_allocated_total": "1000.00",
            }
        )
    if path == f"/allocations/{ALLOCATION_ID}":
        return ok(
            {
                "id": ALLOCATION_ID,
                "period_id": PERIOD_ID,
                "status": "approved",
                "rows": ROWS,
                "inputs": {
                    "surplus": "1000.00",
                    "weights": {"labor": "1", "capital": "0.5", "property": "0.5"},
                    "cash_portion": "0",
                },
                "contribution_count": 3,
                "content_hash": "h",
                "approvals": [],
                "approvals_required": 1,
            }
        )
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


async def page(gateway_over, keys: LocalKeys, path: str, role: str = "member", member: str | None = None) -> str:
    async with gateway_over(identity=identity, contributions=contributions, ledger=ledger) as client:
        client.cookies.set("habitat_access", keys.mint(uuid.UUID(member) if member else MEMBER_ID, role))
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def chart_in(html: str, chart_id: str) -> str:
    start = html.index(f'<figure class="chart" id="{chart_id}">')
    return html[start : html.index("</figure>", start)]


class TestPictures:
    async def test_the_dashboard_draws_capital_over_time_and_patronage_by_type(self, gateway_over, keys) -> None:
        html = await page(gateway_over, keys, "/dashboard")
        capital = chart_in(html, "capital-chart")
        assert 'role="img"' in capital and 'aria-labelledby="capital-chart-title capital-chart-desc"' in capital
        assert "Book capital 2026-03-31: -50.00" in capital  # the picture's mark for the loss
        assert '<td>2026-03-31</td><td class="num">-50.00</td><td class="num">20.00</td>' in capital  # its table
        patronage = chart_in(html, "patronage-chart")
        assert "labor: 250.00" in patronage and '<td>labor</td><td class="num">250.00</td>' in patronage
        assert "property: -20.00" in patronage  # a correction below what was approved draws left of the axis
        assert "Approved value by type in 2026-Q1: capital 0.00; labor 250.00; property -20.00. " in patronage
        assert "3 contributions awaiting review." in patronage
        assert f'<p id="share-link"><a href="/periods/{PERIOD_ID}">Your share of 2026-Q1' in html

    async def test_a_contributions_release_without_patronage_leaves_the_dashboard_whole(self, gateway_over, keys):
        def older(request: httpx.Request) -> httpx.Response:  # as before migration to this release: no such route
            if request.url.path.endswith("/patronage"):
                return httpx.Response(404, json={"error": {"code": "not_found", "message": "Not Found"}})
            return contributions(request)

        async with gateway_over(identity=identity, contributions=older, ledger=ledger) as client:
            api = await client.get("/api/v1/me/dashboard", headers={"Authorization": f"Bearer {keys.mint(MEMBER_ID)}"})
            client.cookies.set("habitat_access", keys.mint(MEMBER_ID))
            page = await client.get("/dashboard")
        assert api.status_code == 200 and api.json()["patronage"] is None
        assert page.status_code == 200 and 'id="capital-chart"' in page.text and "patronage-chart" not in page.text

    async def test_the_dashboards_api_answer_does_not_carry_the_chart_window(self, gateway_over, keys) -> None:
        async with gateway_over(identity=identity, contributions=contributions, ledger=ledger) as client:
            response = await client.get(
                "/api/v1/me/dashboard", headers={"Authorization": f"Bearer {keys.mint(MEMBER_ID)}"}
            )
        assert response.status_code == 200 and "statement_window" not in response.json()

    async def test_the_intake_dashboard_draws_progress_and_review_ages(self, gateway_over, keys) -> None:
        html = await page(gateway_over, keys, "/intake", role="steward")
        progress = chart_in(html, "intake-progress-chart")
        assert "Members submitted: 2 of 8 members" in progress and "Period to 2026-03-31: " in progress
        ages = chart_in(html, "review-age-chart")
        assert "2 to 7 days: 1" in ages and '<td>2 to 7 days</td><td class="num">1</td>' in ages

    async def test_the_close_wizard_draws_the_allocation_by_member(self, gateway_over, keys) -> None:
        for path in (f"/periods/{PERIOD_ID}", f"/allocations/{ALLOCATION_ID}"):
            allocation = chart_in(await page(gateway_over, keys, path), "allocation-chart")
            assert "<b>" not in allocation
            assert "&lt;b&gt;Ana&lt;/b&gt;: 600.00" in allocation and "Ben: 400.00" in allocation
            assert '<td>&lt;b&gt;Ana&lt;/b&gt;</td><td class="num">600.00</td>' in allocation

    async def test_the_period_page_draws_the_members_share_of_the_draft(self, gateway_over, keys) -> None:
        share = chart_in(
            await page(gateway_over, keys, f"/periods/{PERIOD_ID}", member=ROWS[1]["member_id"]), "share-chart"
        )
        assert "Your share: 40.00%: 400.00 of 1,000.00" in share


class TestAccessibility:
    async def test_a_skip_link_leads_to_main_and_status_is_announced_politely(self, gateway_over, keys) -> None:
        html = await page(gateway_over, keys, "/dashboard")
        assert html.index('<a class="skip-link" href="#main">') < html.index("<header>")
        assert '<main id="main" tabindex="-1">' in html
        assert 'role="status" aria-live="polite"' in html and '<div id="live" aria-live="polite"' in html
        assert '<script src="/static/busy.js" defer></script>' in html

    async def test_long_actions_are_marked_busy(self, gateway_over, keys) -> None:
        html = await page(gateway_over, keys, f"/allocations/{ALLOCATION_ID}", role="admin")
        assert f'action="/allocations/{ALLOCATION_ID}/post" data-busy=' in html
        async with gateway_over() as client:
            script = await client.get("/static/busy.js")
        assert script.status_code == 200 and "Working…" in script.text
