"""Translate at the edge: domain events to published contracts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from habitat_common.contracts import Contract, MemberDeactivatedV1, MemberRegisteredV1, MemberUpdatedV1

from habitat_identity.domain.events import MemberDeactivated, MemberRegistered, MemberUpdated

_CONTRACTS: dict[type, type[Contract]] = {
    MemberRegistered: MemberRegisteredV1,
    MemberUpdated: MemberUpdatedV1,
    MemberDeactivated: MemberDeactivatedV1,
}


def to_contracts(event: Any) -> Iterable[Contract]:
    """The contracts one domain event is published as."""
    contract = _CONTRACTS[type(event)]
    return [contract(**asdict(event))]
