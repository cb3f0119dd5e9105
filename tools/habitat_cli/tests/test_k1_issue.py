"""`habitat export k1-issue YEAR`: calls the issue endpoint, shows the endings, or every reason it was refused."""

from __future__ import annotations

import json

import httpx
import pytest
from habitat_cli import exports
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from typer.testing import CliRunner

URL = "https://habitat.example.coop"
ISSUED = {"year": 2026, "issued_at": "2027-01-20T10:00:00Z", "issued_by": "a1", "members": 1,
          "endings": [{"member_id": "m1", "tax_ending": "1200.00", "book_ending": "2000.00",
                       "section_704c_gain_ending": "800.00"}]}


@pytest.fixture
def calls(tmp_path, monkeypatch) -> list[str]:
    store = CredentialStore(tmp_path)
    store.save(Credentials(URL, "access-1", "refresh-1"))
    seen: list[str] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == "/api/v1/exports/k1/2026/issue":
            return httpx.Response(201, json=ISSUED)
        if request.url.path == "/api/v1/exports/k1/2027/issue":
            return httpx.Response(409, json={
                "error": {"code": "k1_does_not_tie", "message": "The K-1 data does not tie."},
                "differences": [{"check": "beginning_carried_forward", "member_id": "m1", "basis": "book",
                                 "expected": "505.00", "computed": "500.00", "difference": "-5.00"}]})
        return httpx.Response(409, json={"error": {"code": "k1_already_issued", "message": "Issued already."},
                                         "issued": ISSUED})

    monkeypatch.setattr(exports, "signed_in", lambda: signed_in(store, httpx.MockTransport(gateway)))
    return seen


def test_issuing_calls_the_endpoint_and_shows_the_endings(calls):
    result = CliRunner().invoke(app, ["export", "k1-issue", "2026"])
    assert result.exit_code == 0, result.output
    assert calls == ["POST /api/v1/exports/k1/2026/issue"]
    assert "1200.00" in result.stdout and "800.00" in result.stdout


def test_json_for_scripts(calls):
    result = CliRunner().invoke(app, ["export", "k1-issue", "2026", "--json"])
    assert json.loads(result.stdout) == ISSUED


def test_a_refusal_exits_1_with_each_difference(calls):
    result = CliRunner().invoke(app, ["export", "k1-issue", "2027"])
    assert result.exit_code == 1
    assert "The K-1 data does not tie." in result.stderr
    assert "beginning_carried_forward: member m1, book: expected 505.00, computed 500.00 (difference -5.00)" in result.stderr


def test_issuing_twice_says_when_it_was_issued(calls):
    result = CliRunner().invoke(app, ["export", "k1-issue", "2025"])
    assert result.exit_code == 1
    assert "issued at 2027-01-20T10:00:00Z by a1 for 1 member(s)" in result.stderr
