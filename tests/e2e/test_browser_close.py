"""The close wizard in Chromium: period, draft preview, start close, propose, two approvals, post,
the member's allocation, paying the cash distribution (a second admin approves it), and the accountant's
downloads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .browser import sign_in
from .conftest import Habitat, eventually, started_habitat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def habitat() -> Iterator[Habitat]:
    """A stack of its own: the posted close locks every date up to the period's end, and the shared
    stack's periods (2026-Q1, 2025-Q4) come before it."""
    with started_habitat("habitat_e2e_wizard") as env:
        yield env


def admin_page(habitat: Habitat, browser, email: str, password: str):
    page = browser.new_context(accept_downloads=True).new_page()
    sign_in(page, habitat.url, email, password)
    return page


class TestCloseWizard:
    def test_close_a_period_end_to_end(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        _, email2, temporary2 = habitat.create_member("admin")

        admin = admin_page(habitat, browser, habitat.admin_email, habitat.admin_password)
        admin.wait_for_url("**/dashboard")
        admin.click("header >> text=Periods")
        admin.fill("#create-period input[name=name]", "2026-Q3")
        admin.fill("#create-period input[name=starts_on]", "2026-07-01")
        admin.fill("#create-period input[name=ends_on]", "2026-09-30")
        admin.click("#create-period button[type=submit]")
        admin.click("#periods >> text=2026-Q3")
        period_url = admin.url

        contribution = habitat.submit(member, {"type": "capital", "contributed_on": "2026-08-03", "amount": "600.00",
                                               "description": "Capital for the 2026-Q3 wizard close"})
        assert habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={}).status_code == 200
        eventually(lambda: habitat.capital(member, member_id) == ("600.00", "600.00"))

        admin.goto(period_url)
        admin.fill("#draft-form input[name=surplus]", "300.00")
        admin.click("#draft-form button[type=submit]")
        expect(admin.locator("#draft")).to_contain_text("300.00")
        admin.click("#start-close button[type=submit]")
        expect(admin.locator("#period-status")).to_have_text("closing")

        def sealed() -> bool:
            admin.goto(period_url)
            return "totals match" in admin.locator("#sealed").inner_text()

        eventually(sealed, timeout=20, interval=0.5)
        admin.fill("#propose input[name=surplus]", "300.00")
        admin.fill("#propose input[name=cash_portion]", "50")
        admin.click("#propose button[type=submit]")
        expect(admin.locator("#allocation-status")).to_have_text("proposed")
        expect(admin.locator("#allocation-rows")).to_contain_text("300.00")
        allocation_url = admin.url
        admin.click("#approve-allocation")
        expect(admin.locator("#approvals")).to_have_text("1 of 2")

        second = admin_page(habitat, browser, email2, temporary2)
        second.fill("input[name=current_password]", temporary2)
        second.fill("input[name=new_password]", "second-admin-signs-off-77")
        second.click("main button[type=submit]")
        second.wait_for_url("**/dashboard")
        second.goto(allocation_url)
        second.click("#approve-allocation")
        expect(second.locator("#allocation-status")).to_have_text("approved")

        admin.goto(allocation_url)
        admin.click("#post-allocation")
        expect(admin.locator("#allocation-status")).to_have_text("posted")

        # the member's dashboard carries the allocation (at once, or within the ledger's member change feed's poll
        # when the gateway kept an earlier one); the capital account holds it on both bases
        def allocated() -> list[str]:
            return [a["book_amount"] for a in habitat.call("GET", "/me/dashboard", member).json()["allocations"]]

        eventually(lambda: allocated() == ["300.00"], timeout=15)
        assert habitat.capital(member, member_id) == ("900.00", "900.00")

        # pay the 50% cash portion from the distributions page
        admin.click("header >> text=Distributions")
        row = admin.locator("#distributions tr", has_text=member_id)
        expect(row).to_contain_text("150.00")
        row.locator("input[name=reference]").fill("CHK-2026-7")
        row.locator("button", has_text="Mark paid").click()
        # two people move money: the payment waits for the second admin, who approves it on the same page
        expect(admin.locator("#distributions tr", has_text=member_id)).to_contain_text("waiting for a second admin")
        waiting = admin.locator("#waiting-moves tr", has_text="CHK-2026-7")
        expect(waiting).to_contain_text("waiting for another admin")
        assert habitat.capital(member, member_id) == ("900.00", "900.00")
        second.click("header >> text=Distributions")
        second.locator("#waiting-moves tr", has_text="CHK-2026-7").locator("button", has_text="Approve").click()
        expect(second.locator("#distributions tr", has_text=member_id)).to_contain_text("completed")
        expect(second.locator("#waiting-moves")).to_contain_text("Nothing is waiting.")
        assert habitat.capital(member, member_id) == ("750.00", "750.00")

        # the accountant's downloads
        admin.click("header >> text=Exports")
        admin.fill("#k1-form input[name=year]", "2026")
        with admin.expect_download() as download:
            admin.click("#k1-form button[type=submit]")
        k1 = download.value.path().read_bytes()
        assert k1.startswith(b"\xef\xbb\xbf")  # marked UTF-8: a spreadsheet reads every name as written
        assert member_id in k1.decode("utf-8-sig")
        with admin.expect_download() as journal:
            admin.click("#journal-tax")
        assert "equity:capital" in journal.value.path().read_text()
