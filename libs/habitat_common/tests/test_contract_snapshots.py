"""A published contract's JSON Schema is frozen: editing it must fail here (make a V2 instead)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from habitat_common.contracts import PUBLISHED, ContributionApprovedV1, Envelope

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "habitat_common" / "contracts" / "schemas"


def snapshot_path(contract) -> Path:
    return SCHEMAS / f"{contract.EVENT_TYPE}.v{contract.VERSION}.json"


@pytest.mark.parametrize("contract", PUBLISHED, ids=lambda c: c.routing_key())
def test_contract_schema_matches_its_snapshot(contract) -> None:
    schema = contract.model_json_schema()
    path = snapshot_path(contract)
    if os.environ.get("HABITAT_WRITE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    assert path.exists(), f"no snapshot for {contract.routing_key()}; run with HABITAT_WRITE_SNAPSHOTS=1 once"
    assert schema == json.loads(path.read_text()), f"{contract.routing_key()} changed; publish a new version"


def test_every_contract_documents_every_field() -> None:
    for contract in PUBLISHED:
        assert contract.__doc__, contract
        for name, field in contract.model_fields.items():
            assert field.description, f"{contract.__name__}.{name} has no description"


def test_routing_keys_are_unique_and_versioned() -> None:
    keys = [c.routing_key() for c in PUBLISHED]
    assert len(keys) == len(set(keys))
    assert all(k.rsplit(".", 1)[1].startswith("v") for k in keys)


class TestEnvelopeRoundTrip:
    def test_money_travels_as_exact_decimal_strings(self) -> None:
        payload = ContributionApprovedV1(
            contribution_id=uuid.uuid4(), member_id=uuid.uuid4(), period_id=uuid.uuid4(), type="property",
            contributed_on=date(2026, 2, 1), value=Decimal("1000.10"), book_amount=Decimal("1000.10"),
            tax_amount=Decimal("600.20"), approved_by=uuid.uuid4(), approved_at=datetime.now(UTC),
        )
        envelope = Envelope.wrap(payload, producer="contributions", correlation_id="abc")
        wire = envelope.model_dump_json()
        assert '"tax_amount":"600.20"' in wire
        back = Envelope[ContributionApprovedV1].model_validate_json(wire)
        assert back == envelope
        assert back.payload.tax_amount == Decimal("600.20")
        assert back.routing_key() == "contributions.contribution_approved.v1"

    def test_unknown_fields_are_tolerated_missing_ones_are_not(self) -> None:
        data = json.loads(Envelope.wrap(
            ContributionApprovedV1(
                contribution_id=uuid.uuid4(), member_id=uuid.uuid4(), period_id=uuid.uuid4(), type="labor",
                contributed_on=date(2026, 2, 1), value=Decimal("800.00"), book_amount=Decimal("0"),
                tax_amount=Decimal("0"), approved_by=uuid.uuid4(), approved_at=datetime.now(UTC),
            ), producer="contributions").model_dump_json())
        data["payload"]["added_later"] = "ok"
        Envelope[ContributionApprovedV1].model_validate(data)
        del data["payload"]["value"]
        with pytest.raises(ValueError):
            Envelope[ContributionApprovedV1].model_validate(data)
