"""`make dev`'s demo seeding on a co-op that has grown past one page of members (issue 15).

The demo members are looked up by email, not on the first page of the roster: with more than a page of
members sorting before them, seeding twice creates them once and the second run changes nothing.
"""

from __future__ import annotations

import pytest
from habitat_devstack.seed import DEMO_MEMBERS, PAGE, seed_demo

from tests.e2e.conftest import started_habitat

pytestmark = pytest.mark.e2e
GROWN = PAGE + 5  # more than a page, and no more: each member costs an argon2 hash


def _roster() -> bytes:
    # "aa-…" sorts before every demo email, so the demo members land beyond the first page
    rows = [f"aa-{i:03d}@grown.coop,Grown Member {i},member,2024-01-01" for i in range(GROWN)]
    return ("email,display_name,role,joined_at\n" + "\n".join(rows) + "\n").encode()


def _emails(habitat, token: str) -> list[str]:
    emails, offset = [], 0
    while True:
        page = habitat.call("GET", "/members", token, params={"limit": 500, "offset": offset}).json()
        emails += [m["email"] for m in page["items"]]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return emails


def _contributions(habitat, email: str, password: str) -> int:
    token = habitat.login(email, password)["access_token"]
    response = habitat.call("GET", "/contributions", token, params={"limit": 500})
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


def test_seeding_twice_on_more_than_a_page_of_members_creates_the_demo_once() -> None:
    with started_habitat("habitat_seed") as habitat:
        token = habitat.admin_token()
        imported = habitat.call(
            "POST", "/members/import", token, content=_roster(), headers={"Content-Type": "text/csv"}
        )
        assert imported.status_code == 200, imported.text

        created = seed_demo(habitat.url, habitat.admin_email, habitat.admin_password)
        assert set(created) == {email for email, _, _ in DEMO_MEMBERS}

        # the precondition that made the old seeding answer 409: no demo member on the first page
        first_page = habitat.call("GET", "/members", token).json()["items"]
        assert len(first_page) == PAGE
        assert not {m["email"] for m in first_page} & set(created)

        again = seed_demo(habitat.url, habitat.admin_email, habitat.admin_password)
        assert again == {}
        emails = _emails(habitat, token)
        assert len(emails) == GROWN + len(DEMO_MEMBERS) + 1  # the admin
        for email, _, _ in DEMO_MEMBERS:
            assert emails.count(email) == 1
        # contributions are seeded with the members only, so a re-run adds none
        assert _contributions(habitat, "ada@demo.coop", created["ada@demo.coop"]) == 2
        assert _contributions(habitat, "ben@demo.coop", created["ben@demo.coop"]) == 2
