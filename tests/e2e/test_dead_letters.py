"""Dead letters an operator can act on, through the real stack: a poison message is listed with its reason
and age, shown, discarded with a reason; a good event held in the dead-letter queue is replayed to its work
queue and takes effect exactly once; admins only; the CLI; the worker's gauge."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from .broker import APPROVED, LEDGER_QUEUE, approved_envelope, metric_value, publish_raw
from .conftest import Habitat, eventually
from .dead_letter_api import file_dead_letter, letters
from .test_cli import as_json, ok, run
from .test_messaging import approve_capital, ledger_metrics

pytestmark = pytest.mark.e2e


def letter_of(habitat: Habitat, event_id: str, status: str = "dead") -> dict | None:
    return next((item for item in letters(habitat, LEDGER_QUEUE, status) if item["event_id"] == event_id), None)


def dead_count(habitat: Habitat) -> int:
    listed = habitat.call("GET", "/dead-letters", habitat.admin_token(), params={"queue": LEDGER_QUEUE}).json()
    return next(q["count"] for q in listed["queues"] if q["queue"] == LEDGER_QUEUE)


def gauge(habitat: Habitat) -> float:
    text = ledger_metrics(habitat)
    assert "habitat_dead_letters{" in text
    return metric_value(text, "habitat_dead_letters", queue=LEDGER_QUEUE)


def held_back_approval(habitat: Habitat, member: str, steward: str) -> dict:
    """A valid `contribution approved` event the ledger has never seen: a copy of a real one under new ids,
    crediting 33.00 more."""
    contribution = approve_capital(habitat, member, steward, "10.00")
    envelope = approved_envelope(habitat.config.database_url, contribution["id"])
    envelope["event_id"] = str(uuid.uuid4())
    envelope["payload"] |= {"contribution_id": str(uuid.uuid4()), "value": "33.00", "book_amount": "33.00",
                            "tax_amount": "33.00"}
    return envelope


class TestPoison:
    def test_listed_with_reason_and_age_shown_then_discarded_with_a_reason(self, habitat: Habitat) -> None:
        event_id = str(uuid.uuid4())
        poison = json.dumps({"event_id": event_id, "payload": {"amount": 1.5}}).encode()
        publish_raw(habitat.config.amqp_url, APPROVED, poison, message_id="dlq-poison")

        listed = eventually(lambda: letter_of(habitat, event_id), timeout=30)
        assert listed["reason"].startswith("malformed: not a contributions.contribution_approved.v1 envelope")
        assert listed["age_seconds"] >= 0 and listed["times_dead"] == 1 and listed["status"] == "dead"
        summary = habitat.call("GET", "/dead-letters", habitat.admin_token()).json()
        queue = next(q for q in summary["queues"] if q["queue"] == LEDGER_QUEUE)
        assert queue["count"] >= 1 and queue["age_seconds"] >= listed["age_seconds"]
        assert {q["queue"].partition(".")[0] for q in summary["queues"]} == {"contributions", "ledger", "notifications"}

        assert listed["body"].encode() == poison and listed["message_id"] == "dlq-poison"
        assert listed["headers"]["x-habitat-dead-letter-queue"] == LEDGER_QUEUE

        admin = habitat.admin_token()
        body = {"reason": "poison from the e2e drill", "ids": [listed["id"]]}
        discarded = habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/discard", admin, json=body)
        assert discarded.status_code == 200, discarded.text
        assert discarded.json() == {"queue": LEDGER_QUEUE, "discarded": 1, "already_discarded": 0}
        again = habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/discard", admin, json=body)
        assert again.json() == {"queue": LEDGER_QUEUE, "discarded": 0, "already_discarded": 1}
        assert letter_of(habitat, event_id) is None
        kept = letter_of(habitat, event_id, "discarded")
        assert kept["discard_reason"] == "poison from the e2e drill" and kept["discarded_at"]
        assert kept["discarded_by"] is not None
        refused = habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/replay", admin, json={"ids": [listed["id"]]})
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "dead_letter_not_dead")


class TestReplay:
    def test_a_good_event_replayed_takes_effect_exactly_once(self, habitat: Habitat) -> None:
        member_id, member = habitat.active_member()
        _, steward = habitat.active_member("steward")
        envelope = held_back_approval(habitat, member, steward)
        eventually(lambda: habitat.capital(member, member_id) == ("10.00", "10.00"), timeout=30)
        file_dead_letter(habitat.config.amqp_url, LEDGER_QUEUE, json.dumps(envelope).encode(),
                         "held back by the e2e test", envelope["event_id"])
        letter = eventually(lambda: letter_of(habitat, envelope["event_id"]), timeout=30)
        assert letter["reason"] == "held back by the e2e test"
        assert habitat.capital(member, member_id) == ("10.00", "10.00")

        admin = habitat.admin_token()
        replayed = habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/replay", admin, json={"ids": [letter["id"]]})
        assert replayed.status_code == 202, replayed.text
        assert replayed.json() == {"queue": LEDGER_QUEUE, "requested": 1, "already_replayed": 0}
        eventually(lambda: habitat.capital(member, member_id) == ("43.00", "43.00"), timeout=30)
        eventually(lambda: letter_of(habitat, envelope["event_id"], "replayed"), timeout=30)

        twice = habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/replay", admin, json={"ids": [letter["id"]]})
        assert twice.json() == {"queue": LEDGER_QUEUE, "requested": 0, "already_replayed": 1}
        # the same event on its work queue again (a replay repeated after a crash): the consumer ignores it
        duplicates = metric_value(ledger_metrics(habitat), "habitat_events_consumed_total", outcome="duplicate")
        publish_raw(habitat.config.amqp_url, APPROVED, json.dumps(envelope).encode(), envelope["event_id"])
        eventually(lambda: metric_value(ledger_metrics(habitat), "habitat_events_consumed_total",
                                        outcome="duplicate") >= duplicates + 1, timeout=30)
        assert habitat.capital(member, member_id) == ("43.00", "43.00")
        final = letter_of(habitat, envelope["event_id"], "replayed")
        assert final["times_dead"] == 1 and final["replayed_at"] and final["replay_requested_by"]


def test_only_admins_see_or_touch_dead_letters(habitat: Habitat) -> None:
    _, member = habitat.active_member()
    _, steward = habitat.active_member("steward")
    for token in (member, steward):
        assert habitat.call("GET", "/dead-letters", token).status_code == 403
        assert habitat.call("GET", f"/dead-letters/{LEDGER_QUEUE}", token).status_code == 403
        assert habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/replay", token, json={}).status_code == 403
        assert habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/discard", token,
                            json={"reason": "x"}).status_code == 403
    unknown = habitat.call("GET", "/dead-letters/identity.nothing.v1", habitat.admin_token())
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_queue")


def test_the_worker_gauge_counts_the_dead_letters_per_queue(habitat: Habitat) -> None:
    before = dead_count(habitat)
    event_id = str(uuid.uuid4())
    publish_raw(habitat.config.amqp_url, APPROVED, json.dumps({"event_id": event_id}).encode(), "gauge-poison")
    eventually(lambda: letter_of(habitat, event_id), timeout=30)
    assert dead_count(habitat) >= before + 1
    eventually(lambda: gauge(habitat) == dead_count(habitat), timeout=30)
    letter = letter_of(habitat, event_id)
    habitat.call("POST", f"/dead-letters/{LEDGER_QUEUE}/discard", habitat.admin_token(),
                 json={"reason": "gauge test", "ids": [letter["id"]]})
    # discarded in the HTTP process: the worker reads it back from the table
    eventually(lambda: gauge(habitat) == dead_count(habitat), timeout=30)


@pytest.fixture(scope="module")
def admin_cli(habitat: Habitat, tmp_path_factory) -> Path:
    config = tmp_path_factory.mktemp("habitat-cli-dlq")
    ok(run(config, "login", "--url", habitat.url, "--email", habitat.admin_email,
           "--password", habitat.admin_password))
    return config


def test_the_cli_lists_shows_and_discards(habitat: Habitat, admin_cli: Path) -> None:
    event_id = str(uuid.uuid4())
    publish_raw(habitat.config.amqp_url, APPROVED, json.dumps({"event_id": event_id}).encode(), "cli-poison")
    letter = eventually(lambda: letter_of(habitat, event_id), timeout=30)

    listed = as_json(run(admin_cli, "dlq", "list", "--queue", LEDGER_QUEUE, "--json"))
    assert letter["id"] in [item["id"] for item in listed["items"]]
    table = ok(run(admin_cli, "dlq", "list")).stdout
    assert letter["id"] in table and "malformed" in table
    shown = ok(run(admin_cli, "dlq", "show", LEDGER_QUEUE)).stdout
    assert letter["id"] in shown and event_id in shown

    missing_reason = run(admin_cli, "dlq", "discard", LEDGER_QUEUE, "--id", letter["id"])
    assert missing_reason.returncode != 0
    discarded = as_json(run(admin_cli, "dlq", "discard", LEDGER_QUEUE, "--reason", "cli drill",
                            "--id", letter["id"], "--json"))
    assert discarded == {"queue": LEDGER_QUEUE, "discarded": 1, "already_discarded": 0}
    replay = run(admin_cli, "dlq", "replay", LEDGER_QUEUE, "--id", letter["id"])
    assert replay.returncode == 1 and "discarded" in replay.stderr
    nothing = ok(run(admin_cli, "dlq", "replay", "contributions.ledger.period_closed.v1"))
    assert "Replay of 0 letter(s)" in nothing.stderr
    assert letter_of(habitat, event_id, "discarded")["discard_reason"] == "cli drill"
