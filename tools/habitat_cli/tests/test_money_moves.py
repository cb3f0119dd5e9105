"""`habitat money-moves list/approve/reject` and an opening-balance import that waits for a second admin."""

from __future__ import annotations

import json

import httpx
import pytest
from habitat_cli import money_moves
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from habitat_cli.imports import mode
from typer.testing import CliRunner

URL = "https://habitat.example.coop"
MOVE = {
    "id": "m-1", "kind": "complete_distribution", "status": "requested", "target_id": "d-1",
    "parameters": {"member_id": "ana", "amount": "200.00", "reference": "CHK-1", "paid_on": "2026-04-16",
                   "method": "check", "override_reason": None},
    "requested_by": "a-1", "approvals_required": 2, "approvals": [{"by": "a-1", "at": "2026-04-16T10:00:00Z"}],
    "result_id": None,
}


@pytest.fixture
def calls(tmp_path, monkeypatch) -> list[tuple[str, bytes]]:
    store = CredentialStore(tmp_path)
    store.save(Credentials(URL, "access-1", "refresh-1"))
    seen: list[tuple[str, bytes]] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append((f"{request.method} {request.url.path}?{request.url.query.decode()}", request.content))
        if request.url.path == "/api/v1/money-moves":
            return httpx.Response(200, json={"items": [MOVE]})
        if request.url.path == "/api/v1/money-moves/m-1/approve":
            return httpx.Response(200, json={**MOVE, "status": "executed", "result_id": "d-1"})
        if request.url.path == "/api/v1/money-moves/m-1/reject":
            return httpx.Response(200, json={**MOVE, "status": "rejected"})
        return httpx.Response(403, json={"error": {"code": "own_distribution", "message": "Not to yourself."}})

    monkeypatch.setattr(money_moves, "signed_in", lambda: signed_in(store, httpx.MockTransport(gateway)))
    return seen


def test_list_shows_what_waits(calls):
    result = CliRunner().invoke(app, ["money-moves", "list"])
    assert result.exit_code == 0, result.output
    assert calls[0][0] == "GET /api/v1/money-moves?status=requested"
    assert "m-1" in result.stdout and "1/2" in result.stdout and "CHK-1" in result.stdout


def test_approve_says_the_money_moved(calls):
    result = CliRunner().invoke(app, ["money-moves", "approve", "m-1"])
    assert result.exit_code == 0, result.output
    assert "Approved and done: pay 200.00 to ana" in result.stderr + result.stdout


def test_reject_sends_the_reason_and_json_is_for_scripts(calls):
    result = CliRunner().invoke(app, ["money-moves", "reject", "m-1", "--reason", "wrong check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(calls[0][1]) == {"reason": "wrong check"}
    assert json.loads(result.stdout)["status"] == "rejected"


def test_a_refusal_exits_1_with_the_sentence(calls):
    result = CliRunner().invoke(app, ["money-moves", "approve", "m-2"])
    assert result.exit_code == 1 and "Not to yourself." in result.stderr


def test_an_import_says_it_waits_for_a_second_admin():
    report = {"dry_run": False, "import_id": None, "money_move": {"id": "m-9", "status": "requested"}}
    assert mode(report) == "waiting for a second admin's approval, nothing written yet"
    executed = {"dry_run": False, "import_id": "i-1", "money_move": {"id": "m-9", "status": "executed"}}
    assert mode(executed) == "import i-1"
