"""`habitat dlq list/show/replay/discard` against a mock gateway: what is sent, what is printed."""

from __future__ import annotations

import json

import httpx
import pytest
from habitat_cli import dead_letters
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from typer.testing import CliRunner

URL = "https://habitat.example.coop"
QUEUE = "ledger.contributions.contribution_approved.v1"
LETTER = {"id": "l-1", "queue": QUEUE, "event_type": "contributions.contribution_approved.v1", "event_id": "e-1",
          "reason": "malformed: not an envelope", "dead_at": "2026-12-01T10:00:00Z", "age_seconds": 7300,
          "times_dead": 2, "status": "dead"}


@pytest.fixture
def calls(tmp_path, monkeypatch) -> list[tuple[str, bytes]]:
    store = CredentialStore(tmp_path)
    store.save(Credentials(URL, "access-1", "refresh-1"))
    seen: list[tuple[str, bytes]] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append((f"{request.method} {request.url.path}?{request.url.query.decode()}", request.content))
        path = request.url.path
        if path == "/api/v1/dead-letters":
            return httpx.Response(200, json={
                "queues": [{"queue": QUEUE, "count": 1, "oldest_dead_at": LETTER["dead_at"], "age_seconds": 7300}],
                "total": 1, "items": [LETTER]})
        if path == f"/api/v1/dead-letters/{QUEUE}":
            return httpx.Response(200, json={"queue": QUEUE, "total": 1, "items": [{
                **LETTER, "headers": {"x-correlation-id": "c-9"}, "body": '{"event_id": "e-1"}',
                "body_encoding": "utf-8", "discard_reason": None}]})
        if path == f"/api/v1/dead-letters/{QUEUE}/replay":
            return httpx.Response(202, json={"queue": QUEUE, "requested": 1, "already_replayed": 1})
        if path == f"/api/v1/dead-letters/{QUEUE}/discard":
            return httpx.Response(409, json={"error": {"code": "dead_letter_not_dead", "message": "l-1 is replayed"}})
        return httpx.Response(404, json={"error": {"code": "unknown_queue", "message": "'x' is no work queue"}})

    monkeypatch.setattr(dead_letters, "signed_in", lambda: signed_in(store, httpx.MockTransport(gateway)))
    return seen


def test_list_shows_queues_and_letters_with_reason_and_age(calls):
    result = CliRunner().invoke(app, ["dlq", "list", "--queue", QUEUE])
    assert result.exit_code == 0, result.output
    assert calls[0][0] == f"GET /api/v1/dead-letters?status=dead&limit=500&queue={QUEUE}"
    assert "l-1" in result.stdout and "malformed: not an envelope" in result.stdout and "2h" in result.stdout


def test_show_prints_headers_and_body(calls):
    result = CliRunner().invoke(app, ["dlq", "show", QUEUE])
    assert result.exit_code == 0, result.output
    assert '"x-correlation-id": "c-9"' in result.stdout and '{"event_id": "e-1"}' in result.stdout


def test_replay_sends_the_ids_and_says_what_happened(calls):
    result = CliRunner().invoke(app, ["dlq", "replay", QUEUE, "--id", "l-1", "--id", "l-2"])
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0][1]) == {"ids": ["l-1", "l-2"]}
    assert "Replay of 1 letter(s)" in result.stderr and "1 replayed before" in result.stderr


def test_replay_without_ids_means_every_dead_letter(calls):
    result = CliRunner().invoke(app, ["dlq", "replay", QUEUE, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0][1]) == {} and json.loads(result.stdout)["requested"] == 1


def test_discard_needs_a_reason_and_a_refusal_exits_non_zero(calls):
    missing = CliRunner().invoke(app, ["dlq", "discard", QUEUE])
    assert missing.exit_code != 0 and calls == []
    refused = CliRunner().invoke(app, ["dlq", "discard", QUEUE, "--reason", "drill", "--id", "l-1"])
    assert refused.exit_code == 1
    assert json.loads(calls[0][1]) == {"reason": "drill", "ids": ["l-1"]}
    assert "l-1 is replayed" in refused.stderr


def test_an_unknown_queue_is_one_line_and_exit_1(calls):
    result = CliRunner().invoke(app, ["dlq", "show", "x"])
    assert result.exit_code == 1 and "no work queue" in result.stderr
