"""Versioned integration contracts, defined once and shared by every service."""

from habitat_common.contracts.contributions import (
    ContributionApprovedV1,
    ContributionClarificationRequestedV1,
    ContributionCorrectedV1,
    ContributionRejectedV1,
    ContributionsImportedV1,
    ContributionSubmittedV1,
    ImportedContribution,
    PeriodSealedV1,
    SealedMemberTotal,
)
from habitat_common.contracts.envelope import Contract, Envelope
from habitat_common.contracts.identity import MemberDeactivatedV1, MemberRegisteredV1, MemberUpdatedV1
from habitat_common.contracts.ledger import (
    AllocationApprovedV1,
    AllocationPostedV1,
    AllocationProposedV1,
    DistributionCompletedV1,
    PeriodClosedV1,
    PeriodClosingV1,
    PeriodOpenedV1,
)

PUBLISHED: tuple[type[Contract], ...] = (
    MemberRegisteredV1,
    MemberUpdatedV1,
    MemberDeactivatedV1,
    PeriodOpenedV1,
    PeriodClosingV1,
    PeriodClosedV1,
    AllocationProposedV1,
    AllocationApprovedV1,
    AllocationPostedV1,
    DistributionCompletedV1,
    ContributionSubmittedV1,
    ContributionApprovedV1,
    ContributionRejectedV1,
    ContributionClarificationRequestedV1,
    ContributionCorrectedV1,
    PeriodSealedV1,
    ContributionsImportedV1,
)

__all__ = [
    "PUBLISHED",
    "AllocationApprovedV1",
    "AllocationPostedV1",
    "AllocationProposedV1",
    "Contract",
    "ContributionApprovedV1",
    "ContributionClarificationRequestedV1",
    "ContributionCorrectedV1",
    "ContributionRejectedV1",
    "ContributionSubmittedV1",
    "ContributionsImportedV1",
    "DistributionCompletedV1",
    "Envelope",
    "ImportedContribution",
    "MemberDeactivatedV1",
    "MemberRegisteredV1",
    "MemberUpdatedV1",
    "PeriodClosedV1",
    "PeriodClosingV1",
    "PeriodOpenedV1",
    "PeriodSealedV1",
    "SealedMemberTotal",
]
