"""The gateway's dashboard cache on the real stack (Caddy, gateway, the three services' member change feeds on
PostgreSQL): polls are answered from memory, and every change to what the dashboard shows reaches it — the
member's own at once, anyone else's within the feeds' poll."""

from __future__ import annotations

import re

import httpx

from .conftest import Habitat, eventually

HITS = re.compile(r'^habitat_dashboard_cache_answers_total\{outcome="hit"\} ([0-9.e+]+)$', re.MULTILINE)
CHANGE_SHOWS_WITHIN = 15.0  # the feeds are polled every second; generous for a slow machine


def cache_hits(habitat: Habitat) -> float:
    metrics = httpx.get(f"http://127.0.0.1:{habitat.config.ports['gateway']}/metrics", timeout=10).text
    found = HITS.search(metrics)
    assert found, "the gateway exports no dashboard cache series"
    return float(found.group(1))


def dashboard(habitat: Habitat, token: str) -> dict:
    response = habitat.call("GET", "/me/dashboard", token)
    assert response.status_code == 200, response.text
    return response.json()


class TestDashboardCache:
    def test_polls_hit_the_cache_and_every_change_shows(self, habitat: Habitat) -> None:
        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        admin = habitat.admin_token()
        first = dashboard(habitat, member)
        assert first["recent_contributions"] == []

        # polls are answered from memory once all three feeds answer
        before = cache_hits(habitat)
        eventually(lambda: dashboard(habitat, member) == first and cache_hits(habitat) >= before + 2,
                   timeout=CHANGE_SHOWS_WITHIN, interval=0.2)

        # the member's own write is shown on the very next poll: forwarding it dropped their entry
        submitted = habitat.submit(member, {"type": "capital", "contributed_on": "2026-02-15", "amount": "250.00",
                                            "description": "Capital contribution for the cache test"})
        board = dashboard(habitat, member)
        assert [c["id"] for c in board["recent_contributions"]] == [submitted["id"]]
        assert board["patronage"]["awaiting_review"]["capital"] == {"count": 1, "value": "250.00"}

        # someone else's: the steward's approval (contributions' feed), the ledger's credit (the ledger's feed)
        approved = habitat.call("POST", f"/contributions/{submitted['id']}/approve", steward, json={})
        assert approved.status_code == 200, approved.text

        def approved_and_credited() -> bool:
            board = dashboard(habitat, member)
            return ([c["status"] for c in board["recent_contributions"]] == ["approved"]
                    and board["capital_account"]["book_balance"] == "250.00"
                    and board["patronage"]["approved"]["capital"] == {"count": 1, "value": "250.00"}
                    and board["patronage"]["awaiting_review"]["capital"]["count"] == 0)

        eventually(approved_and_credited, timeout=CHANGE_SHOWS_WITHIN, interval=0.2)

        # an admin's change of the member's record (identity's feed)
        renamed = habitat.call("PATCH", f"/members/{member_id}", admin, json={"display_name": "Renamed By Admin"})
        assert renamed.status_code == 200, renamed.text
        eventually(lambda: dashboard(habitat, member)["profile"]["display_name"] == "Renamed By Admin",
                   timeout=CHANGE_SHOWS_WITHIN, interval=0.2)

        # and with nothing changing, polls hit again
        settled = cache_hits(habitat)
        eventually(lambda: dashboard(habitat, member) and cache_hits(habitat) >= settled + 2,
                   timeout=CHANGE_SHOWS_WITHIN, interval=0.2)
