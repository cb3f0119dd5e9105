"""Request bodies of the HTTP API that are the service's own: submitting, editing, answering, rejecting and asking
(their text rules answered with the domain's codes). Approving, the batch approval and every answer are defined once
in habitat_common.api.contributions, which the gateway declares too (money as decimal strings with two places)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from habitat_common.api.contributions import Money
from habitat_common.web.inputs import IsoDate, RequestBody
from habitat_common.web.money import HoursIn, MoneyIn

TypeName = Literal["labor", "capital", "property"]
StatusName = Literal["pending", "approved", "rejected", "clarification_requested"]
MoneyOut = Money
ExpectedRevision = Annotated[
    int | None,
    Field(
        default=None,
        ge=1,
        description="The contribution's revision you reviewed (its `revision`); if the submitter has edited it "
        "since, the request is refused with 409 stale_revision. Omitted: not checked",
    ),
]


class SubmitContributionBody(RequestBody):
    """A new contribution; which amount fields apply depends on its type."""

    model_config = ConfigDict(extra="forbid")
    type: TypeName = Field(description="labor, capital or property")
    contributed_on: IsoDate = Field(description="Date the work was done or the asset handed over")
    description: str = Field(description="What was done or contributed (at least 10 meaningful characters)")
    hours: HoursIn | None = Field(
        default=None, description='Labor: hours worked that day as a decimal string ("7.50"), more than 0, at most 24'
    )
    rate: MoneyIn | None = Field(default=None, description="Labor: rate per hour (defaults to the co-op's rate)")
    amount: MoneyIn | None = Field(default=None, description='Capital: cash amount, more than 0, e.g. "500.00"')
    fair_market_value: MoneyIn | None = Field(default=None, description="Property: fair market value, more than 0")
    adjusted_basis: MoneyIn | None = Field(
        default=None, description="Property: contributor's adjusted basis, 0 or more"
    )
    corrects_contribution_id: uuid.UUID | None = Field(
        default=None,
        description="Makes this a correction of an approved contribution of yours, of the same type; amounts "
        "(hours, amount, fair_market_value, adjusted_basis) are then the changes and may be negative (a property "
        'correction may fix the basis alone: fair_market_value "0"), but the original plus its approved '
        "corrections never goes below zero",
    )


class EditContributionBody(RequestBody):
    """Fields to change while pending or in clarification (any subset; the type never changes)."""

    model_config = ConfigDict(extra="forbid")
    contributed_on: IsoDate | None = None
    description: str | None = None
    hours: HoursIn | None = None
    rate: MoneyIn | None = None
    amount: MoneyIn | None = None
    fair_market_value: MoneyIn | None = None
    adjusted_basis: MoneyIn | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True, exclude={"answer"})


class RespondBody(EditContributionBody):
    """The member's answer to the open question, optionally with edits."""

    answer: str = Field(description="Answer to the reviewer's question")


class RejectBody(RequestBody):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(description="Why it is rejected (shown to the member; at least 10 meaningful characters)")
    expected_revision: ExpectedRevision = None


class ClarifyBody(RequestBody):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="What the reviewer needs to know (at least 10 meaningful characters)")
    expected_revision: ExpectedRevision = None
