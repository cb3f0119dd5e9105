"""The guides in Chromium: every guide opens from the navigation for a member, a steward and an admin (and
signed out); the submitting guide shows the co-op's rate card and the allocations guide the worked example the
ledger computes; each page's "Guide" link leads to its guide."""

from __future__ import annotations

import pytest

from .browser import signed_in_page
from .conftest import Habitat

pytestmark = pytest.mark.e2e
GUIDES = {
    "getting-started": "Getting started",
    "submitting": "Submitting contributions",
    "allocations": "How allocations work",
    "capital-and-taxes": "Your capital account and taxes",
    "stewards": "For stewards",
    "admins": "For admins",
}


def read_every_guide_from_the_nav(page) -> None:
    from playwright.sync_api import expect

    for slug, title in GUIDES.items():
        page.click("header nav >> text=Guides")
        expect(page.locator("h1")).to_have_text("Guides")
        page.click(f"#guides a[href='/guides/{slug}']")
        page.wait_for_url(f"**/guides/{slug}")
        expect(page.locator("#guide h1")).to_have_text(title)
        expect(page.locator("#guide h2").first).to_be_visible()


class TestGuides:
    @pytest.mark.parametrize("role", ["member", "steward", "admin"])
    def test_every_guide_opens_from_the_nav(self, habitat: Habitat, browser, role) -> None:
        page = signed_in_page(habitat, browser, role)
        read_every_guide_from_the_nav(page)
        page.context.close()

    def test_guides_are_readable_signed_out(self, habitat: Habitat, browser) -> None:
        page = browser.new_context().new_page()
        page.goto(habitat.url + "/login")
        read_every_guide_from_the_nav(page)
        page.context.close()

    def test_the_rate_card_and_the_worked_example_are_live(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        page = browser.new_context().new_page()
        page.goto(habitat.url + "/guides/submitting")
        # the stack runs with the default settings: 100.00 (75.00 to 150.00), two approvers from 5,000.00, 48 h
        expect(page.locator("#rate-default")).to_have_text("100.00 per hour")
        expect(page.locator("#rate-range")).to_have_text("75.00 to 150.00 per hour")
        expect(page.locator("#dual-threshold")).to_have_text("5,000.00")
        expect(page.locator("#review-target")).to_have_text("48 hours")

        page.goto(habitat.url + "/guides/allocations")
        rows = page.locator("#worked-example tbody tr")
        expect(rows).to_have_count(3)
        # computed by the ledger's allocation code: one leftover cent to the largest remainder (Ana)
        expect(rows.nth(0)).to_contain_text("3,773.59")
        expect(rows.nth(1)).to_contain_text("3,081.76")
        expect(rows.nth(2)).to_contain_text("3,144.65")
        expect(page.locator("#example-total")).to_have_text("10,000.00")
        expect(page.locator("#example-explanations li")).to_have_count(3)
        expect(page.locator("#example-explanations li").first).to_contain_text("your share is 3773.59.")
        page.context.close()

    def test_each_context_link_leads_to_its_guide(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        page = signed_in_page(habitat, browser, "admin")
        pages = {
            "/dashboard": ["getting-started", "capital-and-taxes"],
            "/profile": ["getting-started"],
            "/profile/mail": ["getting-started"],
            "/contributions/new": ["submitting"],
            "/contributions": ["submitting"],
            "/review": ["stewards"],
            "/intake": ["stewards"],
            "/periods": ["admins"],
            f"/periods/{habitat.period_id}": ["allocations", "admins"],
            "/distributions": ["capital-and-taxes"],
            "/admin/exports": ["admins"],
            "/admin/mail": ["admins"],
        }
        for path, slugs in pages.items():
            for slug in slugs:
                page.goto(habitat.url + path)
                page.click(f".guide-link a[href='/guides/{slug}']")
                page.wait_for_url(f"**/guides/{slug}")
                expect(page.locator("#guide h1")).to_have_text(GUIDES[slug])
        page.context.close()
