"""Public bodies of the ledger's endpoints: close, allocations, distributions, statements, exports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from habitat_common.web.inputs import IsoDate
from habitat_common.web.money import MoneyIn
from pydantic import ConfigDict, Field, StringConstraints

from habitat_gateway.schemas import Body, Out

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


class ReasonRequest(Body):
    reason: str = Field(min_length=1, max_length=2000)


class AllocationRow(Out):
    member_id: uuid.UUID
    display_name: str | None = None
    weighted_patronage: Money
    share: str
    allocation: Money = Field(description="Share of the book result, credited to book capital (negative for a loss)")
    tax_allocation: Money | None = Field(
        default=None, description="Share of the tax result, credited to tax capital (negative for a loss)"
    )
    cash_portion_amount: Money | None = Field(default=None, description="Part of the book allocation paid in cash")
    retained_amount: Money | None = Field(default=None, description="Part of the book allocation kept in capital")


class Allocation(Out):
    model_config = ConfigDict(extra="allow")
    id: uuid.UUID
    period_id: uuid.UUID
    status: Literal["proposed", "approved", "rejected", "posted"]
    inputs: dict[str, Any]
    rows: list[AllocationRow]
    contribution_count: int
    content_hash: str
    proposed_by: uuid.UUID
    proposed_at: datetime
    approvals: list[dict[str, Any]] = Field(default_factory=list)
    approvals_required: int
    rejection: dict[str, Any] | None = None
    posted_at: datetime | None = None


class AllocationList(Out):
    items: list[Allocation]


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


class PreCloseReport(Out):
    """What closing would find; undecided contributions come first: the close is refused while there are any."""

    model_config = ConfigDict(extra="allow")
    pending_contributions: list[UndecidedContribution] = Field(
        description="Contributions of the period pending or awaiting clarification, oldest first (at most 500)"
    )
    pending_count: int = Field(description="How many contributions of the period are undecided")
    period: dict[str, Any]


class StatementLine(Out):
    model_config = ConfigDict(extra="allow")
    date: date
    transaction_id: uuid.UUID
    source_type: str
    source_id: uuid.UUID | None = None
    description: str
    book_amount: Money
    tax_amount: Money
    book_balance: Money
    tax_balance: Money


class Statement(Out):
    model_config = ConfigDict(extra="allow")
    member_id: uuid.UUID
    as_of: date | None = None
    lines: list[StatementLine]
    book_balance: Money
    tax_balance: Money


class ScheduleDistributionRequest(Body):
    member_id: uuid.UUID
    amount: MoneyIn = Field(description="More than 0, as text, e.g. \"250.00\" (the ledger refuses 0 or less)")
    method: Literal["ach", "check", "cash", "other"]
    scheduled_on: IsoDate


class CompleteDistributionRequest(Body):
    reference: str = Field(min_length=1, max_length=200, description="Payment reference, e.g. check number")
    paid_on: IsoDate | None = Field(default=None, description="Default: today in the co-op's time zone")
    override_reason: str | None = Field(
        default=None, min_length=1, max_length=2000, description="Required to pay more than the member's capital (recorded)"
    )


class Distribution(Out):
    model_config = ConfigDict(extra="allow")
    id: uuid.UUID
    member_id: uuid.UUID
    amount: Money
    method: str
    status: Literal["scheduled", "completed", "cancelled"]
    scheduled_on: date


class DistributionList(Out):
    items: list[Distribution]


class ReverseRequest(Body):
    reason: str = Field(min_length=1, max_length=2000)
    occurred_on: IsoDate | None = Field(default=None, description="Reversal date; default: today in the co-op's time zone")


class Transaction(Out):
    model_config = ConfigDict(extra="allow")
    id: uuid.UUID
    source_type: str
    source_id: uuid.UUID
    reverses_id: uuid.UUID | None = None
    occurred_on: date
    description: str
    postings: list[dict[str, Any]]


class MoneyMoveApproval(Out):
    by: uuid.UUID
    at: datetime


class MoneyMoveRejection(MoneyMoveApproval):
    reason: str


class MoneyMove(Out):
    """Money moved only with a second admin's approval (completing a distribution with any overdraw
    override, reversing a transaction, importing opening balances): the request, its parameters
    frozen, who approved, and what it did once executed."""

    model_config = ConfigDict(extra="allow")
    id: uuid.UUID
    kind: Literal["complete_distribution", "reverse_transaction", "import_opening_balances"]
    status: Literal["requested", "approved", "executed", "rejected"] = Field(
        description="requested: waits for a second admin; executed once approved; rejected: nothing moved"
    )
    target_id: uuid.UUID | None = Field(description="The distribution or transaction; null for an import")
    parameters: dict[str, Any] = Field(description="As requested (money as decimal strings)")
    content_hash: str = Field(description="sha256 of kind, target and parameters")
    requested_by: uuid.UUID
    requested_at: datetime
    approvals_required: int
    approvals: list[MoneyMoveApproval] = Field(description="The request counts as its requester's approval")
    single_admin: bool = Field(description="Went through on one admin (a co-op set up as single-admin)")
    rejection: MoneyMoveRejection | None = None
    executed_at: datetime | None = None
    result_id: uuid.UUID | None = Field(
        default=None, description="The distribution paid, the reversing transaction or the import"
    )
    distribution: Distribution | None = Field(default=None, description="complete_distribution: as it stands")
    reversal: Transaction | None = Field(default=None, description="reverse_transaction: once executed")


class MoneyMoveList(Out):
    items: list[MoneyMove]


class LedgerExceptionList(Out):
    items: list[dict[str, Any]] = Field(description="Approved contributions the ledger could not book yet, and why")


class AllocationStatement(Out):
    member_id: uuid.UUID
    lines: list[str] = Field(description="The math in plain language")
    allocation: Money
    tax_allocation: Money | None = None
    cash_portion_amount: Money
    retained_amount: Money


class K1IssuedEnding(Out):
    member_id: uuid.UUID
    tax_ending: Money = Field(description="Ending capital, tax basis (Item L): next year's beginning")
    book_ending: Money = Field(description="Ending capital, book (704(b)) basis")
    section_704c_gain_ending: Money = Field(description="Built-in gain of contributed property (FMV - basis) at year end")


class K1Issue(Out):
    """A tax year whose K-1s were issued: each member's endings are kept (next year's beginning) and the
    year is locked like a closed period."""

    year: int
    issued_at: datetime
    issued_by: uuid.UUID
    members: int = Field(description="How many members' K-1s were issued")
    endings: list[K1IssuedEnding]
