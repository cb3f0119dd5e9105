"""`habitat periods propose`: a loss (negative surplus) and a tax result of its own reach the gateway as strings."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from habitat_cli import periods
from habitat_cli.app import app
from habitat_cli.client import signed_in
from habitat_cli.credentials import Credentials, CredentialStore
from typer.testing import CliRunner

PERIOD = str(uuid.uuid4())
RECORD = {
    "id": str(uuid.uuid4()), "status": "proposed", "approvals": [], "approvals_required": 2, "contribution_count": 3,
    "content_hash": "ab" * 32,
    "inputs": {"surplus": "-500.00", "tax_surplus": "-400.00", "cash_portion": "0.00"},
    "rows": [{"member_id": str(uuid.UUID(int=1)), "display_name": "Cal Ito", "weighted_patronage": "1250.00",
              "share": "1.0000000000", "allocation": "-500.00", "tax_allocation": "-400.00",
              "cash_portion_amount": "0.00", "retained_amount": "-500.00"}],
}


@pytest.fixture
def sent(tmp_path, monkeypatch) -> list[dict]:
    """The bodies the command posts; the gateway answers with a calculation record."""
    bodies: list[dict] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(201, json=RECORD)

    store = CredentialStore(tmp_path)
    store.save(Credentials("https://habitat.example.coop", "access", "refresh"))
    monkeypatch.setattr(periods, "signed_in", lambda: signed_in(store, httpx.MockTransport(gateway)))
    return bodies


def test_a_loss_and_its_tax_result_are_proposed_and_shown(sent):
    result = CliRunner().invoke(app, ["periods", "propose", PERIOD, "--surplus", "-500.00", "--tax-surplus", "-400.00"])
    assert result.exit_code == 0, result.output
    assert sent == [{"surplus": "-500.00", "tax_surplus": "-400.00", "cash_portion": "0"}]
    assert "Book result (loss) -500.00, tax result -400.00" in result.output
    assert "-400.00" in result.output.split("allocation (tax)")[-1]


def test_without_a_tax_result_none_is_sent(sent):
    result = CliRunner().invoke(app, ["periods", "propose", PERIOD, "--surplus=-500.00"])
    assert result.exit_code == 0, result.output
    assert sent == [{"surplus": "-500.00", "cash_portion": "0"}]


def test_a_malformed_tax_result_is_refused_before_sending(sent):
    result = CliRunner().invoke(app, ["periods", "propose", PERIOD, "--surplus", "-5", "--tax-surplus", "lots"])
    assert result.exit_code == 1 and sent == []
