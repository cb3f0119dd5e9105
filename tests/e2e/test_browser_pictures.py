"""Issue 20 in Chromium: the dashboard's capital chart is an image with an accessible name and a table of its
figures, the skip link moves focus to the main content, and a long action's button is disabled and says
"Working…" while its request runs."""

from __future__ import annotations

import pytest

from .browser import sign_in, signed_in_member
from .conftest import Habitat, eventually
from .test_browser_guides import signed_in_page

pytestmark = pytest.mark.e2e


class TestPictures:
    def test_the_capital_chart_is_an_image_with_a_name_and_its_figures(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        page = signed_in_page(habitat, browser, "member")
        chart = page.get_by_role("img", name="Your capital over time")
        expect(chart).to_have_count(1)
        expect(chart).to_be_visible()
        figure = page.locator("figure#capital-chart")
        expect(figure.locator("figcaption")).to_have_text("Nothing booked yet.")
        expect(figure.locator("details summary")).to_have_text("Your capital over time: the figures")
        expect(figure.locator("details th")).to_have_text(["Date", "Book capital", "Tax capital"])
        page.context.close()

    def test_the_patronage_chart_sums_every_contribution_of_the_period(self, habitat: Habitat, browser) -> None:
        """More approved contributions than the dashboard lists (20): the picture still counts every one."""
        import re

        from playwright.sync_api import expect

        page, _, token = signed_in_member(habitat, browser)
        _, steward = habitat.active_member("steward")
        for n in range(21):
            submitted = habitat.submit(token, {"type": "labor", "contributed_on": "2026-02-10", "hours": "1.00",
                                               "rate": "100.00", "description": f"Shift number {n} at the depot"})
            approved = habitat.call("POST", f"/contributions/{submitted['id']}/approve", steward, json={})
            assert approved.status_code == 200, approved.text
        habitat.submit(token, {"type": "capital", "contributed_on": "2026-02-11", "amount": "5.00",
                               "description": "Capital still waiting for review"})
        figure = page.locator("figure#patronage-chart")

        def drawn() -> bool:  # the steward's approvals reach the gateway's cache through a feed polled each second
            page.reload()
            return "labor 2,100.00" in figure.locator("figcaption").inner_text()

        eventually(drawn, timeout=15, interval=0.5)
        chart = page.get_by_role("img", name=re.compile(r"^Your patronage by type in "))
        expect(chart).to_have_count(1)
        expect(figure.locator("figcaption")).to_contain_text("1 contribution awaiting review.")
        expect(figure.locator("details tr", has_text="labor").locator("td")).to_have_text(["labor", "2,100.00"])
        page.context.close()


class TestKeyboard:
    def test_the_skip_link_moves_focus_to_the_main_content(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        page = signed_in_page(habitat, browser, "member")
        page.keyboard.press("Tab")
        skip = page.locator("a.skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()  # shown when focused, off-screen otherwise
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        page.context.close()


class TestBusy:
    def test_a_long_actions_button_is_disabled_while_its_request_runs(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        page = browser.new_context().new_page()
        sign_in(page, habitat.url, habitat.admin_email, habitat.admin_password)
        page.wait_for_url("**/dashboard")
        page.goto(habitat.url + "/admin/members/import")
        held, seen = [], []
        # the upload is held in flight while the page is looked at, then dropped: nothing reaches the stack
        page.route("**/admin/members/import", lambda route: held.append(route))
        # while a form's navigation is pending Playwright waits before reading the page, so the page reports
        # its own changes
        page.expose_function("seeBusy", lambda state: seen.append(state))
        page.evaluate(
            """() => {
                const form = document.querySelector('#upload-form'), button = form.querySelector('button');
                const report = () => window.seeBusy({disabled: button.disabled, text: button.textContent,
                    busy: form.getAttribute('aria-busy'), status: document.getElementById('page-status').textContent});
                new MutationObserver(report).observe(document.body, {attributes: true, childList: true, subtree: true});
            }"""
        )
        form = page.locator("#upload-form")
        expect(form.locator("button[type=submit]")).to_be_enabled()
        form.locator("input[type=file]").set_input_files(
            {"name": "members.csv", "mimeType": "text/csv", "buffer": b"email,display_name,role\n"}
        )
        form.locator("button[type=submit]").click(no_wait_after=True)  # its navigation is the held request
        for _ in range(200):  # until the request is held and the page has said it is busy (or 10 s)
            if held and seen and seen[-1]["status"]:
                break
            page.wait_for_timeout(50)
        assert len(held) == 1 and held[0].request.method == "POST"
        assert seen[-1] == {"disabled": True, "text": "Working…", "busy": "true", "status": "Checking the file…"}
        held[0].abort()
        page.context.close()
