"""The walking skeleton's money path through Caddy → gateway → services → RabbitMQ → ledger."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from .broker import approved_envelope
from .conftest import Habitat, eventually

pytestmark = pytest.mark.e2e


class TestCapitalContributionPath:
    def test_admin_member_steward_path_credits_capital(self, habitat: Habitat) -> None:
        admin = habitat.admin_token()
        member_id, email, temporary = habitat.create_member("member")
        _, steward = habitat.active_member("steward")

        first = habitat.login(email, temporary)
        assert first["must_change_password"] is True
        refused = habitat.call("GET", "/me/dashboard", first["access_token"])
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "password_change_required"
        changed = habitat.call(
            "POST", "/auth/password", first["access_token"],
            json={"current_password": temporary, "new_password": "a-much-better-passphrase-42"},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["must_change_password"] is False
        member = habitat.login(email, "a-much-better-passphrase-42")["access_token"]
        me = habitat.call("GET", "/me", member).json()
        assert me["status"] == "active"

        contribution = habitat.submit(
            member,
            {"type": "capital", "contributed_on": "2026-02-15", "amount": "500.00",
             "description": "Capital contribution by bank transfer"},
        )
        assert contribution["status"] == "pending"
        assert contribution["period_id"] == habitat.period_id
        queue = habitat.call("GET", "/review-queue", steward).json()["items"]
        assert contribution["id"] in [item["id"] for item in queue]

        approved = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
        assert approved.status_code == 200, approved.text

        def credited():
            body = habitat.call("GET", "/me/dashboard", member).json()
            account = body["capital_account"]
            return (account["book_balance"], account["tax_balance"]) == ("500.00", "500.00") and body

        # the credit arrives; how fast is bench/approval_lag.py's claim, not this test's (a slow
        # machine would fail a time bound here without anything being wrong)
        dashboard = eventually(credited, timeout=30.0)
        assert dashboard["profile"]["id"] == member_id
        assert [c["status"] for c in dashboard["recent_contributions"]] == ["approved"]
        # the admin sees the same account; the member's role cannot approve
        assert habitat.capital(admin, member_id) == ("500.00", "500.00")
        assert habitat.call("POST", f"/contributions/{contribution['id']}/approve", member, json={}).status_code == 403

    def test_steward_cannot_approve_own_contribution(self, habitat: Habitat) -> None:
        _, steward = habitat.active_member("steward")
        own = habitat.submit(
            steward, {"type": "capital", "contributed_on": "2026-01-20", "amount": "10.00",
                      "description": "Steward's own capital contribution"},
        )
        response = habitat.call("POST", f"/contributions/{own['id']}/approve", steward, json={})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "self_review"

    def test_member_cannot_see_another_members_money(self, habitat: Habitat) -> None:
        alice_id, alice = habitat.active_member()
        bob_id, bob = habitat.active_member()
        assert habitat.call("GET", f"/capital-accounts/{alice_id}", bob).status_code == 404
        assert habitat.call("GET", f"/members/{alice_id}", bob).status_code == 404
        assert habitat.call("GET", f"/capital-accounts/{bob_id}", bob).status_code == 200


class TestCaddyFront:
    def test_security_headers_and_no_public_metrics(self, habitat: Habitat) -> None:
        with habitat.client() as client:
            page = client.get("/login")
            metrics = client.get("/metrics")
        assert page.status_code == 200
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert "max-age=" in page.headers["strict-transport-security"]
        assert page.headers["referrer-policy"]
        assert page.headers.get("x-frame-options") == "DENY"
        assert metrics.status_code == 404
        internal = httpx.get(habitat.config.service_url("gateway") + "/metrics").text
        assert "habitat_http_request_duration_seconds" in internal


class TestTracing:
    def test_trace_and_correlation_follow_the_request_into_the_ledger_worker(self, habitat: Habitat) -> None:
        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        contribution = habitat.submit(member, {"type": "capital", "contributed_on": "2026-03-03", "amount": "5.00",
                                               "description": "Capital contribution for tracing"})
        trace_id, correlation_id = uuid.uuid4().hex, f"e2e-{uuid.uuid4()}"
        headers = {"Authorization": f"Bearer {steward}", "X-Correlation-ID": correlation_id,
                   "traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}
        with habitat.client() as client:
            response = client.post(f"/api/v1/contributions/{contribution['id']}/approve", headers=headers, json={})
        assert response.status_code == 200, response.text
        assert response.headers["x-correlation-id"] == correlation_id
        eventually(lambda: habitat.capital(member, member_id) == ("5.00", "5.00"))

        envelope = approved_envelope(habitat.config.database_url, contribution["id"])
        assert envelope["correlation_id"] == correlation_id

        def ledger_log_line():
            log = (habitat.config.log_dir / "ledger-worker.log").read_text()
            lines = [json.loads(line) for line in log.splitlines() if line.startswith("{") and correlation_id in line]
            return lines

        [line] = eventually(ledger_log_line)
        assert line["trace_id"] == trace_id
        assert line["correlation_id"] == correlation_id
