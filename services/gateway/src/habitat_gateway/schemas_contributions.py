"""Public bodies of intake and review: submit, edit, review, queue, intake dashboard.

The answers, approving and the batch approval are defined once in habitat_common.api.contributions, which the
contributions service declares too; the bodies of submitting, editing, answering, rejecting and asking are the
gateway's (habitat_common.api.contributions says why), and the dashboard is the gateway's own."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from habitat_common.api.contributions import (
    Approval,
    BatchApproveRequest,
    BatchApproveResult,
    BatchItemError,
    BatchItemResult,
    Contribution,
    ContributionDetail,
    ContributionList,
    ExpectedRevision,
    IntakeDashboard,
    MemberPatronage,
    MemberRef,
    PeriodRef,
    QueuedContribution,
    ReviewerFigures,
    ReviewQueue,
    ReviewRequest,
    Revision,
    ThreadEntry,
    TypeFigures,
)
from habitat_common.api.identity import Member
from habitat_common.web.inputs import IsoDate
from habitat_common.web.money import HoursIn, MoneyIn
from pydantic import Field

from habitat_gateway.schemas import Body, Money, Out

__all__ = [
    "Approval", "BatchApproveRequest", "BatchApproveResult", "BatchItemError", "BatchItemResult", "CapitalAccount",
    "ClarificationRequest", "Contribution", "ContributionDetail", "ContributionList", "Dashboard",
    "EditContributionRequest", "IntakeDashboard", "MemberPatronage", "MemberRef", "PeriodRef", "QueuedContribution", "RejectRequest",
    "RespondRequest", "ReviewQueue", "ReviewRequest", "ReviewerFigures", "Revision", "SubmitContributionRequest",
    "ThreadEntry", "TypeFigures",
]

# the contributions domain folds white space and asks for meaningful text of 10 (an answer: 5) to 2000
# characters (422 invalid_description, invalid_reason, ...); the schema states the lengths it can
Description = Annotated[str, Field(min_length=10, max_length=2000)]
Reason = Annotated[str, Field(min_length=10, max_length=2000)]
Answer = Annotated[str, Field(min_length=5, max_length=2000)]


class SubmitContributionRequest(Body):
    type: Literal["labor", "capital", "property"]
    corrects_contribution_id: uuid.UUID | None = Field(
        default=None,
        description="Set to correct an approved contribution of yours, of the same type; values are then the "
        "changes and may be negative, but the original plus its approved corrections never goes below zero",
    )
    contributed_on: IsoDate = Field(description="Not in the future (co-op time zone), not before you joined")
    description: Description = Field(description="What was done or given; required, not trivial")
    amount: MoneyIn | None = Field(default=None, description="capital: cash amount > 0, e.g. \"500.00\"")
    hours: HoursIn | None = Field(default=None, description="labor: hours > 0 and <= 24, as text, e.g. \"7.50\"")
    rate: MoneyIn | None = Field(default=None, description="labor: hourly rate within the co-op's rate card")
    fair_market_value: MoneyIn | None = Field(default=None, description="property: fair market value > 0")
    adjusted_basis: MoneyIn | None = Field(default=None, description="property: contributor's adjusted basis >= 0")


class EditContributionRequest(Body):
    contributed_on: IsoDate | None = None
    description: Description | None = None
    amount: MoneyIn | None = None
    hours: HoursIn | None = None
    rate: MoneyIn | None = None
    fair_market_value: MoneyIn | None = None
    adjusted_basis: MoneyIn | None = None


class RejectRequest(Body):
    reason: Reason = Field(description="Why; shown to the member")
    expected_revision: ExpectedRevision = None


class ClarificationRequest(Body):
    question: Reason = Field(description="What the reviewer needs to know")
    expected_revision: ExpectedRevision = None


class RespondRequest(EditContributionRequest):
    answer: Answer = Field(description="The member's answer to the reviewer's question")


class CapitalAccount(Out):
    member_id: uuid.UUID
    book_balance: Money = Field(description="Section 704(b) book capital, credit balance positive")
    tax_balance: Money = Field(description="Tax-basis capital, credit balance positive")
    as_of: date | datetime | None = None


class Dashboard(Out):
    profile: Member
    capital_account: CapitalAccount
    recent_contributions: list[Contribution]
    patronage: MemberPatronage | None = Field(
        description="Your approved value by type in the period containing today (between periods, the latest one) "
        "— your patronage so far — and what awaits review; null while the contributions service cannot say"
    )
    allocations: list[dict[str, Any]] = Field(description="Patronage allocations credited to your capital")
    statement: list[dict[str, Any]] = Field(description="Your latest capital account lines, running balances")
