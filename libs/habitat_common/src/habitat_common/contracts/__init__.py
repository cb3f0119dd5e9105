"""Versioned integration contracts, defined once and shared by every service."""

from habitat_common.contracts.contributions import ContributionApprovedV1, ContributionSubmittedV1
from habitat_common.contracts.envelope import Contract, Envelope
from habitat_common.contracts.identity import MemberDeactivatedV1, MemberRegisteredV1, MemberUpdatedV1
from habitat_common.contracts.ledger import PeriodOpenedV1

PUBLISHED: tuple[type[Contract], ...] = (
    MemberRegisteredV1,
    MemberUpdatedV1,
    MemberDeactivatedV1,
    PeriodOpenedV1,
    ContributionSubmittedV1,
    ContributionApprovedV1,
)

__all__ = [
    "PUBLISHED",
    "Contract",
    "ContributionApprovedV1",
    "ContributionSubmittedV1",
    "Envelope",
    "MemberDeactivatedV1",
    "MemberRegisteredV1",
    "MemberUpdatedV1",
    "PeriodOpenedV1",
]
