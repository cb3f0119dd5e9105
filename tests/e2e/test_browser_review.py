"""Intake and review in Chromium: submit with preview, my contributions (live), clarification
round trip, reject, batch approve from the queue, the intake dashboard."""

from __future__ import annotations

import pytest

from .browser import signed_in_page
from .conftest import Habitat

pytestmark = pytest.mark.e2e


def submit_labor(page, habitat: Habitat, description: str, hours: str = "3") -> None:
    from playwright.sync_api import expect

    page.goto(habitat.url + "/contributions/new")
    page.select_option("#type", "labor")
    page.fill("input[name=contributed_on]", "2026-03-10")
    page.fill("textarea[name=description]", description)
    page.fill("input[name=hours]", hours)
    page.fill("input[name=rate]", "80.00")
    expect(page.locator("#preview")).to_have_text(f"{int(hours) * 80}.00")
    for _ in range(50):  # the period may still be on its way to the contributions replica
        with page.expect_navigation():
            page.click("#submit-form button[type=submit]")
        if page.url.endswith("/contributions"):
            return
        page.wait_for_timeout(200)
    raise AssertionError(page.content())


class TestReviewRoundTrip:
    def test_clarify_answer_approve_reject_batch_and_dashboard(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        member = signed_in_page(habitat, browser, "member")
        steward = signed_in_page(habitat, browser, "steward")
        submit_labor(member, habitat, "Repaired the roof of the tool shed")
        # after the action, focus is on what came of it, and the address no longer says it
        expect(member.locator("#done")).to_have_text("Submitted: your contribution awaits review.")
        expect(member.locator("#done")).to_be_focused()
        assert member.url == habitat.url + "/contributions"
        submit_labor(member, habitat, "Painted the community room walls", hours="2")
        submit_labor(member, habitat, "Sorted the seed library donations", hours="1")
        submit_labor(member, habitat, "Weeded the shared garden beds", hours="4")
        rows = member.locator("#my-contributions tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.first).to_contain_text("pending")

        # clarification round trip; the member's list updates without a reload
        steward.goto(habitat.url + "/review")
        # the queue names who contributed, not an id
        expect(steward.locator("#review-queue tr", has_text="Repaired the roof of the tool shed")).to_contain_text("E2E Member")
        steward.click("text=Repaired the roof of the tool shed")
        steward.fill("input[name=question]", "Which shed, the north or the south one?")
        steward.click("#clarify")
        expect(steward.locator("#status")).to_have_text("clarification requested")
        expect(steward.locator("#done")).to_be_focused()
        expect(steward.locator("#done")).to_contain_text("Asked: the member sees your question")
        roof = member.locator("#my-contributions tr", has_text="Repaired the roof")
        expect(roof).to_contain_text("clarification requested", timeout=5000)
        roof.locator("a", has_text="Repaired the roof").click()
        member.fill("#respond-form textarea[name=answer]", "The north shed, next to the orchard.")
        member.click("#respond-form button[type=submit]")
        expect(member.locator("#status")).to_have_text("pending")
        expect(member.locator("#thread")).to_contain_text("The north shed")
        # an edit while pending is kept as a revision, visible with the contribution's history
        member.click("details > summary:text-is(\"Edit\")")
        member.fill("#edit-form textarea[name=description]", "Repaired the roof of the north tool shed")
        member.click("#edit-form button[type=submit]")
        expect(member.locator("#description")).to_have_text("Repaired the roof of the north tool shed")
        expect(member.locator("#revisions tbody tr")).to_have_count(2)

        # reject one with a reason
        steward.goto(habitat.url + "/review")
        steward.click("text=Sorted the seed library donations")
        steward.fill("input[name=reason]", "Already recorded by the seed library team")
        steward.click("#reject")
        expect(steward.locator("#status")).to_have_text("rejected")

        # batch approve the other three from the queue
        steward.goto(habitat.url + "/review")
        for text in ("Repaired the roof of the north", "Painted the community room", "Weeded the shared garden"):
            steward.locator("#review-queue tr", has_text=text).locator("input[type=checkbox]").check()
        steward.click("#batch-approve")
        expect(steward.locator("#batch-results li.ok")).to_have_count(3)
        expect(steward.locator("#review-queue tr", has_text="Weeded the shared garden")).to_have_count(0)

        member.goto(habitat.url + "/contributions?status=approved")
        expect(member.locator("#my-contributions tbody tr")).to_have_count(3)

        # the intake dashboard reflects it
        steward.click("header >> text=Intake")
        expect(steward.locator("#intake")).to_be_visible()
        expect(steward.locator("#by-status")).to_contain_text("approved")
        expect(steward.locator("#reviewers")).to_contain_text("3")

    def test_an_edit_after_the_steward_opened_the_page_refuses_the_approval(self, habitat: Habitat, browser) -> None:
        from playwright.sync_api import expect

        member = signed_in_page(habitat, browser, "member")
        steward = signed_in_page(habitat, browser, "steward")
        submit_labor(member, habitat, "Fixed the latch of the orchard gate")
        submit_labor(member, habitat, "Oiled the hinges of the orchard gate", hours="1")
        queue = steward.context.new_page()  # the queue, open in another tab
        queue.goto(habitat.url + "/review")
        expect(queue.locator("#review-queue tr", has_text="Oiled the hinges")).to_have_count(1)
        steward.goto(habitat.url + "/review")
        steward.click("text=Fixed the latch of the orchard gate")
        expect(steward.locator("#status")).to_have_text("pending")

        # while the steward reads, the member changes both
        for text in ("Fixed the latch of the orchard gate", "Oiled the hinges of the orchard gate"):
            member.goto(habitat.url + "/contributions")
            member.locator("#my-contributions a", has_text=text).click()
            member.click('details > summary:text-is("Edit")')
            member.fill("#edit-form input[name=hours]", "5")
            member.click("#edit-form button[type=submit]")
            expect(member.locator("#revisions tbody tr")).to_have_count(2)

        # the approval names the revision the steward saw: refused, with the reason shown, nothing decided
        steward.click("#approve")
        expect(steward.locator("p.error")).to_contain_text("changed this contribution after you opened it")
        expect(steward.locator("#status")).to_have_text("pending")
        expect(steward.locator("#value")).to_contain_text("400.00")  # the page now shows the member's edit
        steward.click("#approve")
        expect(steward.locator("#status")).to_have_text("approved")

        # so is an approval from the queue opened before the edit
        queue.locator("#review-queue tr", has_text="Oiled the hinges").locator("button.approve").click()
        expect(queue.locator("p.error")).to_contain_text("changed this contribution after you opened it")
        expect(queue.locator("#review-queue tr", has_text="Oiled the hinges")).to_have_count(1)

    def test_member_cannot_open_the_review_queue(self, habitat: Habitat, browser) -> None:
        member = signed_in_page(habitat, browser, "member")
        response = member.goto(habitat.url + "/review")
        assert response.status == 403
