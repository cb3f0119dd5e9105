"""Paging in Chromium: an admin pages through the members list a few rows at a time with "Next page →",
search and page size kept, and finds every member exactly once, even one added while paging."""

from __future__ import annotations

import math
import uuid
from collections import Counter

import pytest

from .conftest import Habitat
from .test_browser_admin import admin_page  # noqa: F401 (the fixture: the bootstrap admin, signed in)

pytestmark = pytest.mark.e2e


def add_member(habitat: Habitat, email: str) -> None:
    body = {"email": email, "display_name": "Paged Member", "role": "member", "send_invitation": False}
    response = habitat.call("POST", "/members", habitat.admin_token(), json=body)
    assert response.status_code == 201, response.text


def every_email(habitat: Habitat) -> list[str]:
    response = habitat.call("GET", "/members", habitat.admin_token(), params={"limit": 500})
    assert response.status_code == 200 and response.json()["next_cursor"] is None, response.text
    return [m["email"] for m in response.json()["items"]]


def emails_on(page) -> list[str]:
    return page.locator("#members tbody tr").evaluate_all("rows => rows.map(r => r.dataset.memberEmail)")


def page_through(page, on_each_page=None) -> list[list[str]]:
    """The emails of each page, clicking "Next page →" until the last page."""
    seen = [emails_on(page)]
    while page.locator("#next-page").count():
        if on_each_page:
            on_each_page(len(seen))
        page.click("#next-page")
        page.wait_for_load_state()
        seen.append(emails_on(page))
    return seen


class TestMembersPaging:
    def test_a_search_paged_two_at_a_time_finds_each_member_once(self, habitat: Habitat, admin_page) -> None:  # noqa: F811
        from playwright.sync_api import expect

        tag = f"paging-{uuid.uuid4().hex[:8]}"
        for n in (1, 3, 5, 7, 8):
            add_member(habitat, f"{tag}-{n}@e2e.coop")
        admin_page.goto(f"{habitat.url}/admin/members?q={tag}&limit=2")
        expect(admin_page.locator("#first-page")).to_have_count(0)

        def add_one_after_the_cursor(pages_seen: int) -> None:
            if pages_seen == 1:  # while on page one: a member further on in the list must still show up
                add_member(habitat, f"{tag}-9@e2e.coop")

        pages = page_through(admin_page, add_one_after_the_cursor)
        assert [len(p) for p in pages] == [2, 2, 2]
        assert [e for p in pages for e in p] == [f"{tag}-{n}@e2e.coop" for n in (1, 3, 5, 7, 8, 9)]
        expect(admin_page.locator("input[name=q]")).to_have_value(tag)  # the search stays in the form

        admin_page.click("#first-page")
        admin_page.wait_for_load_state()
        assert emails_on(admin_page) == [f"{tag}-1@e2e.coop", f"{tag}-3@e2e.coop"]

    def test_the_whole_list_paged_finds_every_member_exactly_once(self, habitat: Habitat, admin_page) -> None:  # noqa: F811
        add_member(habitat, f"paging-{uuid.uuid4().hex[:8]}@e2e.coop")
        everyone = every_email(habitat)
        size = max(2, math.ceil(len(everyone) / 6))  # a handful of pages whatever the shared stack holds
        admin_page.goto(f"{habitat.url}/admin/members?limit={size}")
        pages = page_through(admin_page)
        seen = Counter(e for p in pages for e in p)
        assert len(pages) > 1 and all(len(p) == size for p in pages[:-1])
        assert set(seen) == set(everyone) and set(seen.values()) == {1}
