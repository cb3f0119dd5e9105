"""Public bodies of the ledger's endpoints: close, allocations, distributions, statements, exports.

The bodies the ledger answers with (and the requests it reads as they are) are defined once in
habitat_common.api.ledger and re-exported here. What stays is the gateway's own: the allocation proposal and
the completion of a distribution (stricter or narrower here than the ledger's), the draft allocation and the
pre-close report (loose: the close wizard's tests answer with partial bodies; pre-close adds the undecided
contributions), and the K-1 issue (the ledger declares no model for it)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from habitat_common.api.ledger import (
    Allocation,
    AllocationList,
    AllocationStatement,
    CompleteDistributionRequest,
    Distribution,
    DistributionList,
    K1Issue,
    K1IssuedEnding,
    LedgerExceptionList,
    ReasonRequest,
    ReverseRequest,
    ScheduleDistributionRequest,
    Statement,
    StatementLine,
    Transaction,
)
from habitat_common.api.ledger_money_moves import MoneyMove, MoneyMoveApproval, MoneyMoveList, MoneyMoveRejection
from habitat_common.web.money import MoneyIn
from pydantic import ConfigDict, Field, StringConstraints

from habitat_gateway.schemas import Body, Out

__all__ = [
    "WEIGHT_PATTERN", "Allocation", "AllocationList", "AllocationStatement", "CompleteDistributionRequest", "Distribution",
    "DistributionList", "DraftAllocation", "K1Issue", "K1IssuedEnding", "LedgerExceptionList", "MoneyMove",
    "MoneyMoveApproval", "MoneyMoveList", "MoneyMoveRejection", "PreCloseReport", "ProposeAllocationRequest",
    "ReasonRequest", "ReverseRequest", "ScheduleDistributionRequest", "Statement", "StatementLine", "Transaction",
    "UndecidedContribution", "Weights",
]

Money = Decimal


# ratios travel as decimal text like money (a JSON number is refused); the ledger's domain holds the bounds:
# a weight 0..1000 with at most 4 places, a cash portion 0..100 with at most 2 (422 invalid_allocation_input)
WEIGHT_PATTERN = r"^\d{1,4}(\.\d{1,4})?$"
Weight = Annotated[str, StringConstraints(pattern=WEIGHT_PATTERN)]
Percent = Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,2})?$")]


class Weights(Body):
    labor: Weight = Field(default="1.0", description="0 to 1000, at most 4 decimals, as text")
    capital: Weight = "0.5"
    property: Weight = "0.5"


class ProposeAllocationRequest(Body):
    """The period's book result (a surplus, or a loss when negative), optionally a tax result that
    differs, the weights and the cash portion (0 for a loss)."""

    surplus: MoneyIn = Field(
        description="Book (704(b)) result to allocate, e.g. \"12000.00\"; negative for a loss, e.g. \"-1000.00\""
    )
    tax_surplus: MoneyIn | None = Field(
        default=None,
        description="Tax-basis result if it differs from the book result, allocated on its own by the same shares;"
        " negative for a loss. Default: equal to surplus",
    )
    weights: Weights = Field(default_factory=Weights, description="Patronage weight per contribution type")
    cash_portion: Percent = Field(
        default="0",
        description="Percent of each book allocation paid in cash, \"0\" to \"100\" as text; a loss has none"
        " (422 loss_has_no_cash_portion)",
    )


class DraftAllocation(Out):
    model_config = ConfigDict(extra="allow")
    period_id: uuid.UUID
    surplus: Money = Field(description="The book result; negative for a loss")
    tax_surplus: Money | None = Field(default=None, description="The tax result (equal to surplus unless given)")
    weights: dict[str, Any]
    total_weighted: Money
    rows: list[dict[str, Any]] = Field(
        description="Per member: by type, weighted patronage, share, allocation (book), tax_allocation, why"
    )
    allocated_total: Money
    tax_allocated_total: Money | None = None


class UndecidedContribution(Out):
    """A contribution of the period still pending or awaiting clarification."""

    id: uuid.UUID
    member_id: uuid.UUID
    member_name: str | None = None
    type: str
    status: Literal["pending", "clarification_requested"]
    contributed_on: date
    value: Money
    description: str | None = None


class PreCloseReport(Out):
    """What closing would find; undecided contributions come first: the close is refused while there are any."""

    model_config = ConfigDict(extra="allow")
    pending_contributions: list[UndecidedContribution] = Field(
        description="Contributions of the period pending or awaiting clarification, oldest first (at most 500)"
    )
    pending_count: int = Field(description="How many contributions of the period are undecided")
    period: dict[str, Any]
