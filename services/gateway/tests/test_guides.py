"""The guides (/guides): Markdown rendered safely inside the layout, public, with live parts from the services —
the co-op's rate card and a worked allocation example — and a sentence instead when a service is down."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from habitat_gateway.config import CHECKOUT_GUIDES

SLUGS = ("getting-started", "submitting", "allocations", "capital-and-taxes", "stewards", "admins")
RATE_CARD = {"labor_rate_default": "95.00", "labor_rate_minimum": "70.00", "labor_rate_maximum": "140.00",
             "dual_approval_threshold": "4000.00", "review_target_hours": 36}
EXAMPLE = {
    "surplus": "100.00", "cash_portion": "20.00", "weights": {"labor": "1.00", "capital": "0.50", "property": "0.50"},
    "total_weighted_patronage": "3.00",
    "rows": [
        {"name": name, "contributions": [{"type": "labor", "value": "1.00", "note": "an hour"}],
         "weighted_patronage": "1.00", "share": "0.3333333333", "allocation": amount, "cash": cash,
         "retained": retained, "explanation": f"You contributed labor 1.00 ... your share is {amount}."}
        for name, amount, cash, retained in (("Ana", "33.34", "6.67", "26.67"), ("Ben", "33.33", "6.67", "26.66"),
                                             ("Cleo", "33.33", "6.66", "26.67"))
    ],
}  # fmt: skip


def contributions(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/rate-card":
        assert "authorization" not in request.headers  # public: the page works signed out
        return httpx.Response(200, json=RATE_CARD)
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


def ledger(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/allocations/example":
        return httpx.Response(200, json=EXAMPLE)
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


def down(_: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


class TestGuidePages:
    async def test_the_index_lists_every_guide_signed_out(self, gateway_over) -> None:
        async with gateway_over() as gw:
            response = await gw.get("/guides")
        assert response.status_code == 200
        for slug in SLUGS:
            assert f'href="/guides/{slug}"' in response.text
        assert 'href="/login"' in response.text  # signed out: the way to sign in

    @pytest.mark.parametrize("slug", SLUGS)
    async def test_each_guide_renders_its_markdown_inside_the_layout(self, gateway_over, slug) -> None:
        title = (CHECKOUT_GUIDES / f"{slug}.md").read_text().splitlines()[0].removeprefix("# ")
        async with gateway_over(contributions=contributions, ledger=ledger) as gw:
            response = await gw.get(f"/guides/{slug}")
        assert response.status_code == 200, response.text
        assert f"<title>{title} · Habitat</title>" in response.text
        assert f"<h1>{title}</h1>" in response.text
        assert "<h2>" in response.text and "**" not in response.text  # Markdown became HTML
        assert 'href="/guides"' in response.text

    async def test_a_signed_in_member_sees_the_guide_in_the_usual_navigation(self, gateway_over, keys) -> None:
        async with gateway_over() as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "member"))
            response = await gw.get("/guides/getting-started")
        assert response.status_code == 200
        assert 'href="/dashboard">Dashboard</a>' in response.text and 'href="/guides">Guides</a>' in response.text

    @pytest.mark.parametrize("slug", ["nope", "Getting-Started", "getting-started.md", "..getting-started"])
    async def test_an_unknown_guide_is_a_404_page(self, gateway_over, slug) -> None:
        async with gateway_over() as gw:
            response = await gw.get(f"/guides/{slug}")
        assert response.status_code == 404
        assert "There is no such guide." in response.text

    async def test_a_path_outside_the_guides_is_not_served(self, gateway_over) -> None:
        async with gateway_over() as gw:
            response = await gw.get("/guides/..%2F..%2Fpyproject")
        assert response.status_code == 404 and "habitat" not in response.text

    async def test_raw_html_in_a_guide_is_shown_as_text(self, gateway_over, tmp_path, monkeypatch) -> None:
        (tmp_path / "getting-started.md").write_text(
            "# Hostile\n\n<script>alert(1)</script>\n\n<b onclick=x>bold</b> and [a link](javascript:alert(1))\n"
        )
        async with gateway_over() as gw:
            monkeypatch.setattr(gw._transport.app.state.settings, "guides_dir", tmp_path)
            response = await gw.get("/guides/getting-started")
        assert response.status_code == 200
        article = response.text.split('<article id="guide">')[1].split("</article>")[0]
        assert "<script>" not in article and "<b " not in article and 'href="javascript:' not in article
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article


class TestLiveParts:
    async def test_the_submitting_guide_shows_the_coops_current_rate_card(self, gateway_over) -> None:
        async with gateway_over(contributions=contributions) as gw:
            response = await gw.get("/guides/submitting")
        page = text_of(response.text)
        assert "Labor rate (default) 95.00 per hour" in page
        assert "Allowed labor rates 70.00 to 140.00 per hour" in page
        assert "Two approvers needed from 4,000.00" in page and "Review target 36 hours" in page

    async def test_the_allocations_guide_shows_the_ledgers_worked_example(self, gateway_over) -> None:
        async with gateway_over(ledger=ledger) as gw:
            response = await gw.get("/guides/allocations")
        assert 'id="worked-example"' in response.text
        page = text_of(response.text)
        assert "Ana labor 1.00 (an hour) 1.00 33.33% 33.34 6.67 26.67" in page
        assert "Total 3.00 100.00" in page  # the rows' sum, computed from what the ledger answered
        assert "your share is 33.34." in page

    @pytest.mark.parametrize(("slug", "service", "absent"), [
        ("submitting", "contributions", 'id="rate-card"'), ("allocations", "ledger", 'id="worked-example"'),
    ])
    async def test_a_service_down_leaves_the_guide_and_says_so(self, gateway_over, slug, service, absent) -> None:
        async with gateway_over(**{service: down}) as gw:
            response = await gw.get(f"/guides/{slug}")
        assert response.status_code == 200
        assert absent not in response.text
        assert 'id="guide"' in response.text and "<h2>" in response.text
        assert f"the {service} service did not answer" in response.text

    async def test_a_service_error_is_treated_like_a_service_down(self, gateway_over) -> None:
        async with gateway_over() as gw:  # every service answers 404
            response = await gw.get("/guides/allocations")
        assert response.status_code == 200 and 'id="live-unavailable"' in response.text

    async def test_guides_without_a_live_part_ask_no_service(self, gateway_over) -> None:
        calls: list[str] = []

        def record(request: httpx.Request) -> httpx.Response:
            calls.append(request.url.path)
            return httpx.Response(500, json={})

        async with gateway_over(contributions=record, ledger=record) as gw:
            response = await gw.get("/guides/stewards")
        assert response.status_code == 200 and calls == []


class TestContextLinks:
    async def test_the_submit_form_links_to_the_submitting_guide(self, gateway_over, keys) -> None:
        async with gateway_over() as gw:
            gw.cookies.set("habitat_access", keys.mint(uuid.uuid4(), "member"))
            response = await gw.get("/contributions/new")
        assert response.status_code == 200
        assert '<p class="hint guide-link"><a href="/guides/submitting">' in response.text
