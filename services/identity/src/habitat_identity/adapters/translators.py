"""Translate at the edge: domain events to published contracts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from habitat_common.contracts import (
    Contract,
    InvitationIssuedV1,
    MemberDeactivatedV1,
    MemberRegisteredV1,
    MemberUpdatedV1,
    NewDeviceSignedInV1,
    PasswordResetRequestedV1,
)

from habitat_identity.domain.events import (
    InvitationIssued,
    MemberDeactivated,
    MemberRegistered,
    MemberUpdated,
    NewDeviceSignedIn,
    PasswordResetRequested,
)

_CONTRACTS: dict[type, type[Contract]] = {
    MemberRegistered: MemberRegisteredV1,
    MemberUpdated: MemberUpdatedV1,
    MemberDeactivated: MemberDeactivatedV1,
    PasswordResetRequested: PasswordResetRequestedV1,
    InvitationIssued: InvitationIssuedV1,
    NewDeviceSignedIn: NewDeviceSignedInV1,
}


def to_contracts(event: Any) -> Iterable[Contract]:
    """The contracts one domain event is published as."""
    contract = _CONTRACTS[type(event)]
    return [contract(**asdict(event))]
