"""The money path in a real browser: Playwright driving Debian's Chromium through Caddy."""

from __future__ import annotations

import pytest

from .browser import sign_in as browser_sign_in
from .conftest import Habitat

pytestmark = pytest.mark.e2e


def sign_in(page, habitat: Habitat, email: str, password: str) -> None:
    browser_sign_in(page, habitat.url, email, password)


class TestBrowserMoneyPath:
    def test_member_submits_steward_approves_dashboard_shows_capital(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        _, email, temporary = habitat.create_member("member")
        _, steward_email, steward_temporary = habitat.create_member("steward")

        member_page = browser.new_context().new_page()
        sign_in(member_page, habitat, email, temporary)
        expect(member_page).to_have_url(habitat.url + "/password")
        member_page.fill("input[name=current_password]", temporary)
        member_page.fill("input[name=new_password]", email.split("@")[0] + "-and-more")  # contains the email
        member_page.click("main button[type=submit]")
        expect(member_page.locator(".error")).to_be_visible()
        expect(member_page).to_have_url(habitat.url + "/password")
        member_page.fill("input[name=current_password]", temporary)
        member_page.fill("input[name=new_password]", "browser-chosen-passphrase-7")
        member_page.click("main button[type=submit]")
        expect(member_page).to_have_url(habitat.url + "/dashboard")
        expect(member_page.locator("#book-balance")).to_have_text("0.00")

        member_page.click("text=Submit")
        member_page.select_option("#type", "capital")
        member_page.fill("input[name=contributed_on]", "2026-02-20")
        member_page.fill("textarea[name=description]", "Capital contribution by cheque")
        member_page.fill("input[name=amount]", "500.00")
        expect(member_page.locator("#preview")).to_have_text("500.00")
        for _ in range(50):  # the period may still be on its way to the contributions replica
            with member_page.expect_navigation():
                member_page.click("#submit-form button[type=submit]")
            if member_page.url.endswith("/contributions"):
                break
            member_page.wait_for_timeout(200)
        expect(member_page.locator("#my-contributions")).to_contain_text("pending")
        member_page.click("header >> text=Dashboard")

        steward_page = browser.new_context().new_page()
        sign_in(steward_page, habitat, steward_email, steward_temporary)
        steward_page.fill("input[name=current_password]", steward_temporary)
        steward_page.fill("input[name=new_password]", "steward-chosen-passphrase-9")
        steward_page.click("main button[type=submit]")
        steward_page.click("text=Review queue")
        row = steward_page.locator("tr", has_text="Capital contribution by cheque")
        expect(row).to_be_visible()
        row.locator("button", has_text="Approve").click()
        expect(steward_page.locator("tr", has_text="Capital contribution by cheque")).to_have_count(0)

        # no reload: the dashboard's live region polls (every second in this run)
        expect(member_page.locator("#book-balance")).to_have_text("500.00", timeout=5000)
        expect(member_page.locator("#tax-balance")).to_have_text("500.00")
        expect(member_page.locator("#my-contributions")).to_contain_text("approved")

    def test_form_post_without_csrf_token_is_refused(self, habitat: Habitat, browser) -> None:
        page = browser.new_context().new_page()
        page.goto(habitat.url + "/login")
        response = page.request.post(
            habitat.url + "/login", form={"email": habitat.admin_email, "password": habitat.admin_password}
        )
        assert (response.status, response.json()["error"]["code"]) == (403, "csrf_failed")
