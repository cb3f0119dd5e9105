"""`habitat periods close` and `close-report` list the contributions that keep a period from closing."""

from __future__ import annotations

import uuid

import httpx
import pytest
from habitat_cli import periods
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from typer.testing import CliRunner

PERIOD = str(uuid.uuid4())
WAITING = {"id": str(uuid.UUID(int=7)), "member_id": str(uuid.UUID(int=8)), "member_name": "Bo Lund", "type": "labor",
           "status": "clarification_requested", "contributed_on": "2026-03-02", "value": "200.00"}
REFUSED = {"error": {"code": "pending_contributions",
                     "message": "1 contribution of 2026-Q1 waits for a decision; decide it before closing."},
           "pending_contributions": [WAITING], "pending_count": 1}
REPORT = {"pending_contributions": [WAITING], "pending_count": 1, "members_with_patronage": 2, "approved_count": 3}


def gateway_answering(answers: dict[tuple[str, str], httpx.Response]):
    def gateway(request: httpx.Request) -> httpx.Response:
        return answers[(request.method, request.url.path)]

    return gateway


@pytest.fixture
def answering(tmp_path, monkeypatch):
    def install(answers: dict[tuple[str, str], httpx.Response]) -> None:
        store = CredentialStore(tmp_path)
        store.save(Credentials("https://habitat.example.coop", "access", "refresh"))
        transport = httpx.MockTransport(gateway_answering(answers))
        monkeypatch.setattr(periods, "signed_in", lambda: signed_in(store, transport))

    return install


def test_a_refused_close_lists_what_waits_and_exits_1(answering):
    answering({("POST", f"/api/v1/periods/{PERIOD}/close"): httpx.Response(409, json=REFUSED)})
    result = CliRunner().invoke(app, ["periods", "close", PERIOD])
    assert result.exit_code == 1
    assert "Waiting for a decision: 1" in result.output
    assert "Bo Lund" in result.output and "clarification_requested" in result.output and "2026-03-02" in result.output
    assert "waits for a decision" in result.output


def test_another_refusal_is_the_usual_one_line(answering):
    body = {"error": {"code": "period_not_open", "message": "Period 2026-Q1 is closed."}}
    answering({("POST", f"/api/v1/periods/{PERIOD}/close"): httpx.Response(409, json=body)})
    result = CliRunner().invoke(app, ["periods", "close", PERIOD])
    assert result.exit_code == 1 and "Waiting" not in result.output and "is closed" in result.output


def test_the_close_report_shows_what_waits_first_then_the_totals(answering):
    answering({("GET", f"/api/v1/periods/{PERIOD}/pre-close"): httpx.Response(200, json=REPORT)})
    result = CliRunner().invoke(app, ["periods", "close-report", PERIOD])
    assert result.exit_code == 0, result.output
    assert result.output.index("Bo Lund") < result.output.index("approved_count: 3")
    assert "[{" not in result.output  # a table, not a raw list


def test_an_empty_list_says_nothing_waits(answering):
    report = REPORT | {"pending_contributions": [], "pending_count": 0}
    answering({("GET", f"/api/v1/periods/{PERIOD}/pre-close"): httpx.Response(200, json=report)})
    result = CliRunner().invoke(app, ["periods", "close-report", PERIOD])
    assert result.exit_code == 0 and "No contributions of the period are waiting" in result.output
