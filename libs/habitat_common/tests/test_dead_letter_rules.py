"""The pure rules of dead letters: what a dead message says about itself, what a replay or discard does."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from habitat_common.messaging import dead_letter_rules as rules

QUEUE = "ledger.contributions.contribution_approved.v1"
EVENT_ID = uuid.uuid4()
ENVELOPE = json.dumps({"event_id": str(EVENT_ID), "event_type": "contributions.contribution_approved",
                       "event_version": 1, "payload": {}}).encode()


class TestReadDeath:
    def test_a_refusal_gives_its_reason_and_the_envelope_its_event(self) -> None:
        death = rules.read_death(QUEUE, ENVELOPE, {rules.REASON_HEADER: "wrong_producer: 'identity'"},
                                 message_id="m-1", content_type="application/json")
        assert (death.reason, death.event_type, death.event_id) == (
            "wrong_producer: 'identity'", "contributions.contribution_approved.v1", EVENT_ID)
        assert (death.queue, death.message_id, death.body, death.letter_id) == (QUEUE, "m-1", ENVELOPE, None)

    def test_the_broker_reason_when_the_delivery_limit_killed_it(self) -> None:
        when = datetime(2026, 12, 1, tzinfo=UTC)
        headers = {"x-death": [{"reason": "delivery_limit", "queue": QUEUE, "count": 1, "time": when,
                                "routing-keys": [b"contributions.contribution_approved.v1"]}]}
        death = rules.read_death(QUEUE, ENVELOPE, headers)
        assert death.reason.startswith("delivery_limit")
        # stored as JSON: datetimes and bytes become strings
        assert death.headers["x-death"][0]["time"] == when.isoformat()
        assert death.headers["x-death"][0]["routing-keys"] == ["contributions.contribution_approved.v1"]
        json.dumps(death.headers)

    def test_a_body_that_is_no_envelope_has_no_event(self) -> None:
        death = rules.read_death(QUEUE, b"\xff\x00 not json", None)
        assert (death.event_type, death.event_id) == (None, None)
        assert death.reason.startswith("unknown")
        assert rules.read_death(QUEUE, b'{"event_id": "nope", "event_type": 3}', {}).event_id is None

    def test_a_replayed_message_names_its_letter(self) -> None:
        letter = uuid.uuid4()
        assert rules.read_death(QUEUE, ENVELOPE, {rules.LETTER_ID_HEADER: str(letter)}).letter_id == letter


def test_a_replay_drops_the_death_marks_and_names_its_letter() -> None:
    letter = uuid.uuid4()
    headers = {rules.REASON_HEADER: "x", rules.QUEUE_HEADER: QUEUE, "x-death": [], "x-correlation-id": "c",
               "traceparent": "00-ab"}
    assert rules.replay_headers(headers, letter) == {
        "x-correlation-id": "c", "traceparent": "00-ab", rules.LETTER_ID_HEADER: str(letter)}
    retried = headers | {"x-habitat-retries": 10}
    assert "x-habitat-retries" not in rules.replay_headers(retried, letter, drop=frozenset({"x-habitat-retries"}))


def test_a_body_is_shown_as_text_or_base64() -> None:
    assert rules.body_for_display(b'{"a": 1}') == ('{"a": 1}', "utf-8")
    assert rules.body_for_display(b"\xff\xfe") == (base64.b64encode(b"\xff\xfe").decode(), "base64")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "two\nlines", "bell\x07", "c1\x85"])
def test_a_discard_reason_is_one_line_of_1_to_500_characters(reason: str) -> None:
    with pytest.raises(rules.InvalidReason):
        rules.checked_reason(reason)


def test_a_discard_reason_is_kept_trimmed() -> None:
    assert rules.checked_reason("  test message from a drill ") == "test message from a drill"
    assert rules.checked_reason("é" * 500) == "é" * 500


def test_a_queue_must_be_one_of_the_service() -> None:
    assert rules.checked_queue(QUEUE, [QUEUE]) == QUEUE
    with pytest.raises(rules.UnknownQueue):
        rules.checked_queue("contributions.x.v1", [QUEUE])


A, B, C, D = (uuid.uuid4() for _ in range(4))
STATUSES = {A: rules.DEAD, B: rules.REPLAY_REQUESTED, C: rules.REPLAYED, D: rules.DISCARDED}


class TestPlans:
    def test_replaying_asked_letters_counts_those_already_on_their_way(self) -> None:
        plan = rules.plan_replay(QUEUE, [A, B, C], {k: STATUSES[k] for k in (A, B, C)})
        assert (plan.change, sorted(plan.already)) == ([A], sorted([B, C]))

    def test_replaying_a_discarded_letter_is_refused(self) -> None:
        with pytest.raises(rules.DeadLettersNotDead):
            rules.plan_replay(QUEUE, [A, D], {A: rules.DEAD, D: rules.DISCARDED})

    def test_an_id_not_in_the_queue_is_not_found(self) -> None:
        with pytest.raises(rules.DeadLettersNotFound, match=str(B)):
            rules.plan_replay(QUEUE, [A, B], {A: rules.DEAD})

    def test_every_dead_letter_when_no_ids_are_given(self) -> None:
        assert rules.plan_replay(QUEUE, None, {A: rules.DEAD}).change == [A]
        assert rules.plan_discard(QUEUE, None, {A: rules.DEAD}).change == [A]

    def test_discarding_counts_the_discarded_and_refuses_the_replayed(self) -> None:
        plan = rules.plan_discard(QUEUE, [A, D], {A: rules.DEAD, D: rules.DISCARDED})
        assert (plan.change, plan.already) == ([A], [D])
        with pytest.raises(rules.DeadLettersNotDead):
            rules.plan_discard(QUEUE, [C], {C: rules.REPLAYED})


def test_age_is_whole_seconds_never_negative() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert rules.age_seconds(now - timedelta(seconds=90.7), now) == 90
    assert rules.age_seconds(now + timedelta(seconds=3), now) == 0
