"""docs/asyncapi.json is generated from the contracts and the topology; editing either without regenerating it
fails here (regenerate: .venv/bin/python -m habitat_common.messaging.asyncapi > docs/asyncapi.json)."""

from __future__ import annotations

import json
from pathlib import Path

from habitat_common.contracts import PUBLISHED
from habitat_common.messaging.asyncapi import asyncapi_document, render
from habitat_common.messaging.topology import SUBSCRIPTIONS

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.json"


def test_the_committed_document_is_the_generated_one() -> None:
    assert COMMITTED.read_text() == render(), "regenerate docs/asyncapi.json (see this module's docstring)"


def test_every_published_event_and_every_subscription_is_a_channel_with_its_envelope() -> None:
    document = asyncapi_document()
    assert document["asyncapi"].startswith("3.")
    channels, messages = document["channels"], document["components"]["messages"]
    for contract in PUBLISHED:
        key = contract.routing_key()
        channel = channels[f"{key}:publish"]
        assert channel["address"] == key
        assert channel["bindings"]["amqp"]["exchange"]["name"] == "habitat.events"
        message = messages[f"{key}:publish:Message"]
        assert message["payload"]["$ref"].endswith(f"Envelope%5B{contract.__name__}%5D")
    for subscription in SUBSCRIPTIONS:
        channel = channels[f"{subscription.queue_name}:consume"]
        assert channel["bindings"]["amqp"]["queue"]["name"] == subscription.queue_name
    assert len(channels) == len(PUBLISHED) + len(SUBSCRIPTIONS)


def test_the_envelope_schemas_carry_the_contract_fields() -> None:
    schemas = asyncapi_document()["components"]["schemas"]
    for contract in PUBLISHED:
        assert set(schemas[contract.__name__]["properties"]) == set(contract.model_fields)
        envelope = schemas[f"Envelope[{contract.__name__}]"]
        assert {"event_id", "event_type", "event_version", "producer", "payload"} <= set(envelope["properties"])


def test_the_document_is_valid_json_with_sorted_keys() -> None:
    text = COMMITTED.read_text()
    assert json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n" == text
