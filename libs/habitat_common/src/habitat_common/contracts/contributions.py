"""Events published by the contributions context."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from habitat_common.contracts.envelope import Contract

ContributionType = Literal["labor", "capital", "property"]


class ContributionSubmittedV1(Contract):
    """A member submitted a contribution for review."""

    EVENT_TYPE: ClassVar[str] = "contributions.contribution_submitted"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="Contribution id")
    member_id: uuid.UUID = Field(description="Submitting member")
    period_id: uuid.UUID = Field(description="Open period containing the contribution date")
    type: ContributionType = Field(description="labor, capital or property")
    contributed_on: date = Field(description="Date the contribution was made")
    value: Decimal = Field(decimal_places=2, description="Patronage value in currency units")


class ContributionApprovedV1(Contract):
    """A contribution was approved; everything the ledger needs to book it and weigh patronage."""

    EVENT_TYPE: ClassVar[str] = "contributions.contribution_approved"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="Contribution id")
    member_id: uuid.UUID = Field(description="Contributing member")
    period_id: uuid.UUID = Field(description="Period the contribution belongs to")
    type: ContributionType = Field(description="labor, capital or property")
    contributed_on: date = Field(description="Date the contribution was made")
    value: Decimal = Field(
        decimal_places=2, description="Patronage value: hours x rate, cash amount or fair market value"
    )
    book_amount: Decimal = Field(
        decimal_places=2, description="Capital credit on book basis (0 for labor; FMV for property)"
    )
    tax_amount: Decimal = Field(
        decimal_places=2, description="Capital credit on tax basis (0 for labor; adjusted basis for property)"
    )
    approved_by: uuid.UUID = Field(description="Reviewer whose approval made it count")
    approved_at: datetime = Field(description="When the approval counted")
    corrects_contribution_id: uuid.UUID | None = Field(
        default=None, description="Set when this contribution corrects an earlier decided one"
    )


class ContributionRejectedV1(Contract):
    """A reviewer rejected a contribution, with the reason."""

    EVENT_TYPE: ClassVar[str] = "contributions.contribution_rejected"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="Contribution id")
    member_id: uuid.UUID = Field(description="Contributing member")
    period_id: uuid.UUID = Field(description="Period the contribution belongs to")
    rejected_by: uuid.UUID = Field(description="Reviewer")
    reason: str = Field(description="Why it was rejected, shown to the member")
    rejected_at: datetime = Field(description="When the decision was made")


class ContributionClarificationRequestedV1(Contract):
    """A reviewer asked the member a question before deciding."""

    EVENT_TYPE: ClassVar[str] = "contributions.clarification_requested"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="Contribution id")
    member_id: uuid.UUID = Field(description="Contributing member")
    requested_by: uuid.UUID = Field(description="Reviewer asking")
    question: str = Field(description="What the reviewer needs to know")
    requested_at: datetime = Field(description="When the question was asked")


class ContributionCorrectedV1(Contract):
    """A correcting contribution was submitted for an already-decided one (reviewed like any other)."""

    EVENT_TYPE: ClassVar[str] = "contributions.contribution_corrected"
    VERSION: ClassVar[int] = 1
    contribution_id: uuid.UUID = Field(description="The new, correcting contribution")
    corrects_contribution_id: uuid.UUID = Field(description="The decided contribution it corrects")
    member_id: uuid.UUID = Field(description="Contributing member")
    period_id: uuid.UUID = Field(description="Period of the correcting contribution")
    value: Decimal = Field(decimal_places=2, description="Patronage value of the correction; may be negative")


class SealedMemberTotal(BaseModel):
    """Approved contributions of one member in a sealed period."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    member_id: uuid.UUID = Field(description="Member")
    approved_count: int = Field(ge=0, description="Number of approved contributions (corrections included)")
    approved_value: Decimal = Field(decimal_places=2, description="Sum of their patronage values")


class PeriodSealedV1(Contract):
    """Answer to period closing: the approved totals the ledger must hold before it computes allocations."""

    EVENT_TYPE: ClassVar[str] = "contributions.period_sealed"
    VERSION: ClassVar[int] = 1
    period_id: uuid.UUID = Field(description="Period that is closing")
    members: list[SealedMemberTotal] = Field(description="Per member count and sum, members with approvals only")
    total_count: int = Field(ge=0, description="Approved contributions in the period")
    total_value: Decimal = Field(decimal_places=2, description="Sum of their patronage values")
    pending_count: int = Field(ge=0, description="Contributions still undecided when sealed (not counted)")


class ImportedContribution(BaseModel):
    """One approved historical contribution of an import: what the ledger needs to book it."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    contribution_id: uuid.UUID = Field(description="Contribution id (stable across re-runs of the same file)")
    member_id: uuid.UUID = Field(description="Contributing member")
    period_id: uuid.UUID = Field(description="Period the contribution belongs to")
    type: ContributionType = Field(description="labor, capital or property")
    contributed_on: date = Field(description="Date the contribution was made")
    value: Decimal = Field(decimal_places=2, description="Patronage value")
    book_amount: Decimal = Field(decimal_places=2, description="Capital credit on book basis (0 for labor)")
    tax_amount: Decimal = Field(decimal_places=2, description="Capital credit on tax basis (0 for labor)")
    approved_by: uuid.UUID = Field(description="Approver named in the file")
    approved_at: datetime = Field(description="Decision time named in the file")


class ContributionsImportedV1(Contract):
    """A batch of approved historical contributions written by an import (at most 1,000 per event).

    Imports publish batches rather than one ContributionApprovedV1 per row so that a 100,000-row
    file reaches the ledger as a hundred messages it can apply set-based. Pending and rejected
    imported rows have no ledger effect and are not published.
    """

    EVENT_TYPE: ClassVar[str] = "contributions.contributions_imported"
    VERSION: ClassVar[int] = 1
    import_id: uuid.UUID = Field(description="The import run that wrote these rows")
    batch: int = Field(ge=1, description="1-based batch number within the import run")
    batches: int = Field(ge=1, description="Number of batches the import run published")
    contributions: list[ImportedContribution] = Field(max_length=1000, description="Approved rows of this batch")
