"""At-least-once delivery made exactly-once in effect: duplicates, a stopped worker, poison messages."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from .broker import APPROVED, LEDGER_QUEUE, approved_envelope, metric_value, publish_raw
from .conftest import Habitat, eventually
from .dead_letter_api import dead_bodies

pytestmark = pytest.mark.e2e


def approve_capital(habitat: Habitat, member: str, steward: str, amount: str, day: str = "2026-03-01") -> dict:
    contribution = habitat.submit(
        member, {"type": "capital", "contributed_on": day, "amount": amount,
                 "description": "Capital contribution by bank transfer"},
    )
    response = habitat.call("POST", f"/contributions/{contribution['id']}/approve", steward, json={})
    assert response.status_code == 200, response.text
    return contribution


def ledger_metrics(habitat: Habitat) -> str:
    return httpx.get(habitat.config.service_url("ledger-worker") + "/metrics", timeout=5.0).text


class TestDuplicateDelivery:
    def test_same_approved_event_delivered_twice_is_credited_once(self, habitat: Habitat) -> None:
        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        contribution = approve_capital(habitat, member, steward, "120.00")
        eventually(lambda: habitat.capital(member, member_id) == ("120.00", "120.00"))

        envelope = approved_envelope(habitat.config.database_url, contribution["id"])
        before = metric_value(ledger_metrics(habitat), "habitat_events_consumed_total", outcome="duplicate")
        publish_raw(habitat.config.amqp_url, APPROVED, json.dumps(envelope).encode(), envelope["event_id"], times=2)

        eventually(lambda: metric_value(ledger_metrics(habitat), "habitat_events_consumed_total",
                                        outcome="duplicate") >= before + 2)
        assert habitat.capital(member, member_id) == ("120.00", "120.00")


class TestWorkerOutage:
    def test_credit_arrives_once_after_the_ledger_worker_restarts(self, habitat: Habitat) -> None:
        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        habitat.stack.stop("ledger-worker")
        try:
            approve_capital(habitat, member, steward, "250.00")
            approve_capital(habitat, member, steward, "0.10")
            time.sleep(1.0)
            assert habitat.capital(member, member_id) == ("0.00", "0.00")
        finally:
            habitat.stack.start("ledger-worker")
            habitat.stack.wait_ready("ledger-worker")
        eventually(lambda: habitat.capital(member, member_id) == ("250.10", "250.10"))
        # a negative ("no second credit") cannot be waited for: a short settle, then still the same
        time.sleep(0.5)
        assert habitat.capital(member, member_id) == ("250.10", "250.10")


class TestPoisonMessage:
    def test_malformed_event_is_dead_lettered_and_others_still_flow(self, habitat: Habitat) -> None:
        poison = json.dumps({"event_id": str(uuid.uuid4()), "payload": {"amount": 1.5}}).encode()
        publish_raw(habitat.config.amqp_url, APPROVED, poison, message_id="poison")

        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        approve_capital(habitat, member, steward, "75.25")
        eventually(lambda: habitat.capital(member, member_id) == ("75.25", "75.25"))

        # the ledger worker keeps what dies in its dead_letter table (tests/e2e/test_dead_letters.py)
        dead = eventually(lambda: [body for body in dead_bodies(habitat, LEDGER_QUEUE) if body == poison])
        assert dead == [poison]
        assert metric_value(ledger_metrics(habitat), "habitat_events_failed_total", reason="malformed") >= 1
        assert Decimal(habitat.capital(member, member_id)[0]) == Decimal("75.25")
