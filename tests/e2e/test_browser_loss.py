"""The close wizard in Chromium off the happy path: an undecided contribution holds the close, a loss
with a tax result of its own (no cash) is proposed, approved and posted, and the year's K-1s are
issued from the exports page, once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .browser import sign_in
from .conftest import Habitat, eventually, started_habitat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def habitat() -> Iterator[Habitat]:
    """A stack of its own: it closes 2026-Q1 and issues 2026, which locks every date of that year."""
    with started_habitat("habitat_e2e_browser_loss") as env:
        yield env


def admin_page(habitat: Habitat, browser, email: str, password: str):
    page = browser.new_context().new_page()
    sign_in(page, habitat.url, email, password)
    page.wait_for_url("**/dashboard")
    return page


class TestLossInTheWizard:
    def test_an_undecided_item_holds_the_close_then_a_loss_is_posted_and_the_year_issued(
        self, habitat: Habitat, browser
    ) -> None:
        from playwright.sync_api import expect

        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        _, admin2 = habitat.active_member("admin")
        capital = habitat.submit(member, {"type": "capital", "contributed_on": "2026-02-02", "amount": "1000.00",
                                          "description": "Member capital for the loss quarter"})
        assert habitat.call("POST", f"/contributions/{capital['id']}/approve", steward, json={}).status_code == 200
        eventually(lambda: habitat.capital(member, member_id) == ("1000.00", "1000.00"))
        waiting = habitat.submit(member, {"type": "labor", "contributed_on": "2026-03-01", "hours": "2",
                                          "rate": "100.00", "description": "Stocktake still to be reviewed"})

        admin = admin_page(habitat, browser, habitat.admin_email, habitat.admin_password)
        period_url = f"{habitat.url}/periods/{habitat.period_id}"
        admin.goto(period_url)
        undecided = admin.locator("#undecided")
        expect(undecided).to_contain_text("Undecided contributions: 1")
        expect(undecided).to_contain_text("2026-03-01")
        admin.click("#start-close button[type=submit]")
        expect(admin.locator("p.error[role=alert]")).to_be_visible()
        expect(admin.locator("#period-status")).to_have_text("open")

        rejected = habitat.call("POST", f"/contributions/{waiting['id']}/reject", steward,
                                json={"reason": "Counted in the next quarter"})
        assert rejected.status_code == 200, rejected.text
        admin.goto(period_url)
        expect(admin.locator("#undecided")).to_have_count(0)
        admin.click("#start-close button[type=submit]")
        expect(admin.locator("#period-status")).to_have_text("closing")

        def sealed() -> bool:
            admin.goto(period_url)
            return "totals match" in admin.locator("#sealed").inner_text()

        eventually(sealed, timeout=20, interval=0.5)
        admin.fill("#propose input[name=surplus]", "-400.00")
        admin.fill("#propose input[name=tax_surplus]", "-300.00")
        admin.fill("#propose input[name=cash_portion]", "10")
        admin.click("#propose button[type=submit]")
        expect(admin.locator("p.error[role=alert]")).to_contain_text("cash portion must be 0")

        admin.goto(period_url)
        admin.fill("#propose input[name=surplus]", "-400.00")
        admin.fill("#propose input[name=tax_surplus]", "-300.00")
        admin.fill("#propose input[name=cash_portion]", "0")
        admin.click("#propose button[type=submit]")
        expect(admin.locator("#allocation-status")).to_have_text("proposed")
        rows = admin.locator("#allocation-rows")
        expect(rows).to_contain_text("-400.00")
        expect(rows).to_contain_text("-300.00")
        allocation_id = admin.url.rstrip("/").rsplit("/", 1)[-1]
        admin.click("#approve-allocation")
        expect(admin.locator("#approvals")).to_have_text("1 of 2")
        assert habitat.call("POST", f"/allocations/{allocation_id}/approve", admin2).json()["status"] == "approved"
        admin.reload()
        admin.click("#post-allocation")
        expect(admin.locator("#allocation-status")).to_have_text("posted")
        assert habitat.capital(member, member_id) == ("600.00", "700.00")

        admin.click("header >> text=Exports")
        admin.fill("#k1-issue-form input[name=year]", "2026")
        admin.click("#k1-issue-form button[type=submit]")
        expect(admin.locator("#k1-issued")).to_contain_text("K-1s for 2026 issued")
        admin.click("header >> text=Exports")
        admin.fill("#k1-issue-form input[name=year]", "2026")
        admin.click("#k1-issue-form button[type=submit]")
        expect(admin.locator("p.error[role=alert]")).to_contain_text("issued already")
