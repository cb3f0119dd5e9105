"""`habitat notify run/messages/resend` against a mock gateway: what is sent, what is printed."""

from __future__ import annotations

import json

import httpx
import pytest
from habitat_cli import notify
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from typer.testing import CliRunner

URL = "https://habitat.example.coop"
MEMBER = "6f1c2d9e-0000-4000-8000-000000000001"
MAIL = {"id": "m-1", "kind": "weekly_reminder", "recipient_id": MEMBER, "recipient_email": "ada@example.coop",
        "subject": "Your contributions for December", "status": "failed", "attempts": 5,
        "last_error": "550 5.1.1 no such user", "created_at": "2026-12-04T09:00:00+00:00"}


@pytest.fixture
def calls(tmp_path, monkeypatch) -> list[tuple[str, bytes]]:
    store = CredentialStore(tmp_path)
    store.save(Credentials(URL, "access-1", "refresh-1"))
    seen: list[tuple[str, bytes]] = []
    ran: set[str] = set()

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append((f"{request.method} {request.url.path}?{request.url.query.decode()}", request.content))
        path = request.url.path
        if path == "/api/v1/notifications/runs":
            kind = json.loads(request.content)["kind"]
            if kind == "final_week":
                return httpx.Response(200, json={"kind": kind, "key": None, "ran": False, "mailed": 0})
            first = kind not in ran
            ran.add(kind)
            return httpx.Response(200, json={"kind": kind, "key": "2026-W49", "ran": first, "mailed": 3 if first else 0})
        if path == "/api/v1/notifications/messages":
            items = [] if request.url.params.get("status") == "bounced" else [MAIL]
            return httpx.Response(200, json={"items": items, "next_cursor": "cur-2" if items else None})
        if path == "/api/v1/notifications/messages/m-1/resend":
            return httpx.Response(200, json=MAIL | {"status": "queued", "attempts": 0})
        return httpx.Response(409, json={"error": {"code": "not_resendable",
                                                   "message": "Only a failed or bounced mail is resent."}})

    monkeypatch.setattr(notify, "signed_in", lambda: signed_in(store, httpx.MockTransport(gateway)))
    return seen


def test_run_prints_what_it_mailed_and_a_second_run_that_it_already_ran(calls):
    first = CliRunner().invoke(app, ["notify", "run", "weekly_reminder"])
    again = CliRunner().invoke(app, ["notify", "run", "weekly_reminder"])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert json.loads(calls[0][1]) == {"kind": "weekly_reminder"} and calls[0][0].startswith("POST ")
    assert "weekly_reminder ran (2026-W49): 3 mail(s)" in first.stdout
    assert "already ran this slot (2026-W49)" in again.stdout


def test_run_without_an_open_period_says_so(calls):
    result = CliRunner().invoke(app, ["notify", "run", "final_week", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["key"] is None
    assert "nothing to run now (not yet the open period's final week" in notify.outcome(json.loads(result.stdout))


def test_an_unknown_kind_exits_non_zero_naming_the_choices_and_calls_nothing(calls):
    result = CliRunner().invoke(app, ["notify", "run", "monthly_newsletter"])
    assert result.exit_code != 0 and calls == []
    assert "monthly_newsletter" in result.output and "weekly_reminder" in result.output


def test_messages_passes_the_filters_and_prints_the_table_and_the_next_cursor(calls):
    result = CliRunner().invoke(app, ["notify", "messages", "--status", "failed", "--recipient", MEMBER,
                                      "--limit", "10"])
    assert result.exit_code == 0, result.output
    assert calls[0][0] == f"GET /api/v1/notifications/messages?limit=10&status=failed&recipient_id={MEMBER}"
    assert "ada@example.coop" in result.stdout and "550 5.1.1 no such user" in result.stdout
    assert "--after cur-2" in result.stderr


def test_messages_with_none_says_so(calls):
    result = CliRunner().invoke(app, ["notify", "messages", "--status", "bounced"])
    assert result.exit_code == 0 and "No mail in status bounced." in result.stderr


def test_resend_queues_it_again_and_a_refusal_is_one_line_and_exit_1(calls):
    resent = CliRunner().invoke(app, ["notify", "resend", "m-1"])
    refused = CliRunner().invoke(app, ["notify", "resend", "m-2"])
    assert resent.exit_code == 0 and "Queued again: 'Your contributions for December' to ada@" in resent.stdout
    assert [call for call, _ in calls] == ["POST /api/v1/notifications/messages/m-1/resend?",
                                           "POST /api/v1/notifications/messages/m-2/resend?"]
    assert refused.exit_code == 1 and refused.stderr == "Only a failed or bounced mail is resent.\n"
